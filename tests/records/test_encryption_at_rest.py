"""Encryption at rest: key rotation, and database dumps that hold no readable report text."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import LargeBinary, select, text, type_coerce
from sqlalchemy.engine import Engine, make_url

from slack_coc import crypto
from slack_coc.cli.keys import encrypted_columns, rotate_all
from slack_coc.clock import FrozenClock
from slack_coc.context import ServiceContext
from slack_coc.db import Base
from slack_coc.services import retention
from tests.conftest import TEST_KEY
from tests.factories import add_roster
from tests.records.conftest import decided_case

MARKERS = ("ZQXDUMP-narrative", "ZQXDUMP-person", "ZQXDUMP-reporter", "zqxdump@example.org")


def marked_cases(ctx: ServiceContext, clock: FrozenClock) -> None:
    add_roster(ctx)
    report = {
        "account": f"{MARKERS[0]} happened",
        "involved_names": [MARKERS[1]],
        "reporter_name": MARKERS[2],
        "reporter_contact": MARKERS[3],
        "when_where": f"{MARKERS[0]} at the sprint",
    }
    decided_case(ctx, clock, datetime(2026, 2, 2, tzinfo=UTC), "warning", **report)
    decided_case(ctx, clock, datetime(2026, 3, 2, tzinfo=UTC), "warning", resolve=False, **report)


def plaintexts(engine: Engine) -> list[str]:
    """Every encrypted value of every table, decrypted with the configured keys."""
    found = []
    with engine.connect() as conn:
        for table_name, names in encrypted_columns().items():
            table = Base.metadata.tables[table_name]
            for row in conn.execute(select(*(table.c[n] for n in names))):
                found += [str(v) for v in row if v is not None]
    return found


def test_encrypted_columns_are_found_from_the_schema() -> None:
    columns = encrypted_columns()
    assert "details" in columns["case"] and {"name", "contact"} <= set(columns["party"])
    assert "raw" in columns["mail_message"]


def test_rotate_reencrypts_everything_so_the_old_key_can_go(
    ctx: ServiceContext, clock: FrozenClock, engine: Engine
) -> None:
    marked_cases(ctx, clock)
    before = sorted(plaintexts(engine))
    assert any(MARKERS[0] in v for v in before)
    new_key = Fernet.generate_key().decode()
    crypto.keyring.configure([new_key, TEST_KEY])
    counts = rotate_all(engine)
    assert counts["case"] >= 2 and counts["party"] >= 4
    crypto.keyring.configure([new_key])  # the old key is gone
    assert sorted(plaintexts(engine)) == before
    with engine.connect() as conn:
        table = Base.metadata.tables["case"]
        token = conn.execute(select(type_coerce(table.c.details, LargeBinary))).scalar()
    assert token is not None
    assert Fernet(new_key.encode()).decrypt(bytes(token))


def test_sqlite_file_or_postgres_dump_holds_no_report_text(
    ctx: ServiceContext, clock: FrozenClock, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    marked_cases(ctx, clock)
    clock.set(datetime(2026, 12, 1, tzinfo=UTC))
    retention.sweep(ctx)  # exercise the write paths of the sweep too
    if engine.dialect.name == "sqlite":
        engine.dispose()  # checkpoint the WAL into the file
        db_path = Path(make_url(database_url).database or "")
        dump = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    else:
        dump = postgres_dump(engine, database_url)
    assert len(dump) > 1000
    for marker in MARKERS:
        assert marker.encode() not in dump
        assert marker.lower().encode() not in dump.lower()


def postgres_dump(engine: Engine, database_url: str) -> bytes:
    url = make_url(database_url)
    if shutil.which("pg_dump"):
        args = ["pg_dump", "--data-only", "-h", url.host or "127.0.0.1"]
        args += ["-p", str(url.port or 5432), "-U", url.username or "postgres", url.database or ""]
        env = {**os.environ, "PGPASSWORD": url.password or ""}
        result = subprocess.run(args, capture_output=True, env=env, timeout=60, check=False)
        if result.returncode == 0 and result.stdout:
            return result.stdout
    # No usable pg_dump (missing, or another major version): every column as text.
    chunks = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            columns = ", ".join(f'"{c.name}"::text' for c in table.columns)
            for row in conn.execute(text(f'SELECT {columns} FROM "{table.name}"')):
                chunks.append("|".join(str(v) for v in row).encode())
    return b"\n".join(chunks)
