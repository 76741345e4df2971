"""Pure builders for message and App Home blocks: data in, Block Kit out."""

# Message templates that live in feature modules register on import.
from slack_coc.slack.blocks import mail_messages  # noqa: F401
