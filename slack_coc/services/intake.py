"""Logging a report: from a member (`/coc new`), a reporter (shortcuts) or the mailbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from slack_coc.config import Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.codenames import case_code_name
from slack_coc.domain.content_warnings import clean_warnings
from slack_coc.domain.enums import CaseSource, CaseState, PartyRole
from slack_coc.domain.errors import InvalidInput
from slack_coc.domain.models import Case, Deadline, Party, Workspace
from slack_coc.queues.outbox import Intent, enqueue_once
from slack_coc.services.access import find_member
from slack_coc.services.chairs_only import restrict_to_chairs
from slack_coc.services.concerned import (
    notify_board_if_all_chairs_recused,
    recuse_anonymous_member,
    recuse_parties,
)
from slack_coc.services.deadlines import notify_due_now
from slack_coc.services.paging import page_new_case
from slack_coc.services.people import add_party
from slack_coc.services.relay import keep_contact
from slack_coc.services.retaliation import link as link_retaliation
from slack_coc.services.timeline import case_changed, record_event
from slack_coc.services.workspaces import default_channel

ONGOING_VALUES = ("Yes", "No", "Maybe")
MAX_TEXT = 20_000


@dataclass
class ReportInput:
    """What a report holds (docs/process.md, "What a report holds"). Block ids in the forms use
    these field names, so an `InvalidInput.field` points at the right input."""

    account: str
    source: str = CaseSource.SLACK.value
    reporter_name: str | None = None
    reporter_contact: str | None = None
    reporter_user_id: str | None = None
    involved_user_ids: list[str] = field(default_factory=list)
    involved_names: list[str] = field(default_factory=list)
    witness_user_ids: list[str] = field(default_factory=list)
    witness_names: list[str] = field(default_factory=list)
    when_where: str | None = None
    links: str | None = None
    context: str | None = None
    ongoing: str = "No"
    safety_risk: bool = False
    handled_locally: bool = False
    language: str | None = None
    anything_else: str | None = None
    reported_message: dict[str, str] | None = None  # permalink, author, ts (message shortcut)
    raw_mail_id: int | None = None
    content_warnings: list[str] = field(default_factory=list)  # domain/content_warnings.py
    # The reporter asked not to be known: the case keeps no identity of theirs (a shortcut
    # reporter's Slack id goes to the relay only, services/relay.py).
    anonymous: bool = False
    # "Only the chairs should see this (it concerns a member)": services/chairs_only.py
    chairs_only: bool = False
    # A member logging a report: retaliation against the reporter of that case (number).
    retaliation_of: int | None = None

    def validate(self) -> None:
        if not self.account or not self.account.strip():
            raise InvalidInput("Please describe what happened.", field="account")
        if len(self.account) > MAX_TEXT:
            raise InvalidInput(f"Please keep the account under {MAX_TEXT} characters.", "account")
        if self.source not in {s.value for s in CaseSource}:
            raise InvalidInput(f"Unknown source {self.source!r}.", field="source")
        if self.ongoing not in ONGOING_VALUES:
            raise InvalidInput("Ongoing must be Yes, No or Maybe.", field="ongoing")
        self.content_warnings = clean_warnings(self.content_warnings)
        if self.anonymous and (self.reporter_contact or self.reporter_name):
            raise InvalidInput(
                "An anonymous report keeps no name or contact: leave it empty, or untick "
                '"Report anonymously".',
                field="reporter_contact" if self.reporter_contact else "reporter_name",
            )
        if self.reporter_contact and len(self.reporter_contact) > 500:
            raise InvalidInput("The contact is too long.", field="reporter_contact")
        if self.reporter_contact and "@" in self.reporter_contact:
            local, _, domain = self.reporter_contact.strip().rpartition("@")
            if not local or "." not in domain or " " in self.reporter_contact.strip():
                raise InvalidInput(
                    "That email address doesn't look right (expected name@example.org).",
                    field="reporter_contact",
                )

    def details(self) -> dict[str, object]:
        return {
            key: value
            for key, value in {
                "account": self.account.strip(),
                "when_where": self.when_where,
                "links": self.links,
                "context": self.context,
                "language": self.language,
                "anything_else": self.anything_else,
                "reported_message": self.reported_message,
                "content_warnings": self.content_warnings,
            }.items()
            if value
        }


@dataclass(frozen=True)
class LoggedCase:
    case_id: int
    number: int
    code_name: str
    paged_user_ids: tuple[str, ...]


def ensure_workspace(session: Session, team_id: str, ctx: ServiceContext) -> Workspace:
    workspace = session.get(Workspace, team_id, with_for_update=True)
    if workspace is None:
        workspace = Workspace(
            team_id=team_id,
            name="",
            installed_at=ctx.clock.now(),
            settings={},
            active=True,
            channel_id=default_channel(session, ctx, team_id),
        )
        session.add(workspace)
        session.flush()
    return workspace


def next_case_number(session: Session, team_id: str) -> int:
    highest = session.scalar(select(func.max(Case.number)).where(Case.team_id == team_id))
    return (highest or 0) + 1


def log_report(
    ctx: ServiceContext,
    actor: Actor,
    report: ReportInput,
    *,
    synthetic: bool = False,
    drill: bool = False,
) -> LoggedCase:
    """Create a case in `received`, recuse the members it names, page on-call, and tell a
    reporter who used a shortcut that their report arrived. One transaction."""
    report.validate()
    now = ctx.clock.now()
    with ctx.transaction() as session:
        # Locks numbering for this workspace. Held in a name for the whole transaction: the
        # session keeps only weak references, and `policy_for` finds it there.
        workspace = ensure_workspace(session, actor.team_id, ctx)
        policy = ctx.policy_for(session, workspace.team_id)

        def taken(names: list[str]) -> set[str]:
            used = select(Case.code_name).where(
                Case.team_id == actor.team_id, Case.code_name.in_(names)
            )
            return set(session.scalars(used))

        case = Case(
            team_id=actor.team_id,
            number=next_case_number(session, actor.team_id),
            code_name=case_code_name(taken),
            state=CaseState.RECEIVED.value,
            source=report.source,
            safety_risk=report.safety_risk,
            ongoing=report.ongoing,
            handled_locally=report.handled_locally,
            synthetic=synthetic,
            drill=drill,
            anonymous=report.anonymous,
            received_at=now,
            updated_at=now,
            # A reporter's own Slack id is kept only encrypted (their party row): a case
            # logged from a shortcut records no creator in the clear.
            created_by_user_id=None if report.reporter_user_id else actor.user_id,
            details=report.details(),
        )
        session.add(case)
        session.flush()
        excluded = _add_parties(session, case, report, now)
        if report.anonymous and report.reporter_user_id:
            keep_contact(session, case, report.reporter_user_id, now)
            excluded |= recuse_anonymous_member(session, case, report.reporter_user_id, now)
        if report.chairs_only:
            excluded |= restrict_to_chairs(session, case, now)
        if report.retaliation_of is not None:
            logger = find_member(session, actor.team_id, actor.user_id)
            if logger is None:
                raise InvalidInput("Only a member can link a report to another case.")
            link_retaliation(session, logger, case, report.retaliation_of, now)
        if drill:
            add_drill_party(session, case)
        record_event(
            session,
            case,
            "logged",
            now,
            actor_user_id=None if report.reporter_user_id else actor.user_id,
            to_state=CaseState.RECEIVED.value,
            data={"source": report.source},
        )
        _set_intake_deadlines(session, policy, case)
        case_changed(session, case, now)
        paged = page_new_case(session, case, now, policy, excluded)
        if case.safety_risk or case.ongoing == "Yes":
            # Every level at once: the escalation deadlines are due at receipt; their
            # notices are written now rather than at the next sweep.
            notify_due_now(session, case, now, policy)
        if report.reporter_user_id and report.source == CaseSource.SLACK.value and not drill:
            enqueue_once(
                session,
                team_id=case.team_id,
                kind=Intent.DM,
                now=now,
                case_id=case.id,
                # The reporter's id travels in the encrypted payload, not the plain column.
                payload={
                    "template": "reporter_receipt",
                    "to_user": report.reporter_user_id,
                    "anonymous": report.anonymous,
                    "respond_by": (now + timedelta(days=policy.reporter_response_days))
                    .date()
                    .isoformat(),
                },
                dedupe_key=f"receipt:{case.id}",
            )
        if excluded:
            notify_board_if_all_chairs_recused(session, case, now, ctx.board_address)
        return LoggedCase(case.id, case.number, case.code_name, tuple(paged))


def reported_user_ids(report: ReportInput) -> list[str]:
    """The people the report names as reported, in Slack: the picker's, and the author of a
    message reported with the message shortcut, whatever the picker says."""
    user_ids = list(report.involved_user_ids)
    author = (report.reported_message or {}).get("author")
    if author and author != report.reporter_user_id:
        user_ids.append(author)
    return list(dict.fromkeys(user_ids))


def _add_parties(session: Session, case: Case, report: ReportInput, now: datetime) -> set[int]:
    """Store the people involved; recuse every member among them (`concerned` for a
    reported person, `involved` otherwise). Returns the recused member ids. Everyone but the
    reporter gets a persistent person code name (the reporter stays out of the identity key)."""
    reporter_email = report.reporter_contact if _is_email(report.reporter_contact) else None
    add_party(
        session,
        case,
        PartyRole.REPORTER,
        now,
        # An anonymous reporter's party row holds nothing that identifies them (no digest).
        slack_user_id=None if report.anonymous else report.reporter_user_id,
        name=report.reporter_name,
        email=reporter_email,
        contact=report.reporter_contact,
    )
    for role, user_ids, names in (
        (PartyRole.REPORTED, reported_user_ids(report), report.involved_names),
        (PartyRole.WITNESS, report.witness_user_ids, report.witness_names),
    ):
        for user_id in dict.fromkeys(user_ids):
            add_party(session, case, role, now, slack_user_id=user_id)
        for name in _clean_names(names):
            add_party(session, case, role, now, name=name)
    session.flush()
    return recuse_parties(session, case, now, quiet=True)


def _is_email(value: str | None) -> bool:
    text = (value or "").strip()
    return "@" in text and " " not in text and "." in text.rpartition("@")[2]


DRILL_PERSON = "Practice person (drill)"


def add_drill_party(session: Session, case: Case) -> None:
    """A drill's reported person, so a decision can be proposed and voted on. No Person row:
    a practice case never gives anyone a code name or a record."""
    session.add(
        Party(
            team_id=case.team_id,
            case_id=case.id,
            role=PartyRole.REPORTED.value,
            name=DRILL_PERSON,
        )
    )
    session.flush()


def _clean_names(names: list[str]) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def _set_intake_deadlines(session: Session, policy: Policy, case: Case) -> None:
    """Deadlines from receipt. Safety-risk and ongoing cases escalate at every level at once.
    A new case has none yet, so they are added without looking for earlier ones."""
    urgent = case.safety_risk or case.ongoing == "Yes"
    start = case.received_at
    session.add_all(
        Deadline(
            team_id=case.team_id,
            case_id=case.id,
            kind=kind,
            due_at=start + timedelta(hours=hours),
            created_at=start,
        )
        for kind, hours in (
            ("ack", 0 if urgent else policy.initial_response_hours),
            ("ack_any", 0 if urgent else policy.any_member_after_hours),
            ("reporter_response", policy.reporter_response_days * 24),
            ("resolution", policy.resolution_target_days * 24),
        )
    )
