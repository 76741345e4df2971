"""Events: `app_home_opened` publishes the person's App Home (members see their cases and
the rota, others see how to report)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from slack_coc.read_models.home import home_data
from slack_coc.runtime import Runtime
from slack_coc.slack.app_settings import BotEvent
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.listeners.support import actor_of


def register(app: App, rt: Runtime) -> None:
    @app.event(BotEvent.APP_HOME_OPENED.value)
    def on_home_opened(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        actor = actor_of(body)
        client.views_publish(user_id=event["user"], view=build_home(home_data(rt.ctx, actor)))
