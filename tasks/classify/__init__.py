"""Classify stage: tracked companies, regulators, money amounts, and the regulatory events a story reports."""
