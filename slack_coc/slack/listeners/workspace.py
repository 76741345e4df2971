"""The workspace itself: `/coc setup` for chairs, and uninstall events.

Uninstalling (`app_uninstalled`, or `tokens_revoked` for the bot) disables the workspace and
deletes its stored tokens; its records stay. Revoked user tokens are deleted too.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from slack_coc.runtime import Runtime
from slack_coc.services import workspaces
from slack_coc.slack.app_settings import BotEvent
from slack_coc.slack.ids import Callback
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.common import Submitted
from slack_coc.slack.modals.notice import notice_modal
from slack_coc.slack.modals.setup import parse_setup, setup_modal, wants_new_feed_secret
from slack_coc.slack.oauth import forget_installation
from slack_coc.slack.subcommands import CommandRequest, subcommand


@subcommand(
    "setup",
    "setup",
    "set this workspace's channel, chairs, deadlines and decision rule (chairs)",
    chairs_only=True,
    opens_modal=True,
)
def _setup(req: CommandRequest) -> None:
    settings = workspaces.read_settings(req.rt.ctx, req.actor)
    req.client.views_open(trigger_id=req.trigger_id, view=setup_modal(settings))


def register(app: App, rt: Runtime) -> None:
    @app.view(Callback.SETUP.value)
    def on_setup(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        submitted = Submitted(view)
        channel, chairs, policy = parse_setup(submitted)
        saved = workspaces.update_settings(
            rt.ctx,
            actor_of(body),
            channel_id=channel,
            chair_user_ids=chairs,
            policy_values=policy,
            new_feed_secret=wants_new_feed_secret(submitted),
        )
        chairs_text = ", ".join(f"<@{u}>" for u in saved.chairs)
        ack(
            response_action="update",
            view=notice_modal(
                "Settings saved",
                f"Channel <#{saved.channel_id}>; chairs {chairs_text}; decision rule "
                f"{saved.policy.decision_rule.replace('_', ' ')}.",
            ),
        )

    @app.event(BotEvent.APP_UNINSTALLED.value)
    def on_uninstalled(body: dict[str, Any]) -> None:
        forget_installation(rt, actor_of(body).team_id, body.get("enterprise_id"), bot=True)

    @app.event(BotEvent.TOKENS_REVOKED.value)
    def on_tokens_revoked(body: dict[str, Any], event: dict[str, Any]) -> None:
        tokens = event.get("tokens") if isinstance(event.get("tokens"), dict) else {}
        users = [str(u) for u in (tokens or {}).get("oauth") or []]
        forget_installation(
            rt,
            actor_of(body).team_id,
            body.get("enterprise_id"),
            bot=bool((tokens or {}).get("bot")),
            user_ids=users,
        )
