"""Pure rules of the process. Nothing here knows Slack exists (enforced by ruff TID251)."""
