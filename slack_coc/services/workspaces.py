"""Workspaces: install, uninstall, and the settings a chair keeps per workspace
(working-group channel, chairs, policy values), over the environment's defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from slack_coc.config import ConfigError, Policy
from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.enums import CaseState
from slack_coc.domain.errors import InvalidInput, NotFound
from slack_coc.domain.models import Case, Member, Workspace
from slack_coc.services import rota_feed
from slack_coc.services.access import require_chair
from slack_coc.services.concerned import notify_board_if_all_chairs_recused

# Policy values a chair may change from Slack (the rest stay with the operator's file).
EDITABLE_POLICY = (
    "initial_response_hours",
    "page_secondary_after_hours",
    "any_member_after_hours",
    "reporter_response_days",
    "resolution_target_days",
    "deadlock_days",
    "decision_rule",
    "small_count_threshold",
    "retention_months",
)


@dataclass(frozen=True)
class WorkspaceSettings:
    team_id: str
    channel_id: str | None
    chairs: tuple[str, ...]
    policy: Policy
    overrides: dict[str, Any]
    active: bool


NO_CHANNEL = (
    "This workspace has no working-group channel yet: a chair runs `/coc setup` to choose it."
)


def default_channel(session: Session, ctx: ServiceContext, team_id: str) -> str | None:
    """COC_CHANNEL_ID, for the one workspace it belongs to: COC_TEAM_ID's, or without it the
    first workspace the deployment knows. Any other workspace has no channel until a chair
    runs `/coc setup` (it used to get the first workspace's channel: its cards and stats
    went to another workspace's group)."""
    if not ctx.channel_id:
        return None
    if ctx.home_team_id:
        return ctx.channel_id if team_id == ctx.home_team_id else None
    other = session.scalar(select(Workspace.team_id).where(Workspace.team_id != team_id).limit(1))
    return ctx.channel_id if other is None else None


def channel_for(session: Session, ctx: ServiceContext, team_id: str) -> str | None:
    """The workspace's working-group channel, or None (then: "run /coc setup")."""
    workspace = session.get(Workspace, team_id)
    if workspace is not None and workspace.channel_id:
        return workspace.channel_id
    # A row made where COC_CHANNEL_ID was not set (`slack-coc members add` from a shell):
    # the setting still applies while this is its workspace.
    return default_channel(session, ctx, team_id)


def group_channel(ctx: ServiceContext, team_id: str) -> str | None:
    with ctx.read() as session:
        return channel_for(session, ctx, team_id)


def install(ctx: ServiceContext, team_id: str, name: str = "") -> None:
    """Record an installation (OAuth) or re-installation; records are never deleted."""
    now = ctx.clock.now()
    with ctx.transaction() as session:
        workspace = session.get(Workspace, team_id, with_for_update=True)
        if workspace is None:
            session.add(
                Workspace(
                    team_id=team_id,
                    name=name,
                    installed_at=now,
                    settings={},
                    active=True,
                    channel_id=default_channel(session, ctx, team_id),
                )
            )
            return
        workspace.active, workspace.uninstalled_at = True, None
        workspace.name = name or workspace.name


def uninstall(ctx: ServiceContext, team_id: str) -> bool:
    """`app_uninstalled` / `tokens_revoked`: disable the workspace, keep its records."""
    with ctx.transaction() as session:
        workspace = session.get(Workspace, team_id, with_for_update=True)
        if workspace is None or not workspace.active:
            return False
        workspace.active, workspace.uninstalled_at = False, ctx.clock.now()
        return True


def read_settings(ctx: ServiceContext, actor: Actor) -> WorkspaceSettings:
    with ctx.read() as session:
        require_chair(session, actor)
        return _settings(ctx, session, actor.team_id)


def update_settings(
    ctx: ServiceContext,
    actor: Actor,
    *,
    channel_id: str | None = None,
    chair_user_ids: list[str] | None = None,
    policy_values: dict[str, Any] | None = None,
    new_feed_secret: bool = False,
) -> WorkspaceSettings:
    """A chair changes the workspace's channel, chairs or policy; each value is validated
    the way COC_POLICY_FILE is, and a bad one names its field."""
    with ctx.transaction() as session:
        require_chair(session, actor)
        workspace = session.get(Workspace, actor.team_id, with_for_update=True)
        if workspace is None:
            raise NotFound("This workspace is not installed.")
        settings = dict(workspace.settings or {})
        if channel_id is not None:
            if not (channel_id[:1] in "CG" and channel_id[1:].isalnum()):
                raise InvalidInput("Pick the working group's private channel.", "channel")
            workspace.channel_id = channel_id
        if policy_values:
            unknown = set(policy_values) - set(EDITABLE_POLICY)
            if unknown:
                raise InvalidInput(f"{sorted(unknown)[0]} can't be changed from Slack.", "policy")
            merged = {**settings.get("policy", {}), **policy_values}
            try:
                ctx.policy.with_overrides(merged, "policy")
            except ConfigError as exc:
                field = next((k for k in policy_values if k in str(exc)), "policy")
                raise InvalidInput(str(exc).removeprefix("policy: "), field) from None
            settings["policy"] = merged
        workspace.settings = settings
        if new_feed_secret:
            rota_feed.rotate(session, workspace)
        if chair_user_ids is not None:
            _set_chairs(session, actor.team_id, chair_user_ids)
            session.flush()
            # New chairs may make an open case one that concerns every chair: the board.
            now = ctx.clock.now()
            for case in session.scalars(
                select(Case).where(
                    Case.team_id == actor.team_id, Case.state != CaseState.RESOLVED.value
                )
            ):
                notify_board_if_all_chairs_recused(session, case, now, ctx.board_address)
        session.flush()
        return _settings(ctx, session, actor.team_id)


def _set_chairs(session: Session, team_id: str, chair_user_ids: list[str]) -> None:
    if not chair_user_ids:
        raise InvalidInput("A working group needs at least one chair.", "chairs")
    members = {
        m.user_id: m
        for m in session.scalars(
            select(Member).where(Member.team_id == team_id, Member.active.is_(True))
        )
    }
    missing = [u for u in chair_user_ids if u not in members]
    if missing:
        raise InvalidInput(f"<@{missing[0]}> is not a member of the working group.", "chairs")
    for user_id, member in members.items():
        member.is_chair = user_id in chair_user_ids


def _settings(ctx: ServiceContext, session: Session, team_id: str) -> WorkspaceSettings:
    workspace = session.get(Workspace, team_id)
    chairs = tuple(
        session.scalars(
            select(Member.user_id)
            .where(Member.team_id == team_id, Member.active.is_(True), Member.is_chair.is_(True))
            .order_by(Member.user_id)
        )
    )
    return WorkspaceSettings(
        team_id=team_id,
        channel_id=channel_for(session, ctx, team_id),
        chairs=chairs,
        policy=ctx.policy_for(session, team_id),
        overrides=dict((workspace.settings or {}).get("policy", {})) if workspace else {},
        active=workspace.active if workspace else True,
    )
