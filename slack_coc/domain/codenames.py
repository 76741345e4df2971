"""Random code names: two words for a case ("home shelf"), a colour and a bird for a person."""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable

_ADJECTIVE_NOUNS = [
    "acorn",
    "amber",
    "anchor",
    "apple",
    "arch",
    "atlas",
    "autumn",
    "badge",
    "basin",
    "beacon",
    "bell",
    "birch",
    "blanket",
    "bloom",
    "bottle",
    "branch",
    "breeze",
    "brick",
    "bridge",
    "brook",
    "bucket",
    "cabin",
    "candle",
    "canvas",
    "canyon",
    "cedar",
    "chalk",
    "cherry",
    "circle",
    "cliff",
    "clock",
    "cloud",
    "clover",
    "comet",
    "copper",
    "coral",
    "cotton",
    "crane",
    "crystal",
    "dawn",
    "delta",
    "desert",
    "dune",
    "echo",
    "ember",
    "fable",
    "feather",
    "fern",
    "field",
    "flint",
    "forest",
    "fossil",
    "fountain",
    "garden",
    "garnet",
    "glacier",
    "globe",
    "granite",
    "harbor",
    "hazel",
    "hearth",
    "hill",
    "home",
    "honey",
    "horizon",
    "island",
    "ivory",
    "jade",
    "jasmine",
    "kettle",
    "lagoon",
    "lantern",
    "lark",
    "lemon",
    "linen",
    "lotus",
    "maple",
    "marble",
    "meadow",
    "mesa",
    "mill",
    "mirror",
    "moss",
    "needle",
    "nest",
    "oak",
    "ocean",
    "olive",
    "orchard",
    "paddle",
    "paper",
    "pebble",
    "pepper",
    "pine",
    "plume",
    "pond",
    "prairie",
    "quartz",
    "quill",
    "rain",
    "reed",
    "ridge",
    "river",
    "robin",
    "saddle",
    "sage",
    "shelf",
    "shell",
    "shore",
    "silk",
    "slate",
    "spring",
    "spruce",
    "stone",
    "summit",
    "thistle",
    "thread",
    "tide",
    "timber",
    "torch",
    "tulip",
    "valley",
    "velvet",
    "violet",
    "walnut",
    "willow",
    "window",
    "winter",
    "yarrow",
]

_COLOURS = [
    "Amber",
    "Azure",
    "Black",
    "Blue",
    "Bronze",
    "Brown",
    "Cobalt",
    "Copper",
    "Coral",
    "Crimson",
    "Cyan",
    "Ebony",
    "Emerald",
    "Golden",
    "Gray",
    "Green",
    "Indigo",
    "Ivory",
    "Jade",
    "Lilac",
    "Lime",
    "Magenta",
    "Maroon",
    "Navy",
    "Ochre",
    "Olive",
    "Orange",
    "Pearl",
    "Pink",
    "Plum",
    "Purple",
    "Red",
    "Rose",
    "Ruby",
    "Rust",
    "Saffron",
    "Scarlet",
    "Silver",
    "Slate",
    "Tan",
    "Teal",
    "Violet",
    "White",
    "Yellow",
]

_BIRDS = [
    "Albatross",
    "Bittern",
    "Bluebird",
    "Bunting",
    "Buzzard",
    "Cardinal",
    "Condor",
    "Crane",
    "Crow",
    "Cuckoo",
    "Curlew",
    "Dove",
    "Eagle",
    "Egret",
    "Falcon",
    "Finch",
    "Flamingo",
    "Gannet",
    "Goose",
    "Grebe",
    "Gull",
    "Harrier",
    "Hawk",
    "Heron",
    "Hoopoe",
    "Ibis",
    "Jay",
    "Kestrel",
    "Kingfisher",
    "Kite",
    "Lark",
    "Linnet",
    "Magpie",
    "Martin",
    "Merlin",
    "Nightingale",
    "Oriole",
    "Osprey",
    "Owl",
    "Parrot",
    "Pelican",
    "Petrel",
    "Pipit",
    "Plover",
    "Puffin",
    "Quail",
    "Raven",
    "Robin",
    "Sandpiper",
    "Shrike",
    "Siskin",
    "Sparrow",
    "Starling",
    "Stork",
    "Swallow",
    "Swan",
    "Swift",
    "Tern",
    "Thrush",
    "Warbler",
    "Waxwing",
    "Wren",
]

Chooser = Callable[[list[str]], str]


def _system_choice(words: list[str]) -> str:
    return secrets.choice(words)


# Given candidate names, those already in use: one query for a handful of candidates, so a
# name costs the same statements however crowded the names are.
Taken = Callable[[list[str]], set[str]]
CANDIDATES = 8  # names tried per query
NUMBERED = 50  # numbered names ("Blue Jay 7") tried per query once the plain ones run out


def case_code_name(taken: Taken, choose: Chooser = _system_choice) -> str:
    """A fresh two-word case code name; falls back to a numbered suffix when crowded."""
    return _fresh(lambda: f"{choose(_ADJECTIVE_NOUNS)} {choose(_ADJECTIVE_NOUNS)}", taken)


def person_code_name(taken: Taken, choose: Chooser = _system_choice) -> str:
    """A fresh person code name such as "Blue Jay"."""
    return _fresh(lambda: f"{choose(_COLOURS)} {choose(_BIRDS)}", taken)


def _fresh(make: Callable[[], str], taken: Taken) -> str:
    for _ in range(3):
        candidates = list(dict.fromkeys(make() for _ in range(CANDIDATES)))
        used = taken(candidates)
        free = [name for name in candidates if name not in used]
        if free:
            return free[0]
    base = make()
    start = 2
    while True:
        candidates = [f"{base} {n}" for n in range(start, start + NUMBERED)]
        used = taken(candidates)
        free = [name for name in candidates if name not in used]
        if free:
            return free[0]
        start += NUMBERED


def seeded_chooser(seed: int) -> Chooser:
    rng = random.Random(seed)
    return lambda words: rng.choice(words)
