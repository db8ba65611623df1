"""The `regwatch` command line."""
