"""Ship JSON-lines log files to the collector."""

__version__ = "0.4.1"
