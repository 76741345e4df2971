"""Drills: a practice case that pages the on-call pair and is worked like a real one.

A drill is a `Case` with `drill=True`. Every surface marks it "DRILL" (`views.flags_of`,
`format.drill_prefix`, `messages.case_ref`); records, statistics and retention leave it out
(`reports.outcomes.counted`, `services.retention`); no mail leaves for it
(`mail_outgoing.dispatch`) and the organisers' check ignores it (`services.sanctions`).
"""

from __future__ import annotations

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseSource
from slack_coc.services.access import require_member
from slack_coc.services.intake import LoggedCase, ReportInput, log_report

DRILL_ACCOUNT = (
    "DRILL: this is a practice case, not a real report. Work it as you would a real one: "
    "acknowledge, take it as shepherd, propose and vote on a decision, resolve it. "
    "Nothing about it is counted, published or mailed."
)


def start_drill(ctx: ServiceContext, actor: Actor) -> LoggedCase:
    """Log a practice case from a member; the on-call pair is paged as for a real one."""
    with ctx.read() as session:
        require_member(session, actor)
    report = ReportInput(account=DRILL_ACCOUNT, source=CaseSource.SLACK.value, ongoing="No")
    return log_report(ctx, actor, report, drill=True)
