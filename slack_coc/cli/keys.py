"""`slack-coc keys generate | rotate`: encryption keys for confidential fields.

`rotate` re-encrypts every Encrypted* column of every model with the newest key. The
columns are found from the schema by their type, so a new model is covered without a
change here. Tokens are read and written as raw bytes: nothing is decrypted into Python
objects beyond the moment of re-encryption.
"""

from __future__ import annotations

import click
from sqlalchemy import LargeBinary, bindparam, select, type_coerce, update
from sqlalchemy.engine import Engine

from slack_coc.cli.common import CliError, app, runtime
from slack_coc.crypto import (
    EncryptedJSON,
    EncryptedText,
    generate_key,
    lookup_digest,
    rotate_token,
)
from slack_coc.db import Base

_BATCH = 1000


@app.group("keys")
def keys_group() -> None:
    """Encryption keys (COC_ENCRYPTION_KEYS)."""


@keys_group.command("generate")
def generate() -> None:
    """Print a new Fernet key (put it first in COC_ENCRYPTION_KEYS)."""
    click.echo(generate_key())


@keys_group.command("rotate")
def rotate() -> None:
    """Re-encrypt everything with the newest key (the first in COC_ENCRYPTION_KEYS)."""
    rt = runtime()
    if not rt.settings.COC_ENCRYPTION_KEYS:
        raise CliError(
            "COC_ENCRYPTION_KEYS: set the new key first, then the old ones "
            "(comma-separated, newest first) before rotating"
        )
    counts = rotate_all(rt.engine)
    total = sum(counts.values())
    click.echo(f"re-encrypted {total} value(s) in {len(counts)} table(s) with the newest key")
    rehashed = rehash_digests(rt.engine)
    click.echo(f"re-hashed {sum(rehashed.values())} lookup digest(s) with the newest key")
    click.echo("older keys can now be removed from COC_ENCRYPTION_KEYS")


def encrypted_columns() -> dict[str, list[str]]:
    """Table name -> names of its Encrypted* columns, for every model."""
    found: dict[str, list[str]] = {}
    for table in Base.metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if names:
            found[table.name] = names
    return found


def rotate_all(engine: Engine) -> dict[str, int]:
    """Re-encrypt every token with the newest key, table by table in batches (keyset on the
    primary key), each batch in its own transaction. Returns values rotated per table."""
    counts: dict[str, int] = {}
    for table_name, names in encrypted_columns().items():
        table = Base.metadata.tables[table_name]
        (pk,) = table.primary_key.columns
        raw = [type_coerce(table.c[n], LargeBinary).label(n) for n in names]
        statement = (
            update(table)
            .where(pk == bindparam("_pk"))
            .values({n: bindparam(f"_{n}", type_=LargeBinary) for n in names})
        )
        last = None
        rotated = 0
        while True:
            with engine.begin() as conn:
                # Locked, so a value changed meanwhile is not overwritten with its old text.
                query = select(pk, *raw).order_by(pk).limit(_BATCH).with_for_update()
                if last is not None:
                    query = query.where(pk > last)
                rows = conn.execute(query).all()
                if not rows:
                    break
                params = []
                for row in rows:
                    values = {"_pk": row[0]}
                    for name, token in zip(names, row[1:], strict=True):
                        values[f"_{name}"] = None if token is None else rotate_token(bytes(token))
                        rotated += token is not None
                    params.append(values)
                conn.execute(statement, params)
                last = rows[-1][0]
        counts[table_name] = rotated
    return counts


def digest_columns() -> dict[str, list[tuple[str, str, bool]]]:
    """Table -> (digest column, encrypted source column, scoped by team) for every column
    whose `info["digest_of"]` names its source."""
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            source = column.info.get("digest_of")
            if source:
                found.setdefault(table.name, []).append(
                    (column.name, source, bool(column.info.get("team_scoped")))
                )
    return found


def rehash_digests(engine: Engine) -> dict[str, int]:
    """Recompute lookup digests with the newest key from the (decrypted) sources, so that
    matching still works once the old keys are removed."""
    counts: dict[str, int] = {}
    for table_name, specs in digest_columns().items():
        table = Base.metadata.tables[table_name]
        (pk,) = table.primary_key.columns
        sources = sorted({source for _d, source, _t in specs})
        team = [table.c.team_id] if any(t for _d, _s, t in specs) else []
        last = None
        done = 0
        while True:
            with engine.begin() as conn:
                query = select(pk, *team, *(table.c[s] for s in sources)).order_by(pk)
                query = query.limit(_BATCH).with_for_update()
                if last is not None:
                    query = query.where(pk > last)
                rows = conn.execute(query).all()
                if not rows:
                    break
                for row in rows:
                    values = dict(zip(sources, row[1 + len(team) :], strict=True))
                    new = {}
                    for digest_name, source, scoped in specs:
                        plain = values[source]
                        if plain is None:
                            continue
                        key = f"{row[1]}:{plain}" if scoped else plain
                        new[digest_name] = lookup_digest(key)
                    if new:
                        conn.execute(update(table).where(pk == row[0]).values(new))
                        done += 1
                last = rows[-1][0]
        counts[table_name] = done
    return counts
