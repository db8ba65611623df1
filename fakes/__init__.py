"""Local stand-ins for the services regwatch talks to (Slack's API, a Prefect server), shared by tests/ and bench/.

Not part of the product (not packaged); neither tests/ nor bench/ imports the other for them.
"""
