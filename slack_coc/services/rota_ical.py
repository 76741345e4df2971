"""The rota as an iCalendar feed (RFC 5545): one event per duty week and role, so members
can subscribe (`slack-coc oncall ical`, or `GET /oncall.ics?team=...&token=...` on `serve`
with the workspace's own secret, see `rota_feed`). Events name members by display name and
Slack id only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.models import Member
from slack_coc.domain.rota_models import OncallWeek
from slack_coc.services.rota import WEEK, week_start

PRODID = "-//slack-coc//on-call rota//EN"


def _escape(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets are folded (RFC 5545 3.1)."""
    out: list[str] = []
    current = ""
    for char in line:
        if len((current + char).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += char
    out.append(current)
    return [out[0]] + [" " + rest for rest in out[1:]]


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def render_ics(
    ctx: ServiceContext, team_id: str, *, past_weeks: int = 4, weeks: int = 52, name: str = ""
) -> str:
    """The rota of `team_id` from `past_weeks` ago to `weeks` ahead, as an .ics document."""
    now = ctx.clock.now()
    first = week_start(now, ctx.policy) - WEEK * past_weeks
    with ctx.read() as session:
        rows = list(
            session.scalars(
                select(OncallWeek)
                .where(
                    OncallWeek.team_id == team_id,
                    OncallWeek.starts_at >= first,
                    OncallWeek.starts_at < first + WEEK * (past_weeks + weeks),
                )
                .order_by(OncallWeek.starts_at)
            )
        )
        ids = {mid for w in rows for mid in (w.primary_id, w.secondary_id)}
        people = {
            m.id: (m.display_name, m.user_id)
            for m in session.scalars(select(Member).where(Member.id.in_(ids)))
        }
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name or 'Code of Conduct on-call')}",
    ]
    for week in rows:
        for role, member_id in (("primary", week.primary_id), ("secondary", week.secondary_id)):
            display, user_id = people[member_id]
            lines += [
                "BEGIN:VEVENT",
                f"UID:oncall-{team_id}-{week.starts_at:%Y%m%dT%H%M}-{role}@slack-coc",
                f"DTSTAMP:{_stamp(now)}",
                f"DTSTART:{_stamp(week.starts_at)}",
                f"DTEND:{_stamp(week.starts_at + WEEK)}",
                f"SUMMARY:{_escape(f'CoC on-call {role}: {display}')}",
                f"DESCRIPTION:{_escape(f'{role.title()} on call ({user_id}).')}",
                "TRANSP:TRANSPARENT",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _fold(line))
