"""Throwaway mail servers on loopback for the mail tests: Dovecot (IMAP) and aiosmtpd (SMTP).

Dovecot runs from Debian's package (scripts/ci-system-deps.sh installs it) with its own
config dir, a passwd-file user and Maildir storage under a temporary directory: nothing
outside that directory is configured or started.
"""

from __future__ import annotations

import contextlib
import getpass
import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NoReturn

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.mail.tls import TlsFiles

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IMAP_USER = "conduct"
IMAP_PASSWORD = "not-a-real-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Dovecot:
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None
    imaps_port: int | None = None  # with TLS files: an imaps listener too

    @property
    def url(self) -> str:
        # Loopback test server without TLS: the URL must say so (`?tls=off`).
        return self.folder_url("INBOX")

    def folder_url(self, folder: str) -> str:
        return f"imap://{IMAP_USER}:{IMAP_PASSWORD}@127.0.0.1:{self.port}/{folder}?tls=off"

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(IMAP_USER, IMAP_PASSWORD)
        return conn

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        conn = self.connect()
        try:
            typ, data = conn.append(mailbox, "", imaplib.Time2Internaldate(time.time()), raw)
            assert typ == "OK", data
        finally:
            conn.logout()

    def empty(self) -> None:
        """Delete every message (the UIDs keep growing, as in a real mailbox)."""
        conn = self.connect()
        try:
            conn.select("INBOX")
            conn.store("1:*", "+FLAGS", r"(\Deleted)")
            conn.expunge()
        finally:
            conn.logout()

    def count(self) -> int:
        conn = self.connect()
        try:
            _typ, data = conn.select("INBOX", readonly=True)
            return int(data[0] or 0)
        finally:
            conn.logout()


def _dovecot_config(root: Path, port: int, tls: TlsFiles | None, imaps_port: int) -> str:
    group = grp.getgrgid(os.getgid()).gr_name
    if os.getuid() == 0:
        login_user, internal_user = "dovenull", "dovecot"
    else:  # an unprivileged developer: everything runs as them
        login_user = internal_user = getpass.getuser()
    mail_uid, mail_gid = _mail_owner()
    return f"""
instance_name = coc-test-{port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{_ssl_settings(tls)}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {group if os.getuid() != 0 else "dovecot"}
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


def _ssl_settings(tls: TlsFiles | None) -> str:
    if tls is None:
        return "ssl = no"
    return f"ssl = yes\nssl_cert = <{tls.cert}\nssl_key = <{tls.key}"


def _mail_owner() -> tuple[int, int]:
    """Dovecot refuses to store mail as root: as root, the package's `dovecot` user owns it."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    entry = pwd.getpwnam("dovecot")
    return entry.pw_uid, entry.pw_gid


DOVECOT_MISSING = (
    "Dovecot is not installed: `sudo apt-get install dovecot-imapd` (Debian/Ubuntu), "
    "or `sudo scripts/ci-system-deps.sh`"
)


def _dovecot_missing() -> NoReturn:
    """Skip the mail tests on a machine without Dovecot, with one line saying how to install
    it; CI sets COC_REQUIRE_DOVECOT=1 so that a missing Dovecot fails instead of hiding tests."""
    if os.environ.get("COC_REQUIRE_DOVECOT") == "1":
        pytest.fail(f"{DOVECOT_MISSING} (COC_REQUIRE_DOVECOT=1)", pytrace=False)
    pytest.skip(DOVECOT_MISSING)


@contextlib.contextmanager
def run_dovecot(root: Path, tls: TlsFiles | None = None) -> Iterator[Dovecot]:
    if not Path(DOVECOT).exists():
        _dovecot_missing()
    port = free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    uid, gid = _mail_owner()
    for sub in ("mail", "home"):
        os.chown(root / sub, uid, gid)
    (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}::::::\n")
    config = root / "dovecot.conf"
    imaps_port = free_port() if tls else 0
    config.write_text(_dovecot_config(root, port, tls, imaps_port))
    server = Dovecot(root, port, imaps_port=imaps_port or None)
    server.process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                server.connect().logout()
                break
            except OSError:
                if server.process.poll() is not None or time.monotonic() > deadline:
                    err = server.process.stderr.read().decode() if server.process.stderr else ""
                    log = (
                        (root / "dovecot.log").read_text()
                        if (root / "dovecot.log").exists()
                        else ""
                    )
                    raise RuntimeError(f"Dovecot did not start: {err}\n{log}") from None
                time.sleep(0.1)
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class _Collector:
    received: list[ReceivedMail] = field(default_factory=list)
    refuse_with: str | None = None  # e.g. "451 4.3.0 try again later"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        raw = envelope.original_content or b""
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append(
            ReceivedMail(str(envelope.mail_from), list(envelope.rcpt_tos), message)
        )
        return "250 OK"


@dataclass
class SmtpServer:
    port: int
    handler: _Collector
    controller: Controller | None = None
    # (user, password) to require AUTH (PLAIN/LOGIN, without TLS: loopback only).
    credentials: tuple[str, str] | None = None
    logins: list[str] = field(default_factory=list)
    tls: TlsFiles | None = None  # implicit TLS (smtps://)

    @property
    def url(self) -> str:
        if self.tls:
            return f"smtps://127.0.0.1:{self.port}"
        return f"smtp://127.0.0.1:{self.port}?tls=off"  # loopback test server without TLS

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def start(self) -> None:
        extra: dict[str, object] = {}
        if self.credentials is not None:
            extra = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        if self.tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.tls.cert), str(self.tls.key))
            extra["ssl_context"] = context
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **extra)
        self.controller.start()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        login = data.login.decode() if isinstance(data, LoginPassword) else ""
        password = data.password.decode() if isinstance(data, LoginPassword) else ""
        if self.credentials == (login, password):
            self.logins.append(login)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
