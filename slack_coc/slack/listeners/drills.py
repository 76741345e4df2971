"""`/coc drill`: log a practice case that pages the on-call pair like a real one."""

from __future__ import annotations

from slack_bolt import App

from slack_coc.runtime import Runtime
from slack_coc.services.drills import start_drill
from slack_coc.slack.subcommands import CommandRequest, subcommand


def register(app: App, rt: Runtime) -> None:
    """Nothing to wire: importing this module registers its subcommand."""


@subcommand("drill", "drill", "log a practice case (DRILL) that pages the on-call pair")
def _drill(req: CommandRequest) -> None:
    logged = start_drill(req.rt.ctx, req.actor)
    paged = ", ".join(f"<@{u}>" for u in logged.paged_user_ids) or "nobody (no one on call)"
    req.respond(
        text=(
            f"DRILL · *#{logged.number}* {logged.code_name} logged as a practice case. "
            f"Paged: {paged}. Work it to the end like a real case; it is left out of the "
            "records, the statistics, retention and all mail."
        ),
        response_type="ephemeral",
    )
