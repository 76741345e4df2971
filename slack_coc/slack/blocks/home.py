"""The App Home tab, from `services.home.HomeData`: case numbers, code names, states,
deadlines, flags and the on-call pair. Never anything from a report."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from slack_coc.read_models.case_views import CaseView
from slack_coc.read_models.home import HomeData, OncallPair
from slack_coc.slack.block_ids import CheckedBlock, checked, view_json
from slack_coc.slack.blocks.card import PROPOSE_STATES
from slack_coc.slack.format import case_line, slack_date
from slack_coc.slack.ids import Action


def build_home(data: HomeData) -> dict[str, Any]:
    """A `home` view dict for views.publish (checked against Slack's limits and block ids
    made unique by `view_json`)."""
    blocks: Sequence[Block | CheckedBlock]
    if not data.is_member:
        blocks = _stranger_blocks()
    elif not data.onboarded:
        blocks = _onboarding_blocks(data)
    else:
        blocks = _member_blocks(data)
    return view_json(blocks, type="home")


def build_homes(homes: Iterable[HomeData]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(user id, view) for each Home. A Home names nobody by its owner's id, so members who
    see the same cases, pair and settings get one view, built once."""
    built: list[tuple[HomeData, dict[str, Any]]] = []
    for data in homes:
        alike = replace(data, user_id="")
        view = next((v for d, v in built if d == alike), None)
        if view is None:
            view = build_home(data)
            built.append((alike, view))
        yield data.user_id, view


def _log_report_button() -> ActionsBlock:
    return ActionsBlock(
        block_id="home_actions",
        elements=[
            ButtonElement(
                text="Log a report", action_id=Action.LOG_REPORT.value, style="primary", value="new"
            ),
            ButtonElement(text="Refresh", action_id=Action.REFRESH_HOME.value, value="refresh"),
        ],
    )


def _member_blocks(data: HomeData) -> list[Block | CheckedBlock]:
    blocks: list[Block | CheckedBlock] = [
        HeaderBlock(text="Code of Conduct cases"),
        _log_report_button(),
    ]
    blocks += _oncall_blocks(data)
    blocks.append(_away_block(data))
    blocks.append(DividerBlock())
    blocks.append(
        SectionBlock(text=MarkdownTextObject(text="*My cases* (shepherd or first responder)"))
    )
    blocks += _case_rows(
        data.my_cases, "my", empty="You are not shepherding any open case.", mine=True
    )
    blocks.append(DividerBlock())
    title = f"*Open cases* ({data.open_total})"
    blocks.append(SectionBlock(text=MarkdownTextObject(text=title)))
    blocks += _case_rows(data.open_cases, "open", empty="No open cases.")
    if data.open_total > len(data.open_cases):
        more = data.open_total - len(data.open_cases)
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {more} more: `/coc list`")])
        )
    blocks.append(DividerBlock())
    blocks.append(_always_warn_block(data.always_warn))
    return blocks


def _always_warn_block(on: bool) -> SectionBlock:
    """Content warnings (docs/content-warnings.md): a member may ask to see every report's
    warning step, flagged or not."""
    state = "on" if on else "off"
    text = (
        f"*Content warnings:* warn me before every report's text — *{state}*. "
        "Flagged reports always open behind their warning."
    )
    return SectionBlock(
        block_id="home_always_warn",
        text=MarkdownTextObject(text=text),
        accessory=ButtonElement(
            text="Turn off" if on else "Always warn me",
            action_id=Action.ALWAYS_WARN.value,
            value="off" if on else "on",
        ),
    )


def _case_rows(
    cases: list[CaseView], section: str, *, empty: str, mine: bool = False
) -> list[Block | CheckedBlock]:
    """One row per case; a case can be in two sections ("my", "open"), so the section is
    part of its block id."""
    if not cases:
        return [ContextBlock(elements=[MarkdownTextObject(text=empty)])]
    return [CheckedBlock(_case_row(section, view, mine)) for view in cases]


@lru_cache(maxsize=1024)
def _case_row(section: str, view: CaseView, mine: bool) -> CheckedBlock:
    """Built and checked once per case as it is now: a change to a case republishes every
    member's Home, and each Home lists the same open cases (checking their rows again for
    every member was most of a Home's CPU). Callers get a copy."""
    return checked(
        SectionBlock(
            block_id=f"case_{section}_{view.number}",
            text=MarkdownTextObject(text=case_line(view)),
            accessory=_row_button(view, mine),
        )
    )


def _row_button(view: CaseView, mine: bool) -> ButtonElement:
    """A shepherd's case that names nobody as reported asks them to identify people."""
    if mine and view.state in PROPOSE_STATES and not view.reported_people:
        return ButtonElement(
            text="Identify reported people",
            action_id=Action.IDENTIFY_PEOPLE.value,
            value=str(view.number),
        )
    return ButtonElement(text="Open case", action_id=Action.OPEN_CASE.value, value=str(view.number))


def _oncall_blocks(data: HomeData) -> list[Block]:
    def pair_text(label: str, pair: OncallPair | None) -> str:
        if pair is None:
            return f"*{label}:* nobody is scheduled (`slack-coc oncall generate`)."
        return (
            f"*{label}* (from {slack_date(pair.starts_at)}): primary <@{pair.primary_user_id}>, "
            f"secondary <@{pair.secondary_user_id}>"
        )

    blocks: list[Block] = [
        SectionBlock(
            block_id="oncall",
            text=MarkdownTextObject(
                text=pair_text("On call this week", data.this_week)
                + "\n"
                + pair_text("Next week", data.next_week)
            ),
        )
    ]
    if data.feed:
        blocks.append(
            ContextBlock(block_id="oncall_feed", elements=[MarkdownTextObject(text=data.feed)])
        )
    return blocks


def _away_block(data: HomeData) -> SectionBlock:
    """The member's own absences; "Mark me away" opens a form (paging and the rota skip
    a member who is away)."""
    if data.away:
        spans = ", ".join(f"{first:%d %b} to {last:%d %b %Y}" for first, last in data.away)
        text = f"*Away:* {spans}. Nobody pages you then; the rota skips you."
    else:
        text = "*Away:* not planned. Tell the group when you can't be paged."
    return SectionBlock(
        block_id="home_away",
        text=MarkdownTextObject(text=text),
        accessory=ButtonElement(
            text="Mark me away", action_id=Action.MARK_AWAY.value, value="away"
        ),
    )


def _onboarding_blocks(data: HomeData) -> list[Block]:
    names = ", ".join(f"#{number} {code}" for number, code in data.to_declare) or "none"
    return [
        HeaderBlock(text="Welcome to the working group"),
        SectionBlock(
            block_id="onboarding",
            text=MarkdownTextObject(
                text="Before you see any case, declare your conflicts of interest with the open "
                f"cases (code names only): {names}. Choose the ones you are conflicted on, or none."
            ),
        ),
        ActionsBlock(
            block_id="onboarding_actions",
            elements=[
                ButtonElement(
                    text="Declare conflicts",
                    action_id=Action.DECLARE_CONFLICTS.value,
                    style="primary",
                    value="declare",
                )
            ],
        ),
        *_oncall_blocks(data),
    ]


def _stranger_blocks() -> list[Block]:
    return [
        HeaderBlock(text="Report a Code of Conduct concern"),
        SectionBlock(
            block_id="how_to_report",
            text=MarkdownTextObject(
                text="To report a concern confidentially, use the *Report a concern* shortcut "
                "(the ⚡ menu or the message's ⋮ menu: *Report this message*). Only the "
                "working group members handling your report will see it."
            ),
        ),
    ]
