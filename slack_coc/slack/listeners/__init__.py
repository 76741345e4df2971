"""Listener modules. Each exposes `register(app: App, rt: Runtime) -> None`;
`build_app` registers every module named here (a feature adds one line), after the
middleware that stops replays (`replay.py`) and, in the web role, stores requests in the
inbox (`slack_coc/slack/deferral.py`)."""

MODULES: tuple[str, ...] = (
    "slack_coc.slack.listeners.commands",
    "slack_coc.slack.listeners.step_commands",
    "slack_coc.slack.listeners.actions",
    "slack_coc.slack.listeners.submissions",
    "slack_coc.slack.listeners.shortcuts",
    "slack_coc.slack.listeners.events",
    "slack_coc.slack.listeners.mail",
    "slack_coc.slack.listeners.records",
    "slack_coc.slack.listeners.people",
    "slack_coc.slack.listeners.rota",
    "slack_coc.slack.listeners.workspace",
    "slack_coc.slack.listeners.drills",
    "slack_coc.slack.listeners.content_warnings",
    "slack_coc.slack.listeners.sanctions",
    "slack_coc.slack.listeners.readmission",
    "slack_coc.slack.listeners.relay",
    "slack_coc.slack.listeners.board",
    "slack_coc.slack.listeners.bias",
)
