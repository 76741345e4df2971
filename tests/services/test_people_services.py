"""The people on a case as services: changes are timeline events in code names, recusal
follows identification (Slack id or roster email), a wrong identification can be corrected
and its recusal lifted by a chair, and a case naming nobody can still be concluded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import PartyRole, RecusalReason
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, CaseEvent, Member, Party, Recusal
from slack_coc.services import cases, conflicts, decisions, members, people, retention
from slack_coc.services.decisions import OutcomeInput
from tests.conftest import TEAM, actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"
NAME_MARKER = "Okapi Person-Name 4471"


def _recusal(ctx: ServiceContext, number: int, user_id: str) -> str | None:
    with ctx.read() as s:
        return s.scalar(
            select(Recusal.reason)
            .join(Case, Case.id == Recusal.case_id)
            .join(Member, Member.id == Recusal.member_id)
            .where(Case.number == number, Member.user_id == user_id, Recusal.lifted_at.is_(None))
        )


def _reported(ctx: ServiceContext, number: int) -> Party:
    with ctx.read() as s:
        party = s.scalar(
            select(Party)
            .join(Case, Case.id == Party.case_id)
            .where(Case.number == number, Party.role == PartyRole.REPORTED.value)
        )
        assert party is not None
        return party


def test_changes_are_timeline_events_in_code_names_only(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, by=CAT)
    done = people.change_person(
        ctx, actor(BEN), 1, people.PersonChange(None, role="reported", name=NAME_MARKER)
    )
    assert "added as reported" in done and NAME_MARKER not in done
    party = _reported(ctx, 1)
    people.change_person(ctx, actor(BEN), 1, people.PersonChange(party.id, role="witness"))
    people.change_person(ctx, actor(BEN), 1, people.PersonChange(party.id, remove=True))
    with ctx.read() as s:
        events = list(s.scalars(select(CaseEvent).where(CaseEvent.kind.like("person_%"))))
    assert [e.kind for e in events] == ["person_added", "person_changed", "person_removed"]
    for event in events:
        assert NAME_MARKER not in str(event.data) and NAME_MARKER not in (event.note or "")
        assert event.data["person"]  # the code name
    with pytest.raises(InvalidInput) as bad:
        people.change_person(ctx, actor(BEN), 1, people.PersonChange(None, role="reported"))
    assert bad.value.field == "user"
    with pytest.raises(InvalidInput) as bad_email:
        people.change_person(
            ctx, actor(BEN), 1, people.PersonChange(None, role="witness", email="not an email")
        )
    assert bad_email.value.field == "email"


def test_identifying_a_member_by_roster_email_recuses_them_and_a_chair_lifts_a_mistake(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    members.add_member(ctx, TEAM, "U0FAY0006", "Fay", email="fay@example.org")
    new_case(ctx, by=CAT, involved_names=["F."])
    party = _reported(ctx, 1)
    people.change_person(
        ctx, actor(BEN), 1, people.PersonChange(party.id, email="FAY@example.org ")
    )
    assert _recusal(ctx, 1, "U0FAY0006") == RecusalReason.CONCERNED.value
    with pytest.raises(NotFound):
        people.people_of(ctx, actor("U0FAY0006"), 1)
    # Still named: the recusal of a member the report concerns can't be lifted.
    with pytest.raises(NotPermitted):
        conflicts.lift_recusal(ctx, actor(ANA), 1, "U0FAY0006", "wrong person")
    # Corrected (it was someone else): a chair lifts the recusal, on the record.
    people.change_person(
        ctx, actor(BEN), 1, people.PersonChange(party.id, email="someone@example.net")
    )
    conflicts.lift_recusal(ctx, actor(ANA), 1, "U0FAY0006", "identified by mistake")
    assert _recusal(ctx, 1, "U0FAY0006") is None


def test_identifying_the_shepherd_as_reported_removes_them_as_shepherd(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    new_case(ctx, by=CAT, involved_names=["Someone"])
    cases.acknowledge(ctx, actor(BEN), 1)
    cases.assign_shepherd(ctx, actor(BEN), 1)
    party = _reported(ctx, 1)
    people.change_person(ctx, actor(DAN), 1, people.PersonChange(party.id, slack_user_id=BEN))
    with ctx.read() as s:
        case = s.scalar(select(Case))
        assert case is not None and case.shepherd_id is None
    with pytest.raises(NotFound):
        people.people_of(ctx, actor(BEN), 1)


def test_a_report_concerning_every_chair_after_identification_goes_to_the_board(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    new_case(ctx, by=CAT, involved_user_ids=[ANA], involved_names=["The other one"])
    with ctx.read() as s:
        assert s.scalar(select(CaseEvent.id).where(CaseEvent.kind == "board_notified")) is None
    people.change_person(
        ctx, actor(BEN), 1, people.PersonChange(None, role="reported", slack_user_id=EVE)
    )
    with ctx.read() as s:
        kinds = list(s.scalars(select(CaseEvent.kind).where(CaseEvent.kind == "board_notified")))
    assert kinds == ["board_notified"]


def test_a_case_with_nobody_identified_can_be_concluded(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, by=CAT)
    cases.acknowledge(ctx, actor(BEN), 1)
    cases.assign_shepherd(ctx, actor(BEN), 1)
    with pytest.raises(InvalidInput):
        decisions.propose(ctx, actor(BEN), 1, [OutcomeInput(None, "warning")], "No.")
    decisions.propose(
        ctx, actor(BEN), 1, [OutcomeInput(None, "no_identifiable_person")], "Nobody to name."
    )
    decisions.vote(ctx, actor(CAT), 1, "agree", None)
    result = decisions.vote(ctx, actor(DAN), 1, "agree", None)
    assert result.decided
    cases.record_feedback(ctx, actor(BEN), 1, "The reporter agrees.")
    cases.resolve(
        ctx,
        actor(BEN),
        1,
        actions_taken="Nothing to act on.",
        review_date=ctx.clock.now().date() + timedelta(days=30),
        resolution_source="WG",
        suspension_ends=None,
    )
    [item] = retention.plan(ctx, team_id=TEAM)
    assert item.category == "no_identifiable_person"


def test_a_resolved_case_refuses_changes_to_its_people(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, by=CAT, handled_locally=True)
    cases.keep_on_file(ctx, actor(BEN), 1)
    assert not people.people_of(ctx, actor(BEN), 1).editable
    with pytest.raises(NotPermitted):
        people.change_person(
            ctx, actor(BEN), 1, people.PersonChange(None, role="witness", name="Late witness")
        )


def test_chairs_changed_so_that_every_chair_is_concerned_tells_the_board(
    ctx: ServiceContext,
) -> None:
    from slack_coc.services import workspaces

    add_roster(ctx)
    new_case(ctx, by=CAT, involved_user_ids=[DAN])
    workspaces.update_settings(ctx, actor(ANA), chair_user_ids=[DAN])
    with ctx.read() as s:
        kinds = list(s.scalars(select(CaseEvent.kind).where(CaseEvent.kind == "board_notified")))
    assert kinds == ["board_notified"]
