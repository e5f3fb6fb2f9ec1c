"""policy-monitor: watch DHS newsrooms and the Federal Register for immigration policy changes."""

__version__ = "0.1.0"
