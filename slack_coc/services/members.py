"""The working-group roster."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.crypto import lookup_digest
from slack_coc.domain.enums import CaseState
from slack_coc.domain.errors import Conflict, InvalidInput, NotFound
from slack_coc.domain.models import Case, Member
from slack_coc.services.concerned import notify_board_if_all_chairs_recused, recuse_new_member
from slack_coc.services.intake import ensure_workspace
from slack_coc.services.timeline import case_changed, refresh_homes

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


@dataclass(frozen=True)
class MemberView:
    user_id: str
    display_name: str
    is_chair: bool
    active: bool
    onboarded: bool


def _check_user_id(user_id: str) -> str:
    if not USER_ID.match(user_id or ""):
        raise InvalidInput(
            f"{user_id!r} is not a Slack user id (expected something like U012AB3CD).", "user_id"
        )
    return user_id


def add_member(
    ctx: ServiceContext,
    team_id: str,
    user_id: str,
    name: str,
    *,
    chair: bool = False,
    email: str | None = None,
) -> MemberView:
    """Add (or re-activate) a member. They are first recused from every case that names
    them (by Slack id or email, matched by digest); with open cases in the workspace, the
    new member must then declare conflicts before any case becomes visible to them."""
    _check_user_id(user_id)
    email = (email or "").strip() or None
    if email and ("@" not in email or " " in email):
        raise InvalidInput(f"{email!r} is not an email address.", "email")
    if not name.strip():
        raise InvalidInput("A member needs a display name (--name).", "name")
    now = ctx.clock.now()
    with ctx.transaction() as session:
        ensure_workspace(session, team_id, ctx)
        member = session.scalar(
            select(Member).where(Member.team_id == team_id, Member.user_id == user_id)
        )
        if member is not None and member.active:
            raise Conflict(f"{user_id} is already a member.")
        open_cases = session.scalar(
            select(Case.id)
            .where(
                Case.team_id == team_id,
                Case.state != CaseState.RESOLVED.value,
                Case.synthetic.is_(False),
            )
            .limit(1)
        )
        if member is None:
            member = Member(team_id=team_id, user_id=user_id, added_at=now)
            session.add(member)
        member.display_name, member.is_chair, member.active = name.strip(), chair, True
        if email:
            member.email, member.email_digest = email, lookup_digest(email)
        member.conflicts_declared_at = None if open_cases else now
        session.flush()
        # In the same transaction: no moment where a case naming them is visible to them.
        for case_id in recuse_new_member(session, member, now):
            case = session.get_one(Case, case_id)
            case_changed(session, case, now)
            notify_board_if_all_chairs_recused(session, case, now, ctx.board_address)
        refresh_homes(session, team_id, now)
        session.flush()
        return _view(member)


def remove_member(ctx: ServiceContext, team_id: str, user_id: str) -> None:
    """Deactivate: the member's history stays on the timeline; they see nothing more."""
    _check_user_id(user_id)
    with ctx.transaction() as session:
        member = session.scalar(
            select(Member).where(
                Member.team_id == team_id, Member.user_id == user_id, Member.active.is_(True)
            )
        )
        if member is None:
            raise NotFound(f"{user_id} is not a member.")
        member.active = False
        refresh_homes(session, team_id, ctx.clock.now())


def list_members(ctx: ServiceContext, team_id: str) -> list[MemberView]:
    with ctx.read() as session:
        rows = session.scalars(
            select(Member)
            .where(Member.team_id == team_id, Member.active.is_(True))
            .order_by(Member.display_name)
        )
        return [_view(m) for m in rows]


def _view(member: Member) -> MemberView:
    return MemberView(
        member.user_id,
        member.display_name,
        member.is_chair,
        member.active,
        member.conflicts_declared_at is not None,
    )
