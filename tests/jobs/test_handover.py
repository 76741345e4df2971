"""Handover notices at the handover instant, once; the reminder 24 h before."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_coc.context import ServiceContext
from slack_coc.runtime import Runtime
from slack_coc.services import rota
from slack_coc.wiring import run_sweep
from tests.factories import TEAM, add_roster, new_case
from tests.jobs.conftest import Recorder


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


ROTA = ("handover_duty", "handover_notice", "handover_reminder")


def rota_messages(recorder: Recorder) -> list[dict[str, object]]:
    return [m for m in recorder.messages() if m["template"] in ROTA]


def sweep(rt: Runtime, recorder: Recorder, when: str) -> int:
    """Sweep at `when`; returns how many rota messages it sent."""
    before = len(rota_messages(recorder))
    assert run_sweep(rt, at(when), handlers=recorder.handlers()).ok
    return len(rota_messages(recorder)) - before


def test_handover_goes_out_at_monday_noon_once(rt: Runtime, recorder: Recorder) -> None:
    ctx: ServiceContext = rt.ctx
    add_roster(ctx)
    rota.set_week(ctx, TEAM, date(2026, 11, 23), "U0ANA0001", "U0BEN0002")
    rota.set_week(ctx, TEAM, date(2026, 11, 30), "U0CAT0003", "U0DAN0004")
    visible = new_case(ctx, by="U0EVE0005")
    hidden = new_case(ctx, by="U0EVE0005", involved_user_ids=["U0BEN0002"])
    recorder.sent.clear()

    sweep(rt, recorder, "2026-11-23T11:59:59+00:00")  # the reminder window is open already
    assert recorder.messages("handover_duty") == recorder.messages("handover_notice") == []
    assert {m["recipient"] for m in recorder.messages("handover_reminder")} == {
        "U0ANA0001",
        "U0BEN0002",
    }
    sweep(rt, recorder, "2026-11-23T12:00:00+00:00")
    duty = {m["recipient"]: m["payload"] for m in recorder.messages("handover_duty")}
    assert set(duty) == {"U0ANA0001", "U0BEN0002"}
    assert duty["U0ANA0001"]["open_cases"] == [visible.number, hidden.number]
    assert duty["U0BEN0002"]["open_cases"] == [visible.number]  # recused: not listed
    assert duty["U0BEN0002"]["open_count"] == 1
    notice = recorder.messages("handover_notice")
    assert len(notice) == 1 and notice[0]["recipient"] is None
    assert notice[0]["payload"]["this_week"] == {"primary": "U0ANA0001", "secondary": "U0BEN0002"}
    assert notice[0]["payload"]["next_week"] == {"primary": "U0CAT0003", "secondary": "U0DAN0004"}

    assert sweep(rt, recorder, "2026-11-23T12:00:00+00:00") == 0
    assert sweep(rt, recorder, "2026-11-24T09:00:00+00:00") == 0
    sweep(rt, recorder, "2026-11-29T11:59:00+00:00")
    assert len(recorder.messages("handover_reminder")) == 2
    sweep(rt, recorder, "2026-11-29T12:00:00+00:00")  # 24 h before the next handover
    reminders = recorder.messages("handover_reminder")[2:]
    assert {m["recipient"] for m in reminders} == {"U0CAT0003", "U0DAN0004"}
    assert sweep(rt, recorder, "2026-11-29T12:30:00+00:00") == 0
    sweep(rt, recorder, "2026-11-30T12:00:00+00:00")
    assert {m["recipient"] for m in recorder.messages("handover_duty")} == {
        "U0ANA0001",
        "U0BEN0002",
        "U0CAT0003",
        "U0DAN0004",
    }
