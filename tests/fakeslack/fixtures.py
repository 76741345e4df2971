"""pytest fixture `fake_slack`: a started FakeSlack; any Slack API violation fails the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeslack.server import FakeSlack


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    try:
        yield fake
    finally:
        fake.stop()
    fake.assert_clean()
