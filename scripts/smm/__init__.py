"""smm: a social media team's work as code."""

__version__ = "0.1.0"
