"""The mailbox poll: new mail in the committee's mailbox becomes cases and timeline entries.

Exactly once: each message is filed in one transaction that also moves the cursor
(UIDVALIDITY, last UID) past it, and a Message-ID seen before is ignored. A message that
cannot be filed is still recorded (raw, encrypted) with a note, and the poll goes on.
The mailbox being offline is one log line; the messages wait there for the next poll.
Log lines carry mailbox UIDs and case numbers only, never addresses, subjects or text.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from slack_coc.context import ServiceContext, StoreUnavailable
from slack_coc.domain.mail_models import MailboxCursor
from slack_coc.domain.models import Workspace
from slack_coc.mail.filing import file_message, record_unfiled
from slack_coc.mail.imap import ImapTarget, Mailbox, MailboxOffline
from slack_coc.runtime import Runtime

log = logging.getLogger(__name__)


def poll_once(rt: Runtime) -> int:
    """Read new messages from IMAP_URL; returns how many were filed (cases or replies)."""
    url = rt.settings.IMAP_URL
    if not url:
        return 0
    target = ImapTarget.from_url(url)
    team_id = _team_id(rt)
    if team_id is None:
        log.warning(
            "mailbox poll skipped: cannot tell which workspace the mailbox belongs to "
            "(set COC_TEAM_ID)"
        )
        return 0
    try:
        mailbox = Mailbox(target)
    except MailboxOffline as exc:
        log.warning(
            "mailbox %s is offline (%s); nothing was read, messages wait for the next poll",
            target.label,
            exc,
        )
        return 0
    filed = 0
    try:
        last_uid = _start_epoch(rt.ctx, team_id, target.label, mailbox.uidvalidity)
        for uid in mailbox.uids_after(last_uid):
            raw, size, complete = mailbox.fetch(uid)
            filed += _file_one(
                rt.ctx, team_id, target.label, mailbox.uidvalidity, uid, raw, size, complete
            )
    except MailboxOffline as exc:
        log.warning(
            "mailbox %s went offline during the poll (%s); the rest waits for the next poll",
            target.label,
            exc,
        )
    except StoreUnavailable:
        log.error("mailbox poll stopped: the database did not answer; nothing is lost")
    finally:
        mailbox.close()
    return filed


def _team_id(rt: Runtime) -> str | None:
    if rt.settings.COC_TEAM_ID:
        return rt.settings.COC_TEAM_ID
    with rt.ctx.read() as session:
        teams = list(session.scalars(select(Workspace.team_id).where(Workspace.active.is_(True))))
    return teams[0] if len(teams) == 1 else None


def _start_epoch(ctx: ServiceContext, team_id: str, label: str, uidvalidity: int) -> int:
    """The last UID filed in this UIDVALIDITY epoch (0 after a reset: Message-IDs dedupe)."""
    with ctx.transaction() as session:
        cursor = _cursor(session, team_id, label, for_update=True)
        if cursor is None:
            try:
                with session.begin_nested():  # another poller may create it at the same time
                    session.add(
                        MailboxCursor(
                            team_id=team_id,
                            mailbox=label,
                            uidvalidity=uidvalidity,
                            last_uid=0,
                            updated_at=ctx.clock.now(),
                        )
                    )
                return 0
            except IntegrityError:
                cursor = _cursor(session, team_id, label, for_update=True)
                assert cursor is not None
        if cursor.uidvalidity != uidvalidity:
            log.warning(
                "mailbox %s was renumbered (UIDVALIDITY %s -> %s); rereading it, messages "
                "already filed are recognised by Message-ID",
                label,
                cursor.uidvalidity,
                uidvalidity,
            )
            cursor.uidvalidity, cursor.last_uid = uidvalidity, 0
            cursor.updated_at = ctx.clock.now()
        return int(cursor.last_uid)


def _cursor(
    session: Session, team_id: str, label: str, *, for_update: bool
) -> MailboxCursor | None:
    query = select(MailboxCursor).where(
        MailboxCursor.team_id == team_id, MailboxCursor.mailbox == label
    )
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def _file_one(
    ctx: ServiceContext,
    team_id: str,
    label: str,
    uidvalidity: int,
    uid: int,
    raw: bytes,
    size: int,
    complete: bool,
) -> int:
    """File one message and move the cursor past it, in one transaction."""
    try:
        with ctx.transaction() as session:
            cursor = _cursor(session, team_id, label, for_update=True)
            if cursor is None or cursor.uidvalidity != uidvalidity or cursor.last_uid >= uid:
                return 0  # another poller filed it meanwhile
            filed = file_message(
                session, _joined(ctx, session), team_id, raw, size, complete, uidvalidity, uid
            )
            cursor.last_uid, cursor.updated_at = uid, ctx.clock.now()
            return filed
    except StoreUnavailable:
        raise
    except Exception as exc:  # a bad message must not block the others
        log.error(
            "mailbox message uid %s could not be filed (%s); kept unfiled with a note",
            uid,
            type(exc).__name__,
        )
    with ctx.transaction() as session:
        cursor = _cursor(session, team_id, label, for_update=True)
        if cursor is None or cursor.last_uid >= uid:
            return 0
        record_unfiled(session, ctx, team_id, raw, uidvalidity, uid, "could not be filed")
        cursor.last_uid, cursor.updated_at = uid, ctx.clock.now()
    return 0


class _JoinedSession:
    """Hands a service the poll's open session: its `begin()` is a savepoint, so the case
    it creates commits (or not) together with the mail row and the cursor."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def __enter__(self) -> _JoinedSession:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def begin(self) -> Any:
        return self._session.begin_nested()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _joined(ctx: ServiceContext, session: Session) -> ServiceContext:
    factory = cast("sessionmaker[Session]", lambda: _JoinedSession(session))
    return replace(ctx, sessions=factory, after_commit=[])
