"""Identity key and access log (chairs only), and logs that never carry report content."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime

import pytest

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import NotFound, NotPermitted
from slack_coc.logging_setup import (
    RedactingFilter,
    StructuredFormatter,
    confidential_values,
    register_confidential,
)
from slack_coc.read_models import cases as queries
from slack_coc.reports.periods import Period
from slack_coc.reports.records import export_records, export_records_for_chair
from slack_coc.reports.render import transparency_markdown
from slack_coc.reports.transparency import transparency_report
from slack_coc.services import identity, readmission, retention
from tests.conftest import TEAM, actor
from tests.factories import add_roster, new_case
from tests.records.conftest import ANA, BEN, EVE, decided_case

MARKERS = ("ZQXLOG-narrative", "ZQXLOG-person", "ZQXLOG-reporter", "zqxlog@example.org")


def test_identity_key_is_for_chairs_and_shows_count_and_highest_consequence(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    decided_case(
        ctx, clock, datetime(2026, 1, 5, tzinfo=UTC), "warning", involved_user_ids=["U0OUT0100"]
    )
    decided_case(
        ctx,
        clock,
        datetime(2026, 2, 5, tzinfo=UTC),
        "suspension_short",
        involved_user_ids=["U0OUT0100"],
        ends_on_days=45,
    )
    with pytest.raises(NotPermitted):
        identity.identity_key(ctx, actor(BEN))
    (entry,) = identity.identity_key(ctx, actor(ANA))
    assert entry.slack_user_ids == ("U0OUT0100",)
    assert entry.report_count == 2 and entry.highest_consequence == "Suspension short"


def test_identity_key_hides_people_of_cases_the_chair_is_recused_from(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    new_case(ctx, involved_names=["Hidden From Eve"], witness_user_ids=[EVE])
    new_case(ctx, involved_names=["Seen By Eve"])
    names = {n for e in identity.identity_key(ctx, actor(EVE)) for n in e.names}
    assert names == {"Seen By Eve"}
    # Two reported people and the witness: everyone but a reporter has a person code name.
    assert len(identity.identity_key(ctx, actor(ANA))) == 3


def test_merge_suggestions_and_access_log(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    first = new_case(ctx, involved_names=["Sam Doe"]).number
    new_case(ctx, involved_names=["sam doe"])
    ((a, b),) = identity.merge_suggestions(ctx, actor(BEN))
    identity.merge_people(ctx, actor(BEN), a, b, confirmed=True)
    assert identity.merge_suggestions(ctx, actor(BEN)) == []
    queries.case_detail(ctx, actor(BEN), first, via="modal")
    export_records(ctx, TEAM, io.StringIO(), "csv")
    entries = identity.access_log(ctx, actor(ANA), first)
    assert [(e.user_id, e.what) for e in entries] == [(BEN, "modal"), ("cli", "records export")]
    with pytest.raises(NotPermitted):
        identity.access_log(ctx, actor(BEN), first)
    concerning_eve = new_case(ctx, involved_user_ids=[EVE]).number
    with pytest.raises(NotFound):
        identity.access_log(ctx, actor(EVE), concerning_eve)


def test_no_report_content_in_logs_over_a_full_flow(
    ctx: ServiceContext, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_roster(ctx)
    report = {
        "account": MARKERS[0],
        "involved_names": [MARKERS[1]],
        "reporter_name": MARKERS[2],
        "reporter_contact": MARKERS[3],
    }
    number = decided_case(ctx, clock, datetime(2026, 2, 2, tzinfo=UTC), "warning", **report)
    decided_case(ctx, clock, datetime(2026, 3, 2, tzinfo=UTC), "not_a_violation", **report)
    queries.case_detail(ctx, actor(ANA), number, via="modal")
    export_records(ctx, TEAM, io.StringIO(), "md")
    export_records_for_chair(ctx, actor(ANA), io.StringIO(), "csv")
    with ctx.read() as s:
        transparency_markdown(transparency_report(s, TEAM, Period.parse("2026"), threshold=2))
    identity.identity_key(ctx, actor(ANA))
    clock.set(datetime(2030, 1, 1, tzinfo=UTC))
    assert retention.sweep(ctx) == 2
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "retention" in logged  # the sweep did log, by case number
    for marker in MARKERS:
        assert marker not in logged


def test_redacting_filter_removes_registered_values_and_emails() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(StructuredFormatter(as_json=True))
    logger = logging.getLogger("slack_coc.test_redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        register_confidential("ZQXSECRET person")
        logger.warning(
            "case %s about %s <%s>", 12, "ZQXSECRET person", "who@example.org", extra={"case": 12}
        )
        try:
            raise ValueError("ZQXSECRET person did it")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
        confidential_values.clear()
    out = stream.getvalue()
    assert "ZQXSECRET" not in out and "who@example.org" not in out
    assert '"case": "#12"' in out and "[redacted]" in out and "[email]" in out


def test_a_chair_who_has_not_declared_conflicts_sees_no_records(ctx: ServiceContext) -> None:
    from slack_coc.services import members

    add_roster(ctx)
    new_case(ctx, involved_names=["Someone"])
    members.add_member(ctx, TEAM, "U0NEW0009", "New chair", chair=True)
    for call in (
        lambda: identity.identity_key(ctx, actor("U0NEW0009")),
        lambda: export_records_for_chair(ctx, actor("U0NEW0009"), io.StringIO(), "csv"),
    ):
        with pytest.raises(NotPermitted, match="declare your conflicts"):
            call()


def test_configure_logging_keeps_payload_loggers_quiet_even_at_debug() -> None:
    from slack_coc.logging_setup import configure_logging

    root = logging.getLogger()
    saved_level, saved_handlers = root.level, list(root.handlers)
    try:
        handler = configure_logging("DEBUG", as_json=True)
        assert handler in root.handlers and root.level == logging.DEBUG
        assert not logging.getLogger("slack_sdk.web.base_client").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("sqlalchemy.engine.Engine").isEnabledFor(logging.INFO)
        assert logging.getLogger("slack_coc.services").isEnabledFor(logging.DEBUG)
        configure_logging("INFO")
        assert sum(getattr(h, "_slack_coc", False) for h in root.handlers) == 1
    finally:
        for h in list(root.handlers):
            if h not in saved_handlers:
                root.removeHandler(h)
        root.setLevel(saved_level)
        for name in ("slack_sdk", "slack_bolt", "sqlalchemy.engine", "urllib3"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_readmission_names_a_merged_person_by_the_code_name_kept(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    banned = decided_case(
        ctx, clock, datetime(2026, 3, 2, tzinfo=UTC), "permanent_ban", involved_names=["Sam Doe"]
    )
    new_case(ctx, involved_names=["sam doe"])
    suggested = set(*identity.merge_suggestions(ctx, actor(BEN)))
    (banned_as,) = [p.label for p in readmission.readmission_form(ctx, actor(BEN), banned).parties]
    (other,) = suggested - {banned_as}
    # The banned person's code name is the one merged away.
    identity.merge_people(ctx, actor(BEN), other, banned_as, confirmed=True)
    after = readmission.readmission_form(ctx, actor(BEN), banned).parties
    assert [p.label for p in after] == [other]
