"""`run_sweep`: each step runs on its own; a failing step is reported, the others still run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from slack_coc.jobs import sweep
from slack_coc.runtime import Runtime
from slack_coc.services import rota
from tests.conftest import START
from tests.factories import new_case
from tests.jobs.conftest import Recorder


def test_a_failing_step_does_not_stop_the_others(
    rt: Runtime, recorder: Recorder, with_rota: list[rota.WeekView], monkeypatch: pytest.MonkeyPatch
) -> None:
    new_case(rt.ctx)
    ran: list[str] = []

    def broken_retention(ctx: Any) -> int:
        ran.append("retention")
        raise RuntimeError("retention is broken")

    def poll(rt_: Runtime) -> int:
        ran.append("mailbox")
        return 2

    def optional(module: str, name: str) -> Any:
        return {"poll_once": poll, "sweep": broken_retention}[name]

    monkeypatch.setattr(sweep, "_optional", optional)
    rt.settings = rt.settings.model_copy(update={"IMAP_URL": "imaps://u:p@127.0.0.1:993"})
    result = sweep.run_sweep(rt, START + timedelta(hours=12), handlers=recorder.handlers())
    assert ran == ["mailbox", "retention"]
    assert result.mail_polled == 2
    assert [e.split(":")[0] for e in result.errors] == ["retention"]
    assert result.notices > 0 and recorder.messages("page_reminder")
    assert "1 step(s) failed" in result.summary()


def test_no_mailbox_poll_without_imap_url(
    rt: Runtime, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    polled: list[int] = []
    monkeypatch.setattr(sweep, "_optional", lambda m, n: lambda *_a: polled.append(1) or 0)
    result = sweep.run_sweep(rt, START, handlers=recorder.handlers())
    assert result.ok and result.mail_polled is None and polled == [1]  # retention only
