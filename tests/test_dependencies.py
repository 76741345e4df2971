"""Dependencies (issue 22): floors past known advisories, upper bounds, a constraints file
that `make` installs from and that satisfies pyproject.toml, and no matplotlib in the web
process (it is only needed where charts are drawn)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in project["dependencies"]] + [
        Requirement(r) for r in project["optional-dependencies"]["dev"]
    ]


def _pins() -> dict[str, Version]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_floors_are_past_the_known_advisories() -> None:
    by_name = {canonicalize_name(r.name): r for r in _requirements()}
    for name, too_old, fixed in (
        ("waitress", "3.0.0", "3.0.1"),
        ("gunicorn", "22.0.0", "23.0.0"),
    ):
        spec = by_name[name].specifier
        assert not spec.contains(too_old) and spec.contains(fixed), name


def test_runtime_dependencies_have_upper_bounds() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in map(Requirement, project["dependencies"]):
        assert any(s.operator == "<" for s in requirement.specifier), requirement.name


def test_constraints_pin_every_dependency_within_its_range() -> None:
    pins = _pins()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not pinned in constraints.txt (run `make constraints`)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_make_installs_from_the_constraints() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet -c constraints.txt -e '.[dev]'" in makefile
    assert "\nconstraints:" in makefile


def test_the_web_app_does_not_import_matplotlib(tmp_path: Path) -> None:
    """matplotlib costs memory and start-up time in every web process; it is imported only
    where a chart is drawn (`/coc stats`, `slack-coc transparency`). The WSGI entry is
    imported as gunicorn imports it, with the CLI and every listener module."""
    code = (
        "import sys\n"
        "import slack_coc.wsgi, slack_coc.cli, slack_coc.slack.listeners.records\n"
        "assert slack_coc.wsgi.application\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
        "SLACK_BOT_TOKEN": "xoxb-web",
        "SLACK_SIGNING_SECRET": "web-secret",
        "COC_CHANNEL_ID": "C0123456789",
        "COC_WEB_ONLY": "1",
        "COC_ENCRYPTION_KEYS": TEST_KEY,
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "[]"
