"""App Home over real HTTP, as people use it: a member who owns a case still gets their Home
(no block id twice: Slack refuses the whole view), and a new member onboards from Home by
clicking "Declare conflicts" (a Home tab is not a modal: its buttons open modals with
`views.open`; the fake refuses `views.push` from there, as Slack does)."""

from __future__ import annotations

import json
from typing import Any

from slack_coc.domain.enums import Trigger
from slack_coc.services import members
from slack_coc.slack.deferral import InboxRunner
from slack_coc.slack.ids import Action, Callback, step_action
from tests.conftest import TEAM
from tests.e2e.conftest import CHANNEL
from tests.e2e.harness import AppServer, wait_for
from tests.e2e.test_case_flow_e2e import (
    ACCOUNT_MARKER,
    BEN,
    calls_count,
    card,
    log_report,
    modal_after,
    reply_after,
)
from tests.factories import add_roster, new_case

NEWCOMER = "U0NEWBIE42"


def _home(server: AppServer, user: str, since: int) -> dict[str, Any]:
    """The Home view published for `user` after call number `since` (refused ones count:
    a test must see Slack's refusal, not the previous Home)."""

    def published() -> Any:
        for call in server.fake.attempts("views.publish")[since:]:
            if call.params.get("user_id") == user:
                return call
        return None

    call = wait_for(published, what=f"App Home of {user}")
    assert call.ok, call.problems or call.response
    return dict(server.fake.homes[user])


def _case_rows(home: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in home["blocks"] if b.get("block_id", "").startswith("case")]


def test_a_member_who_owns_a_case_still_gets_their_home(app_server: AppServer) -> None:
    server = app_server
    add_roster(server.rt.ctx)
    log_report(server)
    server.deliver()
    before = calls_count(server)
    server.click_button(BEN, card(server), step_action(Trigger.ACKNOWLEDGE), CHANNEL)
    reply_after(server, before)
    since = len(server.fake.attempts("views.publish"))
    server.open_home(BEN)
    home = _home(server, BEN, since)
    # #1 is in "My cases" and in "Open cases": two rows, two block ids.
    rows = [b for b in home["blocks"] if "*#1*" in json.dumps(b.get("text", {}))]
    assert len(rows) == 2
    assert len({b["block_id"] for b in rows}) == 2
    assert ACCOUNT_MARKER not in json.dumps(home)
    # The outbox refreshes every member's Home after a step: none of them is refused either.
    server.deliver()
    refused = [c for c in server.fake.attempts("views.publish") if not c.ok]
    assert refused == [], [c.problems for c in refused]


def _onboard_from_home(server: AppServer, run_worker: Any) -> None:
    add_roster(server.rt.ctx)
    new_case(server.rt.ctx, account=f"Report {ACCOUNT_MARKER}")
    members.add_member(server.rt.ctx, TEAM, NEWCOMER, "Newcomer")
    since = len(server.fake.attempts("views.publish"))
    server.open_home(NEWCOMER)
    run_worker()
    home = _home(server, NEWCOMER, since)
    assert Action.DECLARE_CONFLICTS.value in json.dumps(home)

    before = calls_count(server)
    assert (
        server.click(NEWCOMER, Action.DECLARE_CONFLICTS.value, "declare", view=home).status == 200
    )
    run_worker()
    opened = wait_for(
        lambda: [c for c in server.fake.attempts()[before:] if c.method.startswith("views.")],
        what="the conflicts form's modal",
    )
    assert opened[0].method == "views.open", [c.method for c in opened]

    def form() -> dict[str, Any] | None:
        views = [v for v in server.fake.views.values() if v.get("type") == "modal"]
        found = [v for v in views if v.get("callback_id") == Callback.DECLARE_CONFLICTS.value]
        return found[-1] if found else None

    declare = dict(wait_for(form, what="the conflicts form"))
    assert ACCOUNT_MARKER not in json.dumps(declare)
    done = server.submit(
        NEWCOMER,
        declare,
        {"conflicted": {"conflicted": {"type": "multi_static_select", "selected_options": []}}},
    )
    assert done.json()["response_action"] == "update"
    run_worker()
    before = calls_count(server)
    server.command(NEWCOMER, "show 1")
    run_worker()
    assert modal_after(server, before)["callback_id"] == Callback.CASE_DETAIL.value


def test_a_new_member_onboards_from_home_by_clicking(app_server: AppServer) -> None:
    """`serve` in one process: the click is worked on at once."""
    _onboard_from_home(app_server, lambda: None)


def test_a_new_member_onboards_from_home_with_a_worker(web: tuple[AppServer, InboxRunner]) -> None:
    """Production's layout: the web app stores the click and opens a "Loading" modal (with
    `views.open`: Home is not a modal), the inbox worker puts the form in it."""
    server, worker = web

    def run_worker() -> None:
        """Until everything stored is done (a click waits for its "Loading" modal)."""
        from slack_coc.queues import inbox

        def worked_off() -> bool:
            worker.run_due()
            return not inbox.waiting(server.rt.ctx)

        wait_for(worked_off, timeout=15, what="the inbox to be worked off")

    _onboard_from_home(server, run_worker)
