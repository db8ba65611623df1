"""Helpers the tests share: feed samples, config directories, local HTTP handlers, fault runners, the ../shared corpora.

The fake Slack and the Prefect server the benchmark uses too live in `fakes/`."""
