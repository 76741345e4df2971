"""Records in Slack: `/coc records`, `/coc stats`, `/coc identity`, `/coc merge`,
`/coc access` (all but merge for chairs).

Files go out with the files upload v2 flow (files.getUploadURLExternal, the upload,
files.completeUploadExternal): the records log only to the requesting chair's DM, the
anonymised statistics to the group channel. Ephemeral replies carry counts and code names.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from slack_coc.reports.publish import transparency_files
from slack_coc.reports.records import FORMATS, export_records_for_chair
from slack_coc.runtime import Runtime
from slack_coc.services import identity, workspaces
from slack_coc.slack.errors import reported
from slack_coc.slack.ids import SLASH_COMMAND, Action
from slack_coc.slack.listeners.support import actor_of
from slack_coc.slack.modals.records import identity_key_modal
from slack_coc.slack.subcommands import CommandRequest, subcommand

MERGE_CONFIRM = Action.MERGE_CONFIRM.value
MERGE_USAGE = "merge CODE NAME into CODE NAME"


def _ephemeral(req: CommandRequest, text: str, **kw: Any) -> None:
    req.respond(text=text, response_type="ephemeral", **kw)


@subcommand(
    "records",
    "records [csv|md]",
    "the records log (code names only), as a file in your DM",
    chairs_only=True,
)
def _records(req: CommandRequest) -> None:
    fmt = (req.args or "csv").lower()
    if fmt not in FORMATS:
        _ephemeral(req, f"Usage: `{SLASH_COMMAND} records [csv|md]`")
        return
    buffer = io.StringIO()
    count = export_records_for_chair(req.rt.ctx, req.actor, buffer, fmt)
    today = req.rt.ctx.clock.now().date().isoformat()
    dm = req.client.conversations_open(users=req.actor.user_id)["channel"]["id"]
    req.client.files_upload_v2(
        channel=dm,
        content=buffer.getvalue(),
        filename=f"records-{today}.{fmt}",
        title=f"Records log {today}",
        initial_comment="The records log (code names only). Please keep it confidential.",
    )
    _ephemeral(
        req,
        f"Records log: {count} row(s), one per reported person; cases you are recused from "
        "are left out. Sent to you as a file in a direct message.",
    )


@subcommand(
    "stats",
    "stats PERIOD",
    "post the anonymised statistics and charts for 2026 or 2026-H1 to the group channel",
    chairs_only=True,
)
def _stats(req: CommandRequest) -> None:
    if not req.args:
        _ephemeral(req, f"Which period? `{SLASH_COMMAND} stats 2026` or `2026-H1`.")
        return
    channel = workspaces.group_channel(req.rt.ctx, req.actor.team_id)
    if channel is None:  # never another workspace's channel, nor wherever this was typed
        _ephemeral(req, workspaces.NO_CHANNEL)
        return
    with tempfile.TemporaryDirectory() as tmp:
        report, paths = transparency_files(req.rt.ctx, req.actor, req.args.split()[0], Path(tmp))
        label = report.current.period.label
        req.client.files_upload_v2(
            channel=channel,
            file_uploads=[{"file": str(p), "filename": p.name, "title": p.stem} for p in paths],
            initial_comment=f"Transparency report {label} (anonymised statistics and charts).",
        )
    _ephemeral(req, f"Posted the transparency report {label} to <#{channel}>.")


@subcommand(
    "identity",
    "identity",
    "the identity key behind person code names",
    chairs_only=True,
    opens_modal=True,
)
def _identity(req: CommandRequest) -> None:
    entries = identity.identity_key(req.rt.ctx, req.actor)
    req.client.views_open(trigger_id=req.trigger_id, view=identity_key_modal(entries))


@subcommand("merge", MERGE_USAGE, "two person code names that are the same person (confirmed)")
def _merge(req: CommandRequest) -> None:
    merged, sep, kept = req.args.partition(" into ")
    if not sep:
        suggestions = identity.merge_suggestions(req.rt.ctx, req.actor)
        lines = [f"Usage: `{SLASH_COMMAND} {MERGE_USAGE}`"]
        if suggestions:
            lines.append("Recorded under the same name (check before merging):")
            lines += [f"• {a} and {b}" for a, b in suggestions[:20]]
        _ephemeral(req, "\n".join(lines))
        return
    value = json.dumps({"merge": merged.strip(), "keep": kept.strip()})
    question = (
        f"Merge *{merged.strip()}* into *{kept.strip()}*? Only if you have confirmed that "
        "they are the same person (same name or email). This is recorded on every case."
    )
    _ephemeral(
        req,
        question,
        blocks=[
            {"type": "section", "text": {"type": "mrkdwn", "text": question}},
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": MERGE_CONFIRM,
                        "text": {"type": "plain_text", "text": "Merge: same person"},
                        "style": "danger",
                        "value": value[:2000],
                    }
                ],
            },
        ],
    )


@subcommand("access", "access CASE", "who opened a case's details, and when", chairs_only=True)
def _access(req: CommandRequest) -> None:
    if not req.args:
        _ephemeral(req, f"Which case? `{SLASH_COMMAND} access 12`")
        return
    ref = req.args.split()[0]
    entries = identity.access_log(req.rt.ctx, req.actor, ref)
    if not entries:
        _ephemeral(req, f"Nobody has opened case {ref}'s details yet.")
        return
    lines = [f"*Access log of case {ref}* ({len(entries)}):"]
    lines += [f"• {e.at:%Y-%m-%d %H:%M} UTC <@{e.user_id}> {e.what}" for e in entries[-40:]]
    _ephemeral(req, "\n".join(lines))


def register(app: App, rt: Runtime) -> None:
    @app.action(MERGE_CONFIRM)
    def on_merge(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        with reported(body, client, respond):
            raw = str((body.get("actions") or [{}])[0].get("value", "{}"))
            names = json.loads(raw)
            result = identity.merge_people(
                rt.ctx, actor_of(body), names["keep"], names["merge"], confirmed=True
            )
            respond(
                text=f"Merged {result.merged} into {result.kept} ({len(result.cases)} case(s)).",
                replace_original=True,
                response_type="ephemeral",
            )
