"""Messages to a reported person: the template (behaviour, impact, change, consequences) goes
to the reported person with the committee in Cc, after editing and optionally a review; a
text naming the reporter (name, contact, Slack id) is refused with the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.enums import PartyRole
from slack_coc.domain.errors import InvalidInput
from slack_coc.domain.mail_models import MailMessage, MailStatus
from slack_coc.domain.models import Party
from slack_coc.services import mail as mail_service
from slack_coc.services.mail import OutgoingMail
from tests.conftest import actor
from tests.factories import new_case

BEN, CAT = "U0BEN0002", "U0CAT0003"
REPORTED = "blue.jay@example.net"
FILLED = (
    "Hello,\n\nWhat happened: repeated insulting replies in the #general channel last week.\n"
    "Its impact: several members stopped taking part.\n"
    "What we expect from now on: disagree without personal remarks.\n"
    "What happens otherwise: a temporary suspension.\n"
)


@pytest.fixture
def case_with_reported_email(ctx: ServiceContext, roster: list[str]) -> int:
    logged = new_case(
        ctx,
        reporter_name="Rae Quill",
        reporter_contact="rae.quill@example.org",
        reporter_user_id="U0RAE0042",
        involved_names=["Reported Person"],
    )
    with ctx.transaction() as s:
        party = s.scalars(
            select(Party).where(
                Party.case_id == logged.case_id, Party.role == PartyRole.REPORTED.value
            )
        ).one()
        party.email = REPORTED
    return logged.number


def mail(body: str, **changes: object) -> OutgoingMail:
    values: dict[str, object] = {
        "template": "reported_person",
        "to": [REPORTED],
        "subject": "A message from the Code of Conduct working group",
        "body": body,
    }
    values.update(changes)
    return OutgoingMail(**values)  # type: ignore[arg-type]


def test_the_template_is_addressed_to_the_reported_person_and_asks_for_each_part(
    ctx: ServiceContext, case_with_reported_email: int
) -> None:
    draft = mail_service.compose(ctx, actor(BEN), case_with_reported_email, "reported_person")
    assert draft.to == [REPORTED] and draft.cc == [ctx.mailbox_address]
    for part in ("What happened", "Its impact", "What we expect", "What happens otherwise"):
        assert part in draft.body
    assert "Rae" not in draft.body
    # Unedited, the [describe ...] slots are refused: the member must write the message.
    with pytest.raises(InvalidInput, match="placeholder"):
        mail_service.send_mail(
            ctx, actor(BEN), case_with_reported_email, mail(draft.body), smtp_enabled=True
        )


def test_it_goes_through_the_outbox_with_the_committee_in_cc(
    ctx: ServiceContext, case_with_reported_email: int
) -> None:
    sent = mail_service.send_mail(
        ctx, actor(BEN), case_with_reported_email, mail(FILLED), smtp_enabled=True
    )
    assert sent.status == MailStatus.QUEUED
    assert sent.to == [REPORTED] and sent.cc == [ctx.mailbox_address]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Rae Quill told us what you wrote.", "name 'Rae Quill'"),
        ("As rae explained, ...", "name 'Rae'"),
        ("Write to rae.quill@example.org to apologise.", "contact"),
        ("You replied to <@U0RAE0042> in #general.", "Slack handle"),
    ],
)
def test_a_text_naming_the_reporter_is_refused_with_the_reason(
    ctx: ServiceContext, case_with_reported_email: int, text: str, reason: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        mail_service.send_mail(
            ctx, actor(BEN), case_with_reported_email, mail(FILLED + text), smtp_enabled=True
        )
    assert reason in str(err.value) and err.value.field == "body"
    with ctx.read() as s:
        assert s.scalar(select(MailMessage)) is None  # nothing stored, nothing queued


def test_any_message_to_a_reported_address_is_checked_and_a_review_is_possible(
    ctx: ServiceContext, case_with_reported_email: int
) -> None:
    with pytest.raises(InvalidInput, match="reporter's details"):
        mail_service.send_mail(
            ctx,
            actor(BEN),
            case_with_reported_email,
            mail(FILLED + "Quill says hello.", template="free_form"),
            smtp_enabled=True,
        )
    pending = mail_service.send_mail(
        ctx, actor(BEN), case_with_reported_email, mail(FILLED, review_by=CAT), smtp_enabled=True
    )
    assert pending.status == MailStatus.AWAITING_REVIEW
    sent = mail_service.review_mail(
        ctx, actor(CAT), pending.mail_id, approve=True, smtp_enabled=True
    )
    assert sent.status == MailStatus.QUEUED and sent.to == [REPORTED]
