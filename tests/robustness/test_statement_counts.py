"""SQL statements per request do not depend on the number of cases (the same measurement as
`benchmarks/run.py --quick`, at smaller sizes): no query per case, no N+1."""

from __future__ import annotations

from benchmarks import inprocess
from tests.conftest import PG_URL
from tests.fakeslack import FakeSlack


def counts_with(cases: int, fake: FakeSlack) -> dict[str, int]:
    with inprocess.throwaway_database(PG_URL) as url:
        rt = inprocess.runtime_for(url, fake.root_url)
        try:
            inprocess.prepare_database(rt, cases)
            return inprocess.statements_per_request(rt, fake.root_url, inprocess.new_open_case(rt))
        finally:
            rt.engine.dispose()


def test_statements_per_request_are_flat_in_the_number_of_cases(fake_slack: FakeSlack) -> None:
    few = counts_with(30, fake_slack)
    many = counts_with(600, fake_slack)
    assert set(few) == {
        "/coc list", "/coc show", "click: open case", "view submission: log a report",
        "app_home_opened",
    }  # fmt: skip
    assert all(n > 0 for n in few.values())
    assert many == few
