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
from slack_coc.crypto import EncryptedJSON, EncryptedText, generate_key, rotate_token
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
