"""Building blocks for modals, and reading their submitted state.

Builders use `slack_sdk.models` so Slack's limits (title <= 24 chars, <= 100 blocks,
private_metadata <= 3000 chars...) are checked when `to_dict()` runs. Every input's block
id is the service field it feeds, and its action id is the same name: an
`InvalidInput(field=...)` from a service maps straight back onto the right input.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    EmailInputElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)

from slack_coc.slack.block_ids import view_json

MAX_INPUT = 3000  # plain_text_input max_length


def modal(
    *,
    callback_id: str,
    title: str,
    blocks: Sequence[Block | dict[str, Any]],
    submit: str | None = "Save",
    metadata: dict[str, Any] | None = None,
    close: str = "Cancel",
) -> dict[str, Any]:
    return view_json(
        blocks,
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close=close if submit else "Close",
        private_metadata=json.dumps(metadata, separators=(",", ":")) if metadata else None,
    )


def text_input(
    field: str,
    label: str,
    *,
    multiline: bool = False,
    optional: bool = False,
    hint: str | None = None,
    placeholder: str | None = None,
    initial: str | None = None,
    max_length: int = MAX_INPUT,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=field,
            multiline=multiline,
            placeholder=placeholder,
            initial_value=initial,
            max_length=max_length,
        ),
    )


def email_input(
    field: str, label: str, *, optional: bool = True, hint: str | None = None
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        hint=hint,
        element=EmailInputElement(action_id=field, placeholder="name@example.org"),
    )


def options(pairs: Sequence[tuple[str, str]]) -> list[Option]:
    return [Option(value=value, text=label) for value, label in pairs]


def select(
    field: str,
    label: str,
    pairs: Sequence[tuple[str, str]],
    *,
    initial: str | None = None,
    optional: bool = False,
    hint: str | None = None,
) -> InputBlock:
    opts = options(pairs)
    chosen = next((o for o in opts if o.value == initial), None)
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        hint=hint,
        element=StaticSelectElement(action_id=field, options=opts, initial_option=chosen),
    )


def multi_select(
    field: str,
    label: str,
    pairs: Sequence[tuple[str, str]],
    *,
    optional: bool = True,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        hint=hint,
        element=StaticMultiSelectElement(
            action_id=field, options=options(pairs), placeholder="Choose"
        ),
    )


def radio(
    field: str,
    label: str,
    pairs: Sequence[tuple[str, str]],
    *,
    initial: str | None = None,
    optional: bool = False,
) -> InputBlock:
    opts = options(pairs)
    chosen = next((o for o in opts if o.value == initial), None)
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        element=RadioButtonsElement(action_id=field, options=opts, initial_option=chosen),
    )


def checkbox(field: str, label: str, text: str) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=True,
        element=CheckboxesElement(action_id=field, options=[Option(value="yes", text=text)]),
    )


def checkboxes(
    field: str,
    label: str,
    pairs: Sequence[tuple[str, str]],
    *,
    initial: Sequence[str] = (),
    hint: str | None = None,
) -> InputBlock:
    opts = options(pairs)
    chosen = [o for o in opts if o.value in initial] or None
    return InputBlock(
        block_id=field,
        label=label,
        optional=True,
        hint=hint,
        element=CheckboxesElement(action_id=field, options=opts, initial_options=chosen),
    )


def users_input(
    field: str,
    label: str,
    *,
    multi: bool = True,
    optional: bool = True,
    hint: str | None = None,
    initial_user: str | None = None,
) -> InputBlock:
    element = (
        UserMultiSelectElement(action_id=field, placeholder="Choose people")
        if multi
        else UserSelectElement(
            action_id=field, placeholder="Choose a member", initial_user=initial_user
        )
    )
    return InputBlock(block_id=field, label=label, optional=optional, hint=hint, element=element)


def date_input(
    field: str, label: str, *, initial: date | None = None, optional: bool = False
) -> InputBlock:
    return InputBlock(
        block_id=field,
        label=label,
        optional=optional,
        element=DatePickerElement(
            action_id=field, initial_date=initial.isoformat() if initial else None
        ),
    )


def note(text: str, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(block_id=block_id, text=MarkdownTextObject(text=text))


def small(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


class Submitted:
    """Typed reads of `view.state.values` from a view_submission payload."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.values: dict[str, dict[str, Any]] = (view.get("state") or {}).get("values") or {}
        raw = view.get("private_metadata") or ""
        try:
            self.metadata: dict[str, Any] = json.loads(raw) if raw else {}
        except ValueError:
            self.metadata = {}

    def _element(self, field: str) -> dict[str, Any]:
        block = self.values.get(field) or {}
        return block.get(field) or next(iter(block.values()), {})

    def text(self, field: str) -> str:
        value = self._element(field).get("value")
        return value.strip() if isinstance(value, str) else ""

    def option(self, field: str) -> str | None:
        selected = self._element(field).get("selected_option")
        return selected.get("value") if selected else None

    def checked(self, field: str) -> bool:
        return bool(self._element(field).get("selected_options"))

    def selected(self, field: str) -> list[str]:
        return [o["value"] for o in self._element(field).get("selected_options") or []]

    def users(self, field: str) -> list[str]:
        return list(self._element(field).get("selected_users") or [])

    def user(self, field: str) -> str | None:
        return self._element(field).get("selected_user")

    def date(self, field: str) -> date | None:
        value = self._element(field).get("selected_date")
        return date.fromisoformat(value) if value else None

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in self.text(field).splitlines() if line.strip()]


def require_text(submitted: Submitted, *fields: str) -> dict[str, str]:
    """Server-side check of required text inputs (Slack's own check can be bypassed):
    {block id: message} for each blank or whitespace-only one."""
    return {f: "This can't be blank." for f in fields if not submitted.text(f)}
