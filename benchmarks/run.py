"""slack-coc benchmark: one command, tables on standard output.

    .venv/bin/python benchmarks/run.py                 # full run, SQLite (+ PostgreSQL if set)
    .venv/bin/python benchmarks/run.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/run.py --quick         # CI: statement counts must stay flat

Full run, per backend (SQLite; PostgreSQL when --pg or COC_TEST_DATABASE_URL is given) and per
case count: SQL statements per request; App Home render, sweep and transparency report times;
then `slack-coc serve` (subprocess, HTTP, waitress) and a bare Bolt app that only acks (same
server, same threads) are loaded in turn, closed loop, with signed slash commands (`/coc list`),
button clicks ("Open case") and view submissions ("Log a report") at 1 / 20 / 100 clients;
ack latency p50/p95/p99 and the ratio to bare Bolt, with PASS/MISS against the targets; peak
RSS of `serve` (VmHWM). Targets are printed, never asserted in unit tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import inprocess, procs
from benchmarks.load import LoadResult, Requests, run_load, summarize
from benchmarks.seen import SEEN_KINDS, measure_seen
from benchmarks.servers import BENCH_SIGNING_SECRET
from benchmarks.tables import (
    P99_TARGET_MS,
    RATIO_TARGET,
    ROUNDS,
    RSS_TARGET_MB,
    markdown,
    print_report,
)

KINDS = {"command": "/coc list", "click": "click: open case", "submit": "view submission"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="only check that statements per request stay flat (CI)"
    )
    parser.add_argument(
        "--pg",
        default=os.environ.get("COC_TEST_DATABASE_URL"),
        help="PostgreSQL admin URL (a throwaway database is made there)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--cases", default="1000,10000,100000", help="case counts")
    parser.add_argument("--clients", default="1,20,100", help="concurrent clients")
    parser.add_argument("--kinds", default="command,click,submit", help=", ".join(KINDS))
    parser.add_argument(
        "--layout",
        choices=("split", "single"),
        default="split",
        help="split: `serve --web-only` + `slack-coc worker` (nice 10); single: `serve` alone",
    )
    parser.add_argument(
        "--seen",
        default="open,step,report",
        help="what a person sees: " + ", ".join(SEEN_KINDS) + " (empty: skip)",
    )
    parser.add_argument("--rtt", default="0,100", help="the fake Slack's round trip, ms")
    parser.add_argument(
        "--seen-requests", type=int, default=60, help="requests per run of what a person sees"
    )
    parser.add_argument(
        "--seen-only", action="store_true", help="only what a person sees (no ack loads)"
    )
    parser.add_argument(
        "--concurrency", type=int, help="COC_WORKER_CONCURRENCY of serve and the workers"
    )
    parser.add_argument("--workers", type=int, default=1, help="`slack-coc worker` processes")
    parser.add_argument(
        "--requests",
        type=int,
        default=300,
        help="measured requests per run (at least 5 per client)",
    )
    return parser.parse_args(argv)


def backends(args: argparse.Namespace) -> list[tuple[str, str | None]]:
    chosen: list[tuple[str, str | None]] = [] if args.no_sqlite else [("sqlite", None)]
    if args.pg:
        chosen.append(("postgresql", args.pg))
    return chosen


# ---------------------------------------------------------------------------------- quick
def quick(args: argparse.Namespace) -> int:
    from tests.fakeslack import FakeSlack

    sizes = (100, 2000)
    rows, grown = [], []
    with FakeSlack(token="xoxb-fake-bot-token") as fake:
        for backend, pg in backends(args):
            counts = {}
            for size in sizes:
                counts[size] = _statements(pg, fake.root_url, size)
            for kind in counts[sizes[0]]:
                small, large = counts[sizes[0]][kind], counts[sizes[1]][kind]
                flat = large <= small
                rows.append([backend, kind, str(small), str(large), "flat" if flat else "GROWS"])
                if not flat:
                    grown.append(f"{backend} {kind}: {small} -> {large}")
        violations = list(fake.violations)
    print(f"## SQL statements per request ({sizes[0]} vs {sizes[1]} cases)\n")
    print(markdown(["backend", "request", f"{sizes[0]} cases", f"{sizes[1]} cases", ""], rows))
    if violations:
        print("\nthe app's Slack calls broke Slack's definitions:\n" + "\n".join(violations))
        return 1
    if grown:
        print("\nstatement counts grow with the number of cases: " + "; ".join(grown))
        return 1
    return 0


def _statements(pg: str | None, fake_url: str, size: int) -> dict[str, int]:
    with inprocess.throwaway_database(pg) as url:
        rt = inprocess.runtime_for(url, fake_url)
        try:
            inprocess.prepare_database(rt, size)
            return inprocess.statements_per_request(rt, fake_url, inprocess.new_open_case(rt))
        finally:
            rt.engine.dispose()


# ---------------------------------------------------------------------------------- full
def full(args: argparse.Namespace) -> int:
    sizes = [int(x) for x in args.cases.split(",")]
    clients = [int(x) for x in args.clients.split(",")]
    kinds = [k for k in args.kinds.split(",") if k]
    statements: list[list[str]] = []
    timings: list[list[str]] = []
    latency: list[list[str]] = []
    memory: list[list[str]] = []
    seen: list[list[str]] = []
    fake = procs.start_fake()
    try:
        for backend, pg in backends(args):
            for size in sizes:
                print(f"[{backend} {size} cases] preparing", file=sys.stderr, flush=True)
                with inprocess.throwaway_database(pg) as url:
                    measure_size(
                        args,
                        backend,
                        url,
                        size,
                        clients,
                        kinds,
                        fake,
                        statements,
                        timings,
                        latency,
                        memory,
                        seen,
                    )
    finally:
        fake.stop()
    print_report(statements, timings, latency, memory, seen, statements_header)
    return 0


def measure_size(
    args: argparse.Namespace,
    backend: str,
    url: str,
    size: int,
    clients: list[int],
    kinds: list[str],
    fake: procs.Proc,
    statements: list[list[str]],
    timings: list[list[str]],
    latency: list[list[str]],
    memory: list[list[str]],
    seen: list[list[str]],
) -> None:
    rt = inprocess.runtime_for(url, fake.url)
    try:
        seed_s = inprocess.prepare_database(rt, size)
        if args.seen_only:  # no statements, jobs or acks: what a person sees alone
            inprocess.settle_sweeps(rt)  # else done by the sweep timings below
            rt.engine.dispose()
            return measure_processes(args, backend, url, size, clients, kinds, fake, latency,
                                     memory, seen)  # fmt: skip
        case_number = inprocess.new_open_case(rt)
        counts = inprocess.statements_per_request(rt, fake.url, case_number)
        statements.append([backend, f"{size:,}", *(str(v) for v in counts.values())])
        statements_header[:] = ["backend", "cases", *counts]
        home = inprocess.home_render_ms(rt)
        first_sweep, again = inprocess.sweep_ms(rt)
        report = inprocess.transparency_ms(rt)
        timings.append(
            [
                backend,
                f"{size:,}",
                f"{seed_s:.1f} s",
                f"{home:.1f}",
                f"{first_sweep:.0f}",
                f"{again:.0f}",
                f"{report:.0f}",
            ]
        )
    finally:
        rt.engine.dispose()
    measure_processes(args, backend, url, size, clients, kinds, fake, latency, memory, seen)


def measure_processes(
    args: argparse.Namespace,
    backend: str,
    url: str,
    size: int,
    clients: list[int],
    kinds: list[str],
    fake: procs.Proc,
    latency: list[list[str]],
    memory: list[list[str]],
    seen: list[list[str]],
) -> None:
    """`serve` (and its worker) and bare Bolt under load: acks, then what a person sees."""
    split = args.layout == "split"
    serve = procs.start_serve(fake, url, inprocess.KEY, web_only=split)
    count = args.workers if split else 0
    workers = [procs.start_worker(fake, url, inprocess.KEY) for _ in range(count)]
    busy = [*workers, fake]
    bare = procs.start_bare(fake)
    watch = inprocess.runtime_for(url, fake.url)
    try:
        requests = Requests(fake.url, size)
        for kind in [] if args.seen_only else kinds:
            for n in clients:
                total = max(args.requests, 5 * n)
                print(f"[{backend} {size} cases] {kind} x{n}", file=sys.stderr, flush=True)
                ours_parts, base_parts, drained = [], [], 0.0
                for part in rounds(total, n):
                    ours_parts.append(_load(serve, busy, requests, kind, n, part))
                    drained = max(drained, _drained_after(watch))
                    base_parts.append(_load(bare, busy, requests, kind, n, part))
                ours = {**summarize(merged(ours_parts)), "drained": drained}
                base = summarize(merged(base_parts))
                latency.append(latency_row(backend, size, kind, n, ours, base))
        seen_kinds = [k for k in args.seen.split(",") if k]
        if seen_kinds:
            rtts = [float(x) for x in args.rtt.split(",")]
            seen += measure_seen(
                backend, size, seen_kinds, rtts, clients, args.seen_requests,
                serve, bare, busy, fake, watch, requests,
            )  # fmt: skip
        hwm = serve.status("VmHWM") / 1024
        worker_hwm = f"{max(w.status('VmHWM') for w in workers) / 1024:.0f} MB" if workers else "-"
        memory.append(
            [
                backend,
                f"{size:,}",
                f"{hwm:.0f} MB",
                worker_hwm,
                "PASS" if hwm < RSS_TARGET_MB else "MISS",
            ]
        )
    finally:
        watch.engine.dispose()
        serve.stop()
        for worker in workers:
            worker.stop()
        bare.stop()


def _drained_after(rt: Any, timeout: float = 600) -> float:
    """Seconds from the last ack until the inbox is empty: when the work itself was done."""
    from slack_coc.queues import inbox

    started = time.monotonic()
    while inbox.waiting(rt.ctx) and time.monotonic() - started < timeout:
        time.sleep(0.05)
    return time.monotonic() - started


statements_header: list[str] = []
TICKS = os.sysconf("SC_CLK_TCK")  # /proc's CPU time unit


def rounds(total: int, clients: int) -> list[int]:
    """Requests per round. `serve` and bare Bolt take turns, a round each, so that a slow
    spell of a shared machine falls on both rather than on one (at least 5 requests per
    client in a round, so fewer rounds at 100 clients)."""
    count = max(1, min(ROUNDS, total // (5 * clients)))
    return [total // count + (1 if i < total % count else 0) for i in range(count)]


def merged(parts: list[LoadResult]) -> LoadResult:
    whole = LoadResult()
    for part in parts:
        whole.latencies.extend(part.latencies)
        for status, count in part.statuses.items():
            whole.statuses[status] = whole.statuses.get(status, 0) + count
        whole.errors += part.errors
        whole.wall += part.wall
    return whole


def _load(
    proc: procs.Proc,
    others: list[procs.Proc],
    requests: Requests,
    kind: str,
    clients: int,
    total: int,
) -> LoadResult:
    # Work left from the previous run (after its acks) must not slow this one down.
    proc.wait_idle()
    for other in others:
        other.wait_idle(timeout=300)
    watched = [proc, *others]
    ticks = {p.name: p.cpu_ticks() for p in watched}
    result = run_load(
        proc.url, requests.kind(kind), BENCH_SIGNING_SECRET, clients=clients, requests=total
    )
    # CPU per request (ms) of each process while the load ran: where an ack's time goes.
    cpu = {p.name: (p.cpu_ticks() - ticks[p.name]) * 1000 / TICKS / total for p in watched}
    print(f"  {proc.name} {kind} x{clients}: CPU ms per request "
          + ", ".join(f"{name} {ms:.1f}" for name, ms in cpu.items()),
          file=sys.stderr, flush=True)  # fmt: skip
    if result.non_2xx or result.errors:
        print(f"  {proc.name}: statuses {result.statuses}, connection errors {result.errors}",
              file=sys.stderr, flush=True)  # fmt: skip
    return result


def latency_row(
    backend: str, size: int, kind: str, clients: int, ours: dict[str, Any], base: dict[str, Any]
) -> list[str]:
    ratio50 = ours["p50"] / base["p50"] if base["p50"] else float("nan")
    ratio99 = ours["p99"] / base["p99"] if base["p99"] else float("nan")
    verdict = "PASS" if ours["p99"] < P99_TARGET_MS and ratio50 <= RATIO_TARGET else "MISS"
    return [
        backend,
        f"{size:,}",
        KINDS[kind],
        str(clients),
        f"{ours['p50']:.1f}",
        f"{ours['p95']:.1f}",
        f"{ours['p99']:.1f}",
        f"{base['p50']:.1f}",
        f"{base['p99']:.1f}",
        f"{ratio50:.2f}",
        f"{ratio99:.2f}",
        f"{ours['rps']:.0f}",
        f"{ours['drained']:.1f}",
        str(ours["bad"] + base["bad"]),
        verdict,
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.concurrency:
        procs.APP_SETTINGS["COC_WORKER_CONCURRENCY"] = str(args.concurrency)
    return quick(args) if args.quick else full(args)


if __name__ == "__main__":
    sys.exit(main())
