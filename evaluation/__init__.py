"""Accuracy measures: labelled texts, the real-text corpus, near-duplicates, extraction.

The product never imports it.
"""
