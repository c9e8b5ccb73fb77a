"""calsync: job-search follow-ups planned from your interview calendar."""

__version__ = "0.1.0"
