"""Readmission modals: record the request (with the conditions for return), then the
checklist and the vote. Only opened to a member who may see the case."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from slack_coc.domain.enums import Outcome
from slack_coc.services.readmission import VIA, ReadmissionForm
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import checkboxes, modal, note, radio, select, small, text_input

VOTES = (("agree", "Agree: readmit"), ("object", "Object"), ("abstain", "Abstain"))


def _head(form: ReadmissionForm) -> Block:
    drill = "*DRILL* · " if form.drill else ""
    return note(f"{drill}*#{form.number}* {form.code_name} · readmission", "case_head")


def _label(outcome: str) -> str:
    try:
        return Outcome(outcome).label
    except ValueError:
        return outcome


def readmission_request_modal(form: ReadmissionForm) -> dict[str, Any]:
    pairs = [
        (
            str(p.party_id),
            (
                f"{p.label}: {_label(p.outcome)}"
                + (f" until {p.ends_on.isoformat()}" if p.ends_on else "")
            )[:75],
        )
        for p in form.parties
    ]
    conditions = "\n".join(p.conditions for p in form.parties if p.conditions)
    blocks: list[Block] = [
        _head(form),
        select("party", "Who asks to return?", pairs, initial=pairs[0][0]),
        radio("via", "How did the request arrive?", VIA, initial="mail"),
        text_input(
            "request",
            "Their request",
            multiline=True,
            initial=form.mail_text,
            hint="From their latest mail on this case, if any; shorten it as you like.",
        ),
        text_input(
            "conditions",
            "Conditions for return",
            multiline=True,
            optional=True,
            initial=conditions or None,
            hint="One per line; members tick them off before readmission can be decided.",
        ),
    ]
    if form.decided:
        blocks.append(small("Already readmitted: " + ", ".join(form.decided)))
    return modal(
        callback_id=Callback.READMISSION_REQUEST,
        title="Readmission request",
        blocks=blocks,
        submit="Record",
        metadata={"case": form.number},
    )


def readmission_review_modal(form: ReadmissionForm) -> dict[str, Any]:
    current = form.open
    if current is None:
        raise ValueError("no open readmission request to review")
    blocks: list[Block] = [
        _head(form),
        note(f"*{current.party_label}* asks to return.", "readmission_who"),
        small(current.explanation),
    ]
    if current.conditions:
        blocks.append(
            checkboxes(
                "conditions",
                "Conditions for return met",
                [(str(c.id), c.text[:75]) for c in current.conditions],
                initial=[str(c.id) for c in current.conditions if c.met],
            )
        )
    else:
        blocks.append(small("No conditions for return were set."))
    blocks.append(
        radio("vote", "Your vote on readmission", VOTES, initial=current.my_vote, optional=True)
    )
    return modal(
        callback_id=Callback.READMISSION_REVIEW,
        title="Readmission",
        blocks=blocks,
        submit="Save",
        metadata={"case": form.number, "readmission": current.id},
    )
