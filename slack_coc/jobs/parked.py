"""Parked outbox items: what waits for an operator after its attempts ran out. The group is
told once per item when Slack answers again (`announce_parked`); `slack-coc outbox retry`
puts them back in the queue (`retry_parked`)."""

from __future__ import annotations

from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.models import Case
from slack_coc.queues.notices import Notice, PlannedIntent, existing_keys, write_notices
from slack_coc.queues.outbox_models import OutboxMessage, OutboxStatus

PARKED_TEMPLATE = "outbox_parked"


def announce_parked(ctx: ServiceContext) -> int:
    """Tell each workspace's channel, once per parked item, that messages are waiting.
    Called after a successful delivery: Slack answers again. Returns items announced."""
    with ctx.transaction() as session:
        parked = list(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.team_id, OutboxMessage.case_id)
                .where(OutboxMessage.status == OutboxStatus.PARKED)
                .order_by(OutboxMessage.id)
                .limit(500)
            )
        )
        if not parked:
            return 0
        done = existing_keys(session, [f"parked:{i}" for i, _t, _c in parked])
        fresh = [(i, t, c) for i, t, c in parked if f"parked:{i}" not in done]
        if not fresh:
            return 0
        case_ids = {c for _i, _t, c in fresh if c is not None}
        numbers = (
            dict(session.execute(select(Case.id, Case.number).where(Case.id.in_(case_ids))))
            if case_ids
            else {}
        )
        notices = []
        for team_id in sorted({t for _i, t, _c in fresh}):
            items = [(i, c) for i, t, c in fresh if t == team_id]
            cases = sorted({numbers[c] for _i, c in items if c in numbers})
            for position, (item_id, case_id) in enumerate(items):
                notice = Notice(f"parked:{item_id}", team_id, "parked", case_id=case_id)
                if position == 0:
                    notice.intents.append(
                        PlannedIntent(
                            "channel",
                            {
                                "template": PARKED_TEMPLATE,
                                "count": len(items),
                                "case_numbers": cases,
                            },
                        )
                    )
                notices.append(notice)
        return write_notices(session, notices, ctx.clock.now())


def retry_parked(ctx: ServiceContext, team_id: str | None = None) -> int:
    """Put parked items back in the queue (operator, after an outage)."""
    with ctx.transaction() as session:
        query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PARKED)
        if team_id:
            query = query.where(OutboxMessage.team_id == team_id)
        items = list(session.scalars(query))
        for item in items:
            item.status, item.attempts = OutboxStatus.PENDING, 0
            item.next_attempt_at = ctx.clock.now()
        return len(items)
