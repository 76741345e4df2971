"""Fixtures for the robustness suite: the real app served over HTTP (A2's AppServer and
FakeSlack), a small world of cases with marker strings in every confidential field, state
snapshots, and a way to wait until Bolt's background listeners are done (`serve` acks first
and works after, so a test must wait before it looks at the state)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from slack_coc.context import Actor
from slack_coc.services import conflicts
from slack_coc.services.intake import ReportInput, log_report
from tests.conftest import OTHER_TEAM, TEAM
from tests.e2e.conftest import e2e_runtime  # noqa: F401  (fixture)
from tests.e2e.harness import AppServer
from tests.factories import add_roster
from tests.fakeslack import FakeSlack

CHANNEL = "C0COCGROUP"
ANA, BEN, CAT, DAN, EVE = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004", "U0EVE0005"
STRANGER = "U0STRANGE9"  # in the workspace, not on the roster
REPORTER = "U0REPORT08"  # reported a concern with the shortcut
REPORTED = "U0ACCUSED7"  # named in the reporter's case; not a member
OTHER_MEMBER = "U0OTHER001"  # a member of the other workspace's group

TABLES = (
    "workspace", "member", "person", "case", "party", "recusal", "case_event", "deadline",
    "access_log", "outbox", "proposal", "proposed_outcome", "vote", "emergency_action",
)  # fmt: skip


class TrackedExecutor(Executor):
    """Bolt's listener executor, counting work in flight so a test can wait for quiet."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self.in_flight = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self.in_flight += 1
        future = self.inner.submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._lock:
            self.in_flight -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 15) -> None:
        with self._lock:
            if not self._idle.wait_for(lambda: self.in_flight == 0, timeout=timeout):
                raise AssertionError(f"{self.in_flight} listener(s) still running")


class RobustServer(AppServer):
    """AppServer whose `settle()` waits until every listener has finished, and, in the
    production layout, until the inbox worker has done everything stored."""

    tracker: TrackedExecutor
    inbox_runner: Any = None
    deferrer: Any = None  # the web app's (`slack.app.DEFERRERS`), in the production layout

    def close(self) -> None:
        if self.deferrer is not None:
            self.deferrer.close()  # clicks still waiting for a worker: nobody will run them
        super().close()

    def settle(self) -> None:
        time.sleep(0.01)  # Bolt submits the listener just before it answers
        self.tracker.wait_idle()
        if self.inbox_runner is None:
            return
        assert self.deferrer.wait_idle(), "answers in the web process still running"
        from slack_coc.queues import inbox

        deadline = time.monotonic() + 15
        while inbox.waiting(self.rt.ctx):  # a modal click waits for its "Loading" modal
            if self.inbox_runner.run_due() == 0:
                assert time.monotonic() < deadline, "the inbox was not worked off"
                time.sleep(0.02)


def serve_app(fake: FakeSlack, rt: Any, *, split: bool = False) -> RobustServer:
    """The app as `serve` runs it (`split`: as `serve --web-only` beside a worker, the
    production layout: the web app stores, the inbox worker works)."""
    from slack_coc.slack.app import DEFERRERS, Role, build_app
    from slack_coc.slack.deferral import InboxRunner
    from slack_coc.slack.http import make_wsgi_app

    bolt = build_app(rt, role=Role.WEB if split else Role.ALL)
    runner = bolt.listener_runner
    tracker = TrackedExecutor(runner.listener_executor)
    runner.listener_executor = tracker
    runner.lazy_listener_runner.executor = tracker  # type: ignore[attr-defined]
    server = RobustServer(make_wsgi_app(rt, bolt), rt, fake, TEAM)
    server.tracker = tracker
    if split:
        server.inbox_runner = InboxRunner(rt, build_app(rt, role=Role.INBOX))
        server.deferrer = DEFERRERS[bolt]
    return server


@pytest.fixture(params=["one process", "web and worker"])
def server(
    request: pytest.FixtureRequest,
    fake_slack: FakeSlack,
    e2e_runtime: Any,  # noqa: F811
) -> Iterator[RobustServer]:
    srv = serve_app(fake_slack, e2e_runtime, split=request.param == "web and worker")
    try:
        yield srv
    finally:
        srv.close()
        e2e_runtime.engine.dispose()


@dataclass
class World:
    """Cases with a unique marker in every confidential field."""

    markers: list[str] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)
    case_of: dict[str, str] = field(default_factory=dict)  # marker -> case label

    def mark(self, case: str, what: str) -> str:
        marker = f"ZQX{case.upper()}{what.upper()}{len(self.markers):02d}QXZ"
        self.markers.append(marker)
        self.case_of[marker] = case
        return marker


@pytest.fixture
def world(e2e_runtime: Any) -> World:  # noqa: F811
    """#1 concerns Dan (recused as concerned); Cat recused herself from #2; #3 was reported
    by a non-member with the shortcut and names another non-member; the other workspace has
    its own group and its own #1."""
    ctx = e2e_runtime.ctx
    w = World()
    add_roster(ctx)

    def report(label: str, **kw: Any) -> ReportInput:
        return ReportInput(
            account=w.mark(label, "account"),
            involved_names=[w.mark(label, "name")],
            witness_names=[w.mark(label, "witness")],
            when_where=w.mark(label, "where"),
            reporter_contact=f"{w.mark(label, 'contact').lower()}@example.org",
            **kw,
        )

    w.numbers["dan"] = log_report(
        ctx, Actor(TEAM, ANA), report("dan", involved_user_ids=[DAN], source="email")
    ).number
    w.numbers["cat"] = log_report(ctx, Actor(TEAM, ANA), report("cat", source="email")).number
    conflicts.recuse(ctx, Actor(TEAM, CAT), w.numbers["cat"], "personal_relationship", "x")
    w.numbers["reporter"] = log_report(
        ctx,
        Actor(TEAM, REPORTER),
        report("rep", reporter_user_id=REPORTER, involved_user_ids=[REPORTED]),
    ).number
    from slack_coc.services import members

    members.add_member(ctx, OTHER_TEAM, OTHER_MEMBER, "Olga", chair=True)
    w.numbers["other"] = log_report(
        ctx, Actor(OTHER_TEAM, OTHER_MEMBER), report("other", source="email")
    ).number
    return w


def snapshot(engine: Engine) -> dict[str, Any]:
    """Row counts of every domain table and each case's state and version."""
    with engine.connect() as conn:
        state: dict[str, Any] = {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in TABLES
        }
        state["cases"] = sorted(
            tuple(r)
            for r in conn.execute(
                text('SELECT team_id, number, state, version, shepherd_id FROM "case"')
            )
        )
    return state


def case_snapshot(engine: Engine, team_id: str, number: int) -> dict[str, Any]:
    """One case: its row and the counts of everything hanging off it."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                'SELECT id, state, version, shepherd_id, first_responder_id FROM "case" '
                "WHERE team_id = :t AND number = :n"
            ),
            {"t": team_id, "n": number},
        ).one()
        case_id = row[0]
        counts = {
            t: conn.execute(
                text(f'SELECT count(*) FROM "{t}" WHERE case_id = :c'), {"c": case_id}
            ).scalar_one()
            for t in ("party", "recusal", "case_event", "deadline", "access_log", "outbox",
                      "proposal", "emergency_action")
        }  # fmt: skip
        votes = conn.execute(
            text("SELECT count(*) FROM vote JOIN proposal ON vote.proposal_id = proposal.id "
                 "WHERE proposal.case_id = :c"),
            {"c": case_id},
        ).scalar_one()  # fmt: skip
    return {"row": tuple(row), **counts, "votes": votes}


def leaked(world: World, *texts: str, allow: tuple[str, ...] = ()) -> list[str]:
    """Markers found in any of `texts`, except those of the cases labelled in `allow`."""
    blob = "\n".join(texts)
    return [
        m
        for m in world.markers
        if world.case_of[m] not in allow and (m in blob or m.lower() in blob)
    ]
