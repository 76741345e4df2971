"""Ack first, work afterwards, over real HTTP: the web app stores commands and clicks and
answers Slack at once; the inbox worker does the work later, even after the click's trigger id
has expired, by filling the "Loading" modal the web app opened. Also as two processes:
`serve --web-only` and `slack-coc worker`."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from slack_coc.queues import inbox
from slack_coc.queues.request_models import InboxItem
from slack_coc.queues.wake import wake_directory
from slack_coc.slack import modal_answers
from slack_coc.slack.deferral import InboxRunner
from slack_coc.slack.ids import Action, Callback
from tests.conftest import TEAM
from tests.e2e.conftest import e2e_settings
from tests.e2e.harness import (
    SIGNING_SECRET,
    AppServer,
    Payloads,
    encode_interactive,
    post_signed,
    wait_for,
)
from tests.factories import add_roster, new_case
from tests.fakeslack import FakeSlack

ANA, OUTSIDER = "U0ANA0001", "U0OUTSID99"
MARKER = "NUMBAT-INBOX-7741"


def _loading_view_recorded(server: AppServer) -> bool:
    with inbox.inbox_context(server.rt.ctx).read() as session:
        return session.scalar(select(InboxItem.loading_view_id)) is not None


def test_a_command_is_acknowledged_at_once_and_answered_by_the_worker(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    new_case(server.rt.ctx, account=f"Report {MARKER}")
    response = server.command(ANA, "list")
    assert response.status == 200 and response.body == b""
    assert inbox.waiting(server.rt.ctx) == 1
    assert not server.fake.calls("response_url")  # nothing done before the ack

    assert worker.run_due() == 1
    replies = server.fake.calls("response_url")
    assert len(replies) == 1 and "#1" in replies[0].text
    assert inbox.waiting(server.rt.ctx) == 0
    assert MARKER not in server.fake.all_text()
    server.fake.assert_clean()


def test_a_replayed_command_is_stored_once(web: tuple[AppServer, InboxRunner]) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    body = urllib.parse.urlencode(server.payloads.slash_command(ANA, "list"))
    ts = str(int(time.time()))
    from tests.e2e.harness import sign

    signature = sign(SIGNING_SECRET, ts, body)
    for _ in range(2):
        assert server.post(body, timestamp=int(ts), signature=signature).status == 200
    assert worker.run_due() == 1
    assert len(server.fake.calls("response_url")) == 1


@pytest.fixture
def open_case_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """ "Open case" answered through a loading view (the one table says so)."""
    monkeypatch.setitem(modal_answers.ACTIONS, Action.OPEN_CASE, modal_answers.Answer.LOADING)


def test_open_case_is_opened_from_the_clicks_trigger_by_the_worker_in_one_round_trip(
    web: tuple[AppServer, InboxRunner],
) -> None:
    """A read-only modal answer (`modal_answers.Answer.DIRECT`) is stored, available at once:
    the worker that claims it opens the case's details with the click's trigger id, and no
    loading view is shown."""
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    assert not server.fake.calls("views.open")  # the web process only stored it
    assert inbox.waiting(server.rt.ctx) == 1 and worker.run_due() == 1
    opened = server.fake.calls("views.open")
    assert [c.params["view"]["callback_id"] for c in opened] == [Callback.CASE_DETAIL.value]
    assert MARKER in str(server.fake.views[opened[0].response["view"]["id"]])
    assert not server.fake.calls("views.update")
    server.fake.assert_clean()


def test_an_idle_web_process_answers_open_case_itself_from_the_trigger(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few requests in flight: the web process stores the click already claimed by itself
    and opens the filled modal with the trigger id; no worker is involved, nothing waits."""
    from slack_coc.slack import deferral as web_inbox
    from slack_coc.slack.app import DEFERRERS

    monkeypatch.setattr(web_inbox, "ANSWER_HERE_WHILE_AT_MOST", 2)
    monkeypatch.setattr(web_inbox, "ANSWER_HERE_BELOW_CPU", 99.0)  # the tests' own CPU aside
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    opened = wait_for(lambda: server.fake.calls("views.open"), what="the case's modal")
    assert [c.params["view"]["callback_id"] for c in opened] == [Callback.CASE_DETAIL.value]
    assert all(d.wait_idle() for d in list(DEFERRERS.values()))
    assert inbox.waiting(server.rt.ctx) == 0 and worker.run_due() == 0
    assert not server.fake.calls("views.update")
    server.fake.assert_clean()


def test_a_web_process_busy_with_requests_leaves_open_case_to_the_worker(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """More requests in flight than `ANSWER_HERE_WHILE_AT_MOST`: the click is stored for the
    workers (here: as if two others were being answered)."""
    from slack_coc.slack import deferral as web_inbox
    from slack_coc.slack.in_flight import SLACK_REQUESTS

    monkeypatch.setattr(web_inbox, "ANSWER_HERE_WHILE_AT_MOST", 2)
    monkeypatch.setattr(web_inbox, "ANSWER_HERE_BELOW_CPU", 99.0)
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    with SLACK_REQUESTS.one(), SLACK_REQUESTS.one():
        assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    assert not server.fake.calls("views.open") and inbox.waiting(server.rt.ctx) == 1
    assert worker.run_due() == 1
    opened = server.fake.calls("views.open")
    assert [c.params["view"]["callback_id"] for c in opened] == [Callback.CASE_DETAIL.value]


def test_a_web_process_busy_on_the_cpu_leaves_open_case_to_the_worker(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    from slack_coc.slack import deferral as web_inbox

    monkeypatch.setattr(web_inbox, "ANSWER_HERE_WHILE_AT_MOST", 99)
    monkeypatch.setattr(web_inbox, "ANSWER_HERE_BELOW_CPU", 0.0)  # any use is too much
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    assert not server.fake.calls("views.open") and inbox.waiting(server.rt.ctx) == 1
    assert worker.run_due() == 1


def test_an_open_case_no_worker_claims_in_time_gets_a_loading_view_the_worker_fills(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No worker claimed the click within `UNCLAIMED_AFTER` (here: at once): the web process
    holds it back, opens a loading view while the trigger is good, and the worker fills it."""
    from slack_coc.slack import deferral as web_inbox

    monkeypatch.setattr(web_inbox, "UNCLAIMED_AFTER", 0.0)
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    opened = wait_for(lambda: server.fake.calls("views.open"), what="the loading modal")
    assert opened[0].params["view"]["callback_id"] == Callback.LOADING.value
    wait_for(lambda: _loading_view_recorded(server), what="the loading view's id to be kept")
    server.fake.expire_triggers()
    assert worker.run_due() == 1
    loading_id = opened[0].response["view"]["id"]
    assert server.fake.views[loading_id]["callback_id"] == Callback.CASE_DETAIL.value
    assert len(server.fake.attempts("views.open")) == 1


def test_a_click_the_worker_claimed_first_gets_no_loading_view(
    web: tuple[AppServer, InboxRunner], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker claims the click before the web process's check: the check finds it
    claimed and opens nothing; the person sees one modal, the case's."""
    from slack_coc.slack import deferral as web_inbox

    monkeypatch.setattr(web_inbox, "UNCLAIMED_AFTER", 0.5)
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    assert worker.run_due() == 1
    time.sleep(0.8)  # past the web process's check
    opened = server.fake.calls("views.open")
    assert [c.params["view"]["callback_id"] for c in opened] == [Callback.CASE_DETAIL.value]
    assert len(server.fake.attempts("views.open")) == 1


def test_an_open_case_refused_is_told_to_the_clicker_only_and_nothing_leaks(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(OUTSIDER, Action.OPEN_CASE.value, str(case.number)).status == 200
    assert worker.run_due() == 1
    told = server.fake.calls("response_url")
    assert "member" in told[0].text.lower() and told[0].params.get("response_type") == "ephemeral"
    assert not server.fake.calls("views.open")
    assert MARKER not in server.fake.all_text()


@pytest.mark.usefixtures("open_case_loads")
def test_open_case_gets_a_loading_modal_the_worker_fills_after_the_trigger_expired(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(ANA, Action.OPEN_CASE.value, str(case.number)).status == 200
    opened = wait_for(lambda: server.fake.calls("views.open"), what="the loading modal")
    assert opened[0].params["view"]["callback_id"] == Callback.LOADING.value
    loading_id = opened[0].response["view"]["id"]
    wait_for(lambda: _loading_view_recorded(server), what="the loading view's id to be kept")
    server.fake.expire_triggers()  # as if the worker came to it after Slack's 3 s

    assert worker.run_due() == 1
    updates = server.fake.calls("views.update")
    assert [u.params["view_id"] for u in updates] == [loading_id]
    assert server.fake.views[loading_id]["callback_id"] == Callback.CASE_DETAIL.value
    assert MARKER in str(server.fake.views[loading_id])  # the member may see the report
    assert len(server.fake.attempts("views.open")) == 1  # the expired trigger was not used
    server.fake.assert_clean()


@pytest.mark.usefixtures("open_case_loads")
def test_a_refusal_is_shown_in_the_loading_modal_and_nothing_leaks(
    web: tuple[AppServer, InboxRunner],
) -> None:
    server, worker = web
    add_roster(server.rt.ctx)
    case = new_case(server.rt.ctx, account=f"Report {MARKER}")
    assert server.click(OUTSIDER, Action.OPEN_CASE.value, str(case.number)).status == 200
    wait_for(lambda: server.fake.calls("views.open"), what="the loading modal")
    wait_for(lambda: worker.run_due() == 1, what="the worker to take the click")
    loading_id = server.fake.calls("views.open")[0].response["view"]["id"]
    shown = server.fake.views[loading_id]
    assert shown["callback_id"] == Callback.NOTICE.value
    assert "member" in str(shown["blocks"]).lower()
    assert MARKER not in server.fake.all_text()
    assert not server.fake.calls("response_url")  # told in the modal, not behind it


# ------------------------------------------------------------------ two processes


def test_serve_web_only_and_a_worker_process_share_the_work(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    from slack_coc.runtime import build_runtime
    from tests.robustness.test_kill import SLACK_COC, Serve, app_env

    database_url = f"sqlite:///{tmp_path / 'split.db'}"
    log = tmp_path / "procs.log"
    web = Serve(fake_slack, database_url, log, web_only=True)
    rt = build_runtime(e2e_settings(fake_slack, database_url))
    worker = None
    try:
        add_roster(rt.ctx)
        body = urllib.parse.urlencode(Payloads(TEAM, fake_slack).slash_command(ANA, "list"))
        form = "application/x-www-form-urlencoded"
        answer = post_signed(web.url + "/slack/events", body, form, SIGNING_SECRET)
        assert answer.status == 200 and answer.body == b""
        time.sleep(1.0)
        assert not fake_slack.calls("response_url")  # the web process does not do the work
        assert inbox.waiting(rt.ctx) == 1
        with log.open("ab") as out:
            env = app_env(fake_slack, database_url)
            worker = subprocess.Popen([SLACK_COC, "worker"], env=env, stdout=out, stderr=out)
            wait_for(lambda: fake_slack.calls("response_url"), timeout=30, what="the reply")
        wait_for(lambda: inbox.waiting(rt.ctx) == 0, timeout=10, what="the item to be done")
        # The worker says where the web process can wake it, and answers a click from its
        # trigger id (or, if it was not quick enough, in the loading view the web opened).
        wake = wake_directory(str(tmp_path / "split.db"))
        assert [p.name.split(".")[0] for p in wake.iterdir()] == [str(worker.pid)]
        case = new_case(rt.ctx, account=f"Report {MARKER}")
        click = Payloads(TEAM, fake_slack).block_actions(
            ANA, Action.OPEN_CASE.value, str(case.number)
        )
        encoded = encode_interactive(click)
        assert post_signed(web.url + "/slack/events", encoded, form, SIGNING_SECRET).status == 200
        wait_for(
            lambda: any(
                v.get("callback_id") == Callback.CASE_DETAIL.value
                for v in fake_slack.views.values()
            ),
            timeout=10,
            what="the case's details",
        )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=10)
        web.stop()
        rt.engine.dispose()
    fake_slack.assert_clean()
