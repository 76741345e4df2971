"""The Slack surface: Bolt app, listeners, pure Block Kit builders, outbound rendering."""
