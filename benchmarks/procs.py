"""Starting and watching the benchmark's server processes: the fake Slack, `slack-coc serve`
and the bare Bolt app. Peak memory and idleness come from /proc (Linux)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.load import wait_healthy
from benchmarks.servers import BENCH_SIGNING_SECRET, BENCH_TOKEN, THREADS

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SLACK_COC = str(Path(PYTHON).with_name("slack-coc"))
CHANNEL = "C0COCGROUP"


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    url: str

    @property
    def pid(self) -> int:
        return self.popen.pid

    def status(self, field: str) -> int:
        """A kB figure from /proc/PID/status (VmRSS, VmHWM)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def cpu_ticks(self) -> int:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    def wait_idle(self, quiet_ticks: int = 2, timeout: float = 60) -> None:
        """Until the process stops using CPU (work left after the acks is done)."""
        deadline = time.monotonic() + timeout
        before = self.cpu_ticks()
        while time.monotonic() < deadline:
            time.sleep(0.3)
            now = self.cpu_ticks()
            if now - before <= quiet_ticks:
                return
            before = now

    def stop(self) -> None:
        if self.popen.poll() is None:
            if self.popen.stdin:
                self.popen.stdin.close()
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def _announced(popen: subprocess.Popen[bytes]) -> int:
    assert popen.stdout is not None
    line = popen.stdout.readline()
    if not line:
        raise RuntimeError("server process exited before announcing its port")
    return int(json.loads(line)["port"])


def start_fake() -> Proc:
    popen = subprocess.Popen(
        [PYTHON, str(ROOT / "benchmarks" / "servers.py"), "fake"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    port = _announced(popen)
    return Proc("fake", popen, f"http://127.0.0.1:{port}/")


def start_bare(fake: Proc) -> Proc:
    popen = subprocess.Popen(
        [PYTHON, str(ROOT / "benchmarks" / "servers.py"), "bare", fake.url + "api/"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=ROOT,
    )
    port = _announced(popen)
    proc = Proc("bare", popen, f"http://127.0.0.1:{port}/slack/events")
    wait_healthy(proc.url)
    return proc


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Settings of the app's processes that a run may choose (`run.py --concurrency`).
APP_SETTINGS: dict[str, str] = {}


def serve_env(fake_url: str, database_url: str, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COC_"))}
    env.update(APP_SETTINGS)
    env.update(
        SLACK_BOT_TOKEN=BENCH_TOKEN,
        SLACK_SIGNING_SECRET=BENCH_SIGNING_SECRET,
        SLACK_API_URL=fake_url + "api/",
        DATABASE_URL=database_url,
        COC_CHANNEL_ID=CHANNEL,
        COC_ENCRYPTION_KEYS=key,
    )
    return env


def start_serve(
    fake: Proc,
    database_url: str,
    key: str,
    *,
    scheduler: bool = False,
    web_only: bool = False,
    log_path: Path | None = None,
) -> Proc:
    """`slack-coc serve` as operators run it (HTTP, waitress; with the inbox and outbox pumps,
    or with `--web-only` beside `slack-coc worker`)."""
    port = free_port()
    args = [
        SLACK_COC,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--threads",
        str(THREADS),
    ]
    if not scheduler:
        args.append("--no-scheduler")
    if web_only:
        args.append("--web-only")
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    popen = subprocess.Popen(
        args,
        env=serve_env(fake.url, database_url, key),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
    )
    proc = Proc("serve", popen, f"http://127.0.0.1:{port}/slack/events")
    wait_healthy(proc.url, timeout=60)
    return proc


WORKER_NICE = 10


def start_worker(fake: Proc, database_url: str, key: str, *, log_path: Path | None = None) -> Proc:
    """`slack-coc worker` at a lower CPU priority than `serve` (nice 10), as the operations
    guide recommends when both share a host: acknowledgements come first, the work follows.
    Its sweep runs once at start and then hourly, so that runs stay comparable."""
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115
    popen = subprocess.Popen(
        [SLACK_COC, "worker", "--interval", "3600"],
        env=serve_env(fake.url, database_url, key),
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=out,
        preexec_fn=lambda: os.nice(WORKER_NICE),
    )
    return Proc("worker", popen, "")
