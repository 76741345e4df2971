"""Due work: the deadline notices behind `tick`, the worker and the shepherd's delay note.

`sweep_due(ctx)` finds every deadline that needs a notice now and every due rota notice
(handover, reminder) with a fixed number of queries whatever the number of cases, and
writes their outbox intents under unique keys (see `queues/notices.py`), in one
transaction holding the sweep lock. Running it twice at the same instant writes nothing new.

Deadline kinds (set by intake and the case services) and what they cause:
- `ack` (12 h; at once for safety-risk/ongoing): page the primary again and the secondary
  as acting primary.
- `ack_any` (24 h; at once for safety-risk/ongoing): the channel asks any member to step in.
- `resolution`, `reporter_response`: the shepherd (by DM) and the channel are told
  `resolution_warning_hours` before ("nearing") and when the date passes.
- `emergency_review`, `review_date`, `suspension_end` (readmission prompt), `deadlock`,
  and any other kind: the shepherd and the channel are told when due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Exists, and_, exists, or_, select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.deadline_kinds import deadline_label
from slack_coc.domain.enums import CaseState
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.models import Case, Deadline, Member, Recusal, Workspace
from slack_coc.domain.rota_models import Absence, OncallWeek
from slack_coc.failures import log_failure
from slack_coc.queues.notices import Notice, PlannedIntent, take_sweep_lock, write_notices
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.queues.sweep_models import SentNotice
from slack_coc.services.access import require_case_access
from slack_coc.services.actions import ACTION_DEADLINE, owners_of
from slack_coc.services.paging import choose_pair, escalation_pages, page_facts
from slack_coc.services.rota import week_start
from slack_coc.services.timeline import case_changed, record_event, set_deadline

log = logging.getLogger(__name__)

WARNED_KINDS = ("resolution", "reporter_response")
ACK_KINDS = ("ack", "ack_any")
CHUNK = 900  # ids per IN (...) list: well under SQLite's bound-parameter limit


@dataclass(frozen=True)
class SweepReport:
    deadline_notices: int = 0
    rota_notices: int = 0
    failures: int = 0


def notice_key(case_id: int, kind: str, due_at: datetime, stage: str) -> str:
    return f"dl:{case_id}:{kind}:{due_at.astimezone(UTC):%Y%m%dT%H%M%S}:{stage}"


def sweep_due(ctx: ServiceContext) -> SweepReport:
    """Plan and write every notice due at `ctx.clock.now()`; idempotent."""
    from slack_coc.services.handover import plan_rota_notices

    now = ctx.clock.now()
    with ctx.transaction() as session:
        take_sweep_lock(session)
        notices, failures = plan_deadline_notices(session, now, ctx.policy)
        rota, rota_failures = plan_rota_notices(session, now, ctx)
        written = write_notices(session, notices, now)
        rota_written = write_notices(session, rota, now)
    return SweepReport(written, rota_written, failures + rota_failures)


def due_deadlines(
    session: Session, now: datetime, warn: timedelta, case_id: int | None = None
) -> list[tuple[Deadline, Case]]:
    """Open deadlines needing a notice now, with their case, in one query: past due without
    a "due" notice, or (warned kinds) inside the warning window without a "warn" notice."""

    def noticed(stage: str) -> Exists:
        return exists().where(SentNotice.deadline_id == Deadline.id, SentNotice.stage == stage)

    query = (
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.met_at.is_(None),
            Deadline.due_at <= now + warn,
            Case.synthetic.is_(False),  # demo data (`cases seed`) never pages anyone
            ~exists().where(Workspace.team_id == Case.team_id, Workspace.active.is_(False)),
            or_(
                and_(Deadline.due_at <= now, ~noticed("due")),
                and_(
                    Deadline.due_at > now,
                    Deadline.kind.in_(WARNED_KINDS),
                    ~noticed("warn"),
                ),
            ),
        )
        .order_by(Deadline.due_at, Deadline.id)
    )
    if case_id is not None:
        query = query.where(Deadline.case_id == case_id)
    return [(d, c) for d, c in session.execute(query)]


def plan_deadline_notices(
    session: Session, now: datetime, policy: Policy, case_id: int | None = None
) -> tuple[list[Notice], int]:
    warn = timedelta(hours=policy.resolution_warning_hours)
    due = due_deadlines(session, now, warn, case_id)
    if not due:
        return [], 0
    case_ids = sorted({c.id for _d, c in due})
    teams = sorted({c.team_id for _d, c in due})
    recused: dict[int, set[int]] = {}
    for i in range(0, len(case_ids), CHUNK):
        for case_id, member_id in session.execute(
            select(Recusal.case_id, Recusal.member_id).where(
                Recusal.case_id.in_(case_ids[i : i + CHUNK]), Recusal.lifted_at.is_(None)
            )
        ):
            recused.setdefault(case_id, set()).add(member_id)
    members = list(
        session.scalars(select(Member).where(Member.team_id.in_(teams)).order_by(Member.id))
    )
    by_id = {m.id: m for m in members}
    roster = {t: [m for m in members if m.team_id == t] for t in teams}
    weeks = {
        w.team_id: w
        for w in session.scalars(
            select(OncallWeek).where(
                OncallWeek.team_id.in_(teams), OncallWeek.starts_at == week_start(now, policy)
            )
        )
    }
    away: dict[str, set[int]] = {}
    for team_id, member_id in session.execute(
        select(Absence.team_id, Absence.member_id).where(
            Absence.team_id.in_(teams),
            Absence.starts_on <= now.date(),
            Absence.ends_on >= now.date(),
        )
    ):
        away.setdefault(team_id, set()).add(member_id)

    owners = owners_of(
        session,
        [int(d.kind.removeprefix(ACTION_DEADLINE)) for d, _c in due if _is_action(d.kind)],
    )
    notices: list[Notice] = []
    failures = 0
    for deadline, case in due:
        try:
            excluded = recused.get(case.id, set())
            if _is_action(deadline.kind):
                owner = owners.get(int(deadline.kind.removeprefix(ACTION_DEADLINE)))
                notices.append(_action_due(deadline, case, owner, excluded))
                continue
            shepherd = by_id.get(case.shepherd_id) if case.shepherd_id else None
            if shepherd is not None and (shepherd.id in excluded or not shepherd.active):
                shepherd = None
            week = weeks.get(case.team_id)
            team_roster = roster.get(case.team_id, [])
            pair = choose_pair(week, team_roster, excluded | away.get(case.team_id, set()))
            if len(pair) < 2:
                pair = choose_pair(week, team_roster, excluded)
            notices.append(
                _plan_one(deadline, case, now, policy.resolution_warning_hours, shepherd, pair)
            )
        except Exception:
            failures += 1
            log_failure(log, "planning deadline %s of case %s failed", deadline.id, case.id)
    return notices, failures


def _is_action(kind: str) -> bool:
    return kind.startswith(ACTION_DEADLINE) and kind.removeprefix(ACTION_DEADLINE).isdigit()


def _action_due(deadline: Deadline, case: Case, owner: Member | None, excluded: set[int]) -> Notice:
    """An action of an ongoing round is due: its owner is reminded (by DM, once)."""
    key = notice_key(case.id, deadline.kind, deadline.due_at, "due")
    notice = Notice(key, case.team_id, "due", case_id=case.id, deadline_id=deadline.id)
    if owner is None or not owner.active or owner.id in excluded:
        return notice
    payload = {
        **page_facts(case),
        "template": "action_due",
        "deadline": "action",
        "due_at": deadline.due_at.astimezone(UTC).isoformat(),
    }
    notice.intents.append(PlannedIntent(Intent.DM, payload, owner.user_id))
    return notice


def _plan_one(
    deadline: Deadline,
    case: Case,
    now: datetime,
    warning_hours: float,
    shepherd: Member | None,
    pair: list[Member],
) -> Notice:
    stage = "due" if deadline.due_at <= now else "warn"
    key = notice_key(case.id, deadline.kind, deadline.due_at, stage)
    notice = Notice(key, case.team_id, stage, case_id=case.id, deadline_id=deadline.id)
    facts = {
        **page_facts(case),
        "deadline": deadline.kind,
        "label": deadline_label(deadline.kind),
        "due_at": deadline.due_at.astimezone(UTC).isoformat(),
        "stage": stage,
    }
    if deadline.kind in ACK_KINDS and case.state != CaseState.RECEIVED.value:
        return notice  # acknowledged meanwhile: record the key, send nothing
    if deadline.kind == "ack":
        for recipient, payload, _key in escalation_pages(case, pair, key):
            notice.intents.append(PlannedIntent(Intent.DM, {**payload, **facts}, recipient))
        return notice
    if deadline.kind == "ack_any":
        notice.intents.append(
            PlannedIntent(Intent.CHANNEL, {**facts, "template": "page_any_member"})
        )
        return notice
    if case.state == CaseState.RESOLVED.value and deadline.kind in WARNED_KINDS:
        return notice  # resolved without meeting it (e.g. kept on file): nothing to chase
    template = {
        "suspension_end": "readmission_prompt",
        "review_date": "review_due",
        "emergency_review": "emergency_review_due",
        "deadlock": "deadlock_reached",
        "feedback": "feedback_overdue",
        # Past the target, the shepherd owes the group a delay note (docs/process.md).
        **({"resolution": "resolution_overdue"} if stage == "due" else {}),
    }.get(deadline.kind, "deadline_nearing" if stage == "warn" else "deadline_passed")
    if shepherd is not None:
        notice.intents.append(
            PlannedIntent(
                Intent.DM, {**facts, "template": template, "audience": "shepherd"}, shepherd.user_id
            )
        )
    notice.intents.append(
        PlannedIntent(Intent.CHANNEL, {**facts, "template": template, "audience": "channel"})
    )
    return notice


def notify_due_now(session: Session, case: Case, now: datetime, policy: Policy) -> int:
    """Inside the caller's transaction: write the notices already due on one case (a
    safety-risk or ongoing report has its escalation due at receipt), with the same keys
    the sweep uses, so the sweep will not send them again."""
    session.flush()
    notices, _failures = plan_deadline_notices(session, now, policy, case.id)
    return write_notices(session, notices, now)


def delay_resolution(
    ctx: ServiceContext, actor: Actor, ref: str | int, new_date: date, reason: str
) -> datetime:
    """The shepherd (or a chair) moves the resolution target, with a reason: the old target
    is closed, a new one set at 12:00 UTC on `new_date`, and the channel told (date only;
    the reason stays on the timeline, encrypted)."""
    if not reason.strip():
        raise InvalidInput("Please give a reason for the delay.", field="reason")
    now = ctx.clock.now()
    if new_date <= now.date():
        raise InvalidInput("The new date must be after today.", field="date")
    due = datetime.combine(new_date, time(12, 0), tzinfo=UTC)
    with ctx.transaction() as session:
        member, case = require_case_access(session, actor, ref, for_update=True)
        if case.state == CaseState.RESOLVED.value:
            raise NotPermitted(f"Case #{case.number} is resolved: there is no target to move.")
        if case.shepherd_id != member.id and not member.is_chair:
            raise NotPermitted(f"Only the shepherd of #{case.number} (or a chair) can delay it.")
        for old in session.scalars(
            select(Deadline).where(
                Deadline.case_id == case.id,
                Deadline.kind == "resolution",
                Deadline.met_at.is_(None),
            )
        ):
            old.met_at = now
        same = session.scalar(
            select(Deadline).where(
                Deadline.case_id == case.id, Deadline.kind == "resolution", Deadline.due_at == due
            )
        )
        if same is not None:
            same.met_at = None  # back to a date used before: reopen that target
        else:
            set_deadline(session, case, "resolution", due, now)
        record_event(
            session,
            case,
            "resolution_delayed",
            now,
            actor_user_id=actor.user_id,
            note=reason.strip(),
            data={"new_date": new_date.isoformat()},
        )
        enqueue(
            session,
            team_id=case.team_id,
            kind=Intent.CHANNEL,
            now=now,
            case_id=case.id,
            payload={
                **page_facts(case),
                "template": "resolution_delayed",
                "due_at": due.isoformat(),
                "by": actor.user_id,
            },
        )
        case_changed(session, case, now)
        return due
