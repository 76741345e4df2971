"""The same person is recognised across a key rotation: before `keys rotate` (both keys
configured), after it, and once the old key is gone."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy.engine import Engine

from slack_coc import crypto
from slack_coc.cli.keys import rehash_digests, rotate_all
from slack_coc.services.context import ServiceContext
from slack_coc.services.people import find_or_create_person
from tests.conftest import TEAM, TEST_KEY


def person_id(ctx: ServiceContext, **identity: str) -> tuple[int, str]:
    with ctx.transaction() as session:
        person = find_or_create_person(session, TEAM, ctx.clock.now(), **identity)
        return person.id, person.code_name


def test_people_match_before_during_and_after_rotation(engine: Engine, ctx: ServiceContext) -> None:
    first = person_id(ctx, slack_user_id="U0REPORTED", email="Someone@Example.org")
    new_key = Fernet.generate_key().decode()
    crypto.keyring.configure([new_key, TEST_KEY])
    assert person_id(ctx, slack_user_id="U0REPORTED") == first
    rotate_all(engine)
    assert rehash_digests(engine)["person"] == 1
    crypto.keyring.configure([new_key])
    assert person_id(ctx, slack_user_id="U0REPORTED") == first
    assert person_id(ctx, email="someone@example.org") == first
    assert person_id(ctx, slack_user_id="U0SOMEONEELSE") != first
