"""A case's details name its people by person code name: read with the parties (not one
query per person), and a merged person by the code name they were merged into, as the
People modal and the identity key show them."""

from __future__ import annotations

from sqlalchemy import event

from slack_coc.context import Actor, ServiceContext
from slack_coc.read_models import cases as queries
from slack_coc.services import identity, people
from tests.factories import TEAM, add_roster, new_case

BEN = Actor(TEAM, "U0BEN0002")


def _statements_to_open(ctx: ServiceContext, number: int) -> int:
    seen: list[str] = []
    engine = ctx.sessions.kw["bind"]

    def count(*_args: object) -> None:
        seen.append("statement")

    event.listen(engine, "before_cursor_execute", count)
    try:
        queries.case_detail(ctx, BEN, number, via="test")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_opening_a_case_reads_its_people_in_a_fixed_number_of_statements(
    ctx: ServiceContext,
) -> None:
    add_roster(ctx)
    one = new_case(ctx, involved_names=["Pat One"]).number
    many = new_case(
        ctx, involved_names=["Pat A", "Pat B", "Pat C"], witness_names=["Wit D", "Wit E"]
    ).number
    for number in (one, many):  # warm: the first read of a kind compiles its statements
        queries.case_detail(ctx, BEN, number, via="test")
    assert _statements_to_open(ctx, many) == _statements_to_open(ctx, one)
    detail = queries.case_detail(ctx, BEN, many, via="test")
    named = [p.person_code_name for p in detail.parties if p.person_code_name]
    assert len(named) == 5 and len(set(named)) == 5


def test_a_merged_person_is_shown_by_the_code_name_kept(ctx: ServiceContext) -> None:
    add_roster(ctx)
    first = new_case(ctx, involved_names=["Sam Doe"]).number
    second = new_case(ctx, involved_names=["sam doe"]).number
    ((kept, merged),) = identity.merge_suggestions(ctx, BEN)
    identity.merge_people(ctx, BEN, kept, merged, confirmed=True)
    for number in (first, second):
        detail = queries.case_detail(ctx, BEN, number, via="test")
        shown = {p.person_code_name for p in detail.parties if p.person_code_name}
        assert shown == {kept}
        assert {p.code_name for p in people.people_of(ctx, BEN, number).people} >= shown
