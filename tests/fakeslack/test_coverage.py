"""The fake implements every Web API method the app calls (a method it only acknowledges
generically would let the app's use of its answer go untested)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.fakeslack import FakeSlack, spec

SOURCE = Path(__file__).resolve().parents[2] / "slack_coc"
CALL = re.compile(
    r"\.((?:auth|chat|conversations|views|users|files|reactions|pins)_[A-Za-z0-9_]+)\b"
)
API_CALL = re.compile(r"api_call\(\s*[\"']([a-z]+\.[A-Za-z.]+)[\"']")
# slack_sdk helpers that are several Web API calls
COMPOSITE = {"files_upload_v2": ["files.getUploadURLExternal", "files.completeUploadExternal"]}


def methods_the_app_calls() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for name in CALL.findall(text):
            found.update(COMPOSITE.get(name) or [name.replace("_", ".", 1)])
        found.update(API_CALL.findall(text))
    return found


def test_every_method_the_app_calls_is_real_and_implemented_by_the_fake() -> None:
    used = methods_the_app_calls()
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish"} <= used
    for method in sorted(used):
        assert spec.method_params(method) is not None, f"{method}: not a Slack Web API method"
        handler = "_m_" + method.replace(".", "_")
        assert hasattr(FakeSlack, handler), f"the fake does not implement {method}"
