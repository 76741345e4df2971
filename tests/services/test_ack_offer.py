"""Acknowledging (or keeping on file) without the message to the reporter: recorded as such,
and the acknowledgement template offered when the reporter left an address."""

from __future__ import annotations

from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.models import CaseEvent
from slack_coc.services import cases
from slack_coc.services.mail import acknowledge_with_message
from slack_coc.services.mail_outgoing import OutgoingMail
from slack_coc.slack.listeners.support import step_reply
from slack_coc.slack.modals.mail import parse_compose_value
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN = "U0ANA0001", "U0BEN0002"


def _event(ctx: ServiceContext, kind: str, case_id: int) -> CaseEvent:
    with ctx.read() as session:
        return session.scalars(
            select(CaseEvent).where(CaseEvent.kind == kind, CaseEvent.case_id == case_id)
        ).one()


def test_a_plain_acknowledgement_offers_the_template_and_is_recorded(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, reporter_contact="reporter@example.org")
    result = cases.acknowledge(ctx, actor(BEN), logged.number)
    assert result.offer_mail == "acknowledgement"
    event = _event(ctx, "acknowledge", logged.case_id)
    assert event.data["reporter_told"] is False and event.note == cases.WITHOUT_MESSAGE
    reply = step_reply(result)
    button = reply.blocks[-1]["elements"][0]
    assert parse_compose_value(button["value"]) == (str(logged.number), "acknowledgement")
    assert "reporter@example.org" not in str(reply)  # an ephemeral carries no contact


def test_no_address_no_offer_but_still_recorded(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, handled_locally=True)
    result = cases.keep_on_file(ctx, actor(BEN), logged.number)
    assert result.offer_mail is None and step_reply(result).blocks == []
    assert _event(ctx, "keep_on_file", logged.case_id).data["reporter_told"] is False


def test_keep_on_file_offers_the_kept_on_file_message(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, reporter_contact="reporter@example.org", handled_locally=True)
    assert cases.keep_on_file(ctx, actor(BEN), logged.number).offer_mail == (
        "acknowledgement_local"
    )


def test_acknowledging_by_sending_the_message_offers_nothing(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, reporter_contact="reporter@example.org")
    mail = OutgoingMail(
        template="acknowledgement",
        to=["reporter@example.org"],
        subject="Your report",
        body="Thank you for your report.",
        review_by=None,
    )
    sent = acknowledge_with_message(ctx, actor(ANA), logged.number, mail, smtp_enabled=False)
    assert sent.step_taken == "acknowledge"
    event = _event(ctx, "acknowledge", logged.case_id)
    assert event.data["reporter_told"] is True and event.note is None
