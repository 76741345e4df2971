"""Hypothesis strategies for what could arrive at `POST /slack/events` with a valid
signature: slash-command text, block_actions and view_submission payloads, starting from
Slack's shapes (A2's `Payloads`) and then broken: wrong types, missing keys, huge and unicode
strings, ids of other workspaces and of cases the user may not see."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from slack_coc.domain.enums import Trigger
from slack_coc.slack.ids import Action, Callback, step_action
from slack_coc.slack.subcommands import SUBCOMMANDS

HUGE = 120_000

# Text Slack could carry: any unicode (surrogates excluded: not valid UTF-8), mentions,
# case refs, numbers too big for any column, markup, SQL and format-string bait.
weird_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=60),
    st.sampled_from([
        "", " ", "\x00", "\n\n", "#", "#0", "#-1", "-1", "0", "99999999999999999999999",
        "1e9", "1.5", "NaN", "<@U0ANA0001>", "<@U0ANA0001|ana>", "<!channel>", "<#C0COCGROUP>",
        "'; DROP TABLE \"case\"; --", "%s%s%n", "{0}{1}", "${jndi:x}", "\u202e1#", "\uff11\uff12",
        "🙂" * 50, "a" * 3001, "<script>", "null", "[]", "{}",
    ]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.just("x" * HUGE),
)  # fmt: skip


def case_refs(numbers: list[int]) -> st.SearchStrategy[str]:
    """Case references: the given (often forbidden) numbers, in every spelling, or junk."""
    return st.one_of(
        st.sampled_from(numbers).flatmap(
            lambda n: st.sampled_from([str(n), f"#{n}", f" {n} ", f"{n}:1", f"{n}:999999"])
        ),
        weird_text,
    )


def command_text(numbers: list[int]) -> st.SearchStrategy[str]:
    names = [*sorted(SUBCOMMANDS), "", "HELP", "List", "show#1"]
    return st.tuples(
        st.sampled_from(names), st.lists(st.one_of(case_refs(numbers), weird_text), max_size=4)
    ).map(lambda t: " ".join([t[0], *t[1]]))


ACTION_IDS = [a.value for a in Action] + [step_action(t) for t in Trigger] + [
    "step:", "step:nonsense", "vote:", "case:", "", "x" * 300,
]  # fmt: skip
CALLBACK_IDS = [c.value for c in Callback] + ["", "modal:", "modal:nope"]

wrong_type = st.one_of(
    st.none(), st.integers(), st.booleans(), st.floats(allow_nan=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3), weird_text,
)  # fmt: skip


def breakage(payload: dict[str, Any], data: st.DataObject, keys: list[str]) -> dict[str, Any]:
    """Delete some keys and give others the wrong type."""
    broken = dict(payload)
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=3, unique=True), label="drop"):
        broken.pop(key, None)
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=2, unique=True), label="type"):
        broken[key] = data.draw(wrong_type, label=f"{key} as")
    return broken


def state_value(data: st.DataObject, numbers: list[int], user_ids: list[str]) -> Any:
    """One input's value object, well-formed or not."""
    return data.draw(
        st.one_of(
            st.builds(lambda v: {"type": "plain_text_input", "value": v}, weird_text),
            st.builds(
                lambda v: {"type": "static_select", "selected_option": {"value": v}},
                st.one_of(weird_text, st.sampled_from(["other", "agree", "upheld", "WG"])),
            ),
            st.builds(
                lambda u: {"type": "users_select", "selected_user": u},
                st.one_of(st.sampled_from(user_ids), weird_text),
            ),
            st.builds(
                lambda us: {"type": "multi_users_select", "selected_users": us},
                st.lists(st.one_of(st.sampled_from(user_ids), weird_text), max_size=3),
            ),
            st.builds(lambda d: {"type": "datepicker", "selected_date": d}, weird_text),
            st.builds(
                lambda vs: {"type": "checkboxes", "selected_options": [{"value": v} for v in vs]},
                st.lists(st.one_of(weird_text, case_refs(numbers)), max_size=3),
            ),
            wrong_type,
        ),
        label="value",
    )


FIELDS = [
    "account", "reason", "note", "shepherd", "rationale", "vote", "feedback", "actions_taken",
    "review_date", "resolution_source", "result", "new_information", "action", "action_id",
    "review_outcome", "decision", "conflicted", "source", "ongoing", "safety_risk",
    "involved_user_ids", "reporter_contact", "requested_by", "bias_disclosure",
]  # fmt: skip


def metadata(data: st.DataObject, numbers: list[int]) -> str:
    return data.draw(
        st.one_of(
            st.builds(
                lambda c, p: json.dumps({"case": c, "proposal": p, "parties": [p]}),
                st.one_of(case_refs(numbers), wrong_type),
                st.one_of(st.integers(-5, 10**12), weird_text, st.none()),
            ),
            weird_text,
            st.just("{not json"),
        ),
        label="private_metadata",
    )
