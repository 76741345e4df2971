"""Recusal derived from the people on a case, at every moment (docs/decisions.md).

A party identified as a member (their Slack id, or an email address on the roster) recuses
that member at once: `concerned` when the party is a reported person, `involved` for any
other role. It happens when a report is logged, when a person is added or identified on a
case, and when a member is added or reactivated (matched against every party of the
workspace by keyed digest: an indexed lookup, never a scan decrypting parties). Nothing here
lifts a recusal: lifting is a chair's recorded act (`conflicts.lift_recusal`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from slack_coc.crypto import lookup_digest, lookup_digests
from slack_coc.domain.enums import PartyRole, RecusalReason
from slack_coc.domain.models import Case, CaseEvent, Member, Party, Recusal
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.timeline import case_changed, record_event


def slack_key(team_id: str, user_id: str) -> str:
    """What a Slack id's digest is taken of: the same id in another workspace is another
    person."""
    return f"{team_id}:{user_id}"


def party_digests(
    team_id: str, slack_user_id: str | None, email: str | None
) -> tuple[str | None, str | None]:
    return (
        lookup_digest(slack_key(team_id, slack_user_id)) if slack_user_id else None,
        lookup_digest(email) if email else None,
    )


def _reason(role: str) -> str:
    if role == PartyRole.REPORTED.value:
        return RecusalReason.CONCERNED.value
    return RecusalReason.INVOLVED.value


def _member_digests(members: Iterable[Member]) -> dict[str, Member]:
    """Every digest (under every key) that names one of these members."""
    found: dict[str, Member] = {}
    for member in members:
        for digest in lookup_digests(slack_key(member.team_id, member.user_id)):
            found[digest] = member
        if member.email:
            for digest in lookup_digests(member.email):
                found[digest] = member
    return found


def _recuse(
    session: Session, case: Case, member: Member, reason: str, now: datetime
) -> Recusal | None:
    """Recuse `member` from `case` for `reason` unless already recused; a recusal for
    another reason becomes `concerned` when the member is now a reported person."""
    existing = session.scalar(
        select(Recusal).where(
            Recusal.case_id == case.id,
            Recusal.member_id == member.id,
            Recusal.lifted_at.is_(None),
        )
    )
    if existing is not None:
        if reason == RecusalReason.CONCERNED.value and existing.reason != reason:
            existing.reason = reason
        return None
    recusal = Recusal(
        team_id=case.team_id, case_id=case.id, member_id=member.id, reason=reason, declared_at=now
    )
    session.add(recusal)
    if case.shepherd_id == member.id:
        case.shepherd_id = None
    return recusal


def recuse_parties(
    session: Session,
    case: Case,
    now: datetime,
    *,
    board_address: str | None = None,
    quiet: bool = False,
) -> set[int]:
    """Recuse every active member who is a party of `case`. Returns the ids of members
    newly recused. Unless `quiet` (intake, which records its own events and tells the
    board), each recusal is a timeline event that names nobody, the card and App Homes are
    refreshed, and a case now concerning every chair goes to the board."""
    parties = list(
        session.execute(
            select(Party.role, Party.slack_user_digest, Party.email_digest).where(
                Party.case_id == case.id
            )
        )
    )
    if not parties:
        return set()
    members = list(
        session.scalars(
            select(Member).where(Member.team_id == case.team_id, Member.active.is_(True))
        )
    )
    by_digest = _member_digests(members)
    wanted: dict[int, tuple[Member, str]] = {}
    for role, slack_digest, email_digest in parties:
        for digest in (slack_digest, email_digest):
            member = by_digest.get(digest) if digest else None
            if member is None:
                continue
            reason = _reason(role)
            current = wanted.get(member.id)
            if current is None or reason == RecusalReason.CONCERNED.value:
                wanted[member.id] = (member, reason)
    fresh = set()
    for member, reason in wanted.values():
        if _recuse(session, case, member, reason, now) is not None:
            fresh.add(member.id)
            if not quiet:
                _recused_event(session, case, member, reason, now)
    session.flush()
    if fresh and not quiet:
        case_changed(session, case, now)
    if fresh and not quiet:
        notify_board_if_all_chairs_recused(session, case, now, board_address)
    return fresh


def recuse_anonymous_member(session: Session, case: Case, user_id: str, now: datetime) -> set[int]:
    """A member who reports anonymously is still kept out of their own case (quietly, as
    `involved`, the reason a witness has too). Returns the recused member's id, if any."""
    member = session.scalar(
        select(Member).where(
            Member.team_id == case.team_id, Member.user_id == user_id, Member.active.is_(True)
        )
    )
    if member is None or _recuse(session, case, member, RecusalReason.INVOLVED.value, now) is None:
        return set()
    session.flush()
    return {member.id}


def recuse_new_member(session: Session, member: Member, now: datetime) -> list[int]:
    """A member added or reactivated: recused from every case of the workspace that names
    them, before any case becomes visible. Returns the case ids."""
    conditions = [
        Party.slack_user_digest.in_(lookup_digests(slack_key(member.team_id, member.user_id)))
    ]
    if member.email:
        conditions.append(Party.email_digest.in_(lookup_digests(member.email)))
    rows = session.execute(
        select(Party.case_id, Party.role)
        .where(Party.team_id == member.team_id, or_(*conditions))
        .order_by(Party.case_id)
    )
    reasons: dict[int, str] = {}
    for case_id, role in rows:
        if reasons.get(case_id) != RecusalReason.CONCERNED.value:
            reasons[case_id] = _reason(role)
    recused = []
    for case_id, reason in reasons.items():
        case = session.get_one(Case, case_id)
        if _recuse(session, case, member, reason, now) is not None:
            recused.append(case_id)
            session.flush()
            _recused_event(session, case, member, reason, now)
    return recused


def _recused_event(
    session: Session, case: Case, member: Member, reason: str, now: datetime
) -> None:
    """Like a declared recusal: the thread says a member recused; the encrypted note (detail
    modal only) says who and why."""
    note = f"{member.display_name}: {reason} (named in the case)"
    record_event(session, case, "recused", now, actor_user_id=None, note=note, data={})


def names_member(session: Session, case: Case, member: Member) -> bool:
    """Whether a party of `case` is `member` (by Slack id or roster email)."""
    digests = list(_member_digests([member]))
    found = session.scalar(
        select(Party.id)
        .where(
            Party.case_id == case.id,
            or_(Party.slack_user_digest.in_(digests), Party.email_digest.in_(digests)),
        )
        .limit(1)
    )
    return found is not None


def notify_board_if_all_chairs_recused(
    session: Session, case: Case, now: datetime, board_address: str | None
) -> bool:
    """A report that concerns every chair goes to the board (once per case)."""
    chairs = set(
        session.scalars(
            select(Member.id).where(
                Member.team_id == case.team_id, Member.is_chair.is_(True), Member.active.is_(True)
            )
        )
    )
    if not chairs:
        return False
    recused = set(
        session.scalars(
            select(Recusal.member_id).where(
                Recusal.case_id == case.id,
                Recusal.lifted_at.is_(None),
                Recusal.reason.in_((RecusalReason.CONCERNED.value, RecusalReason.INVOLVED.value)),
            )
        )
    )
    if not chairs <= recused:
        return False
    told = session.scalar(
        select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.kind == "board_notified")
    )
    if told is not None:
        return False
    record_event(
        session,
        case,
        "board_notified",
        now,
        actor_user_id=None,
        data={"reason": "report concerns every chair"},
    )
    if board_address:
        enqueue_once(
            session,
            team_id=case.team_id,
            kind=Intent.MAIL,
            now=now,
            case_id=case.id,
            recipient=board_address,
            payload={
                "template": "board_all_chairs",
                "to": [board_address],
                "case_number": case.number,
                "code_name": case.code_name,
            },
            dedupe_key=f"board-all-chairs:{case.id}",
        )
    return True
