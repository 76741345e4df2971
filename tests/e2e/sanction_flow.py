"""Shared steps for the organisers' check and sanction-end tests: a report about a Slack
user, worked over HTTP to a decided suspension (or ban)."""

from __future__ import annotations

import json
from datetime import date

from tests.e2e.harness import AppServer
from tests.e2e.test_case_flow_e2e import (
    ANA,
    BEN,
    CAT,
    DAN,
    calls_count,
    case_state,
    field,
    modal_after,
    opt,
    reply_after,
    txt,
    values,
)

BAD = "U0BAD0009"  # the reported person: in the workspace, not a member
ACCOUNT_MARKER = "OSPREY-SANCTION-ACCOUNT-4471"


def decide_sanction(
    server: AppServer,
    number: int,
    outcome: str,
    ends_on: date | None,
    conditions: str | None = None,
) -> None:
    """Log a report about BAD and take it to "decided" with `outcome` for BAD."""
    before = calls_count(server)
    server.command(ANA, "new")
    view = modal_after(server, before)
    response = server.submit(
        ANA,
        view,
        values(
            field("source", opt("email")),
            field("involved_user_ids", {"type": "multi_users_select", "selected_users": [BAD]}),
            field("account", txt(f"What happened: {ACCOUNT_MARKER}")),
            field("ongoing", {"type": "radio_buttons", "selected_option": {"value": "No"}}),
        ),
    )
    assert response.json()["response_action"] == "update"
    server.deliver()
    for step in ("ack", "shepherd"):
        before = calls_count(server)
        server.command(BEN, f"{step} {number}")
        reply_after(server, before)
        server.deliver()
    before = calls_count(server)
    server.command(BEN, f"propose {number}")
    form = modal_after(server, before)
    party = json.loads(form["private_metadata"])["parties"][0]
    chosen = [
        field(f"outcome_{party}", opt(outcome)),
        field("rationale", txt("Decided for the test.")),
    ]
    if ends_on is not None:
        chosen.append(
            field(f"ends_on_{party}", {"type": "datepicker", "selected_date": ends_on.isoformat()})
        )
    if conditions:
        chosen.append(field(f"conditions_{party}", txt(conditions)))
    done = server.submit(BEN, form, values(*chosen))
    assert done.json()["response_action"] == "update", done.json()
    server.deliver()
    for member in (CAT, DAN):
        before = calls_count(server)
        server.command(member, f"vote {number} agree")
        reply_after(server, before)
    assert case_state(server, number) == "decided"
    server.deliver()
