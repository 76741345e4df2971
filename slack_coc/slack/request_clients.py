"""The Web API clients a listener is handed, in place of Bolt's own for the request.

- In the inbox worker, `LoadingViewClient` routes the first modal a listener opens (or a
  text answer) into the "Loading" modal the web process opened after its ack.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse

from slack_coc.slack.modals.notice import LOADING_TITLE, notice_modal

LOADING_VIEW = "loading_view_id"  # context key of a request run by the inbox worker


def _like(base: WebClient) -> dict[str, Any]:
    """The settings of Bolt's client for this request, for a client that stands in for it."""
    return {
        "token": base.token,
        "base_url": base.base_url,
        "timeout": base.timeout,
        "ssl": base.ssl,
        "proxy": base.proxy,
        "headers": base.headers,
        "retry_handlers": base.retry_handlers,
    }


class LoadingViewClient(WebClient):
    """The Web API client of a request whose "Loading" modal is open: the first modal the
    listener opens (or pushes) replaces the loading view instead."""

    def __init__(self, base: WebClient, view_id: str) -> None:
        super().__init__(**_like(base))
        self.loading_view_id = view_id
        self.used = False

    def _take(self, view: Any) -> SlackResponse | None:
        if self.used:
            return None
        self.used = True
        return self.views_update(view_id=self.loading_view_id, view=view)

    def views_open(self, *, trigger_id: str | None = None, view: Any, **kwargs: Any) -> Any:
        taken = self._take(view)
        if taken is not None:
            return taken
        return super().views_open(trigger_id=trigger_id, view=view, **kwargs)

    def views_push(self, *, trigger_id: str | None = None, view: Any, **kwargs: Any) -> Any:
        taken = self._take(view)
        if taken is not None:
            return taken
        return super().views_push(trigger_id=trigger_id, view=view, **kwargs)

    def show_text(self, text: str) -> None:
        """A text answer (a confirmation, a refusal) where the loading modal is waiting."""
        self._take(notice_modal(LOADING_TITLE, text))

    def finish(self) -> None:
        """The listener is done: a loading modal nobody answered must not spin forever."""
        if not self.used:
            self.show_text("Done. Nothing more to show here.")


def _respond_into(client: LoadingViewClient, respond: Any) -> Callable[..., Any]:
    def respond_in_modal(text: str = "", **kwargs: Any) -> Any:
        if not client.used and text:
            client.show_text(text)
            return None
        return respond(text=text, **kwargs) if respond is not None else None

    return respond_in_modal


def use_loading_view(context: BoltContext, next: Callable[[], None]) -> None:
    """Inbox app middleware: route a request's modal (or text) answer into its loading view."""
    view_id = context.get(LOADING_VIEW)
    if view_id:
        client = LoadingViewClient(context.client, str(view_id))
        context["respond"] = _respond_into(client, context.respond)
        context["client"] = client
    next()
