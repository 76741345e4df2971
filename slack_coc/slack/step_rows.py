"""The shape of one row of the step table (`slack/step_table.py`) and the questions every
place asks it: does this command, with this text, answer with a modal? does this click?

A row is one step's whole Slack surface: its `/coc` subcommand (name, usage, summary), what
a typed command does at once, its case-card buttons, its form (builder, callback id,
required fields, submission handler) and how that form reaches Slack (`Answer`). The
listeners register themselves from the rows and the inbox predicts from them, so the
prediction cannot drift from what the listener does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any

from slack_coc.context import Actor
from slack_coc.domain.enums import Trigger
from slack_coc.runtime import Runtime
from slack_coc.slack.blocks.messages import Rendered
from slack_coc.slack.ids import Callback
from slack_coc.slack.modals.common import Submitted

# (rt, actor, case ref, the trigger the form is for) -> the modal, after checking the step
# is possible now (a stale button is refused before anything opens).
Builder = Callable[[Runtime, Actor, str, "Trigger | None"], dict[str, Any]]
# (rt, actor, case ref, the rest of the typed text) -> the reply only the typist sees.
Typed = Callable[[Runtime, Actor, str, str], "str | Rendered"]
# (rt, actor, case ref) -> the reply to a click done at once.
AtOnce = Callable[[Runtime, Actor, str], Rendered]
# (rt, actor, the submitted form) -> the text shown in place of the modal.
Submit = Callable[[Runtime, Actor, Submitted], str]


class Answer(StrEnum):
    """How an answer that is a modal reaches Slack (`slack/modal_answers.py` says more)."""

    DIRECT = "direct"
    LOADING = "loading"


class Opens(Enum):
    """When the typed `/coc` command opens the row's form."""

    NEVER = "never"  # always done at once (a missing case gets the usage)
    ALWAYS = "always"  # the form is the only way
    WITHOUT_TEXT = "without_text"  # text after the case does it at once; none opens the form


@dataclass(frozen=True)
class Button:
    """A button that takes the step: done at once (`at_once`) or opening the row's form
    (checked for `trigger`). Its value is the case number, or "<number>:<id>"."""

    action_id: str
    trigger: Trigger | None = None
    at_once: AtOnce | None = None

    @property
    def opens_modal(self) -> bool:
        return self.at_once is None


@dataclass(frozen=True)
class Step:
    name: str | None  # the `/coc` subcommand; None: a button only
    usage: str
    summary: str
    trigger: Trigger | None = None  # the lifecycle step the command's form is checked for
    opens: Opens = Opens.NEVER
    typed: Typed | None = None
    buttons: tuple[Button, ...] = ()
    modal: Builder | None = None
    callback: Callback | None = None
    required: tuple[str, ...] = ()  # text inputs that may not be blank
    submit: Submit | None = None
    answer: Answer = Answer.DIRECT  # how its form reaches Slack (`modal_answers`)

    def command_opens_modal(self, args: str) -> bool:
        """Whether `/coc <name> <args>` answers with the form (no case: the usage reply)."""
        ref, _, rest = args.strip().partition(" ")
        if not ref.strip():
            return False
        if self.opens is Opens.ALWAYS:
            return True
        return self.opens is Opens.WITHOUT_TEXT and not rest.strip()
