"""Fetch stage: the address-guarded HTTP client, feeds.yaml, and polling feeds into items."""
