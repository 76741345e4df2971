"""Every surface the app shows in Slack, built by the app's own Block Kit builders from demo
data: the card at each lifecycle state, thread notes, DMs and channel notices (pages,
reminders, rota, mail), every modal, and App Home for a member, a chair and a new member.

The data is made up here (code names with "demo", `U0DEMO...` members) and touches no
database: `slack-coc preview` runs before anything is configured."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from slack_coc.config import Policy
from slack_coc.domain.enums import CaseState
from slack_coc.domain.lifecycle import CaseFacts, CaseFlow
from slack_coc.read_models.case_views import CaseView, DeadlineView
from slack_coc.read_models.cases import CaseDetail, EventDetail, PartyDetail
from slack_coc.read_models.home import HomeData, OncallPair
from slack_coc.read_models.prompts import PendingEmergency
from slack_coc.services.actions import ActionView
from slack_coc.services.conflicts import OnboardingCase
from slack_coc.services.identity import IdentityEntry
from slack_coc.services.mail_outgoing import MailDraft, SentMail
from slack_coc.services.reported_message import ReportedMessage
from slack_coc.services.workspaces import WorkspaceSettings
from slack_coc.slack import outbound  # noqa: F401  (registers every message template)
from slack_coc.slack.blocks.card import build_card
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.blocks.messages import TEMPLATES, MessageInput, render
from slack_coc.slack.blocks.thread_notes import EVENT_LABELS, ThreadNote, thread_note
from slack_coc.slack.listeners import MODULES
from slack_coc.slack.modals import (
    actions,
    detail,
    mail,
    member_forms,
    notice,
    records,
    relay,
    report,
    setup,
    steps,
)

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
ANA, BEN, CAT, DAN, NEW = "U0DEMOANA", "U0DEMOBEN", "U0DEMOCAT", "U0DEMODAN", "U0DEMONEW"
NAMES = {ANA: "Ana (chair)", BEN: "Ben", CAT: "Cat", DAN: "Dan", NEW: "Noor (new member)"}
TEAM = "T0DEMO0001"
CODE_NAMES = (
    "demo lantern",
    "demo otter",
    "demo quartz",
    "demo maple",
    "demo harbor",
    "demo willow",
    "demo cobalt",
    "demo heron",
    "demo saffron",
    "demo juniper",
)


@dataclass(frozen=True)
class Surface:
    group: str  # "Case card", "Thread notes", "Messages", "Modals", "App Home"
    title: str
    kind: str  # "message" (blocks in a channel or DM), "modal" or "home" (a view)
    content: dict[str, Any]  # {"text", "blocks"} for a message; the view for modal/home
    ephemeral: bool = False  # a reply only the person who asked sees


def case_view(state: CaseState, number: int = 7, **changes: Any) -> CaseView:
    """A demo case in `state`, offering exactly the steps the lifecycle allows there."""
    fields: dict[str, Any] = {
        "shepherd_user_id": BEN
        if state not in (CaseState.RECEIVED, CaseState.ACKNOWLEDGED)
        else None,
        "review_date": date(2027, 5, 25) if state is CaseState.RESOLVED else None,
        "handled_locally": False,
        "resolution_notes": "demo" if state is CaseState.RESOLVED else None,
    }
    fields.update(changes)
    row = SimpleNamespace(
        number=number,
        state=state.value,
        handled_locally=fields["handled_locally"],
        shepherd_id=1 if fields["shepherd_user_id"] else None,
        resolution_notes=fields["resolution_notes"],
        review_date=fields["review_date"],
        feedback_settled_at=fields.get("feedback_settled_at", NOW),
    )
    facts = CaseFacts(decision_rule_met=state is CaseState.DISCUSSED, deadlocked=False)
    return CaseView(
        id=number,
        team_id=TEAM,
        number=number,
        code_name=CODE_NAMES[number % len(CODE_NAMES)],
        state=state,
        source="slack",
        safety_risk=state is CaseState.RECEIVED,
        ongoing="No",
        handled_locally=fields["handled_locally"],
        severe=False,
        received_at=NOW - timedelta(days=3),
        shepherd_user_id=fields["shepherd_user_id"],
        first_responder_user_id=ANA if state is not CaseState.RECEIVED else None,
        next_deadline=None
        if state is CaseState.RESOLVED
        else DeadlineView(
            "resolution" if fields["shepherd_user_id"] else "ack", NOW + timedelta(hours=9)
        ),
        allowed=tuple(CaseFlow(row, facts).allowed()),
        review_date=fields["review_date"],
        decision_rule="two_members" if state in (CaseState.DECIDED, CaseState.RESOLVED) else None,
        flags=("safety risk",) if state is CaseState.RECEIVED else (),
    )


def case_detail() -> CaseDetail:
    view = case_view(CaseState.DISCUSSED)
    return CaseDetail(
        view=view,
        details={
            "when_where": "Demo meetup, 2026-11-20, evening",
            "account": "Demo text: in a real case, the reporter's account is shown here, "
            "only to members allowed to see the case.",
            "links": "https://example.org/demo-thread",
            "ongoing": "No",
        },
        parties=[
            PartyDetail(1, "reporter", None, "Demo Reporter", None, "reporter@example.org"),
            PartyDetail(2, "reported", "Blue Jay demo", "Demo Person", None, None),
            PartyDetail(3, "witness", None, "Demo Witness", None, None),
        ],
        timeline=[
            EventDetail(NOW - timedelta(days=3), "logged", None, None, "received", None),
            EventDetail(
                NOW - timedelta(days=3), "acknowledge", ANA, "received", "acknowledged", None
            ),
            EventDetail(
                NOW - timedelta(days=2), "assign_shepherd", BEN, "acknowledged", "shepherded", None
            ),
            EventDetail(
                NOW - timedelta(days=1), "start_discussion", BEN, "shepherded", "discussed", None
            ),
            EventDetail(NOW - timedelta(hours=3), "proposed", BEN, None, None, None),
        ],
        resolution_notes=None,
        proposal_summary="1 of 2 agreements needed (rule: two members other than the proposer)",
        proposal_id=3,
        proposal_outcomes=[(2, "warning")],
    )


def demo_actions() -> list[ActionView]:
    return [
        ActionView(1, 1, "Send the written warning", BEN, date(2026, 9, 20), True),
        ActionView(2, 1, "Remove the posts from the forum", CAT, date(2026, 9, 25), False),
    ]


def _cards() -> list[Surface]:
    return [
        Surface("Case card", f"{state.label}", "message", build_card(case_view(state)))
        for state in CaseState
    ]


def _thread_notes() -> list[Surface]:
    data = {"shepherd": BEN, "new_date": "2026-12-02", "rule": "two_members", "vote": "agree"}
    surfaces = []
    for kind in EVENT_LABELS:
        note = ThreadNote(kind, BEN, None, None, data)
        rendered = thread_note(note)
        surfaces.append(Surface("Thread notes", kind.replace("_", " "), "message", vars(rendered)))
    return surfaces


PAYLOAD: dict[str, Any] = {
    "case_number": 7,
    "code_name": "demo heron",
    "flags": ["safety risk"],
    "level": "primary",
    "label": "resolution target",
    "due_at": "2026-11-26T12:00:00+00:00",
    "review_due": "2026-11-26T10:00:00+00:00",
    "respond_by": "2026-12-02",
    "audience": "shepherd",
    "shepherd": BEN,
    "actor": CAT,
    "by": CAT,
    "proposal_id": 3,
    "role": "primary",
    "partner": DAN,
    "week_starts_at": "2026-11-30T12:00:00+00:00",
    "week_ends_at": "2026-12-07T12:00:00+00:00",
    "open_count": 3,
    "open_cases": [5, 7],
    "this_week": {"primary": ANA, "secondary": BEN},
    "next_week": {"primary": CAT, "secondary": DAN},
    "count": 2,
    "case_numbers": [5, 7],
    "text": "When did it start, and were others there? (demo question)",
    "event": 12,
}


def _messages() -> list[Surface]:
    new, acknowledged = case_view(CaseState.RECEIVED), case_view(CaseState.ACKNOWLEDGED)
    surfaces = []
    for name in sorted(TEMPLATES):
        # Pages go out while a case waits for its first response.
        case = new if name.startswith("page_") else acknowledged
        rendered = render(MessageInput(name, PAYLOAD, case, ANA))
        surfaces.append(Surface("Messages", name.replace("_", " "), "message", vars(rendered)))
    return surfaces


def _modals() -> list[Surface]:
    today = NOW.date()
    shepherded = case_view(CaseState.SHEPHERDED)
    decided = case_view(CaseState.DECIDED)
    resolved = case_view(CaseState.RESOLVED)
    hidden = ReportedMessage(
        7, "https://demo.slack.com/archives/C0DEMO/p1790000123000200", hidden=False
    )
    draft = MailDraft(
        case_number=7,
        template="ack_decision_needed",
        to=["reporter@example.org"],
        cc=["conduct@example.org"],
        subject="Your report to the Code of Conduct working group (demo)",
        body="Hello,\n\nThank you for your report. We will discuss it and get back to you "
        "with the outcome.\n\nThe Code of Conduct working group",
        completes_step="acknowledge",
    )
    sent = SentMail(
        mail_id=1,
        case_number=7,
        status="awaiting_review",
        to=draft.to,
        cc=draft.cc,
        subject=draft.subject,
        body=draft.body,
    )
    settings = WorkspaceSettings(TEAM, "C0DEMOCHAN", (ANA,), Policy(), {}, True)
    identity = IdentityEntry(
        "Blue Jay demo", ("Demo Person",), ("person@example.org",), (), 2, "warning", ()
    )
    pending = [PendingEmergency(1, NOW - timedelta(hours=5), NOW + timedelta(hours=19))]
    views: list[tuple[str, dict[str, Any]]] = [
        ("Report a concern (shortcut)", report.report_concern_modal()),
        (
            "Report this message",
            report.report_concern_modal(
                {
                    "ts": str(int((NOW - timedelta(hours=2)).timestamp())),
                    "permalink": "https://example.org/demo",
                    "author": DAN,
                }
            ),
        ),
        ("Log a report (/coc new)", report.log_report_modal()),
        ("Case details", detail.case_detail_modal(case_detail())),
        ("Take as shepherd", steps.assign_shepherd_modal(case_view(CaseState.ACKNOWLEDGED), BEN)),
        ("Recuse", steps.recuse_modal(shepherded)),
        ("Propose decision", steps.propose_modal(case_detail(), today)),
        ("Vote", steps.vote_modal(case_detail(), 3)),
        ("Reporter feedback", steps.feedback_modal(decided)),
        ("Disclose a bias", member_forms.bias_disclose_modal("7")),
        ("Mark me away", member_forms.away_modal(today)),
        (
            "Record actions",
            actions.actions_modal(case_view(CaseState.ACTIONS_ONGOING), demo_actions(), today),
        ),
        ("Resolve", steps.resolve_modal(decided, today)),
        ("Request reconsideration", steps.request_reconsideration_modal(resolved)),
        (
            "Conclude reconsideration",
            steps.conclude_reconsideration_modal(case_view(CaseState.RECONSIDERATION)),
        ),
        ("Reopen", steps.reopen_modal(resolved)),
        ("Emergency action", steps.emergency_modal(shepherded)),
        ("Review emergency action", steps.review_emergency_modal(shepherded, pending)),
        ("Escalate to board", steps.escalate_modal(case_view(CaseState.DISCUSSED))),
        ("Board decision", steps.board_decision_modal(case_view(CaseState.ESCALATED))),
        (
            "Declare conflicts (new member)",
            steps.declare_conflicts_modal(
                [OnboardingCase(5, "demo otter"), OnboardingCase(7, "demo heron")]
            ),
        ),
        ("Write to the reporter", mail.compose_modal(draft, smtp_enabled=True)),
        ("Mail sent for review", mail.result_modal(sent)),
        ("Review a message", mail.review_modal(sent)),
        (
            "Write to an anonymous reporter",
            mail.compose_modal(replace(draft, to=[], relay=True), smtp_enabled=True),
        ),
        ("Ask the reporter", relay.ask_modal(7)),
        ("Answer the group (reporter)", relay.answer_modal(7, 12)),
        ("Hide the message", relay.hide_modal(hidden)),
        ("Hide the message (no admin token)", relay.no_token_modal(hidden)),
        ("Workspace setup (chairs)", setup.setup_modal(settings)),
        ("Identity key (chairs)", records.identity_key_modal([identity])),
        (
            "Notice",
            notice.notice_modal("Not allowed", "Only members of the working group can do that."),
        ),
        (
            "Report not logged",
            notice.not_logged_modal(
                "The case database did not answer; nothing was saved.",
                "What you wrote (demo): copy it before closing this window.",
            ),
        ),
        ("Loading", notice.loading_modal()),
        ("Saving", notice.saving_modal()),
    ]
    return [Surface("Modals", title, "modal", view) for title, view in views]


def _homes() -> list[Surface]:
    pair = OncallPair(NOW - timedelta(days=2), ANA, BEN)
    following = OncallPair(NOW + timedelta(days=5), CAT, DAN)
    cases = [case_view(s, n) for n, s in enumerate(CaseState, start=1) if s.is_open]
    member = HomeData(
        user_id=BEN,
        is_member=True,
        my_cases=[c for c in cases if c.shepherd_user_id == BEN][:3],
        open_cases=cases,
        open_total=len(cases),
        this_week=pair,
        next_week=following,
    )
    chair = replace(member, user_id=ANA, my_cases=[])
    newcomer = HomeData(
        user_id=NEW,
        is_member=True,
        onboarded=False,
        to_declare=[(5, "demo otter"), (7, "demo heron")],
        this_week=pair,
        next_week=following,
    )
    return [
        Surface("App Home", "Member (Ben)", "home", build_home(member)),
        Surface("App Home", "Chair (Ana)", "home", build_home(chair)),
        Surface("App Home", "New member (conflicts to declare)", "home", build_home(newcomer)),
        Surface("App Home", "Not a member", "home", build_home(HomeData(NEW, is_member=False))),
    ]


def _command_replies() -> list[Surface]:
    """Ephemeral answers to `/coc` (only the person who typed it sees them)."""
    for name in MODULES:  # every listener module registers its subcommands
        importlib.import_module(name)
    from slack_coc.slack.listeners.commands import help_text

    return [
        Surface(
            "Command replies",
            "/coc help",
            "message",
            {"text": help_text(), "blocks": []},
            ephemeral=True,
        ),
        Surface(
            "Command replies",
            "/coc frobnicate (unknown)",
            "message",
            {"text": help_text("frobnicate"), "blocks": []},
            ephemeral=True,
        ),
    ]


def all_surfaces() -> list[Surface]:
    return [
        *_cards(),
        *_thread_notes(),
        *_messages(),
        *_command_replies(),
        *_modals(),
        *_homes(),
    ]
