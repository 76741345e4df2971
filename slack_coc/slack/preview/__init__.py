"""`slack-coc preview`: every Slack surface rendered from the app's own builders, as HTML."""
