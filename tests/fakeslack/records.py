"""What the fake Slack records: calls, messages, injected faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    method: str
    params: dict[str, Any]  # normalised: form, query and JSON bodies merged; JSON params decoded
    response: dict[str, Any]
    status: int = 200
    fault: str | None = None
    problems: list[str] = field(default_factory=list)
    team: str | None = None  # the workspace whose bot token made the call

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        if "blocks" in self.params:
            return list(self.params["blocks"] or [])
        view = self.params.get("view")
        return list(view.get("blocks", [])) if isinstance(view, dict) else []

    @property
    def text(self) -> str:
        return str(self.params.get("text") or "")

    def strings(self) -> list[str]:
        return list(_strings(self.params))


@dataclass
class Fault:
    status: int = 500
    retry_after: int | None = None
    hang_seconds: float = 0.0
    error: str | None = None
    slow_seconds: float = 0.0  # answered as usual, this much later


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    edits: int = 0
    user: str | None = None  # a person's message (seeded by a test); None: the app's own


def _strings(value: Any) -> Any:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
