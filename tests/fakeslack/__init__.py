"""A fake Slack Web API server that checks every call against Slack's reference material."""

from tests.fakeslack.server import Call, FakeSlack, Message

__all__ = ["Call", "FakeSlack", "Message"]
