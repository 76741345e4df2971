"""Read models: what the Slack surface and the CLI show about cases (lists, views, App Home,
step prompts), each read in one transaction and never written."""
