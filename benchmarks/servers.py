"""Processes the benchmark starts, each on a loopback port it prints as one JSON line:

- `fake`: the test suite's fake Slack Web API (tests/fakeslack), so `serve`'s Web API calls
  and `response_url` replies go somewhere real and checked;
- `bare`: a plain Bolt app, served by waitress with the same thread count as `slack-coc
  serve`: the baseline. It acks every slash command, action, view submission and event; for
  the three requests whose result a person waits for (`seen.py`) it then makes the Slack
  call that shows it, inline in the listener: "Open case" opens a modal, a step click edits
  the card (`chat.update`), "Log a report" posts a card. It has no database: its figures
  are Bolt and Slack alone.

Each runs until its standard input closes (the parent exits or closes the pipe).
"""

from __future__ import annotations

import json
import re
import sys
import threading
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_SIGNING_SECRET = "bench-signing-secret-0123456789abcdef"
BENCH_TOKEN = "xoxb-fake-bot-token"
CHANNEL = "C0COCGROUP"


THREADS = 8  # waitress threads: `slack-coc serve --threads` gets the same number


def bare_wsgi(api_url: str):  # type: ignore[no-untyped-def]
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from slack_coc.slack.ids import STEP_PREFIX, Action, Callback
    from slack_coc.slack.modals.notice import notice_modal

    app = App(
        client=WebClient(token=BENCH_TOKEN, base_url=api_url),
        signing_secret=BENCH_SIGNING_SECRET,
        token_verification_enabled=False,
    )
    anything = re.compile(".*")

    @app.action(Action.OPEN_CASE.value)
    def _open_case(ack, body, client):  # type: ignore[no-untyped-def]
        ack()
        number = body["actions"][0].get("value", "")
        text = f"Case #{number}: its parties, timeline and deadlines would be here."
        client.views_open(trigger_id=body["trigger_id"], view=notice_modal(f"Case #{number}", text))

    @app.action(re.compile("^" + re.escape(STEP_PREFIX)))
    def _step(ack, body, client):  # type: ignore[no-untyped-def]
        ack()
        number = body["actions"][0].get("value", "")
        with suppress(SlackApiError):  # the fake knows no such message: the call is made
            client.chat_update(
                channel=body["channel"]["id"],
                ts=body["message"]["ts"],
                text=f"Case #{number} : acknowledged",
            )

    @app.view(Callback.LOG_REPORT.value)
    def _report(ack, body, client):  # type: ignore[no-untyped-def]
        ack()
        client.chat_postMessage(channel=CHANNEL, text=f"A new report, form {body['view']['id']}")

    @app.command("/coc")
    def _command(ack):  # type: ignore[no-untyped-def]
        ack()

    @app.action(anything)
    def _action(ack):  # type: ignore[no-untyped-def]
        ack()

    @app.view(anything)
    def _view(ack):  # type: ignore[no-untyped-def]
        ack()

    @app.event(anything)
    def _event(ack):  # type: ignore[no-untyped-def]
        ack()

    handler = SlackRequestHandler(app)

    def wsgi(environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok": true}']
        return handler(environ, start_response)

    return wsgi


def _trim_forever(fake, keep: int = 2000, every: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """The fake records every call for tests; a long benchmark keeps only the latest."""
    import time

    while True:
        time.sleep(every)
        with fake._lock:
            del fake._calls[:-keep]
            del fake.ephemerals[:-keep]
            if len(fake.views) > keep:
                for view_id in list(fake.views)[:-keep]:
                    del fake.views[view_id]


def _skip_schema_checks() -> None:
    """The fake checks every call against Slack's schemas (tests and `--quick` rely on it);
    under load that check costs more CPU than the app, so the benchmark's fake skips it."""
    from tests.fakeslack import server

    server.spec.check_params = lambda *_a, **_k: []  # type: ignore[assignment]
    server.spec.check_blocks = lambda *_a, **_k: []  # type: ignore[assignment]
    server.spec.check_view = lambda *_a, **_k: []  # type: ignore[assignment]


def _announce(port: int) -> None:
    print(json.dumps({"port": port}), flush=True)


def _wait_for_stdin_close() -> None:
    sys.stdin.read()


def main(role: str) -> None:
    if role == "fake":
        from benchmarks.seen import EventLog
        from tests.fakeslack import FakeSlack

        _skip_schema_checks()
        fake = FakeSlack(token=BENCH_TOKEN)
        EventLog().install(fake)  # the round trip (`bench.config`) and `bench.events`
        fake.start()
        threading.Thread(target=_trim_forever, args=(fake,), daemon=True).start()
        _announce(fake.port)
        _wait_for_stdin_close()
        fake.stop()
    elif role == "bare":
        import waitress

        api_url = sys.argv[2]
        server = waitress.create_server(
            bare_wsgi(api_url), host="127.0.0.1", port=0, threads=THREADS
        )
        threading.Thread(target=server.run, daemon=True).start()
        _announce(int(server.effective_port))  # type: ignore[union-attr]
        _wait_for_stdin_close()
        server.close()
    else:
        raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    main(sys.argv[1])
