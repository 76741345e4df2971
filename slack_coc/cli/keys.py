"""`slack-coc keys generate | rotate`: encryption keys for confidential fields.

`rotate` re-encrypts every Encrypted* column of every model with the newest key, and the
OAuth bot and user tokens slack_sdk's tables hold (as "enc:" + a token in a string column).
The columns are found from the schema by their type, so a new model is covered without a
change here. Tokens are read and written as raw bytes: nothing is decrypted into Python
objects beyond the moment of re-encryption. Then it checks that every value (and every
lookup digest) needs only the newest key before it says the old ones can go.
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
    readable_with_newest_key,
    rotate_token,
)
from slack_coc.db import Base
from slack_coc.schema import (
    BOTS_TABLE,
    INSTALLATIONS_TABLE,
    OAUTH_TOKEN_FIELDS,
    OAUTH_TOKEN_PREFIX,
)

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
    tokens = rotate_oauth_tokens(rt.engine)
    click.echo(f"re-encrypted {sum(tokens.values())} stored Slack token(s) with the newest key")
    rehashed = rehash_digests(rt.engine)
    click.echo(f"re-hashed {sum(rehashed.values())} lookup digest(s) with the newest key")
    stale = still_needing_old_keys(rt.engine)
    if stale:
        where = ", ".join(f"{name} ({n})" for name, n in sorted(stale.items()))
        raise CliError(
            f"{sum(stale.values())} value(s) still need an older key ({where}): keep every "
            "key in COC_ENCRYPTION_KEYS and run `slack-coc keys rotate` again"
        )
    click.echo("checked: every value needs only the newest key")
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


def oauth_token_columns() -> dict[str, list[str]]:
    """slack_sdk's installation and bot tables -> their token columns (encrypted by us)."""
    found: dict[str, list[str]] = {}
    for table_name in (INSTALLATIONS_TABLE, BOTS_TABLE):
        table = Base.metadata.tables.get(table_name)
        if table is not None:
            found[table_name] = [n for n in OAUTH_TOKEN_FIELDS if n in table.c]
    return found


def _rotate_text(value: str | None) -> str | None:
    if not value or not value.startswith(OAUTH_TOKEN_PREFIX):
        return value  # empty, or written before tokens were encrypted: left as it is
    token = value.removeprefix(OAUTH_TOKEN_PREFIX).encode("ascii")
    return OAUTH_TOKEN_PREFIX + rotate_token(token).decode("ascii")


def rotate_oauth_tokens(engine: Engine) -> dict[str, int]:
    """Re-encrypt the stored bot and user tokens with the newest key (they used to be left
    under the old key: removing it then broke every installation)."""
    counts: dict[str, int] = {}
    for table_name, names in oauth_token_columns().items():
        table = Base.metadata.tables[table_name]
        (pk,) = table.primary_key.columns
        last = None
        rotated = 0
        while True:
            with engine.begin() as conn:
                query = select(pk, *(table.c[n] for n in names)).order_by(pk).limit(_BATCH)
                query = query.with_for_update()
                if last is not None:
                    query = query.where(pk > last)
                rows = conn.execute(query).all()
                if not rows:
                    break
                for row in rows:
                    new = {}
                    for name, value in zip(names, row[1:], strict=True):
                        if value and value.startswith(OAUTH_TOKEN_PREFIX):
                            new[name] = _rotate_text(value)
                    if new:
                        conn.execute(update(table).where(pk == row[0]).values(new))
                        rotated += len(new)
                last = rows[-1][0]
        counts[table_name] = rotated
    return counts


def still_needing_old_keys(engine: Engine) -> dict[str, int]:
    """ "table.column" -> how many of its values the newest key alone cannot read (or, for a
    lookup digest, were not computed with it). Empty when the old keys can be removed."""
    stale: dict[str, int] = {}

    def count(name: str, bad: bool) -> None:
        if bad:
            stale[name] = stale.get(name, 0) + 1

    with engine.connect() as conn:
        for table_name, names in encrypted_columns().items():
            table = Base.metadata.tables[table_name]
            raw = [type_coerce(table.c[n], LargeBinary).label(n) for n in names]
            for row in conn.execute(select(*raw)):
                for name, token in zip(names, row, strict=True):
                    bad = token is not None and not readable_with_newest_key(bytes(token))
                    count(f"{table_name}.{name}", bad)
        for table_name, names in oauth_token_columns().items():
            table = Base.metadata.tables[table_name]
            for row in conn.execute(select(*(table.c[n] for n in names))):
                for name, value in zip(names, row, strict=True):
                    token = (value or "").removeprefix(OAUTH_TOKEN_PREFIX).encode("ascii")
                    bad = bool(value) and value.startswith(OAUTH_TOKEN_PREFIX)
                    count(f"{table_name}.{name}", bad and not readable_with_newest_key(token))
        for table_name, specs in digest_columns().items():
            table = Base.metadata.tables[table_name]
            team = [table.c.team_id] if any(t for _d, _s, t in specs) else []
            sources = sorted({source for _d, source, _t in specs})
            digests = [d for d, _s, _t in specs]
            query = select(*team, *(table.c[s] for s in sources), *(table.c[d] for d in digests))
            for row in conn.execute(query):
                labels = [*(["team"] if team else []), *sources, *digests]
                values = dict(zip(labels, row, strict=True))
                for digest_name, source, scoped in specs:
                    plain = values[source]
                    if plain is None or values[digest_name] is None:
                        continue
                    key = f"{values['team']}:{plain}" if scoped else plain
                    count(f"{table_name}.{digest_name}", values[digest_name] != lookup_digest(key))
    return stale
