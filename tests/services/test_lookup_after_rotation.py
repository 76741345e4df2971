"""The same person is recognised across a key rotation: before `keys rotate` (both keys
configured), after it, and once the old key is gone."""

from __future__ import annotations

from cryptography.fernet import Fernet
from sqlalchemy.engine import Engine

from slack_coc import crypto
from slack_coc.cli.keys import rehash_digests, rotate_all
from slack_coc.context import ServiceContext
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


def test_a_member_added_after_rotation_is_matched_to_the_parties_naming_them(
    engine: Engine, ctx: ServiceContext
) -> None:
    from sqlalchemy import select

    from slack_coc.domain.models import Recusal
    from slack_coc.services import members
    from tests.factories import new_case

    new_case(ctx, involved_user_ids=["U0LATER001"], witness_names=["w"])
    new_case(ctx, reporter_contact="later@example.org")
    new_key = Fernet.generate_key().decode()
    crypto.keyring.configure([new_key, TEST_KEY])
    rotate_all(engine)
    assert rehash_digests(engine)["party"] >= 2
    crypto.keyring.configure([new_key])
    members.add_member(ctx, TEAM, "U0LATER001", "Later", email="Later@example.org")
    with ctx.read() as session:
        reasons = sorted(session.scalars(select(Recusal.reason)))
    assert reasons == ["concerned", "involved"]
