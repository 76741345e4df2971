"""Several workspaces in one deployment: isolation, per-workspace settings, uninstall."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, Deadline
from slack_coc.read_models import cases as queries
from slack_coc.services import cases, workspaces
from tests.conftest import OTHER_TEAM, TEAM, actor
from tests.factories import add_roster, new_case

ANA, BEN = "U0ANA0001", "U0BEN0002"


def test_same_user_id_in_another_workspace_is_a_stranger_to_its_cases(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx, TEAM)
    add_roster(ctx, OTHER_TEAM)
    mine = new_case(ctx, team=TEAM, account="MARKER-TEAM-A narrative")
    theirs = new_case(ctx, team=OTHER_TEAM)
    assert mine.number == theirs.number == 1  # numbering is per workspace
    detail = queries.case_detail(ctx, actor(ANA, OTHER_TEAM), 1, via="test")
    assert "MARKER-TEAM-A" not in str(detail.details)
    assert [v.team_id for v in queries.list_cases(ctx, actor(ANA, OTHER_TEAM))] == [OTHER_TEAM]
    with pytest.raises(NotFound):
        queries.case_detail(ctx, actor(ANA, OTHER_TEAM), mine.code_name, via="test")
    cases.acknowledge(ctx, actor(ANA, OTHER_TEAM), 1)
    with ctx.read() as s:
        states = dict(s.execute(select(Case.team_id, Case.state)).all())
    assert states == {TEAM: "received", OTHER_TEAM: "acknowledged"}


def test_chair_sets_policy_per_workspace_and_it_drives_deadlines(ctx: ServiceContext) -> None:
    add_roster(ctx, TEAM)
    add_roster(ctx, OTHER_TEAM)
    settings = workspaces.update_settings(
        ctx,
        actor(ANA, TEAM),
        channel_id="C0NEWCHAN1",
        policy_values={"initial_response_hours": 4, "decision_rule": "majority"},
    )
    assert settings.policy.initial_response_hours == 4 and settings.channel_id == "C0NEWCHAN1"
    a = new_case(ctx, team=TEAM)
    b = new_case(ctx, team=OTHER_TEAM)
    with ctx.read() as s:
        due = dict(
            s.execute(select(Deadline.case_id, Deadline.due_at).where(Deadline.kind == "ack")).all()
        )
    assert due[a.case_id] == ctx.clock.now() + timedelta(hours=4)
    assert due[b.case_id] == ctx.clock.now() + timedelta(hours=12)


def test_settings_are_validated_and_chairs_only(ctx: ServiceContext) -> None:
    add_roster(ctx, TEAM)
    with pytest.raises(NotPermitted):
        workspaces.update_settings(ctx, actor(BEN), policy_values={"deadlock_days": 3})
    with pytest.raises(InvalidInput) as err:
        workspaces.update_settings(ctx, actor(ANA), policy_values={"decision_rule": "dice"})
    assert err.value.field == "decision_rule"
    with pytest.raises(InvalidInput):
        workspaces.update_settings(ctx, actor(ANA), policy_values={"outbox_max_attempts": 1})
    with pytest.raises(InvalidInput):
        workspaces.update_settings(ctx, actor(ANA), chair_user_ids=["U0STRANGER"])
    updated = workspaces.update_settings(ctx, actor(ANA), chair_user_ids=[BEN])
    assert updated.chairs == (BEN,)


def test_uninstall_disables_without_deleting_and_reinstall_restores(ctx: ServiceContext) -> None:
    add_roster(ctx, TEAM)
    logged = new_case(ctx)
    assert workspaces.uninstall(ctx, TEAM)
    with pytest.raises(NotPermitted):
        cases.acknowledge(ctx, actor(ANA), logged.number)
    with ctx.read() as s:
        assert s.scalar(select(Case.id).where(Case.id == logged.case_id)) is not None
    workspaces.install(ctx, TEAM, "Django")
    cases.acknowledge(ctx, actor(ANA), logged.number)


def test_exports_and_statistics_only_count_their_own_workspace(ctx: ServiceContext) -> None:
    import io

    from slack_coc.reports.periods import Period
    from slack_coc.reports.records import export_records
    from slack_coc.reports.transparency import transparency_report

    add_roster(ctx, TEAM)
    add_roster(ctx, OTHER_TEAM)
    new_case(ctx, team=TEAM, involved_names=["Person A"])
    for _ in range(3):
        new_case(ctx, team=OTHER_TEAM, involved_names=["Person B"])
    mine, theirs = io.StringIO(), io.StringIO()
    assert export_records(ctx, TEAM, mine, "csv") == 1
    assert export_records(ctx, OTHER_TEAM, theirs, "csv") == 3
    with ctx.read() as s:
        year = Period.parse("2026")
        assert transparency_report(s, TEAM, year, threshold=0).current.values["Reports"] == 1
        assert transparency_report(s, OTHER_TEAM, year, threshold=0).current.values["Reports"] == 3
