"""The records export: exact columns, code names only, recusals respected."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.domain.errors import NotPermitted
from slack_coc.domain.models import AccessLog
from slack_coc.reports.records import (
    RECORD_COLUMNS,
    export_records,
    export_records_for_chair,
    record_rows,
    write_records,
)
from slack_coc.services import cases, identity
from tests.conftest import TEAM, actor
from tests.factories import add_roster, new_case
from tests.records.conftest import ANA, BEN, EVE, decided_case

MARKERS = ("ZQXNAME-Mallory", "zqxmail@example.org", "ZQXACCOUNT narrative", "ZQXREPORTER")
PROCESS_COLUMNS = (
    "Date of Report · Case Code Name · Person Code Name · Status (Ongoing/Resolved) · "
    "Resolution Source (WG / Board / Local / None) · Resolution Date · Safety Risk (Yes/No) · "
    "Ongoing Harassment (Yes/No/Maybe) · Consequences · Documents"
)


def marked_report() -> dict[str, object]:
    return {
        "account": f"{MARKERS[2]} at the sprint",
        "involved_names": [MARKERS[0]],
        "reporter_name": MARKERS[3],
        "reporter_contact": MARKERS[1],
        "safety_risk": True,
        "ongoing": "Maybe",
    }


def export_text(ctx: ServiceContext, fmt: str) -> str:
    out = io.StringIO()
    export_records(ctx, TEAM, out, fmt)
    return out.getvalue()


def test_columns_are_exactly_those_of_process_md() -> None:
    expected = [c.split(" (")[0] for c in PROCESS_COLUMNS.split(" · ")]
    assert list(RECORD_COLUMNS) == expected


def test_csv_export_one_row_per_reported_person_without_real_names(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    number = decided_case(
        ctx, clock, datetime(2026, 3, 2, 9, tzinfo=UTC), "warning", **marked_report()
    )
    clock.set(datetime(2026, 4, 1, tzinfo=UTC))
    new_case(ctx, involved_names=["ZQXNAME-Trent", "ZQXNAME-Peggy"])
    text = export_text(ctx, "csv")
    for marker in (*MARKERS, "ZQXNAME"):
        assert marker not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(RECORD_COLUMNS)
    assert len(rows) == 4  # header + one reported person + two reported people
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Date of Report"] == "2026-03-02"
    assert first["Status"] == "Resolved" and first["Resolution Source"] == "WG"
    assert first["Resolution Date"] == "2026-03-07"
    assert first["Safety Risk"] == "Yes" and first["Ongoing Harassment"] == "Maybe"
    assert first["Consequences"] == "Warning" and first["Documents"] == f"#{number}"
    assert first["Person Code Name"] and first["Case Code Name"]
    open_rows = [dict(zip(rows[0], r, strict=True)) for r in rows[2:]]
    assert {r["Status"] for r in open_rows} == {"Ongoing"}
    assert {r["Resolution Source"] for r in open_rows} == {"None"}
    assert len({r["Person Code Name"] for r in open_rows}) == 2
    assert len({r["Case Code Name"] for r in open_rows}) == 1


def test_markdown_export_has_the_same_rows(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    decided_case(ctx, clock, datetime(2026, 3, 2, tzinfo=UTC), "not_a_violation", **marked_report())
    text = export_text(ctx, "md")
    lines = text.strip().splitlines()
    assert lines[0] == "| " + " | ".join(RECORD_COLUMNS) + " |"
    assert len(lines) == 3 and "Not a violation" in lines[2]
    assert not any(m in text for m in MARKERS)


def test_same_person_keeps_code_name_and_merge_unifies(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    decided_case(ctx, clock, datetime(2026, 1, 5, tzinfo=UTC), involved_user_ids=["U0OUT0100"])
    decided_case(ctx, clock, datetime(2026, 2, 5, tzinfo=UTC), involved_user_ids=["U0OUT0100"])
    decided_case(ctx, clock, datetime(2026, 3, 5, tzinfo=UTC), involved_names=["Same Name"])
    with ctx.read() as s:
        rows = list(record_rows(s, TEAM))
    codes = [r[2] for r in rows]
    assert codes[0] == codes[1] and codes[2] != codes[0]
    with pytest.raises(Exception, match="confirmed"):
        identity.merge_people(ctx, actor(BEN), codes[0], codes[2], confirmed=False)
    merged = identity.merge_people(ctx, actor(BEN), codes[0], codes[2], confirmed=True)
    assert merged.kept == codes[0] and len(merged.cases) == 3
    with ctx.read() as s:
        after = [r[2] for r in record_rows(s, TEAM)]
    assert after == [codes[0]] * 3


def test_chair_export_leaves_out_cases_the_chair_is_recused_from(
    ctx: ServiceContext, clock: FrozenClock
) -> None:
    add_roster(ctx)
    concerning_eve = new_case(ctx, involved_user_ids=[EVE]).number
    other = new_case(ctx, involved_names=["Someone"]).number
    for chair, expected in ((EVE, {other}), (ANA, {concerning_eve, other})):
        out = io.StringIO()
        export_records_for_chair(ctx, actor(chair), out, "csv")
        docs = {int(r[-1].lstrip("#")) for r in list(csv.reader(io.StringIO(out.getvalue())))[1:]}
        assert docs == expected
    with pytest.raises(NotPermitted):
        export_records_for_chair(ctx, actor(BEN), io.StringIO(), "csv")
    with ctx.read() as s:
        logged = s.scalar(select(func.count()).where(AccessLog.what == "records export"))
    assert logged == 2


def test_kept_on_file_case_shows_local_source(ctx: ServiceContext) -> None:
    add_roster(ctx)
    number = new_case(ctx, handled_locally=True, involved_names=["X"]).number
    cases.keep_on_file(ctx, actor(ANA), number)
    with ctx.read() as s:
        (row,) = list(record_rows(s, TEAM))
    assert row[3:6] == ["Resolved", "Local", "2026-11-23"]
    assert row[8] == "Handled locally"


def test_write_records_rejects_unknown_format() -> None:
    with pytest.raises(ValueError):
        write_records(iter([]), io.StringIO(), "xlsx")
