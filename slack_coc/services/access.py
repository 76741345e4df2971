"""Who may see and act on what. Every service call goes through these checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Select, and_, bindparam, exists, select
from sqlalchemy.orm import Session

from slack_coc.context import Actor
from slack_coc.domain.enums import CaseState
from slack_coc.domain.errors import NotFound, NotPermitted
from slack_coc.domain.models import Case, Member, Recusal, Workspace

NOT_A_MEMBER = (
    "Only members of the Code of Conduct working group can do this. "
    'If you want to report a concern, use the "Report a concern" shortcut.'
)
NOT_VISIBLE = "You can't open that case: it doesn't exist or you are recused from it."


# Every request reads these: the statements are built once (building a select costs more
# CPU than SQLite takes to run it) and given their values when run.
_ACTIVE_MEMBER = select(Member).where(
    Member.team_id == bindparam("team_id"),
    Member.user_id == bindparam("user_id"),
    Member.active.is_(True),
)
_CASE_BY_NUMBER = select(Case).where(
    Case.team_id == bindparam("team_id"), Case.number == bindparam("key")
)
_CASE_BY_CODE_NAME = select(Case).where(
    Case.team_id == bindparam("team_id"), Case.code_name == bindparam("key")
)
_CASE_QUERIES = {
    (by_number, for_update): query.with_for_update() if for_update else query
    for by_number, query in ((True, _CASE_BY_NUMBER), (False, _CASE_BY_CODE_NAME))
    for for_update in (True, False)
}
_ACTIVE_RECUSAL = select(Recusal).where(
    Recusal.case_id == bindparam("case_id"),
    Recusal.member_id == bindparam("member_id"),
    Recusal.lifted_at.is_(None),
)


def find_member(session: Session, team_id: str, user_id: str | None) -> Member | None:
    if not user_id:
        return None
    return session.scalar(_ACTIVE_MEMBER, {"team_id": team_id, "user_id": user_id})


def require_member(session: Session, actor: Actor) -> Member:
    member = find_member(session, actor.team_id, actor.user_id)
    if member is None:
        raise NotPermitted(NOT_A_MEMBER)
    workspace = session.get(Workspace, actor.team_id)
    if workspace is not None and not workspace.active:
        raise NotPermitted("slack-coc has been uninstalled from this workspace.")
    return member


def require_chair(session: Session, actor: Actor) -> Member:
    member = require_member(session, actor)
    if not member.is_chair:
        raise NotPermitted("Only a chair of the working group can do this.")
    return member


def parse_case_ref(ref: str | int) -> int | str:
    """`12`, `#12` -> 12; anything else is taken as a code name."""
    if isinstance(ref, int):
        return ref
    text = ref.strip().lstrip("#").strip()
    if text.isdigit():
        return int(text)
    if not text:
        raise NotFound("Which case? Give its number (12 or #12) or its code name.")
    return text.lower()


def load_case(session: Session, team_id: str, ref: str | int, *, for_update: bool = False) -> Case:
    key = parse_case_ref(ref)
    query = _CASE_QUERIES[isinstance(key, int), for_update]
    case = session.scalar(query, {"team_id": team_id, "key": key})
    if case is None:
        raise NotFound(NOT_VISIBLE)
    return case


def active_recusal(session: Session, case_id: int, member_id: int) -> Recusal | None:
    return session.scalar(_ACTIVE_RECUSAL, {"case_id": case_id, "member_id": member_id})


def recused_member_ids(session: Session, case_id: int) -> set[int]:
    rows = session.scalars(
        select(Recusal.member_id).where(Recusal.case_id == case_id, Recusal.lifted_at.is_(None))
    )
    return set(rows)


def may_see(session: Session, member: Member, case: Case) -> bool:
    if member.conflicts_declared_at is None:
        return False
    if case.chairs_only and not member.is_chair:
        return False
    return active_recusal(session, case.id, member.id) is None


def require_case_access(
    session: Session, actor: Actor, ref: str | int, *, for_update: bool = False
) -> tuple[Member, Case]:
    """The acting member and the case, if they may see it; the same refusal otherwise.

    A recused member is told the same as for a case that does not exist, so that a refusal
    does not confirm that a case concerning them exists.
    """
    member = require_member(session, actor)
    case = load_case(session, actor.team_id, ref, for_update=for_update)
    if not may_see(session, member, case):
        raise NotFound(NOT_VISIBLE)
    return member, case


OPEN_STATES = tuple(state.value for state in CaseState if state.is_open)


def visible_cases_query(*, chair: bool, open_only: bool = True) -> Select[Case]:
    """Cases a member may see: same workspace, not recused, real (not synthetic), and
    chairs-only ones for a chair. A statement with the parameters `visible_to(member)` gives
    (one statement per kind of member, built once per query that extends it)."""
    recused = exists().where(
        and_(
            Recusal.case_id == Case.id,
            Recusal.member_id == bindparam("member_id"),
            Recusal.lifted_at.is_(None),
        )
    )
    query = select(Case).where(
        Case.team_id == bindparam("team_id"), ~recused, Case.synthetic.is_(False)
    )
    if not chair:
        query = query.where(Case.chairs_only.is_(False))
    if open_only:
        # An IN list, not `!= resolved`: the (team, state) index then reads only open cases.
        query = query.where(Case.state.in_(OPEN_STATES))
    return query


class OpenCaseRow(NamedTuple):  # a thousand of them are cheap to make and to read
    id: int
    number: int
    chairs_only: bool
    shepherd_id: int | None
    first_responder_id: int | None


_OPEN_CASE_ROWS = select(
    Case.id, Case.number, Case.chairs_only, Case.shepherd_id, Case.first_responder_id
).where(
    Case.team_id == bindparam("team_id"),
    Case.synthetic.is_(False),
    Case.state.in_(OPEN_STATES),
)  # no ORDER BY: SQLite would walk every case of the team in number order to avoid a sort
_OPEN_CASE_RECUSALS = (
    select(Recusal.member_id, Recusal.case_id)
    .join(Case, Case.id == Recusal.case_id)
    .where(
        Case.team_id == bindparam("team_id"),
        Case.state.in_(OPEN_STATES),
        Recusal.lifted_at.is_(None),
    )
)


@dataclass(frozen=True)
class OpenCases:
    """A team's open cases, newest first, and who is recused from which: read once, then
    filtered for each member with `visible_cases_query`'s rule. A change to a case republishes
    every member's App Home; asking the database per member scanned every open case three
    times per member (tests/services/test_visibility_rule.py holds the two rules together)."""

    rows: tuple[OpenCaseRow, ...]
    recused: dict[int, frozenset[int]]

    @classmethod
    def read(cls, session: Session, team_id: str) -> OpenCases:
        params = {"team_id": team_id}
        recused: dict[int, set[int]] = {}
        for member_id, case_id in session.execute(_OPEN_CASE_RECUSALS, params):
            recused.setdefault(member_id, set()).add(case_id)
        rows = sorted(session.execute(_OPEN_CASE_ROWS, params), key=lambda row: -row.number)
        return cls(
            rows=tuple(map(OpenCaseRow._make, rows)),
            recused={m: frozenset(ids) for m, ids in recused.items()},
        )

    def visible_to(self, member: Member) -> list[OpenCaseRow]:
        """What `visible_cases_query(chair=member.is_chair)` gives `member`, newest first."""
        hidden = self.recused.get(member.id, frozenset())
        chair = member.is_chair
        return [r for r in self.rows if r.id not in hidden and (chair or not r.chairs_only)]


def visible_to(member: Member) -> dict[str, object]:
    """The parameters of `visible_cases_query` for this member."""
    return {"team_id": member.team_id, "member_id": member.id}


def eligible_voters(session: Session, case: Case) -> set[int]:
    """Members who may vote on the case: active, conflicts declared, not recused."""
    members = set(
        session.scalars(
            select(Member.id).where(
                Member.team_id == case.team_id,
                Member.active.is_(True),
                Member.conflicts_declared_at.is_not(None),
            )
        )
    )
    return members - recused_member_ids(session, case.id)
