"""The README's commands work as written, in order, in a fresh copy of the project: every
```sh block is run in one shell, as a newcomer would type them into one terminal.

What the harness adds, and why:
- the copy gets this suite's virtualenv as `.venv` (installing one takes minutes), with an
  install stamp so that `make` does not rebuild it;
- `make test` is not run from inside the suite it starts (it is what runs this test);
- before the Slack steps, `.env` holds what README step 3 asks for, pointing at the fake
  Slack (`tests/fakeslack`), which checks every call against Slack's spec;
- `serve` runs until `GET /healthz` answers, then is stopped (it would serve forever).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.fakeslack.server import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^( *)```sh\n(.*?)^\1```", re.S | re.M)
SKIPPED_LINE = "make test"  # this suite is what `make test` runs
SERVE = ".venv/bin/slack-coc serve"
NOT_COPIED = (".venv", ".git", "*.db", "*.key", ".env", "__pycache__", "*_cache", "demo-report")


def readme_blocks(text: str) -> list[str]:
    return [textwrap.dedent(body) for _indent, body in FENCE.findall(text)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def script(blocks: list[str], fake: FakeSlack, port: int) -> str:
    """One bash script: the README's lines, `.env` written before the first Slack step."""
    python = shlex.quote(sys.executable)
    lines = [
        "set -euo pipefail",
        # serve: run it, wait for /healthz, stop it; fails if it never answers.
        "readme_serve() {",
        '  "$@" & pid=$!',
        "  for _ in $(seq 1 150); do",
        f"    if {python} -c 'import sys,urllib.request as u; "
        f'u.urlopen("http://127.0.0.1:{port}/healthz", timeout=1)\' 2>/dev/null; then',
        '      echo "readme: healthz answered"; kill "$pid"; wait "$pid" || true; return 0',
        "    fi",
        '    kill -0 "$pid" 2>/dev/null || { wait "$pid"; return 1; }',
        "    sleep 0.2",
        "  done",
        '  kill "$pid"; return 1',
        "}",
    ]
    env_written = False
    for block in blocks:
        for line in block.splitlines():
            if line.strip() == SKIPPED_LINE or line.strip().startswith(SKIPPED_LINE + " "):
                lines.append(f"echo 'readme: skipped {SKIPPED_LINE} (it runs this test)'")
                continue
            if "slack-coc check" in line and not env_written:
                lines += [
                    "cat > .env <<'ENV'",
                    f"SLACK_BOT_TOKEN={fake.token}",
                    "SLACK_SIGNING_SECRET=8f742231b10e8888abcd99yyyzzz85a5",
                    "COC_CHANNEL_ID=C0COCGROUP",
                    f"SLACK_API_URL={fake.url}",
                    "ENV",
                ]
                env_written = True
            if line.startswith(SERVE):
                line = f"readme_serve {line}"
            lines.append(line)
    assert env_written, "the README's Slack steps (slack-coc check) were not found"
    return "\n".join(lines) + "\n"


@pytest.fixture
def fresh_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "slack-coc"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*NOT_COPIED))
    # The suite's virtualenv, entry by entry, with the copy's own install stamp: newer than
    # the copied pyproject.toml, so `make` does not reinstall.
    venv = copy / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if entry.name != ".installed":
            (venv / entry.name).symlink_to(entry)
    (venv / ".installed").touch()
    return copy


def test_every_readme_command_works_in_order(fresh_copy: Path, fake_slack: FakeSlack) -> None:
    blocks = readme_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(b.startswith("make run") for b in blocks), blocks
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "COC_", "DATABASE_URL", "MAKE", "PYTEST"))
    }
    env.update(PORT=str(port))
    (fresh_copy / "readme.sh").write_text(script(blocks, fake_slack, port))
    done = subprocess.run(
        ["bash", "readme.sh"],
        cwd=fresh_copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-3000:]
    # make run without Slack: says what to configure; the demo: seeded cases marked demo.
    assert "To get going" in out
    assert "\tdemo" in done.stdout
    assert "**Demo**" in done.stdout
    assert (fresh_copy / "demo-report" / "transparency-2026.md").exists()
    assert "surfaces to preview/index.html" in done.stdout
    # The Slack steps: the token verified against the (fake) Slack, then served.
    assert "✓ SLACK_BOT_TOKEN works" in done.stdout
    assert [c.method for c in fake_slack.calls("auth.test")][:1] == ["auth.test"]
    assert "readme: healthz answered" in done.stdout
    assert "Traceback" not in out
