"""Delivering outbox intents to Slack: one handler per intent kind for OutboxDispatcher.

Rendering happens here, at send time, from what the database says now: the card shows the
case's current state, a DM is dropped if its recipient was recused meanwhile, App Home shows
what each member may see. Slack failures map to the dispatcher's vocabulary: 429 ->
`RetryLater(retry_after)`, 5xx / timeouts / connection errors -> `RetryLater`, anything else
raises (a failed attempt; the item is parked after the policy's maximum).
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import urllib.error
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.domain.enums import PartyRole
from slack_coc.domain.models import Case, CaseEvent, Party
from slack_coc.jobs.delivery_errors import DropMessage, NotYet, RetryLater
from slack_coc.jobs.outbox import Handler, before_external_call
from slack_coc.queues.outbox import Intent, enqueue
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.read_models.case_views import CaseView
from slack_coc.read_models.cases import card_view
from slack_coc.read_models.home import homes_data_in
from slack_coc.runtime import Runtime
from slack_coc.services.access import active_recusal, find_member
from slack_coc.services.chairs_only import chairs_of
from slack_coc.services.relay import contact_of
from slack_coc.services.workspaces import channel_for
from slack_coc.slack.blocks import (  # noqa: F401  (templates register on import)
    mail_messages,
    process_messages,
    relay_messages,
    rota_messages,
)
from slack_coc.slack.blocks.card import build_card
from slack_coc.slack.blocks.home import build_homes
from slack_coc.slack.blocks.messages import MessageInput, render
from slack_coc.slack.blocks.thread_notes import ThreadNote, thread_note

log = logging.getLogger(__name__)

# Slack answers these with HTTP 200 and ok=false, but they are Slack's trouble, not ours.
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"}
NETWORK_ERRORS = (
    TimeoutError,
    socket.timeout,
    ConnectionError,
    urllib.error.URLError,
    http.client.HTTPException,
)
# chat.postMessage errors meaning a remembered DM channel is no longer the person's.
STALE_DM_ERRORS = ("channel_not_found", "is_archived", "not_in_channel")
# Templates addressed to a person who is a party of the case (the reporter's own receipt).
PARTY_TEMPLATES = {"reporter_receipt", "relay_message"}


class SlackCallFailed(Exception):
    """Slack refused the call for a reason retrying won't fix (bad channel, missing scope)."""


def slack_call(method: Callable[..., SlackResponse], **kwargs: Any) -> SlackResponse:
    """Call a WebClient method, translating failures for the outbox dispatcher."""
    name = getattr(method, "__name__", "slack call")
    before_external_call()  # SQLite: hold no database lock while waiting on Slack
    try:
        return method(**kwargs)
    except SlackApiError as exc:
        response = exc.response
        status = response.status_code
        error = response.get("error") if isinstance(response.data, dict) else None
        if status == 429:
            scope = f"{name}:{kwargs.get('channel') or ''}"  # Slack limits per method, channel
            raise RetryLater(
                f"{name}: rate limited", _retry_after(response.headers), scope=scope
            ) from None
        if status >= 500 or error in TRANSIENT_ERRORS:
            raise RetryLater(f"{name}: Slack answered {status} {error or ''}".strip()) from None
        raise SlackCallFailed(f"{name}: {error or status}") from None
    except NETWORK_ERRORS as exc:
        raise RetryLater(f"{name}: {type(exc).__name__}: {exc}") from None


def _retry_after(headers: Any) -> float:
    for key, value in dict(headers or {}).items():
        if key.lower() == "retry-after":
            try:
                return max(float(value if not isinstance(value, list) else value[0]), 1.0)
            except (TypeError, ValueError):
                break
    return 30.0


# One client for every workspace, or a per-workspace source (OAuth: `oauth.WorkspaceClients`
# or any callable team_id -> WebClient).
ClientSource = WebClient | Callable[[str], WebClient] | Any


def handlers(rt: Runtime, client: ClientSource) -> dict[str, Handler]:
    """The Slack handlers for OutboxDispatcher, keyed by intent kind."""
    outbound = Outbound(rt, client)
    return {
        Intent.CARD: outbound.card,
        Intent.THREAD: outbound.thread,
        Intent.DM: outbound.dm,
        Intent.CHANNEL: outbound.channel,
        Intent.HOME: outbound.home,
        Intent.DELETE_MESSAGE: outbound.delete_message,
    }


class Outbound:
    def __init__(self, rt: Runtime, client: ClientSource) -> None:
        self.rt, self.ctx, self._clients = rt, rt.ctx, client
        # The app's DM channel with each person, as `conversations.open` named it: a page
        # then costs one Slack round trip, not two (a person's DMs go one at a time).
        self._dm_channels: dict[tuple[str, str], str] = {}
        self._dm_lock = threading.Lock()

    def client(self, team_id: str) -> WebClient:
        source = self._clients
        if isinstance(source, WebClient):
            return source
        try:
            if hasattr(source, "for_team"):
                return source.for_team(team_id)  # type: ignore[no-any-return]
            return source(team_id)
        except LookupError as exc:  # workspace not installed (any more)
            raise SlackCallFailed(str(exc)) from None

    # ------------------------------------------------------------------ helpers
    def group_channel(self, session: Session, team_id: str) -> str:
        channel = channel_for(session, self.ctx, team_id)
        if not channel:
            # Never another workspace's channel: held until a chair runs /coc setup.
            raise NotYet(f"workspace {team_id} has no channel yet (run /coc setup)")
        return channel

    def _case(self, session: Session, item: OutboxMessage, *, lock: bool = False) -> Case:
        if item.case_id is None:
            raise DropMessage(f"{item.kind} intent without a case")
        query = select(Case).where(Case.id == item.case_id)
        if lock and session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()  # two workers must not both post the first card
        case = session.scalar(query)
        if case is None:
            raise DropMessage(f"case {item.case_id} no longer exists")
        return case

    def _view(self, session: Session, item: OutboxMessage) -> CaseView | None:
        if item.case_id is None:
            return None
        return card_view(self.ctx, session, self._case(session, item))

    # ------------------------------------------------------------------ card
    def card(self, session: Session, item: OutboxMessage) -> None:
        case = self._case(session, item, lock=True)
        if case.chairs_only:
            return  # no card in the channel until a chair opens the case to the group
        self.post_card(session, case)

    def post_card(self, session: Session, case: Case) -> None:
        """Post the case's card, or edit it in place when it exists."""
        content = build_card(card_view(self.ctx, session, case))
        client = self.client(case.team_id)
        if case.card_ts and case.card_channel_id:
            try:
                slack_call(
                    client.chat_update,
                    channel=case.card_channel_id,
                    ts=case.card_ts,
                    **content,
                )
                return
            except SlackCallFailed as exc:
                if "message_not_found" not in str(exc):
                    raise
                log.warning("card of case %s was deleted in Slack; posting it again", case.id)
        channel = self.group_channel(session, case.team_id)
        response = slack_call(client.chat_postMessage, channel=channel, **content)
        case.card_channel_id = str(response.get("channel") or channel)
        case.card_ts = str(response["ts"])
        session.flush()

    # ------------------------------------------------------------------ thread
    def thread(self, session: Session, item: OutboxMessage) -> None:
        case = self._case(session, item, lock=True)
        event_id = item.payload.get("event_id")
        event = session.get(CaseEvent, event_id) if isinstance(event_id, int) else None
        if event is None or event.case_id != case.id:
            raise DropMessage(f"timeline event {item.payload.get('event_id')} not found")
        note = ThreadNote(
            event.kind,
            event.actor_user_id,
            event.from_state,
            event.to_state,
            dict(event.data),
            drill=case.drill,
        )
        if case.chairs_only:
            return  # its timeline is in the details; the channel knows nothing of it yet
        if case.card_ts:
            self._post_note(case, note)
            return
        # The thread hangs off the card: post it first (its own intent will then edit it).
        self.post_card(session, case)
        try:
            self._post_note(case, note)
        except (RetryLater, SlackCallFailed) as exc:
            # Raising would roll back the card's ts with this attempt, and the next one would
            # post a second card: keep it, and queue the note again as a new item.
            delay = exc.retry_after if isinstance(exc, RetryLater) and exc.retry_after else 5
            enqueue(
                session,
                team_id=case.team_id,
                kind=Intent.THREAD,
                now=self.ctx.clock.now() + timedelta(seconds=delay),
                case_id=case.id,
                payload=dict(item.payload),
            )
            log.warning("thread note of case %s queued again: %s", case.id, exc)

    def _post_note(self, case: Case, note: ThreadNote) -> None:
        rendered = thread_note(note)
        slack_call(
            self.client(case.team_id).chat_postMessage,
            channel=case.card_channel_id,
            thread_ts=case.card_ts,
            text=rendered.text,
            blocks=rendered.blocks,
        )

    # ------------------------------------------------------------------ DMs and notices
    def dm(self, session: Session, item: OutboxMessage) -> None:
        # A reporter's id travels in the encrypted payload ("to_user"), never in the column.
        recipient = item.recipient or str(item.payload.get("to_user") or "")
        if not recipient:
            raise DropMessage("dm intent without a recipient")
        template = str(item.payload.get("template", ""))
        if item.case_id is not None:
            self._check_recipient(session, item, template, recipient)
        rendered = render(self._input(session, item, template))
        client = self.client(item.team_id)
        key = (item.team_id, recipient)
        with self._dm_lock:
            known = self._dm_channels.get(key)
        channel = known or self._open_dm(client, key)
        try:
            slack_call(
                client.chat_postMessage, channel=channel, text=rendered.text, blocks=rendered.blocks
            )
        except SlackCallFailed as exc:
            if known is None or not any(e in str(exc) for e in STALE_DM_ERRORS):
                raise
            # The channel remembered is gone (e.g. the app was reinstalled): open it again.
            channel = self._open_dm(client, key)
            slack_call(
                client.chat_postMessage, channel=channel, text=rendered.text, blocks=rendered.blocks
            )

    def _open_dm(self, client: WebClient, key: tuple[str, str]) -> str:
        opened = slack_call(client.conversations_open, users=key[1])
        channel = str(opened["channel"]["id"])
        with self._dm_lock:
            self._dm_channels[key] = channel
        return channel

    def _check_recipient(
        self, session: Session, item: OutboxMessage, template: str, recipient: str
    ) -> None:
        """At send time: only active members hear of a case, and not those recused from it
        or concerned by it; the one exception is the reporter, about their own report."""
        assert item.case_id is not None
        parties = session.execute(
            select(Party.role, Party.slack_user_id).where(Party.case_id == item.case_id)
        ).all()
        roles = {role for role, user_id in parties if user_id == recipient}
        if template in PARTY_TEMPLATES:
            if recipient == contact_of(session, item.case_id):
                return  # an anonymous reporter, through the relay
            if PartyRole.REPORTER.value not in roles or template == "relay_message":
                raise DropMessage(f"{template}: recipient is not this case's reporter")
            return
        if roles:
            raise DropMessage(f"{template}: recipient is concerned by case {item.case_id}")
        member = find_member(session, item.team_id, recipient)
        if member is None:  # removed from the roster since: case news is for members only
            raise DropMessage(f"{template}: recipient is not an active member any more")
        if active_recusal(session, item.case_id, member.id) is not None:
            raise DropMessage(f"{template}: recipient is recused from case {item.case_id}")

    def _input(self, session: Session, item: OutboxMessage, template: str) -> MessageInput:
        return MessageInput(
            template=template,
            payload=dict(item.payload),
            case=self._view(session, item),
            recipient=item.recipient,
            mailbox_address=self.ctx.mailbox_address,
        )

    def channel(self, session: Session, item: OutboxMessage) -> None:
        template = str(item.payload.get("template", ""))
        rendered = render(self._input(session, item, template))
        if item.case_id is not None and self._case(session, item).chairs_only:
            # "The group" of a chairs-only case is its chairs: each is told by DM (one
            # intent each, so a retry never repeats a DM already sent).
            for user_id in chairs_of(session, item.team_id, item.case_id):
                enqueue(
                    session,
                    team_id=item.team_id,
                    kind=Intent.DM,
                    now=self.ctx.clock.now(),
                    recipient=user_id,
                    case_id=item.case_id,
                    payload=dict(item.payload),
                )
            return
        slack_call(
            self.client(item.team_id).chat_postMessage,
            channel=self.group_channel(session, item.team_id),
            text=rendered.text,
            blocks=rendered.blocks,
        )

    # ------------------------------------------------------------------ reported messages
    def delete_message(self, session: Session, item: OutboxMessage) -> None:
        """Hide a reported message with the workspace admin's user token (a bot may delete
        only its own messages). Already gone counts as done."""
        token = getattr(self.rt.settings, "SLACK_ADMIN_USER_TOKEN", None)
        if not token:
            raise SlackCallFailed("no SLACK_ADMIN_USER_TOKEN: the message can't be deleted")
        admin = WebClient(token=token, base_url=self.client(item.team_id).base_url)
        try:
            slack_call(
                admin.chat_delete,
                channel=str(item.payload.get("channel") or ""),
                ts=str(item.payload.get("ts") or ""),
                as_user=True,
            )
        except SlackCallFailed as exc:
            if "message_not_found" not in str(exc):
                raise
            log.info("reported message of case %s was already deleted", item.case_id)

    # ------------------------------------------------------------------ App Home
    def home(self, session: Session, item: OutboxMessage) -> None:
        """Republish App Home for `recipient`, or for every active member of the team."""
        recipients = [item.recipient] if item.recipient else None  # None: every active member
        now = self.ctx.clock.now()
        policy = self.ctx.policy_for(session, item.team_id)
        client = self.client(item.team_id)
        refused: list[str] = []
        published = 0
        homes = homes_data_in(
            session, item.team_id, recipients, now, policy, public_url=self.ctx.public_url
        )
        for user_id, view in build_homes(homes):
            published += 1
            try:
                slack_call(client.views_publish, user_id=user_id, view=view)
            except SlackCallFailed as exc:  # e.g. the member left the workspace: skip them
                log.warning("App Home of %s not published: %s", user_id, exc)
                refused.append(str(exc))
        if refused and len(refused) == published:
            raise SlackCallFailed(refused[0])
