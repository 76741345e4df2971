"""slack-coc: a Slack app for Code of Conduct working groups."""

__version__ = "0.1.0"
