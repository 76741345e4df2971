"""Ack at once, work afterwards: the inbox between Slack and the listeners.

In HTTP mode the web app (`Role.WEB`) checks the signature, recognises replays, stores each
slash command and click in the inbox (`queues/inbox.py`, encrypted) and answers Slack's
request: acknowledging costs one small insert, however busy the workers are, and an
acknowledged request is never lost. An inbox worker (`InboxPump`: a thread of `serve`, or
`slack-coc worker` processes) runs each stored request through the same listeners in an app
of its own (`Role.INBOX`), which acks into the void and replies through `response_url` or
the Web API as usual.

A trigger id lasts three seconds, longer than a busy queue may take. A read-only answer that
is a modal (Open case, a step's form: `modal_answers.Answer.DIRECT`) is stored too and opened
from the request's trigger id, one Slack round trip: by the web process itself while it is
idle (stored claimed by it), else by the worker that claims it (woken, `queues/wake.py`),
the web process having spent no more CPU on it than on any ack. Unclaimed `UNCLAIMED_AFTER` the
ack (all busy, or none running), the web process holds it back (`inbox.hold_for_loading_view`,
a compare-and-set against the claim: one of the two wins) and opens a "Loading" modal while
the trigger is still good. Any other click whose answer is a modal gets that "Loading" modal
right after its ack. The worker puts the answer in the loading modal (`LoadingViewClient`):
`views.open`/`views.push` become `views.update` of the loading view, and a text reply (a
refusal) is shown in it too. `modal_answers` is the one table that chooses.

The report forms ("Log a report", "Report a concern") are deferred too: the web process checks
their fields (a missing or malformed field must be in the ack, on the form), stores them and
answers with a "Saving the report" view; the worker logs the case and puts its number (or a
refusal) in that view with `views.update`. If the database is away while the worker logs it,
the item goes back to the queue (the report is kept, and the person is told so). Other modal
submissions (their refusals depend on the case, and must land on the form), shortcuts and
events are not deferred: the web process works on them right after the ack, as before.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import parse_body
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from slack_coc.context import StoreUnavailable
from slack_coc.jobs.delay_line import DelayLine
from slack_coc.jobs.pool import KeyedPool
from slack_coc.queues import inbox
from slack_coc.queues.claims import new_claimant
from slack_coc.queues.wake import Listener, listen_for_new_items
from slack_coc.runtime import Runtime, worker_concurrency
from slack_coc.slack.deferred_forms import (
    REPORT_KEPT,
    SAVING_ANSWER,
    STORED_FORM_TYPE,
    answer_in_view,
    callback_of,
    report_form_errors,
    stored_form,
    update_view,
)
from slack_coc.slack.delivery import Pump
from slack_coc.slack.errors import RETRY_LATER, error_block, json_response, tell
from slack_coc.slack.ids import (
    DEFERRED_VIEWS,
)
from slack_coc.slack.in_flight import CPU, SLACK_REQUESTS
from slack_coc.slack.listeners.support import actor_of, from_modal
from slack_coc.slack.modal_answers import Answer, answer_for, answers_with_modal
from slack_coc.slack.modals.notice import loading_modal, notice_modal
from slack_coc.slack.request_clients import LOADING_VIEW, LoadingViewClient

log = logging.getLogger(__name__)

# Seconds after its ack a click answered from its trigger id waits for a worker to claim it
# before the web process opens a "Loading" modal instead (the trigger lasts 3 s; the
# worker's answer, a Slack round trip or two, must fit in what is left).
UNCLAIMED_AFTER = 0.7
# While at most this many Slack requests are in flight in the web process (this one
# included) and it has used less than this share of a core lately, it answers a read-only
# modal click itself (stored already claimed by it). A burst of requests sends the clicks
# to the workers, keeping acks fast.
ANSWER_HERE_WHILE_AT_MOST = 4
ANSWER_HERE_BELOW_CPU = 0.5
FORM = "application/x-www-form-urlencoded"


def deferred_kind(body: dict[str, Any]) -> str | None:
    if "command" in body:
        return "command"
    kind = body.get("type")
    if kind == "block_actions":
        return "block_actions"
    if kind == "view_submission" and callback_of(body) in DEFERRED_VIEWS:
        return "view_submission"
    return None


class Deferrer:
    """The web app's last middleware: store, acknowledge, and open a "Loading" modal at
    once; a read-only modal answer is answered here while idle, else by a worker, with a
    "Loading" modal only if no worker claims it in time."""

    def __init__(self, rt: Runtime, here: App) -> None:
        """`here`: an inbox app, for the clicks this process answers itself."""
        self.rt = rt
        self._openers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="loading-view")
        self._unclaimed = DelayLine("unclaimed-clicks")
        self.here = InboxRunner(rt, here, concurrency=1)  # runs on `_answers`' threads
        self._answers = ThreadPoolExecutor(
            max_workers=4 * worker_concurrency(rt), thread_name_prefix="answer-here"
        )
        self._answering = 0  # answers here not finished (most of them waiting on Slack)
        self._answering_lock = threading.Lock()

    def middleware(self) -> Callable[..., BoltResponse | None]:
        """As a plain function: Bolt injects arguments by the names of a function's own."""

        def defer(
            req: BoltRequest, body: dict[str, Any], context: BoltContext, next: Callable[[], None]
        ) -> BoltResponse | None:
            return self.take(req, body, context, next)

        return defer

    def take(
        self,
        req: BoltRequest,
        body: dict[str, Any],
        context: BoltContext,
        next: Callable[[], None],
    ) -> BoltResponse | None:
        kind = deferred_kind(body)
        if kind is None:
            next()
            return None
        if kind == "view_submission":
            try:
                errors = report_form_errors(body)
            except Exception:  # a malformed payload: the listener's own checks answer it
                next()
                return None
            if errors:
                return json_response({"response_action": "errors", "errors": errors})
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        content_type = (req.headers.get("content-type") or [FORM])[0]
        raw = req.raw_body
        if kind == "view_submission":
            raw, content_type = stored_form(body), STORED_FORM_TYPE
        modal = answers_with_modal(body)
        from_trigger = modal and answer_for(body) is Answer.DIRECT
        here = from_trigger and self._idle()
        try:
            item_id = inbox.store(
                self.rt.ctx,
                team_id=actor_of(body).team_id,
                key=f"sig:{signature}" if signature else f"unsigned:{uuid.uuid4().hex}",
                content_type=content_type,
                body=raw,
                wait_for_loading_view=modal and not from_trigger,
                claimed_by=self.here.claimant if here else None,
            )
        except StoreUnavailable as refusal:
            return self._refuse(body, context, refusal)
        if item_id is not None and here:
            item = inbox.PendingRequest(
                item_id, content_type, raw, None, attempts=1, received_at=self.rt.ctx.clock.now()
            )
            self._start_answer(item)
        elif item_id is not None and from_trigger:
            self._unclaimed.later(
                UNCLAIMED_AFTER,
                self._openers.submit,
                self._hold_and_load,
                context.client,
                body,
                item_id,
            )
        elif item_id is not None and modal:
            self._openers.submit(self._open_loading_view, context.client, body, item_id)
        if kind == "view_submission":
            return json_response(SAVING_ANSWER)
        return BoltResponse(status=200, body="")

    def _idle(self) -> bool:
        with self._answering_lock:
            room = self._answering < 4 * worker_concurrency(self.rt)
        if not room or SLACK_REQUESTS.count > ANSWER_HERE_WHILE_AT_MOST:
            return False
        return CPU.busy() < ANSWER_HERE_BELOW_CPU

    def _start_answer(self, item: inbox.PendingRequest) -> None:
        with self._answering_lock:
            self._answering += 1
        self._answers.submit(self._answer_here, item)

    def _answer_here(self, item: inbox.PendingRequest) -> None:
        try:
            self.here.run(item)
        except StoreUnavailable:  # not marked done: a worker takes it when the claim runs out
            log.warning("inbox item %s: answered here, not marked done", item.id)
        finally:
            with self._answering_lock:
                self._answering -= 1

    def wait_idle(self, timeout: float = 15) -> bool:
        """Until no answer here is running; False on timeout (tests)."""
        deadline = time.monotonic() + timeout
        while self._answering:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def close(self) -> None:
        """Forget the clicks still waiting to be claimed (the app is going away)."""
        self._unclaimed.clear()

    def _hold_and_load(self, client: WebClient, body: dict[str, Any], item_id: int) -> None:
        try:
            held = inbox.hold_for_loading_view(self.rt.ctx, item_id)
        except StoreUnavailable:  # the worker takes it, trigger and all, when it can
            log.warning("inbox item %s: not held for a loading view (database away)", item_id)
            return
        if held:
            self._open_loading_view(client, body, item_id)

    def _refuse(
        self, body: dict[str, Any], context: BoltContext, refusal: StoreUnavailable
    ) -> BoltResponse:
        message = str(refusal)
        if "command" in body:
            return json_response({"response_type": "ephemeral", "text": message})
        if body.get("type") == "view_submission":  # the form stays open with what was typed
            errors = {error_block(body.get("view") or {}, refusal): message}
            return json_response({"response_action": "errors", "errors": errors})
        tell(body, context.client, context.respond, message)
        return BoltResponse(status=200, body="")

    def _open_loading_view(self, client: WebClient, body: dict[str, Any], item_id: int) -> None:
        view_id: str | None = None
        try:
            opened = (
                client.views_push(trigger_id=body["trigger_id"], view=loading_modal())
                if from_modal(body)  # App Home is not a modal: views.open there
                else client.views_open(trigger_id=body["trigger_id"], view=loading_modal())
            )
            view_id = str((opened.get("view") or {}).get("id") or "") or None
        except SlackApiError as exc:
            log.warning("could not open a loading modal: %s", exc.response.get("error"))
        except Exception as exc:  # Slack unreachable: the worker tries the trigger itself
            log.warning("could not open a loading modal: %s", type(exc).__name__)
        try:
            inbox.loading_view_opened(self.rt.ctx, item_id, view_id)
        except Exception as exc:  # a thread of its own: nobody else would see this
            log.warning("inbox item %s: loading view not recorded: %s", item_id, type(exc).__name__)


def order_key(item: inbox.PendingRequest) -> Hashable:
    """One person's requests are worked on in the order they came (their second click sees
    what their first did); different people's side by side."""
    try:
        actor = actor_of(parse_body(item.body, item.content_type))
    except Exception:  # unreadable: the listeners' own checks answer it, alone
        return ("item", item.id)
    if actor.user_id is None:
        return ("item", item.id)
    return (actor.team_id, actor.user_id)


class InboxRunner:
    """Works on stored requests through the inbox app's listeners: several at once (a
    bounded pool, `COC_WORKER_CONCURRENCY`: each mostly waits on Slack), one person's in
    order. An item is claimed only when a thread is free for it, so a busy process does
    not hold items another worker could take."""

    def __init__(self, rt: Runtime, app: App, *, concurrency: int | None = None) -> None:
        self.rt, self.app = rt, app
        self.claimant = new_claimant()
        self.concurrency = concurrency if concurrency is not None else worker_concurrency(rt)
        self.pool = KeyedPool(self.concurrency, "inbox") if self.concurrency > 1 else None
        # Items worked on whose "done" could not be written (the database was away): written
        # first thing next time, so that this live process's claim does not hold them.
        self._unrecorded: dict[int, str | None] = {}

    def run_due(self, limit: int = 50) -> int:
        """Work on what is due, up to `limit` items; returns when they are done."""
        done = [0]
        lock = threading.Lock()

        def count(item: inbox.PendingRequest) -> None:
            if self.run(item):
                with lock:
                    done[0] += 1

        self.feed(limit, count)
        if self.pool is not None:
            self.pool.wait_idle()
        return done[0]

    def feed(
        self, limit: int = 50, work: Callable[[inbox.PendingRequest], Any] | None = None
    ) -> int:
        """Claim due items while a thread is free and hand them to the pool (in this thread
        when there is no pool); how many were claimed. Does not wait for the pool."""
        for item_id, error in list(self._unrecorded.items()):
            inbox.finish(self.rt.ctx, item_id, self.claimant, error)
            del self._unrecorded[item_id]
        work = work or self.run
        claimed = 0
        while claimed < limit:
            if self.pool is not None and not self.pool.wait_below(self.concurrency, 0):
                break  # every thread is busy: the rest stays free for other workers
            item = inbox.claim_next(self.rt.ctx, self.claimant)
            if item is None:
                break
            claimed += 1
            if self.pool is None:
                work(item)
            else:
                self.pool.submit(order_key(item), partial(work, item))
        return claimed

    def run(self, item: inbox.PendingRequest) -> bool:
        """Work on one item; False when it went back to the queue to be tried later."""
        error: str | None = None
        context: dict[str, Any] = (
            {LOADING_VIEW: item.loading_view_id} if item.loading_view_id else {}
        )
        try:
            request = BoltRequest(
                body=item.body, headers={"content-type": [item.content_type]}, context=context
            )
            response = self.app.dispatch(request)
            client = request.context.client or self.app.client
            if isinstance(client, LoadingViewClient):
                client.finish()
            if request.context.get(RETRY_LATER):
                return self._again_later(item, request.body, client)
            if deferred_kind(request.body) == "view_submission":
                answer_in_view(client, request.body, response)
            if response.status >= 400:
                error = f"HTTP {response.status}"
        except Exception as exc:  # recorded; the member was told by the error handler if possible
            error = type(exc).__name__
            log.error("inbox item %s failed: %s", item.id, error)
        try:
            inbox.finish(self.rt.ctx, item.id, self.claimant, error)
        except StoreUnavailable:
            self._unrecorded[item.id] = error
            raise
        return True

    def _again_later(self, item: inbox.PendingRequest, body: dict[str, Any], client: Any) -> bool:
        """The database went away while a report was being logged: back to the queue. If it
        is still away, the claim runs out and the item is tried again all the same."""
        log.warning("inbox item %s: the database did not answer; it is tried again", item.id)
        update_view(client, body, notice_modal("Report kept", REPORT_KEPT))
        try:
            inbox.release(self.rt.ctx, item.id, self.claimant, delay=inbox.RETRY_DELAY)
        except StoreUnavailable:
            log.warning("inbox item %s: kept under its claim until it runs out", item.id)
        return False


class InboxPump(Pump):
    name = "inbox-pump"
    PURGE_EVERY = 600.0  # seconds between purges of done items

    def __init__(self, rt: Runtime, app: App, *, idle_seconds: float = 0.25) -> None:
        super().__init__(rt, idle_seconds=idle_seconds)
        self.runner = InboxRunner(rt, app)
        if self.runner.pool is not None:  # a thread came free: claim the next item at once
            self.runner.pool.on_done = self.wake
        self._next_purge = time.monotonic() + self.PURGE_EVERY
        self._listener: Listener | None = None  # other processes' new items wake this one

    def start(self) -> InboxPump:
        super().start()
        self._listener = listen_for_new_items(self.rt.ctx.sessions.kw["bind"], self.wake)
        return self

    def drain(self) -> int:
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + self.PURGE_EVERY
            inbox.purge_done(self.rt.ctx)
        return self.runner.feed()

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        super().stop()
        if self.runner.pool is not None:  # what was claimed is finished, not dropped
            self.runner.pool.wait_idle(timeout=30)
