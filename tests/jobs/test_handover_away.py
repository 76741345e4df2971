"""The handover reminder says who of the pair is marked away that week."""

from __future__ import annotations

from datetime import UTC, date, datetime

from slack_coc.runtime import Runtime
from slack_coc.services import rota
from slack_coc.slack.blocks.messages import MessageInput, render
from slack_coc.wiring import run_sweep
from tests.conftest import actor
from tests.factories import TEAM, add_roster
from tests.jobs.conftest import Recorder

CAT, DAN = "U0CAT0003", "U0DAN0004"


def test_the_handover_reminder_says_who_is_away(rt: Runtime, recorder: Recorder) -> None:
    ctx = rt.ctx
    add_roster(ctx)
    rota.set_week(ctx, TEAM, date(2026, 11, 30), CAT, DAN)
    rota.mark_away(ctx, actor(DAN), date(2026, 12, 2), date(2026, 12, 3))
    assert run_sweep(rt, datetime(2026, 11, 29, 12, tzinfo=UTC), handlers=recorder.handlers()).ok
    reminders = {m["recipient"]: m for m in recorder.messages("handover_reminder")}
    assert set(reminders) == {CAT, DAN}
    assert reminders[DAN]["payload"]["away"] == [DAN]
    mine = render(MessageInput("handover_reminder", reminders[DAN]["payload"], recipient=DAN))
    assert "/coc swap" in mine.text
    partner = render(MessageInput("handover_reminder", reminders[CAT]["payload"], recipient=CAT))
    assert f"<@{DAN}> is marked away" in partner.text
