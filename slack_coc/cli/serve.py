"""`slack-coc serve`: the Slack app over HTTP (waitress) or Socket Mode, with the inbox worked
on and the outbox delivered right after each commit, and the scheduler in-process. With
`--web-only` it only checks, stores and acknowledges; `slack-coc worker` does the rest."""

from __future__ import annotations

import logging
import os
from functools import partial
from typing import Any

import click

from slack_coc.cli.common import CliError, app
from slack_coc.config import ConfigError, Settings, load_settings
from slack_coc.runtime import Runtime, build_runtime, check_database

log = logging.getLogger("slack_coc.serve")


def required_settings(settings: Settings, socket: bool) -> None:
    """One clear line for the first missing setting."""
    oauth = bool(settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET)
    names = ["COC_CHANNEL_ID"]
    if not oauth:
        names.insert(0, "SLACK_BOT_TOKEN")
    names.append("SLACK_APP_TOKEN" if socket else "SLACK_SIGNING_SECRET")
    settings.require(*names)


def prepare(settings: Settings) -> Runtime:
    """Runtime with an up-to-date schema (serve upgrades the database first)."""
    from slack_coc import migrate

    rt = build_runtime(settings)
    check_database(rt.engine)
    try:
        migrate.upgrade(rt.engine)
    except Exception as exc:
        raise ConfigError(f"DATABASE_URL: upgrading the schema failed ({exc})") from None
    return rt


def start_scheduler(rt: Runtime) -> Any:
    from slack_coc.wiring import start_scheduler as start

    return start(rt)


@app.command("serve")
@click.option("--host", default="0.0.0.0", show_default=True, help="HTTP mode: address to bind")
@click.option(
    "--port",
    type=int,
    default=lambda: int(os.environ.get("PORT", "3000")),
    show_default="$PORT or 3000",
    help="HTTP mode: port",
)
@click.option("--socket", is_flag=True, help="Socket Mode (SLACK_APP_TOKEN) instead of HTTP")
@click.option("--no-scheduler", is_flag=True, help="do not run the scheduler in this process")
@click.option("--threads", type=int, default=8, show_default=True, help="HTTP worker threads")
@click.option(
    "--web-only",
    is_flag=True,
    help="HTTP: only check, store and acknowledge; `slack-coc worker` does the work",
)
def serve(
    host: str, port: int, socket: bool, no_scheduler: bool, threads: int, web_only: bool
) -> None:
    """Run the Slack app: POST /slack/events and GET /healthz (HTTP), or Socket Mode."""
    logging.getLogger("slack_coc").setLevel(logging.INFO)
    logging.getLogger("slack_coc.bolt").setLevel(logging.WARNING)  # Bolt logs bodies at INFO/DEBUG
    settings = load_settings()
    required_settings(settings, socket)
    rt = prepare(settings)

    from slack_coc.slack.app import Role, build_app
    from slack_coc.slack.workers import start_pumps, stop_pumps
    from slack_coc.wiring import outbox_handlers

    bolt = build_app(rt, socket_mode=socket, role=Role.ALL if socket else Role.WEB)
    # Socket Mode connects before anything starts, so a bad token or no network is one line.
    handler = connect_socket_mode(rt, bolt) if socket else None
    pumps = (
        []
        if web_only and not socket
        else start_pumps(rt, partial(outbox_handlers, rt), inbox=not socket, client=bolt.client)
    )
    scheduler = None if no_scheduler or web_only else start_scheduler(rt)
    try:
        if handler is not None:
            run_socket_mode(handler)
        else:
            run_http(rt, bolt, host, port, threads)
    finally:
        stop_pumps(pumps)
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def run_http(rt: Runtime, bolt: Any, host: str, port: int, threads: int) -> None:
    import waitress

    from slack_coc.slack.http import make_wsgi_app

    click.echo(f"slack-coc: listening on http://{host}:{port}/slack/events", err=True)
    waitress.serve(make_wsgi_app(rt, bolt), **waitress_options(rt, host, port, threads))


def waitress_options(rt: Runtime, host: str, port: int, threads: int) -> dict[str, Any]:
    """The server's own limits too (waitress allows 1 GiB bodies by default): a chunked body,
    which declares no Content-Length for the app to check, stops at the same size."""
    return {
        "host": host,
        "port": port,
        "threads": threads,
        "ident": None,
        "max_request_body_size": rt.settings.COC_MAX_REQUEST_BYTES,
        "max_request_header_size": 65536,
    }


def connect_socket_mode(rt: Runtime, bolt: Any) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    settings = rt.settings
    web_client = WebClient(token=settings.SLACK_APP_TOKEN, base_url=settings.SLACK_API_URL)
    handler = SocketModeHandler(bolt, settings.SLACK_APP_TOKEN, web_client=web_client)
    # slack_sdk logs each failed request at ERROR before raising: the CliError says it once.
    sdk_log = logging.getLogger("slack_sdk.web.base_client")
    level = sdk_log.level
    sdk_log.setLevel(logging.CRITICAL)
    try:
        handler.connect()  # type: ignore[no-untyped-call]
    except SlackApiError as exc:
        error = exc.response.get("error", "refused") if exc.response is not None else "refused"
        raise CliError(
            f"SLACK_APP_TOKEN: Slack refused to open a Socket Mode connection ({error}); "
            "use an app-level token with connections:write (Basic Information, xapp-...)"
        ) from None
    except OSError as exc:  # URLError, DNS, refused connection, TLS
        reason = getattr(exc, "reason", exc)
        raise CliError(
            f"could not reach Slack at {settings.SLACK_API_URL or 'https://slack.com/api/'} "
            f"({reason}); check the network"
        ) from None
    finally:
        sdk_log.setLevel(level)
    click.echo("slack-coc: connected in Socket Mode", err=True)
    return handler


def run_socket_mode(handler: Any) -> None:
    from slack_coc.jobs.scheduler import wait_until_signalled

    wait_until_signalled()
    handler.close()
