"""Helpers the tests share: local HTTP, Slack and Prefect servers, feed samples, config directories, fault runners."""
