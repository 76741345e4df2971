"""App Home: builder output is valid Block Kit and shows only what the member may see."""

from __future__ import annotations

import json

from slack_coc.context import ServiceContext
from slack_coc.read_models.home import home_data
from slack_coc.services import cases, members
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.ids import Action
from tests.conftest import actor
from tests.factories import add_roster, new_case
from tests.slack.conftest import assert_home_valid

MARKER = "ZEBRA-MARKER-7731"


def test_member_home_lists_visible_cases_without_report_content(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, account=f"narrative {MARKER}", involved_names=[f"Name {MARKER}"])
    second = new_case(ctx, involved_user_ids=["U0BEN0002"])  # Ben is recused from #2
    cases.acknowledge(ctx, actor("U0ANA0001"), 1)

    ana = build_home(home_data(ctx, actor("U0ANA0001")))
    ben = build_home(home_data(ctx, actor("U0BEN0002")))

    assert_home_valid(ana)
    assert_home_valid(ben)
    text = json.dumps(ana)
    assert MARKER not in text
    assert "*#1*" in text and f"*#{second.number}*" in text
    assert Action.LOG_REPORT.value in text
    # Ana acknowledged #1: it is among her cases (listed twice: mine + open), and each row
    # has a block id of its own (Slack refuses a view that repeats one).
    assert '"case_my_1"' in text and '"case_open_1"' in text
    assert f"*#{second.number}*" not in json.dumps(ben)


def test_new_member_sees_onboarding_and_no_case_details(ctx: ServiceContext) -> None:
    add_roster(ctx)
    new_case(ctx, account=MARKER)
    members.add_member(ctx, "T0TEAM0001", "U0NEW0009", "Newcomer")
    view = build_home(home_data(ctx, actor("U0NEW0009")))
    assert_home_valid(view)
    text = json.dumps(view)
    assert Action.DECLARE_CONFLICTS.value in text
    assert Action.OPEN_CASE.value not in text
    assert MARKER not in text


def test_stranger_home_explains_how_to_report(ctx: ServiceContext) -> None:
    view = build_home(home_data(ctx, actor("U0STRANGER")))
    assert_home_valid(view)
    assert "Report a concern" in json.dumps(view)
    assert Action.OPEN_CASE.value not in json.dumps(view)


def test_one_builder_makes_block_ids_unique_in_any_view() -> None:
    from slack_sdk.models.blocks import DividerBlock, SectionBlock

    from slack_coc.slack.block_ids import blocks_json

    row = SectionBlock(block_id="case_7", text="#7")
    built = blocks_json([row, DividerBlock(), row, {"type": "divider"}, row])
    ids = [b.get("block_id") for b in built]
    assert ids == ["case_7", None, "case_7-2", None, "case_7-3"]
    assert blocks_json([SectionBlock(block_id="x" * 255, text="a")] * 2)[1]["block_id"] == (
        "x" * 253 + "-2"
    )


def test_every_members_home_read_together_is_each_home_read_alone(ctx: ServiceContext) -> None:
    """A change republishes every member's Home with what they share read once
    (`homes_data_in`): each member still gets exactly their own Home, recusals included."""
    from slack_coc.read_models.home import home_data_in, homes_data_in

    roster = add_roster(ctx)
    new_case(ctx, account=MARKER)
    hidden = new_case(ctx, involved_user_ids=["U0BEN0002"])  # Ben is recused
    cases.acknowledge(ctx, actor("U0ANA0001"), 1)
    members.add_member(ctx, "T0TEAM0001", "U0NEW0009", "Newcomer")  # conflicts not declared
    people = [*roster, "U0NEW0009", "U0STRANGER"]
    now = ctx.clock.now()
    with ctx.read() as session:
        together = list(homes_data_in(session, "T0TEAM0001", people, now, ctx.policy))
        alone = [home_data_in(session, "T0TEAM0001", u, now, ctx.policy) for u in people]
    assert together == alone
    ben = together[people.index("U0BEN0002")]
    assert hidden.number not in [c.number for c in ben.open_cases]
    ana = together[people.index("U0ANA0001")]
    assert hidden.number in [c.number for c in ana.open_cases]


def test_members_who_see_the_same_get_one_view_built_once(ctx: ServiceContext) -> None:
    from slack_coc.read_models.home import homes_data_in
    from slack_coc.slack.blocks.home import build_homes

    roster = add_roster(ctx)
    new_case(ctx)
    cases.acknowledge(ctx, actor("U0ANA0001"), 1)  # #1 is among Ana's own cases
    with ctx.read() as session:
        homes = dict(
            build_homes(homes_data_in(session, "T0TEAM0001", roster, ctx.clock.now(), ctx.policy))
        )
    assert set(homes) == set(roster)
    others = [homes[u] for u in roster if u != "U0ANA0001"]
    assert all(view is others[0] for view in others)  # one build for the alike
    assert homes["U0ANA0001"] != others[0] and '"case_my_1"' in json.dumps(homes["U0ANA0001"])
    for view in homes.values():
        assert_home_valid(view)
