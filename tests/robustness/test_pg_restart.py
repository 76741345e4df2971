"""A real PostgreSQL restart under load: a throwaway cluster of our own (initdb, pg_ctl) on
a free port, `slack-coc serve` on it, four clients sending `/coc list` while the server is
restarted. No 5xx; every request is either stored (empty ack) or refused with "try again";
`serve` recovers without a restart; every stored request is answered exactly once."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from slack_coc.services import members
from tests.conftest import TEAM
from tests.e2e.harness import SIGNING_SECRET, Payloads, post_signed, wait_for
from tests.factories import ROSTER
from tests.fakeslack import FakeSlack
from tests.robustness.conftest import BEN
from tests.robustness.test_kill import Serve, free_port, runtime_on

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
RUNUSER = shutil.which("runuser")
CAN_RUN = bool(PG_BIN and RUNUSER and os.geteuid() == 0)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CAN_RUN, reason="needs PostgreSQL's server binaries and root (to run as postgres)"
    ),
]


def as_postgres(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(RUNUSER), "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=120
    )
    if check and done.returncode:
        raise AssertionError(f"{args[0]} {args[-2:]} exited {done.returncode}: {done.stderr}")
    return done


class Cluster:
    """A PostgreSQL server of our own, so restarting it disturbs nobody else."""

    def __init__(self, root: Path) -> None:
        self.bin = Path(PG_BIN[-1])
        self.data = root / "data"
        self.port = free_port()
        root.mkdir(parents=True, exist_ok=True)
        shutil.chown(root, "postgres")
        as_postgres(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                    "--auth=trust", "--no-sync")  # fmt: skip
        self.options = f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1"
        self.log = root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", self.options,
                    "-l", str(self.log), "-w", *args)  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "immediate")


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("pgcluster")
    for folder in (root, root.parent, root.parent.parent):  # postgres must reach its folder
        os.chmod(folder, 0o755)
    own = Cluster(root / "pg")
    own.start()
    try:
        yield own
    finally:
        own.stop()


def test_postgresql_restart_under_load(
    cluster: Cluster, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    serve = Serve(fake_slack, cluster.url, tmp_path / "serve.log")
    rt = runtime_on(fake_slack, cluster.url)
    results: list[tuple[float, int, bytes]] = []
    lock = threading.Lock()
    stop = threading.Event()
    started = time.monotonic()
    try:
        for user_id, name, chair in ROSTER:
            members.add_member(rt.ctx, TEAM, user_id, name, chair=chair)
        payloads = Payloads(TEAM, fake_slack)

        def client() -> None:
            while not stop.is_set():
                body = urlencode(payloads.slash_command(BEN, "list"))
                form = "application/x-www-form-urlencoded"
                try:
                    answer = post_signed(serve.url + "/slack/events", body, form, SIGNING_SECRET)
                except OSError:
                    answer = None
                with lock:
                    at = time.monotonic() - started
                    results.append(
                        (at, answer.status if answer else 0, answer.body if answer else b"")
                    )
                time.sleep(0.02)

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        cluster.restart()
        back = time.monotonic() - started
        time.sleep(3.0)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

        assert results and all(status == 200 for _at, status, _b in results), sorted(
            {status for _at, status, _b in results}
        )
        stored = [body for _at, _s, body in results if body == b""]
        refused = [body for _at, _s, body in results if body != b""]
        assert all(b"try again" in body.lower() for body in refused), refused[:3]
        assert refused, "no request met the restart"
        late = [body for at, _s, body in results if at > back + 1.0]
        assert late and all(body == b"" for body in late), "serve did not recover by itself"
        rt.engine.dispose()  # its connections died with the restart

        def waiting() -> int:
            with rt.engine.connect() as conn:
                return int(
                    conn.execute(text("SELECT count(*) FROM inbox WHERE done_at IS NULL")).scalar()
                    or 0
                )

        wait_for(lambda: waiting() == 0, timeout=60, what="every stored request to be done")
        # Each stored request is answered once: a reply lost with a crash would be missing,
        # one worked on twice would be here twice.
        wait_for(lambda: len(fake_slack.calls("response_url")) >= len(stored), timeout=30,
                 what="the replies")  # fmt: skip
        time.sleep(0.5)
        assert len(fake_slack.calls("response_url")) == len(stored)
        fake_slack.assert_clean()
    finally:
        stop.set()
        serve.stop()
        rt.engine.dispose()
