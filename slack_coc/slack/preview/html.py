"""Block Kit as HTML that looks like Slack's client closely enough to judge a surface:
messages as a channel shows them, modals and App Home as their panes. Covers the blocks and
elements the app uses (header, section with fields and accessory, context, divider, actions,
input with its elements, image); anything else is shown as a marked placeholder, so a
surface never silently loses a block."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

from slack_coc.slack.preview.surfaces import NAMES, Surface

Obj = dict[str, Any]

# Slack's <...> tokens, matched in the escaped text (&lt;...&gt;) so that nothing else can
# become markup.
_DATE = re.compile(r"&lt;!date\^\d+\^[^|&]*\|(.*?)&gt;")
_USER = re.compile(r"&lt;@([A-Z0-9]+)&gt;")
_CHANNEL = re.compile(r"&lt;#([A-Z0-9]+)(?:\|(.*?))?&gt;")
_LINK = re.compile(r"&lt;(https?://[^|&]+)(?:\|(.*?))?&gt;")
_SPECIAL = re.compile(r"&lt;!(here|channel|everyone)&gt;")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])")
_CODE = re.compile(r"`([^`\n]+)`")


EMOJI = {
    "rotating_light": "🚨",
    "hourglass_flowing_sand": "⏳",
    "calendar": "📆",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "wave": "👋",
    "scales": "⚖️",
    "raised_hand": "✋",
    "memo": "📝",
    "lock": "🔒",
    "leftwards_arrow_with_hook": "↩️",
    "information_source": "\u2139\ufe0f",
    "handshake": "🤝",
    "envelope": "✉️",
    "ballot_box_with_ballot": "🗳️",
    "alarm_clock": "⏰",
}
_EMOJI = re.compile(r":([a-z0-9_+-]+):")


def _emoji(m: re.Match[str]) -> str:
    found = EMOJI.get(m.group(1))
    return f'<span class="emoji" title="{m.group(0)}">{found}</span>' if found else m.group(0)


def mrkdwn(text: str) -> str:
    """Slack's mrkdwn as HTML: mentions, dates (their fallback), links, bold, italic,
    strike, code, quotes and line breaks. Escapes everything else."""
    out = html.escape(text, quote=False)
    out = _DATE.sub(lambda m: f'<span class="date">{m.group(1)}</span>', out)
    out = _USER.sub(lambda m: f'<span class="mention">{_person(m.group(1))}</span>', out)
    out = _CHANNEL.sub(lambda m: f'<span class="mention">#{m.group(2) or "coc-group"}</span>', out)
    out = _LINK.sub(lambda m: f'<a href="{m.group(1)}">{m.group(2) or m.group(1)}</a>', out)
    out = _SPECIAL.sub(lambda m: f'<span class="mention">@{m.group(1)}</span>', out)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _EMOJI.sub(_emoji, out)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _ITALIC.sub(r"<i>\1</i>", out)
    out = _STRIKE.sub(r"<s>\1</s>", out)
    lines = [
        f"<blockquote>{line[5:]}</blockquote>" if line.startswith("&gt; ") else line
        for line in out.split("\n")
    ]
    return "<br>".join(lines)


def text_obj(obj: Obj | None) -> str:
    if not obj:
        return ""
    if obj.get("type") == "mrkdwn":
        return mrkdwn(str(obj.get("text", "")))
    return html.escape(str(obj.get("text", "")))


def _button(el: Obj) -> str:
    style = el.get("style", "")
    return f'<span class="el button {style}">{text_obj(el.get("text"))}</span>'


def _options(el: Obj) -> list[Obj]:
    opts = list(el.get("options") or [])
    for group in el.get("option_groups") or []:
        opts += group.get("options") or []
    return opts


def _person(user_id: str) -> str:
    return "@" + NAMES.get(user_id, user_id)


def _select(el: Obj) -> str:
    initial = el.get("initial_option") or (el.get("initial_options") or [None])[0]
    shown = text_obj(initial.get("text")) if initial else ""
    if not shown and el.get("initial_user"):
        shown = _person(str(el["initial_user"]))
    if not shown and el.get("initial_users"):
        shown = ", ".join(_person(str(u)) for u in el["initial_users"])
    shown = (
        shown or f'<span class="placeholder">{text_obj(el.get("placeholder")) or "Select"}</span>'
    )
    count = len(_options(el))
    title = f' title="{count} options"' if count else ""
    return f'<span class="el select"{title}>{shown}<span class="caret">▾</span></span>'


def _text_input(el: Obj) -> str:
    value = html.escape(str(el.get("initial_value", "")))
    placeholder = text_obj(el.get("placeholder"))
    inner = value or f'<span class="placeholder">{placeholder}</span>'
    cls = "el textarea" if el.get("multiline") else "el textinput"
    return f'<div class="{cls}">{inner}</div>'


def _choices(el: Obj, mark: str) -> str:
    chosen = {json.dumps(o, sort_keys=True) for o in el.get("initial_options") or []}
    if el.get("initial_option"):
        chosen.add(json.dumps(el["initial_option"], sort_keys=True))
    rows = []
    for opt in _options(el):
        on = json.dumps(opt, sort_keys=True) in chosen
        desc = (
            f'<div class="desc">{text_obj(opt.get("description"))}</div>'
            if opt.get("description")
            else ""
        )
        rows.append(
            f'<div class="choice"><span class="mark {mark}{" on" if on else ""}"></span>'
            f"<div>{text_obj(opt.get('text'))}{desc}</div></div>"
        )
    return f'<div class="el choices">{"".join(rows)}</div>'


def _date(el: Obj) -> str:
    shown = el.get("initial_date") or '<span class="placeholder">Select a date</span>'
    return f'<span class="el select">{shown}<span class="caret">▦</span></span>'


def _overflow(el: Obj) -> str:
    return '<span class="el button overflow">⋯</span>'


def _image(el: Obj) -> str:
    return f'<span class="el image" title="{html.escape(el.get("alt_text", ""))}">▣</span>'


ELEMENTS: dict[str, Callable[[Obj], str]] = {
    "button": _button,
    "static_select": _select,
    "multi_static_select": _select,
    "users_select": _select,
    "multi_users_select": _select,
    "conversations_select": _select,
    "multi_conversations_select": _select,
    "channels_select": _select,
    "external_select": _select,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _text_input,
    "radio_buttons": lambda el: _choices(el, "radio"),
    "checkboxes": lambda el: _choices(el, "check"),
    "datepicker": _date,
    "overflow": _overflow,
    "image": _image,
}


def element(el: Obj) -> str:
    render = ELEMENTS.get(str(el.get("type")))
    if render is None:
        return f'<span class="el unknown">[{html.escape(str(el.get("type")))}]</span>'
    return render(el)


def _section(b: Obj) -> str:
    parts = [f'<div class="text">{text_obj(b.get("text"))}</div>'] if b.get("text") else []
    if b.get("fields"):
        cells = "".join(f'<div class="field">{text_obj(f)}</div>' for f in b["fields"])
        parts.append(f'<div class="fields">{cells}</div>')
    body = f'<div class="body">{"".join(parts)}</div>'
    accessory = (
        f'<div class="accessory">{element(b["accessory"])}</div>' if b.get("accessory") else ""
    )
    return body + accessory


def _input(b: Obj) -> str:
    optional = ' <span class="optional">(optional)</span>' if b.get("optional") else ""
    hint = f'<div class="hint">{text_obj(b.get("hint"))}</div>' if b.get("hint") else ""
    return (
        f'<div class="label">{text_obj(b.get("label"))}{optional}</div>'
        f"{element(b.get('element') or {})}{hint}"
    )


BLOCKS: dict[str, Callable[[Obj], str]] = {
    "header": lambda b: f"<h3>{text_obj(b.get('text'))}</h3>",
    "section": _section,
    "context": lambda b: " ".join(
        element(e) if e.get("type") == "image" else f"<span>{text_obj(e)}</span>"
        for e in b.get("elements") or []
    ),
    "divider": lambda b: "<hr>",
    "actions": lambda b: " ".join(element(e) for e in b.get("elements") or []),
    "input": _input,
    "image": lambda b: _image(b),
}


def block(b: Obj) -> str:
    kind = str(b.get("type"))
    render = BLOCKS.get(kind)
    inner = (
        render(b)
        if render
        else f'<span class="unknown">[unsupported block {html.escape(kind)}]</span>'
    )
    return f'<div class="block {kind}" data-type="{html.escape(kind)}">{inner}</div>'


def blocks_html(blocks: Sequence[Obj]) -> str:
    return "".join(block(b) for b in blocks)


def surface_html(s: Surface, anchor: str) -> str:
    content = s.content
    blocks = list(content.get("blocks") or [])
    head = f'<div class="caption">{html.escape(s.group)} · {html.escape(s.title)}</div>'
    data = f'id="{anchor}" class="surface kind-{s.kind}" data-blocks="{len(blocks)}"'
    if s.kind == "message":
        only_you = ' <span class="only-you">Only visible to you</span>' if s.ephemeral else ""
        return (
            f'<section {data}>{head}<div class="message"><div class="avatar">coc</div>'
            '<div class="msg-main"><div class="sender"><b>coc</b> <span class="app">APP</span>'
            f' <span class="time">09:30</span>{only_you}</div>'
            f"{blocks_html(blocks) or mrkdwn(str(content.get('text', '')))}</div></div></section>"
        )
    if s.kind == "home":
        return (
            f'<section {data}>{head}<div class="home"><div class="tabs"><b>Home</b> · About</div>'
            f"{blocks_html(blocks)}</div></section>"
        )
    title = text_obj(content.get("title"))
    submit = content.get("submit")
    close = content.get("close")
    buttons = (f'<span class="el button">{text_obj(close) or "Cancel"}</span>') + (
        f'<span class="el button primary">{text_obj(submit)}</span>' if submit else ""
    )
    return (
        f'<section {data}>{head}<div class="modal"><div class="modal-title">{title}'
        f'<span class="x">✕</span></div><div class="modal-body">{blocks_html(blocks)}</div>'
        f'<div class="modal-foot">{buttons}</div></div></section>'
    )


def anchor(s: Surface) -> str:
    """A stable id: `index.html#only=<id>` shows that surface alone (for screenshots)."""
    return re.sub(r"[^a-z0-9]+", "-", f"{s.group} {s.title}".lower()).strip("-")


def page(surfaces: Sequence[Surface]) -> str:
    """One HTML page: a table of contents, then every surface under its group."""
    anchors = [anchor(s) for s in surfaces]
    toc: dict[str, list[str]] = {}
    for s, a in zip(surfaces, anchors, strict=True):
        toc.setdefault(s.group, []).append(f'<a href="#{a}">{html.escape(s.title)}</a>')
    nav = "".join(f"<h4>{g}</h4>{' '.join(links)}" for g, links in toc.items())
    body = []
    group = None
    for s, a in zip(surfaces, anchors, strict=True):
        if s.group != group:
            group = s.group
            body.append(f'<h2 class="group">{html.escape(group)}</h2>')
        body.append(surface_html(s, a))
    return PAGE.format(count=len(surfaces), nav=nav, body="".join(body), css=CSS, js=JS)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>slack-coc preview</title>
<style>{css}</style></head>
<body><header><h1>slack-coc: every Slack surface, with demo data</h1>
<p>Rendered from the app's own Block Kit builders (<code>slack-coc preview</code>). Names,
code names and text are made up. <span id="status" data-expected="{count}">…</span></p>
<nav>{nav}</nav></header><main>{body}</main><script>{js}</script></body></html>
"""

# The page checks itself once laid out: every surface drew every block, with a size.
JS = """
const surfaces = document.querySelectorAll('section.surface');
let ok = 0;
for (const s of surfaces) {
  const drawn = [...s.querySelectorAll('.block')].filter(b => b.getBoundingClientRect().height > 0);
  const good = drawn.length === Number(s.dataset.blocks) && s.getBoundingClientRect().height > 0;
  s.dataset.rendered = good ? 'yes' : 'no';
  if (good) ok += 1;
}
const status = document.getElementById('status');
status.textContent = ok + ' of ' + surfaces.length + ' surfaces rendered';
status.dataset.rendered = String(ok);
const only = new URLSearchParams(location.hash.slice(1)).get('only');
if (only) {
  document.querySelector('header').style.display = 'none';
  document.querySelectorAll('h2.group').forEach(h => { h.style.display = 'none'; });
  surfaces.forEach(s => { if (s.id !== only) s.style.display = 'none'; });
}
"""

CSS = """
body { font: 15px/1.46668 'Lato', 'Helvetica Neue', Helvetica, Arial, sans-serif; color: #1d1c1d;
  background: #f8f8f8; margin: 0; }
header { background: #3f0e40; color: #fff; padding: 12px 24px; }
header h1 { font-size: 20px; margin: 4px 0; } header a { color: #e8d7ff; margin-right: 10px; }
header code { color: #3f0e40; } nav h4 { margin: 8px 0 2px; color: #cfc3cf; }
main { padding: 8px 24px 48px; } h2.group { border-bottom: 2px solid #ddd; margin-top: 32px; }
.surface { margin: 18px 0; max-width: 760px; } .caption { font-size: 12px; color: #616061;
  margin-bottom: 4px; text-transform: uppercase; letter-spacing: .04em; }
.message { display: flex; background: #fff; padding: 8px 20px; border: 1px solid #e8e8e8;
  border-radius: 6px; } .avatar { width: 36px; height: 36px; border-radius: 6px; flex: none;
  background: #611f69; color: #fff; font-size: 11px; display: flex; align-items: center;
  justify-content: center; margin-right: 8px; font-weight: bold; } .msg-main { flex: 1; }
.sender .app { background: #e8e8e8; color: #616061; font-size: 10px; padding: 1px 3px;
  border-radius: 2px; } .sender .time { color: #616061; font-size: 12px; }
.modal { background: #fff; border-radius: 8px; width: 520px; box-shadow: 0 0 0 1px rgba(0,0,0,.08),
  0 4px 12px rgba(0,0,0,.12); } .modal-title { font-weight: 900; font-size: 22px;
  padding: 16px 28px; border-bottom: 1px solid #ddd; display: flex;
  justify-content: space-between; }
.modal-body { padding: 12px 28px; max-height: none; } .modal-foot { padding: 16px 28px;
  border-top: 1px solid #ddd; text-align: right; } .modal-foot .button { margin-left: 8px; }
.home { background: #fff; border: 1px solid #e8e8e8; border-radius: 6px; padding: 12px 24px; }
.tabs { color: #616061; border-bottom: 1px solid #ddd; padding-bottom: 8px; margin-bottom: 8px; }
.block { margin: 6px 0; }
.block.section { display: flex; gap: 12px; }
.block.section .body { flex: 1; }
.block h3 { font-size: 18px; font-weight: 900; margin: 8px 0 4px; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 4px; }
.block.context { font-size: 12px; color: #616061; }
.block hr { border: 0; border-top: 1px solid #ddd; }
.block.actions { display: flex; flex-wrap: wrap; gap: 8px; }
.el.button { display: inline-block; border: 1px solid rgba(29,28,29,.3); border-radius: 4px;
  padding: 3px 12px; font-weight: 700; font-size: 13px; background: #fff; white-space: nowrap; }
.el.button.primary { background: #007a5a; color: #fff; border-color: #007a5a; }
.el.button.danger { background: #fff; color: #e01e5a; border-color: #e01e5a; }
.el.select, .el.textinput, .el.textarea { display: inline-flex; justify-content: space-between;
  border: 1px solid rgba(29,28,29,.3); border-radius: 4px; padding: 6px 10px; min-width: 220px;
  background: #fff; }
.el.textinput, .el.textarea { display: block; }
.el.textarea { min-height: 60px; }
.el.textinput { min-height: 22px; }
.caret { color: #616061; margin-left: 8px; } .placeholder { color: #868686; }
.block.input .label { font-weight: 700; margin: 10px 0 4px; }
.optional { font-weight: 400; color: #616061; }
.hint { font-size: 13px; color: #616061; margin-top: 4px; }
.choice { display: flex; gap: 8px; margin: 4px 0; } .desc { font-size: 13px; color: #616061; }
.mark { width: 14px; height: 14px; border: 1px solid #868686; flex: none; margin-top: 3px; }
.mark.radio { border-radius: 50%; } .mark.check { border-radius: 3px; }
.mark.on { background: #1264a3; border-color: #1264a3; }
.mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
.date { border-bottom: 1px dotted #868686; } code { background: #f6f6f6; border: 1px solid #ddd;
  border-radius: 3px; padding: 0 3px; color: #e01e5a; font-size: 12px; }
blockquote { border-left: 4px solid #ddd; margin: 2px 0; padding-left: 8px; }
.only-you { color: #616061; font-size: 12px; margin-left: 6px; }
.unknown { color: #e01e5a; font-weight: bold; } a { color: #1264a3; }
"""
