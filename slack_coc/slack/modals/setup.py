"""The `/coc setup` modal: the workspace's channel, chairs and policy values."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    NumberInputElement,
    UserMultiSelectElement,
)

from slack_coc.config import DECISION_RULES
from slack_coc.services.workspaces import WorkspaceSettings
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import Submitted, checkbox, modal, select, small

# Policy values on the form: (key, label, hint).
NUMBERS: tuple[tuple[str, str, str], ...] = (
    ("initial_response_hours", "First response by the on-call primary (hours)", "default 12"),
    ("any_member_after_hours", "Ask any member to step in after (hours)", "default 24"),
    ("reporter_response_days", "Response promised to reporters (days)", "default 7"),
    ("resolution_target_days", "Resolution target (days)", "default 7"),
    ("deadlock_days", "Offer board escalation after a proposal of (days)", "default 7"),
)
NEW_FEED_SECRET = "new_feed_secret"
RULE_LABELS = {
    "two_members": "Two members agree (besides the proposer)",
    "majority": "Majority of non-conflicted members",
    "consensus_two_thirds": "Consensus, else two-thirds",
}


def setup_modal(settings: WorkspaceSettings) -> dict[str, Any]:
    policy = settings.policy
    blocks: list[Any] = [
        small(
            "Settings for this workspace only. The deployment's defaults "
            "(COC_POLICY_FILE) are the starting values."
        ),
        InputBlock(
            block_id="channel",
            label="Working group's private channel",
            element=ConversationSelectElement(
                action_id="channel",
                initial_conversation=settings.channel_id,
                filter=ConversationFilter(include=["private"]),
            ),
        ),
        InputBlock(
            block_id="chairs",
            label="Chairs",
            element=UserMultiSelectElement(
                action_id="chairs", initial_users=list(settings.chairs) or None
            ),
        ),
        select(
            "decision_rule",
            "Decision rule",
            [(rule, RULE_LABELS[rule]) for rule in DECISION_RULES],
            initial=policy.decision_rule,
        ),
    ]
    for key, label, hint in NUMBERS:
        blocks.append(
            InputBlock(
                block_id=key,
                label=label,
                hint=hint,
                element=NumberInputElement(
                    action_id=key,
                    is_decimal_allowed=True,
                    min_value="0",
                    initial_value=_number(getattr(policy, key)),
                ),
            )
        )
    blocks.append(
        checkbox(
            NEW_FEED_SECRET,
            "Rota calendar feed",
            "Issue a new feed link (the current one stops working)",
        )
    )
    return modal(callback_id=Callback.SETUP.value, title="slack-coc setup", blocks=blocks)


def wants_new_feed_secret(submitted: Submitted) -> bool:
    return submitted.checked(NEW_FEED_SECRET)


def parse_setup(submitted: Submitted) -> tuple[str | None, list[str], dict[str, Any]]:
    """(channel, chairs, policy values) from the submitted form; numbers that don't parse
    are passed on as text so the service names the field in its refusal."""
    element = submitted.values.get("channel", {}).get("channel", {})
    channel = element.get("selected_conversation")
    values: dict[str, Any] = {}
    rule = submitted.option("decision_rule")
    if rule:
        values["decision_rule"] = rule
    for key, _label, _hint in NUMBERS:
        text = submitted.text(key)
        if text:
            try:
                values[key] = float(text)
            except ValueError:
                values[key] = text
    return channel, submitted.users("chairs"), values


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
