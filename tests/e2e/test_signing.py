"""Our signer signs exactly as Slack does: checked against Slack's worked example, and against
slack_sdk's own verifier (what Bolt uses on the receiving side)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from tests.e2e.harness import sign
from tests.fakeslack.spec import REFERENCE_DIR

KAT = json.loads(Path(REFERENCE_DIR, "slack_signature_kat.json").read_text(encoding="utf-8"))


def test_signer_matches_slacks_worked_example() -> None:
    assert sign(KAT["signing_secret"], KAT["timestamp"], KAT["body"]) == KAT["signature"]


def test_signer_is_sensitive_to_secret_timestamp_and_body() -> None:
    good = KAT["signature"]
    assert sign(KAT["signing_secret"] + "x", KAT["timestamp"], KAT["body"]) != good
    assert sign(KAT["signing_secret"], str(int(KAT["timestamp"]) + 1), KAT["body"]) != good
    assert sign(KAT["signing_secret"], KAT["timestamp"], KAT["body"] + "&") != good


def test_slack_sdk_verifier_accepts_our_signature_and_rejects_a_forged_one() -> None:
    secret, body, now = "s3cret", "payload=%7B%7D", str(int(time.time()))
    verifier = SignatureVerifier(secret)
    assert verifier.is_valid(body, now, sign(secret, now, body))
    assert not verifier.is_valid(body, now, sign("other", now, body))
    stale = str(int(now) - 6 * 60)
    assert not verifier.is_valid(body, stale, sign(secret, stale, body))
