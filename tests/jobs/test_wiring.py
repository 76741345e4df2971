"""The one wiring place: every intent kind the app writes has a deliverer, composed
explicitly; a missing one stops the process at start-up instead of queueing forever."""

from __future__ import annotations

import pytest

from slack_coc import wiring
from slack_coc.queues.outbox import Intent


def test_every_intent_kind_has_a_deliverer() -> None:
    assert wiring.all_intents() == wiring.SLACK_INTENTS | wiring.MAIL_INTENTS
    assert Intent.MAIL in wiring.all_intents()


def test_a_missing_deliverer_fails_at_start_up() -> None:
    complete = {kind: (lambda _s, _i: None) for kind in wiring.SLACK_INTENTS}
    wiring.check_handlers(complete, slack=True, mail=False)  # mail off: allowed
    partial = {k: v for k, v in complete.items() if k != Intent.HOME}
    with pytest.raises(RuntimeError, match="home"):
        wiring.check_handlers(partial, slack=True, mail=False)
    with pytest.raises(RuntimeError, match="mail"):
        wiring.check_handlers(complete, slack=True, mail=True)


def test_an_intent_kind_added_without_a_deliverer_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Intent, "CARRIER_PIGEON", "carrier_pigeon", raising=False)
    complete = {kind: (lambda _s, _i: None) for kind in wiring.SLACK_INTENTS}
    with pytest.raises(RuntimeError, match="carrier_pigeon"):
        wiring.check_handlers(complete, slack=True, mail=False)
