"""Rota notices: the handover at the handover instant and the reminder before it.

At the handover instant the incoming primary and secondary each get a DM with their duties
and the open cases they may see (count and `#N` list; never a case they are recused from),
and the channel gets a notice naming this week's and next week's pair.
`handover_reminder_hours` (24 h) before the next handover, next week's pair is reminded.
Keys: `rota:{team}:{week start}:{handover|reminder}`, so each goes out once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import CaseState
from slack_coc.domain.models import Case, Member, Recusal, Workspace
from slack_coc.domain.rota_models import Absence, OncallWeek
from slack_coc.failures import log_failure
from slack_coc.queues.notices import Notice, PlannedIntent, existing_keys
from slack_coc.queues.outbox import Intent
from slack_coc.services.rota import WEEK, week_start

log = logging.getLogger(__name__)

MAX_LISTED = 25  # `#N` numbers listed in a handover DM; the count covers the rest


def rota_key(team_id: str, starts_at: datetime, what: str) -> str:
    return f"rota:{team_id}:{starts_at:%Y%m%dT%H%M}:{what}"


def plan_rota_notices(
    session: Session, now: datetime, ctx: ServiceContext
) -> tuple[list[Notice], int]:
    """Handover notices for the week that has started and reminders for the next one, for
    every workspace, in a fixed number of queries."""
    policy = ctx.policy
    current = week_start(now, policy)
    following = current + WEEK
    remind = now >= following - timedelta(hours=policy.handover_reminder_hours)
    weeks = list(
        session.scalars(
            select(OncallWeek).where(
                OncallWeek.starts_at.in_([current, following]),
                ~exists().where(
                    Workspace.team_id == OncallWeek.team_id, Workspace.active.is_(False)
                ),
            )
        )
    )
    if not weeks:
        return [], 0
    by_team: dict[str, dict[datetime, OncallWeek]] = {}
    for w in weeks:
        by_team.setdefault(w.team_id, {})[w.starts_at] = w
    wanted = []
    for team_id, team_weeks in by_team.items():
        if current in team_weeks:
            wanted.append(rota_key(team_id, current, "handover"))
        if remind and following in team_weeks:
            wanted.append(rota_key(team_id, following, "reminder"))
    done = existing_keys(session, wanted)
    todo = [k for k in wanted if k not in done]
    if not todo:
        return [], 0
    member_ids = {mid for w in weeks for mid in (w.primary_id, w.secondary_id)}
    # Who of each pair is marked away during their week (the notices say so).
    absences = list(
        session.scalars(
            select(Absence).where(
                Absence.member_id.in_(member_ids),
                Absence.ends_on >= current.date(),
                Absence.starts_on <= (following + WEEK).date(),
            )
        )
    )
    users = {
        m.id: m.user_id for m in session.scalars(select(Member).where(Member.id.in_(member_ids)))
    }
    handover_teams = [k.split(":")[1] for k in todo if k.endswith(":handover")]
    open_cases: dict[str, list[tuple[int, int]]] = {}
    recused: dict[int, set[int]] = {}
    if handover_teams:
        for team_id, case_id, number in session.execute(
            select(Case.team_id, Case.id, Case.number)
            .where(
                Case.team_id.in_(handover_teams),
                Case.state != CaseState.RESOLVED.value,
                Case.synthetic.is_(False),
                Case.chairs_only.is_(False),  # the chairs handle those, not the rota
            )
            .order_by(Case.number)
        ):
            open_cases.setdefault(team_id, []).append((case_id, number))
        for member_id, case_id in session.execute(
            select(Recusal.member_id, Recusal.case_id).where(
                Recusal.member_id.in_(member_ids), Recusal.lifted_at.is_(None)
            )
        ):
            recused.setdefault(member_id, set()).add(case_id)

    notices: list[Notice] = []
    failures = 0
    for key in todo:
        team_id, what = key.split(":")[1], key.rsplit(":", 1)[1]
        try:
            team_weeks = by_team[team_id]
            if what == "handover":
                notices.append(
                    _handover(
                        key,
                        team_id,
                        team_weeks[current],
                        team_weeks.get(following),
                        users,
                        open_cases.get(team_id, []),
                        recused,
                    )
                )
            else:
                notices.append(
                    _reminder(
                        key,
                        team_id,
                        team_weeks[following],
                        users,
                        away_in(absences, team_weeks[following], users),
                    )
                )
        except Exception:
            failures += 1
            log_failure(log, "planning rota notice %s failed", key)
    return notices, failures


def away_in(absences: list[Absence], week: OncallWeek, users: dict[int, str]) -> list[str]:
    """The pair's members who are away some day of that week."""
    first, last = week.starts_at.date(), (week.starts_at + WEEK).date()
    return [
        users[mid]
        for mid in (week.primary_id, week.secondary_id)
        if any(a.member_id == mid and a.starts_on < last and a.ends_on >= first for a in absences)
    ]


def _pair(week: OncallWeek, users: dict[int, str]) -> dict[str, str]:
    return {"primary": users[week.primary_id], "secondary": users[week.secondary_id]}


def _handover(
    key: str,
    team_id: str,
    week: OncallWeek,
    next_week: OncallWeek | None,
    users: dict[int, str],
    open_cases: list[tuple[int, int]],
    recused: dict[int, set[int]],
) -> Notice:
    notice = Notice(key, team_id, "handover")
    common = {
        "week_starts_at": week.starts_at.isoformat(),
        "week_ends_at": (week.starts_at + WEEK).isoformat(),
    }
    for role, member_id in (("primary", week.primary_id), ("secondary", week.secondary_id)):
        visible = [n for cid, n in open_cases if cid not in recused.get(member_id, set())]
        notice.intents.append(
            PlannedIntent(
                Intent.DM,
                {
                    **common,
                    "template": "handover_duty",
                    "role": role,
                    "open_count": len(visible),
                    "open_cases": visible[:MAX_LISTED],
                },
                users[member_id],
            )
        )
    notice.intents.append(
        PlannedIntent(
            Intent.CHANNEL,
            {
                **common,
                "template": "handover_notice",
                "this_week": _pair(week, users),
                "next_week": _pair(next_week, users) if next_week else None,
            },
        )
    )
    return notice


def _reminder(
    key: str, team_id: str, week: OncallWeek, users: dict[int, str], away: list[str]
) -> Notice:
    notice = Notice(key, team_id, "reminder")
    pair = _pair(week, users)
    for role, user_id in pair.items():
        notice.intents.append(
            PlannedIntent(
                Intent.DM,
                {
                    "template": "handover_reminder",
                    "away": away,
                    "role": role,
                    "partner": pair["secondary" if role == "primary" else "primary"],
                    "week_starts_at": week.starts_at.isoformat(),
                },
                user_id,
            )
        )
    return notice
