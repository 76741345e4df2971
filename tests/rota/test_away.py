"""A member marks themself away from App Home: the absence is stored (paging and the rota
skip them), their App Home shows it, and the handover reminder says so."""

from __future__ import annotations

from datetime import date

import pytest

from slack_coc.context import ServiceContext
from slack_coc.domain.errors import InvalidInput, NotPermitted
from slack_coc.read_models import home
from slack_coc.services import rota
from slack_coc.slack.blocks.home import build_home
from slack_coc.slack.ids import Action, Callback
from tests.conftest import actor
from tests.e2e.conftest import (  # noqa: F401
    CHANNEL,
    app_server,
    build_server,
    e2e_runtime,
    e2e_settings,
)
from tests.e2e.harness import AppServer
from tests.e2e.test_case_flow_e2e import BEN, CAT, DAN, calls_count, field, modal_after, values
from tests.factories import TEAM, add_roster


def test_mark_away_is_shown_on_app_home(ctx: ServiceContext) -> None:
    add_roster(ctx)
    today = ctx.clock.now().date()
    with pytest.raises(InvalidInput, match="past"):
        rota.mark_away(ctx, actor(CAT), date(2020, 1, 1), date(2020, 1, 2))
    with pytest.raises(InvalidInput, match="before it starts"):
        rota.mark_away(ctx, actor(CAT), today.replace(day=28), today.replace(day=27))
    with pytest.raises(NotPermitted):
        rota.mark_away(ctx, actor("U0OUTSIDE1"), today, today)
    rota.mark_away(ctx, actor(CAT), date(2026, 12, 1), date(2026, 12, 5))
    data = home.home_data(ctx, actor(CAT))
    assert data.away == [(date(2026, 12, 1), date(2026, 12, 5))]
    assert "01 Dec to 05 Dec 2026" in str(build_home(data))
    assert home.home_data(ctx, actor(DAN)).away == []


def test_away_from_app_home_over_http(app_server: AppServer) -> None:  # noqa: F811
    server = app_server
    add_roster(server.rt.ctx)
    before = calls_count(server)
    server.click(BEN, Action.MARK_AWAY.value, "away")
    form = modal_after(server, before)
    assert form["callback_id"] == Callback.MARK_AWAY.value
    done = server.submit(
        BEN,
        form,
        values(
            field("from", {"type": "datepicker", "selected_date": "2026-12-07"}),
            field("to", {"type": "datepicker", "selected_date": "2026-12-11"}),
        ),
    )
    assert done.json()["response_action"] == "update", done.json()
    assert [a.user_id for a in rota.list_absences(server.rt.ctx, TEAM)] == [BEN]
