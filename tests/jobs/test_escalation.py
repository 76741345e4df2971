"""The escalation chain and deadline notices, driven through `run_sweep` at set instants."""

from __future__ import annotations

from datetime import date, timedelta

from slack_coc.clock import FrozenClock
from slack_coc.context import Actor
from slack_coc.jobs.outbox import OutboxDispatcher
from slack_coc.runtime import Runtime
from slack_coc.services import cases, deadlines, rota
from slack_coc.wiring import run_sweep
from tests.conftest import START
from tests.factories import TEAM, new_case
from tests.jobs.conftest import Recorder

MARKER = "Zebra-Narrative-7731"


def tick(rt: Runtime, recorder: Recorder, **delta: float) -> int:
    """Sweep at START + delta; returns how many DMs/channel posts it sent."""
    before = len(recorder.messages())
    result = run_sweep(rt, START + timedelta(**delta), handlers=recorder.handlers())
    assert result.ok, result.errors
    return len(recorder.messages()) - before


def test_escalation_fires_at_the_right_instants_once_each(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView], clock: FrozenClock
) -> None:
    logged = new_case(rt.ctx, account=MARKER)
    tick(rt, recorder, seconds=0)
    new_pages = recorder.messages("page_new_case")
    assert len(new_pages) == 2

    tick(rt, recorder, hours=11, minutes=59)
    assert recorder.messages("page_reminder") == []
    assert recorder.messages("page_acting_primary") == []

    tick(rt, recorder, hours=12)  # 12 h after receipt: primary again, secondary as acting
    reminder = recorder.messages("page_reminder")
    acting = recorder.messages("page_acting_primary")
    assert len(reminder) == 1 and len(acting) == 1
    week = rota.this_and_next(rt.ctx, TEAM)[0]
    assert week is not None
    assert reminder[0]["recipient"] == week.primary_user_id
    assert acting[0]["recipient"] == week.secondary_user_id
    assert reminder[0]["payload"]["case_number"] == logged.number
    assert tick(rt, recorder, hours=12) == 0  # same instant again: nothing new
    assert tick(rt, recorder, hours=23, minutes=59) == 0
    assert recorder.messages("page_any_member") == []

    assert tick(rt, recorder, hours=24) == 1  # a day: the channel asks anyone to step in
    anyone = recorder.messages("page_any_member")
    assert len(anyone) == 1 and anyone[0]["recipient"] is None
    assert tick(rt, recorder, hours=24) == 0
    assert tick(rt, recorder, hours=30) == 0
    assert all(MARKER not in str(m) for m in recorder.sent)


def test_acknowledged_case_is_not_escalated(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView]
) -> None:
    logged = new_case(rt.ctx)
    cases.acknowledge(rt.ctx, Actor(TEAM, "U0BEN0002"), logged.number)
    tick(rt, recorder, hours=30)
    assert recorder.messages("page_reminder") == []
    assert recorder.messages("page_any_member") == []


def test_safety_risk_escalates_every_level_at_once(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView]
) -> None:
    new_case(rt.ctx, safety_risk=True)
    dispatcher = OutboxDispatcher(rt.ctx, recorder.handlers())
    dispatcher.deliver_due()  # what `serve` does right after the commit: no sweep needed
    assert len(recorder.messages("page_any_member")) == 1
    tick(rt, recorder, seconds=0)
    assert len(recorder.messages("page_new_case")) == 2
    assert len(recorder.messages("page_reminder")) == 1
    assert len(recorder.messages("page_acting_primary")) == 1
    assert len(recorder.messages("page_any_member")) == 1
    assert tick(rt, recorder, seconds=0) == 0


def test_recused_member_is_skipped_and_never_named(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView]
) -> None:
    week = rota.this_and_next(rt.ctx, TEAM)[0]
    assert week is not None
    concerned = week.primary_user_id
    new_case(
        rt.ctx,
        by="U0EVE0005" if concerned != "U0EVE0005" else "U0DAN0004",
        involved_user_ids=[concerned],
        safety_risk=True,
    )
    tick(rt, recorder, seconds=0)
    about_case = [m for m in recorder.messages() if m["case_id"] is not None]
    pages = [m for m in about_case if m["kind"] == "dm"]
    assert len(pages) == 4  # two new-case pages, reminder, acting primary: all to others
    assert all(m["recipient"] != concerned for m in pages)
    assert all(concerned not in str(m["payload"]) for m in about_case)


def test_resolution_target_nearing_and_passed_tell_shepherd_and_channel(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView]
) -> None:
    logged = new_case(rt.ctx)
    ana = Actor(TEAM, "U0BEN0002")
    cases.acknowledge(rt.ctx, ana, logged.number)
    cases.assign_shepherd(rt.ctx, ana, logged.number)
    tick(rt, recorder, days=5, hours=23)
    assert recorder.messages("deadline_nearing") == []
    tick(rt, recorder, days=6)  # 24 h before the 7-day target
    nearing = recorder.messages("deadline_nearing")
    labels = {(m["kind"], m["payload"]["deadline"]) for m in nearing}
    assert ("dm", "resolution") in labels and ("channel", "resolution") in labels
    assert all(m["recipient"] in (None, "U0BEN0002") for m in nearing)
    assert tick(rt, recorder, days=6, hours=1) == 0
    tick(rt, recorder, days=7)
    # Past the target the shepherd is asked for a delay note ("resolution_overdue").
    assert {
        (m["kind"], m["payload"]["deadline"]) for m in recorder.messages("resolution_overdue")
    } == {
        ("dm", "resolution"),
        ("channel", "resolution"),
    }
    assert tick(rt, recorder, days=7) == 0


def test_shepherd_delay_moves_the_target(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView], clock: FrozenClock
) -> None:
    logged = new_case(rt.ctx)
    ben = Actor(TEAM, "U0BEN0002")
    cases.acknowledge(rt.ctx, ben, logged.number)
    cases.assign_shepherd(rt.ctx, ben, logged.number)
    due = deadlines.delay_resolution(
        rt.ctx, ben, logged.number, date(2026, 12, 10), f"waiting for {MARKER}"
    )
    assert due.isoformat() == "2026-12-10T12:00:00+00:00"
    tick(rt, recorder, days=7, hours=1)  # the old target passes: nothing
    assert recorder.messages("resolution_overdue") == []
    assert len(recorder.messages("resolution_delayed")) == 1
    assert all(MARKER not in str(m) for m in recorder.sent)
    tick(rt, recorder, days=17, hours=3)  # 2026-12-10 12:00 has passed
    assert any(
        m["payload"]["deadline"] == "resolution" for m in recorder.messages("resolution_overdue")
    )


def test_a_failing_case_does_not_stop_the_others(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView], monkeypatch: object
) -> None:
    first = new_case(rt.ctx)
    second = new_case(rt.ctx)
    real = deadlines._plan_one

    def flaky(deadline, case, *args):  # type: ignore[no-untyped-def]
        if case.id == first.case_id:
            raise RuntimeError("boom")
        return real(deadline, case, *args)

    monkeypatch.setattr(deadlines, "_plan_one", flaky)  # type: ignore[attr-defined]
    result = run_sweep(rt, START + timedelta(hours=12), handlers=recorder.handlers())
    assert not result.ok
    assert [m["payload"]["case_number"] for m in recorder.messages("page_reminder")] == [
        second.number
    ]
    monkeypatch.undo()  # type: ignore[attr-defined]
    run_sweep(rt, START + timedelta(hours=12, minutes=1), handlers=recorder.handlers())
    assert sorted(m["payload"]["case_number"] for m in recorder.messages("page_reminder")) == [
        first.number,
        second.number,
    ]


def test_an_uninstalled_workspace_is_not_chased(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView]
) -> None:
    from slack_coc.domain.models import Workspace

    new_case(rt.ctx)
    with rt.ctx.transaction() as session:
        workspace = session.get(Workspace, TEAM)
        assert workspace is not None
        workspace.active = False
    tick(rt, recorder, hours=30)
    assert recorder.messages("page_reminder") == []
    assert recorder.messages("page_any_member") == []
    assert recorder.messages("handover_duty") == []
