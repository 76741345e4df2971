"""`slack-coc mail ...`: check the mail settings, poll the mailbox once, list the templates."""

from __future__ import annotations

import click

from slack_coc.cli.common import CliError, app, runtime


@app.group("mail")
def mail() -> None:
    """The committee's mailbox: IMAP_URL (reports in) and SMTP_URL (messages out)."""


@mail.command("check")
def check() -> None:
    """Log in to IMAP_URL and SMTP_URL (nothing is read or sent) and say what answered."""
    from slack_coc.mail.imap import ImapTarget, Mailbox, MailboxOffline
    from slack_coc.mail.sender import SmtpTarget, check_smtp

    rt = runtime(check_db=False)
    problems = 0
    if rt.settings.IMAP_URL:
        target = ImapTarget.from_url(rt.settings.IMAP_URL)
        try:
            box = Mailbox(target)
        except MailboxOffline as exc:
            click.echo(f"IMAP {target.label}: not reachable ({exc})")
            problems += 1
        else:
            box.close()
            click.echo(f"IMAP {target.label}: ok (UIDVALIDITY {box.uidvalidity})")
    else:
        click.echo("IMAP_URL is not set: reports by mail are not polled")
    if rt.settings.SMTP_URL:
        smtp = SmtpTarget.from_url(rt.settings.SMTP_URL)
        reason = check_smtp(smtp)
        click.echo(f"SMTP {smtp.host}:{smtp.port}: {reason or 'ok'}")
        problems += bool(reason)
    else:
        click.echo("SMTP_URL is not set: messages are recorded as sent by hand")
    if problems:
        raise CliError(f"{problems} mail server(s) did not answer as expected")


@mail.command("poll")
def poll() -> None:
    """Read new mail from IMAP_URL once (the sweep does this on every tick)."""
    from slack_coc.mail.poller import poll_once

    rt = runtime()
    if not rt.settings.IMAP_URL:
        raise CliError("IMAP_URL is not set (e.g. imaps://user:password@imap.example.org/INBOX)")
    filed = poll_once(rt)
    click.echo(f"{filed} message(s) filed")


@mail.command("templates")
def templates() -> None:
    """List the message templates (for `/coc mail CASE TEMPLATE`)."""
    from slack_coc.services.letters import TEMPLATES

    for name, label in TEMPLATES.items():
        click.echo(f"{name:24} {label}")


@mail.command("show")
@click.argument("mail_id", type=int)
def show(mail_id: int) -> None:
    """Print the raw text of an inbound message the poll could not file (the group is told
    its record number in the channel). Only unfiled messages: a filed one is on its case."""
    from slack_coc.domain.mail_models import MailDirection, MailMessage

    rt = runtime()
    with rt.ctx.read() as session:
        mail_row = session.get(MailMessage, mail_id)
        if (
            mail_row is None
            or mail_row.direction != MailDirection.IN
            or not (mail_row.flags or {}).get("unfiled")
        ):
            raise CliError(f"no unfiled inbound message {mail_id}")
        for note in mail_row.notes or []:
            click.echo(f"# {note}", err=True)
        if mail_row.raw is None:
            raise CliError(f"message {mail_id} is too large to keep: read it in the mailbox")
        click.echo(mail_row.raw)
