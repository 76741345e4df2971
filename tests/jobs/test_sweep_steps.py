"""`run_sweep`: each step runs on its own; a failing step is reported, the others still run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from slack_coc import wiring
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

    def broken_retention(ctx: Any, **_kw: Any) -> int:
        ran.append("retention")
        raise RuntimeError("retention is broken")

    def poll() -> int:
        ran.append("mailbox")
        return 2

    monkeypatch.setattr(sweep.retention, "sweep", broken_retention)
    result = sweep.run_sweep(
        rt, START + timedelta(hours=12), handlers=recorder.handlers(), poll_mail=poll
    )
    assert ran == ["mailbox", "retention"]
    assert result.mail_polled == 2
    assert [e.split(":")[0] for e in result.errors] == ["retention"]
    assert result.notices > 0 and recorder.messages("page_reminder")
    assert "1 step(s) failed" in result.summary()


def test_no_mailbox_poll_without_imap_url(
    rt: Runtime, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    polled: list[int] = []
    monkeypatch.setattr(wiring, "poll_once", lambda _rt: polled.append(1) or 0)
    result = wiring.run_sweep(rt, START, handlers=recorder.handlers())
    assert result.ok and result.mail_polled is None and polled == []


def test_the_mailbox_is_polled_when_imap_url_is_set(
    rt: Runtime, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    polled: list[Runtime] = []
    monkeypatch.setattr(wiring, "poll_once", lambda rt_: polled.append(rt_) or 3)
    rt.settings = rt.settings.model_copy(update={"IMAP_URL": "imaps://u:p@127.0.0.1:993"})
    result = wiring.run_sweep(rt, START, handlers=recorder.handlers())
    assert result.mail_polled == 3 and polled == [rt]
