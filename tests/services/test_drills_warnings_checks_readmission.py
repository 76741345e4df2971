"""Rules behind drills, content warnings, the organisers' check and readmission, at the
service level (the end-to-end tests in tests/e2e/ drive the same code over HTTP)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slack_coc.context import ServiceContext
from slack_coc.domain.content_warnings import clean_warnings, warning_labels
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.domain.mail_models import MailMessage, MailStatus
from slack_coc.domain.models import Case, CaseEvent, Party, Person
from slack_coc.queues.outbox_models import OutboxMessage
from slack_coc.read_models import cases as queries
from slack_coc.services import content_warnings, readmission, sanctions
from slack_coc.services import mail as mail_service
from slack_coc.services.drills import start_drill
from slack_coc.services.mail import OutgoingMail
from slack_coc.services.sanctions import Subject
from slack_coc.slack.listeners.sanctions import parse_subject
from tests.conftest import actor
from tests.factories import add_roster, new_case

ANA, BEN = "U0ANA0001", "U0BEN0002"


def test_content_warning_kinds_are_checked_and_ordered() -> None:
    assert clean_warnings(["slurs", "sexual_violence", "slurs", ""]) == ["sexual_violence", "slurs"]
    assert warning_labels(["self_harm"]) == ["Self-harm"]
    with pytest.raises(InvalidInput) as error:
        clean_warnings(["gore"])
    assert error.value.field == "content_warnings"


def test_an_unknown_warning_on_a_report_is_refused_naming_the_field(ctx: ServiceContext) -> None:
    add_roster(ctx)
    with pytest.raises(InvalidInput) as error:
        new_case(ctx, content_warnings=["gore"])
    assert error.value.field == "content_warnings"


def test_warnings_are_encrypted_with_the_report_and_gate_the_details(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    new_case(ctx, content_warnings=["violence"])
    gated = queries.case_detail(ctx, actor(BEN), 1, via="test")
    assert gated.gated and gated.details == {} and gated.timeline == []
    assert gated.warnings == ("Violence",)
    shown = queries.case_detail(ctx, actor(BEN), 1, via="test", reveal=True)
    assert not shown.gated and shown.details["account"]
    with ctx.read() as session:
        raw = session.connection().exec_driver_sql('SELECT details FROM "case"').scalar()
    assert "violence" not in str(raw).lower()
    content_warnings.set_warnings(ctx, actor(BEN), 1, [])
    assert not queries.case_detail(ctx, actor(BEN), 1, via="test").gated


def test_a_drill_never_sends_mail_to_anyone(ctx: ServiceContext) -> None:
    add_roster(ctx)
    start_drill(ctx, actor(ANA))
    mail = OutgoingMail(
        template="acknowledgement", to=["someone@example.org"], subject="Practice", body="Practice."
    )
    mail_service.send_mail(ctx, actor(BEN), 1, mail, smtp_enabled=True)
    with ctx.read() as session:
        assert not list(session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "mail")))
        record = session.scalars(select(MailMessage)).one()
        assert record.status == MailStatus.DISCARDED
        kinds = set(session.scalars(select(CaseEvent.kind)))
        assert "mail_not_sent_drill" in kinds and "mail_sent" not in kinds
        # The drill's reported person has no person record.
        assert (
            session.scalars(select(Party).where(Party.role == "reported")).one().person_id is None
        )
        assert list(session.scalars(select(Person))) == []
        drill = session.scalars(select(Case)).one()
        assert drill.drill and drill.state == "acknowledged"  # the step was still taken


def test_the_check_is_refused_to_members_who_are_not_chairs(ctx: ServiceContext) -> None:
    add_roster(ctx)
    with pytest.raises(NotPermitted):
        sanctions.check(ctx, actor(BEN), Subject(slack_user_id="U0X"))
    with pytest.raises(InvalidInput):
        sanctions.check(ctx, actor(ANA), Subject())
    assert sanctions.check(ctx, actor(ANA), Subject(email="a@example.org")).text == "No record."


def test_check_subjects_are_parsed_as_slack_escapes_them() -> None:
    assert parse_subject("<@U0ABC123|ana>") == Subject(slack_user_id="U0ABC123")
    assert parse_subject("<mailto:a@b.org|a@b.org>") == Subject(email="a@b.org")
    assert parse_subject("a@b.org") == Subject(email="a@b.org")
    with pytest.raises(InvalidInput):
        parse_subject("@ana")


def test_readmission_needs_a_decided_suspension_or_ban(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, involved_names=["Someone"])
    with pytest.raises(NotPermitted) as error:
        readmission.readmission_form(ctx, actor(BEN), 1)
    assert "no decided suspension or ban" in str(error.value)
