"""Shared by every stage: errors, settings, YAML config loading, URL canonicalisation, text helpers."""
