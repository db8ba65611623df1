"""Errors that end a run with a one-line reason instead of a traceback."""


class RegwatchError(Exception):
    """Base class: the CLI prints ``str(exc)`` and exits non-zero."""


class ConfigError(RegwatchError):
    """A config file, setting or argument is wrong; the message names where and what."""


class DatabaseError(RegwatchError):
    """The DuckDB file cannot be opened or written (locked, corrupt, disk full)."""
