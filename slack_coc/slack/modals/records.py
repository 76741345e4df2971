"""The identity key modal (chairs only): person code names and the identities behind them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block, HeaderBlock

from slack_coc.services.identity import IdentityEntry
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import modal, note, small

IDENTITY_CALLBACK = Callback.IDENTITY_KEY.value
MAX_ENTRIES = 90  # a modal holds at most 100 blocks


def _entry_text(e: IdentityEntry) -> str:
    lines = [f"*{e.code_name}* — {e.report_count} report(s)"]
    if e.highest_consequence:
        lines[0] += f", highest consequence: {e.highest_consequence}"
    if e.names:
        lines.append("Names: " + ", ".join(e.names))
    if e.emails:
        lines.append("Email: " + ", ".join(e.emails))
    if e.slack_user_ids:
        lines.append("Slack: " + ", ".join(f"<@{u}>" for u in e.slack_user_ids))
    if e.merged_code_names:
        lines.append("Also known as: " + ", ".join(e.merged_code_names))
    return "\n".join(lines)[:2900]


def identity_key_modal(entries: Sequence[IdentityEntry]) -> dict[str, Any]:
    blocks: list[Block] = [
        HeaderBlock(text="Identity key"),
        small("Confidential: for chairs only. Opening it is recorded in the access log."),
    ]
    if not entries:
        blocks.append(note("No reported people yet."))
    blocks += [note(_entry_text(e)) for e in entries[:MAX_ENTRIES]]
    if len(entries) > MAX_ENTRIES:
        blocks.append(small(f"{len(entries) - MAX_ENTRIES} more not shown."))
    return modal(callback_id=IDENTITY_CALLBACK, title="Identity key", blocks=blocks, submit=None)
