"""The inbox: stored once, worked on by one worker at a time, never lost by a dead worker,
emptied when done; and which requests get a "Loading" modal."""

from __future__ import annotations

import importlib
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select, text

from slack_coc.clock import FrozenClock
from slack_coc.config import Policy
from slack_coc.context import ServiceContext
from slack_coc.db import Base, make_engine, make_session_factory
from slack_coc.domain.enums import Trigger
from slack_coc.queues import inbox
from slack_coc.queues.request_models import InboxItem
from slack_coc.queues.sqlite_writer import LOCK_WAIT
from slack_coc.slack.deferral import deferred_kind
from slack_coc.slack.ids import Action, step_action
from slack_coc.slack.listeners import MODULES
from slack_coc.slack.modal_answers import answers_with_modal
from tests.conftest import TEAM

MARKER = "AARDVARK-INBOX-3317"


def _store(ctx: ServiceContext, key: str = "sig:v0=1", **kw: object) -> int | None:
    return inbox.store(
        ctx,
        team_id=TEAM,
        key=key,
        content_type="application/x-www-form-urlencoded",
        body=f"command=%2Fcoc&text=recuse+1+{MARKER}",
        **kw,  # type: ignore[arg-type]
    )


def test_a_request_is_kept_once_encrypted_and_emptied_when_done(ctx: ServiceContext) -> None:
    item_id = _store(ctx)
    assert item_id is not None
    assert _store(ctx) is None  # the same signature again: a replay, not a second item
    with inbox.inbox_context(ctx).sessions() as session:
        raw = session.execute(text("SELECT body FROM inbox")).scalar_one()
    assert MARKER.encode() not in bytes(raw)

    claimed = inbox.claim_next(ctx, "worker-a")
    assert claimed is not None and claimed.id == item_id and MARKER in claimed.body
    assert inbox.claim_next(ctx, "worker-b") is None  # one worker at a time
    inbox.finish(ctx, item_id, "worker-a")
    assert inbox.claim_next(ctx, "worker-b") is None
    assert inbox.waiting(ctx) == 0
    with inbox.inbox_context(ctx).read() as session:
        item = session.scalars(select(InboxItem)).one()
        assert item.done_at is not None and item.body == "" and item.attempts == 1


def test_a_dead_workers_item_is_taken_up_again_and_given_up_after_three_tries(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    item_id = _store(ctx)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    import socket

    host = socket.gethostname()
    for attempt in (1, 2, 3):
        claimed = inbox.claim_next(ctx, f"{host}:{dead}:x{attempt}")
        assert claimed is not None and claimed.id == item_id and claimed.attempts == attempt
    # A claim by a live process on another host holds until it expires.
    assert inbox.waiting(ctx) == 1
    assert inbox.claim_next(ctx, "elsewhere:1:y") is None  # abandoned, not claimed a 4th time
    with inbox.inbox_context(ctx).read() as session:
        item = session.get(InboxItem, item_id)
        assert item is not None and item.done_at is not None
        assert "abandoned" in (item.last_error or "") and item.body == ""


def test_a_live_claim_on_another_host_holds_until_it_expires(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    _store(ctx)
    assert inbox.claim_next(ctx, "other-host:42:a") is not None
    assert inbox.claim_next(ctx, "other-host:43:b") is None
    clock.advance(seconds=inbox.CLAIM_SECONDS + 1)
    again = inbox.claim_next(ctx, "other-host:43:b")
    assert again is not None and again.attempts == 2


def test_a_modal_click_waits_for_its_loading_view_at_most_a_few_seconds(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    first = _store(ctx, key="sig:a", wait_for_loading_view=True)
    second = _store(ctx, key="sig:b", wait_for_loading_view=True)
    assert first is not None and second is not None
    assert inbox.claim_next(ctx, "w:1:a") is None
    inbox.loading_view_opened(ctx, first, "V0LOADING1")
    claimed = inbox.claim_next(ctx, "w:1:a")
    assert claimed is not None and claimed.id == first
    assert claimed.loading_view_id == "V0LOADING1"
    assert inbox.claim_next(ctx, "w:1:a") is None
    clock.advance(seconds=inbox.LOADING_WAIT.total_seconds() + 1)
    late = inbox.claim_next(ctx, "w:1:a")  # the web process died before opening it
    assert late is not None and late.id == second and late.loading_view_id is None


def test_an_item_put_back_is_due_again_later_and_its_attempt_is_not_counted(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    item_id = _store(ctx)
    assert item_id is not None
    assert inbox.claim_next(ctx, "w:1:a") is not None
    inbox.release(ctx, item_id, "w:1:b", delay=inbox.RETRY_DELAY)  # not its claim: no effect
    assert inbox.claim_next(ctx, "w:1:c") is None
    inbox.release(ctx, item_id, "w:1:a", delay=inbox.RETRY_DELAY)
    assert inbox.claim_next(ctx, "w:1:c") is None  # not due yet
    clock.advance(seconds=inbox.RETRY_DELAY.total_seconds())
    again = inbox.claim_next(ctx, "w:1:c")
    assert again is not None and again.id == item_id and again.attempts == 1


def test_on_a_sqlite_file_storing_does_not_wait_for_the_case_databases_write_lock(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """A worker writing a case holds SQLite's write lock on the case database; the web
    process's store goes to the inbox's own file and is not held up (on the case database it
    would wait LOCK_WAIT and then tell the member to try again)."""
    database = tmp_path / "coc.db"
    engine = make_engine(f"sqlite:///{database}")
    Base.metadata.create_all(engine)
    files = ServiceContext(sessions=make_session_factory(engine), clock=clock, policy=Policy())
    try:
        with engine.connect() as writer, writer.begin() as held:  # BEGIN IMMEDIATE
            writer.exec_driver_sql("UPDATE workspace SET team_id = team_id")  # a case being written
            started = time.monotonic()
            item_id = _store(files)
            assert item_id is not None
            assert time.monotonic() - started < LOCK_WAIT
            held.rollback()
        assert inbox.inbox_file(str(database)).exists()
        assert inbox.waiting(files) == 1
        claimed = inbox.claim_next(files, "w:1:a")
        assert claimed is not None and MARKER in claimed.body
    finally:
        engine.dispose()


def test_done_items_are_purged_after_an_hour(ctx: ServiceContext, clock: FrozenClock) -> None:
    item_id = _store(ctx)
    assert item_id is not None
    assert inbox.claim_next(ctx, "w:1:a") is not None
    inbox.finish(ctx, item_id, "w:1:a")
    assert inbox.purge_done(ctx) == 0
    clock.advance(hours=2)
    assert inbox.purge_done(ctx) == 1


def _click(action_id: str, **extra: object) -> dict[str, object]:
    return {"type": "block_actions", "trigger_id": "1.2.3", "actions": [{"action_id": action_id}],
            **extra}  # fmt: skip


def test_which_requests_are_deferred_and_which_answer_with_a_modal() -> None:
    for name in MODULES:  # subcommands register themselves when their module is imported
        importlib.import_module(name)
    on_card = {"response_url": "https://hooks.slack.com/x", "container": {"type": "message"}}
    assert deferred_kind({"command": "/coc", "text": "list"}) == "command"
    assert deferred_kind(_click(Action.OPEN_CASE.value)) == "block_actions"
    assert deferred_kind({"type": "view_submission"}) is None
    assert deferred_kind({"type": "shortcut"}) is None
    assert deferred_kind({"type": "event_callback"}) is None

    command = {"command": "/coc", "trigger_id": "1.2.3"}
    assert answers_with_modal({**command, "text": "new"})
    assert answers_with_modal({**command, "text": "show 12"})
    assert not answers_with_modal({**command, "text": "list"})
    assert not answers_with_modal({**command, "text": "nonsense"})
    assert answers_with_modal(_click(Action.OPEN_CASE.value, **on_card))
    assert answers_with_modal(_click(step_action(Trigger.RESOLVE), **on_card))  # needs a form
    assert not answers_with_modal(_click(step_action(Trigger.ACKNOWLEDGE), **on_card))
    assert not answers_with_modal(_click(Action.VOTE_AGREE.value, **on_card))
    # App Home and modals have no response_url: any answer is a modal, unless in place.
    assert answers_with_modal(_click(Action.VOTE_AGREE.value))
    assert not answers_with_modal(_click(Action.MAIL_TEMPLATE.value))
    assert not answers_with_modal({**_click(Action.OPEN_CASE.value), "trigger_id": ""})
