"""Code names are fresh, and finding one costs a bounded number of lookups however crowded
the names already in use are (one query per handful of candidates)."""

from __future__ import annotations

from slack_coc.domain.codenames import (
    CANDIDATES,
    case_code_name,
    person_code_name,
    seeded_chooser,
)


class Names:
    def __init__(self, used: set[str]) -> None:
        self.used = used
        self.asked: list[list[str]] = []

    def taken(self, names: list[str]) -> set[str]:
        self.asked.append(list(names))
        return self.used & set(names)


def test_a_free_name_costs_one_lookup_of_several_candidates() -> None:
    names = Names(set())
    name = person_code_name(names.taken, seeded_chooser(1))
    assert len(names.asked) == 1 and name == names.asked[0][0]
    assert 1 < len(names.asked[0]) <= CANDIDATES


def test_a_taken_candidate_is_passed_over_within_the_same_lookup() -> None:
    first = person_code_name(Names(set()).taken, seeded_chooser(2))
    names = Names({first})
    name = person_code_name(names.taken, seeded_chooser(2))
    assert name != first and len(names.asked) == 1


def test_when_every_plain_name_is_taken_a_numbered_one_is_found_in_few_lookups() -> None:
    from slack_coc.domain.codenames import _BIRDS, _COLOURS

    every = {f"{c} {b}" for c in _COLOURS for b in _BIRDS}
    numbered = {f"{c} {b} {n}" for c in _COLOURS for b in _BIRDS for n in range(2, 60)}
    names = Names(every | numbered)
    name = person_code_name(names.taken, seeded_chooser(3))
    assert name not in names.used and name.rsplit(" ", 1)[1] == "60"
    assert len(names.asked) == 3 + 2  # three of plain candidates, two of numbered ones


def test_case_code_names_are_two_words_and_fresh() -> None:
    names = Names(set())
    seen = {case_code_name(names.taken, seeded_chooser(n)) for n in range(20)}
    assert all(len(name.split()) == 2 for name in seen) and len(seen) > 15
