"""`slack-coc preview`: every surface the app shows in Slack, built by its own builders with
demo data (each valid by Slack's schemas and slack_sdk's limits), on one HTML page that a
real headless browser (Debian's Chromium) lays out with every surface and block drawn."""

from __future__ import annotations

import functools
import inspect
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from slack_coc.cli import app
from slack_coc.cli.common import run_cli
from slack_coc.domain.enums import CaseState
from slack_coc.slack.blocks.messages import TEMPLATES
from slack_coc.slack.blocks.thread_notes import EVENT_LABELS
from slack_coc.slack.modals import (
    actions,
    detail,
    mail,
    member_forms,
    notice,
    records,
    report,
    setup,
    steps,
)
from slack_coc.slack.preview import surfaces as demo
from slack_coc.slack.preview.html import mrkdwn, page
from tests.fakeslack import spec

MODAL_MODULES = (actions, detail, mail, member_forms, notice, records, report, setup, steps)
INSTALL_CHROMIUM = "Chromium is not installed: `sudo apt-get install chromium` (Debian/Ubuntu)"


def test_every_surface_is_valid_slack() -> None:
    for s in demo.all_surfaces():
        if s.kind == "message":
            problems = spec.check_blocks(s.content["blocks"], s.title)
        else:
            problems = spec.check_view(s.content)
        assert problems == [], (s.group, s.title)


def test_every_state_template_event_and_home_is_there() -> None:
    surfaces = demo.all_surfaces()
    titles = {(s.group, s.title) for s in surfaces}
    assert {t for g, t in titles if g == "Case card"} == {s.label for s in CaseState}
    assert {t for g, t in titles if g == "Messages"} == {n.replace("_", " ") for n in TEMPLATES}
    assert {t for g, t in titles if g == "Thread notes"} == {
        k.replace("_", " ") for k in EVENT_LABELS
    }
    homes = [s for s in surfaces if s.kind == "home"]
    assert [s.title.split(" ")[0] for s in homes] == ["Member", "Chair", "New", "Not"]


def test_every_modal_builder_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each public `*_modal` builder in slack/modals is called to build the page."""
    called: set[str] = set()
    builders = []
    for module in MODAL_MODULES:
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_modal") and func.__module__ == module.__name__:
                builders.append(f"{module.__name__}.{name}")

                def spy(*a: Any, _f: Any = func, _n: str = name, **k: Any) -> Any:
                    called.add(f"{_f.__module__}.{_n}")
                    return _f(*a, **k)

                monkeypatch.setattr(module, name, functools.wraps(func)(spy))
    demo.all_surfaces()
    assert len(builders) >= 25
    assert sorted(set(builders) - called) == []


def test_mrkdwn_renders_mentions_dates_links_and_escapes() -> None:
    text = "*#7* <@U0DEMOBEN> <!date^1790000000^{date}|2026-09-21> <https://x.org|x> a<b & _c_"
    out = mrkdwn(text)
    assert "<b>#7</b>" in out and "@Ben" in out and "2026-09-21" in out
    assert '<a href="https://x.org">x</a>' in out and "a&lt;b &amp; <i>c</i>" in out


def test_the_page_holds_every_block_of_every_surface() -> None:
    surfaces = demo.all_surfaces()
    html = page(surfaces)
    counts = [int(n) for n in re.findall(r'class="surface kind-\w+" data-blocks="(\d+)"', html)]
    assert counts == [len(s.content.get("blocks") or []) for s in surfaces]
    assert html.count('<div class="block ') == sum(counts)
    assert "unsupported block" not in html and 'class="el unknown"' not in html


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("COC_REQUIRE_BROWSER") == "1":
            pytest.fail(INSTALL_CHROMIUM, pytrace=False)
        pytest.skip(INSTALL_CHROMIUM)
    return found


def test_headless_chromium_draws_every_surface(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chromium = _chromium()
    monkeypatch.chdir(tmp_path)
    assert run_cli(app, ["preview", "--out", "preview"]) == 0
    expected = len(demo.all_surfaces())
    assert capsys.readouterr().out.strip() == f"wrote {expected} surfaces to preview/index.html"
    dom = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",  # as root in CI containers
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--dump-dom",
            (tmp_path / "preview" / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    # The page's own script marks each surface once laid out: every block drawn, with a size.
    assert f"{expected} of {expected} surfaces rendered" in dom
    assert dom.count('data-rendered="yes"') == expected
    assert 'data-rendered="no"' not in dom
