"""Anonymous reports as services (issue 25): no identity on the case, a member reporter kept
out of their own case, a member's anonymous log has no relay, the relay refuses what it must."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from slack_coc.context import Actor, ServiceContext
from slack_coc.domain.errors import InvalidInput, NotFound, NotPermitted
from slack_coc.domain.models import Case, Party, Recusal
from slack_coc.domain.relay_models import RelayContact
from slack_coc.services import relay
from tests.conftest import TEAM, actor
from tests.factories import add_roster, new_case

ANA, BEN, CAT, DAN = "U0ANA0001", "U0BEN0002", "U0CAT0003", "U0DAN0004"
OUTSIDER = "U0OUTSIDE1"


def test_an_anonymous_report_refuses_a_name_or_contact(ctx: ServiceContext) -> None:
    add_roster(ctx)
    with pytest.raises(InvalidInput) as named:
        new_case(ctx, anonymous=True, reporter_name="Someone", source="email")
    assert named.value.field == "reporter_name"
    with pytest.raises(InvalidInput) as contact:
        new_case(ctx, anonymous=True, reporter_contact="a@example.org", source="email")
    assert contact.value.field == "reporter_contact"
    with ctx.read() as s:
        assert s.scalar(select(Case.id)) is None


def test_a_member_logging_an_anonymous_report_keeps_no_relay(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, by=ANA, anonymous=True, source="in_person")
    with ctx.read() as s:
        assert s.get_one(Case, logged.case_id).anonymous
        assert s.scalar(select(RelayContact.id)) is None
    with pytest.raises(NotPermitted, match="no way to reach"):
        relay.ask_reporter(ctx, actor(BEN), logged.number, "Anything else?")


def test_a_member_who_reports_anonymously_is_recused_from_their_own_case(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    logged = new_case(ctx, by=DAN, reporter_user_id=DAN, anonymous=True, source="slack")
    with ctx.read() as s:
        [reason] = s.scalars(select(Recusal.reason).where(Recusal.case_id == logged.case_id))
        assert reason == "involved"
        reporter = s.scalar(select(Party).where(Party.case_id == logged.case_id))
        assert reporter is not None
        assert (reporter.slack_user_id, reporter.slack_user_digest) == (None, None)
    assert DAN not in logged.paged_user_ids
    with pytest.raises(NotFound):
        relay.ask_reporter(ctx, actor(DAN), logged.number, "Is this me?")


def test_the_relay_answers_only_the_reporter_and_checks_its_input(ctx: ServiceContext) -> None:
    add_roster(ctx)
    logged = new_case(ctx, by=OUTSIDER, reporter_user_id=OUTSIDER, anonymous=True, source="slack")
    with pytest.raises(InvalidInput):
        relay.ask_reporter(ctx, actor(BEN), logged.number, "   ")
    relay.ask_reporter(ctx, actor(BEN), logged.number, "When was it?")
    with pytest.raises(NotFound):
        relay.answer(ctx, Actor(TEAM, CAT), logged.case_id, 0, "I am not the reporter")
    with pytest.raises(NotFound):
        relay.answer(ctx, Actor("T0OTHER001", OUTSIDER), logged.case_id, 0, "other workspace")
    relay.answer(ctx, Actor(TEAM, OUTSIDER), logged.case_id, 0, "Last week.")


def test_the_admin_token_setting_must_be_a_user_token() -> None:
    from slack_coc.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="SLACK_ADMIN_USER_TOKEN: must be a user token"):
        load_settings(SLACK_ADMIN_USER_TOKEN="xoxb-a-bot-token")
    assert load_settings(SLACK_ADMIN_USER_TOKEN="xoxp-1").SLACK_ADMIN_USER_TOKEN == "xoxp-1"
