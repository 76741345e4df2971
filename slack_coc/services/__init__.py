"""Use cases: one transaction each; they drive the lifecycle, write timeline events and
outbox intents in the same transaction. Nothing here knows Slack exists."""
