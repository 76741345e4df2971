"""Soak: `slack-coc serve` (scheduler on) under steady mixed traffic for a long time, with
memory, threads, file descriptors, latency and the outbox backlog sampled; the report says
how they drifted between the first and the last fifth of the run. Not for CI.

    .venv/bin/python benchmarks/soak.py                     # 30 minutes, SQLite, 10,000 cases
    .venv/bin/python benchmarks/soak.py --minutes 5 --pg postgresql+psycopg://...

Everything runs on loopback: the fake Slack Web API, the app, the database. Traffic is paced
(open loop, `--rate` requests per second over `--clients` clients) so a slow app shows up as
latency, not as less load; the run ends at the deadline whatever happens.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import inprocess, procs
from benchmarks.load import Requests, send
from benchmarks.servers import BENCH_SIGNING_SECRET
from benchmarks.tables import markdown
from slack_coc.queues import inbox

MIX = {"command": 0.3, "click": 0.3, "home": 0.2, "submit": 0.1, "show": 0.1}


@dataclass
class Window:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


@dataclass
class Sample:
    minute: float
    rss_mb: float
    hwm_mb: float
    threads: int
    fds: int
    p50: float
    p99: float
    requests: int
    errors: int
    outbox_pending: int
    inbox_waiting: int


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=float, default=10, help="requests per second in all")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--sample-seconds", type=float, default=30)
    parser.add_argument("--pg", default=os.environ.get("COC_TEST_DATABASE_URL"),
                        help="PostgreSQL admin URL (default: SQLite)")  # fmt: skip
    return parser.parse_args(argv)


class Traffic:
    def __init__(self, url: str, requests: Requests, rate: float, clients: int) -> None:
        self.url, self.requests = url, requests
        self.interval = clients / rate
        self.clients = clients
        self.window = Window()
        self.total = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _make(self, rng: random.Random):  # type: ignore[no-untyped-def]
        kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
        if kind == "show":
            return self.requests.command(f"show {rng.randint(1, self.requests.case_count)}")
        return self.requests.kind(kind)()

    def _client(self, seed: int) -> None:
        rng = random.Random(seed)
        next_at = time.monotonic() + rng.random() * self.interval
        while not self._stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0 and self._stop.wait(delay):
                break
            next_at += self.interval
            request = self._make(rng)
            started = time.perf_counter()
            try:
                status, _ = send(self.url, request, BENCH_SIGNING_SECRET, timeout=10)
                ok = 200 <= status < 300
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with self._lock:
                self.total += 1
                self.window.latencies.append(elapsed)
                self.window.errors += 0 if ok else 1

    def start(self) -> None:
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def take_window(self) -> Window:
        with self._lock:
            window, self.window = self.window, Window()
        return window

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000


def outbox_pending(rt: object) -> int:
    from sqlalchemy import text

    with rt.engine.connect() as conn:  # type: ignore[attr-defined]
        return int(conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'pending'"))
                   .scalar_one())  # fmt: skip


def soak(args: argparse.Namespace) -> list[Sample]:
    fake = procs.start_fake()
    samples: list[Sample] = []
    try:
        with inprocess.throwaway_database(args.pg) as url:
            rt = inprocess.runtime_for(url, fake.url)
            print(f"seeding {args.cases:,} cases", file=sys.stderr, flush=True)
            inprocess.prepare_database(rt, args.cases)
            serve = procs.start_serve(fake, url, inprocess.KEY, scheduler=True)
            traffic = Traffic(serve.url, Requests(fake.url, args.cases), args.rate, args.clients)
            started = time.monotonic()
            deadline = started + args.minutes * 60
            traffic.start()
            try:
                while time.monotonic() < deadline:
                    time.sleep(min(args.sample_seconds, max(0.0, deadline - time.monotonic())))
                    window = traffic.take_window()
                    sample = Sample(
                        minute=(time.monotonic() - started) / 60,
                        rss_mb=serve.status("VmRSS") / 1024,
                        hwm_mb=serve.status("VmHWM") / 1024,
                        threads=serve.status("Threads"),
                        fds=len(os.listdir(f"/proc/{serve.pid}/fd")),
                        p50=pct(window.latencies, 50),
                        p99=pct(window.latencies, 99),
                        requests=len(window.latencies),
                        errors=window.errors,
                        outbox_pending=outbox_pending(rt),
                        inbox_waiting=inbox.waiting(rt.ctx),
                    )
                    samples.append(sample)
                    print(f"{sample.minute:5.1f} min  rss {sample.rss_mb:.0f} MB  "
                          f"p50 {sample.p50:.0f} ms  p99 {sample.p99:.0f} ms  "
                          f"errors {sample.errors}  outbox {sample.outbox_pending}  "
                          f"inbox {sample.inbox_waiting}",
                          file=sys.stderr, flush=True)  # fmt: skip
            finally:
                traffic.stop()
                serve.stop()
                rt.engine.dispose()
    finally:
        fake.stop()
    return samples


def report(args: argparse.Namespace, samples: list[Sample]) -> str:
    backend = "postgresql" if args.pg else "sqlite"
    lines = [
        f"# slack-coc soak: {args.minutes:g} min, {backend}, {args.cases:,} cases, "
        f"{args.rate:g} req/s over {args.clients} clients\n",
        markdown(
            ["minute", "RSS MB", "peak MB", "threads", "fds", "p50 ms", "p99 ms", "requests",
             "errors", "outbox pending", "inbox waiting"],
            [[f"{s.minute:.1f}", f"{s.rss_mb:.0f}", f"{s.hwm_mb:.0f}", str(s.threads),
              str(s.fds), f"{s.p50:.0f}", f"{s.p99:.0f}", str(s.requests), str(s.errors),
              str(s.outbox_pending), str(s.inbox_waiting)] for s in samples],
        ),
    ]  # fmt: skip
    if len(samples) >= 5:
        fifth = max(1, len(samples) // 5)
        first, last = samples[:fifth], samples[-fifth:]

        def mean(rows: list[Sample], attr: str) -> float:
            return statistics.fmean(getattr(r, attr) for r in rows)

        hours = (samples[-1].minute - samples[0].minute) / 60 or 1
        rows = []
        for attr, label in (("rss_mb", "RSS MB"), ("threads", "threads"), ("fds", "open fds"),
                            ("p50", "p50 ms"), ("p99", "p99 ms"),
                            ("outbox_pending", "outbox pending"),
                            ("inbox_waiting", "inbox waiting")):  # fmt: skip
            a, b = mean(first, attr), mean(last, attr)
            rows.append([label, f"{a:.1f}", f"{b:.1f}", f"{b - a:+.1f}",
                         f"{(b - a) / hours:+.1f}"])  # fmt: skip
        lines += [
            "\n## Drift (first fifth vs last fifth of the run)\n",
            markdown(["measure", "first", "last", "change", "per hour"], rows),
        ]
    errors = sum(s.errors for s in samples)
    lines.append(f"\n{sum(s.requests for s in samples)} requests, {errors} errors.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    samples = soak(args)
    print(report(args, samples))
    return 0 if samples and not any(s.errors for s in samples) else 1


if __name__ == "__main__":
    sys.exit(main())
