"""Turning names and addresses as agencies type them into forms that can be compared.

Pure functions: no database, no clock. The same forms are used for scoring a pair of
records (``outcomes.matching.scoring``) and for household keys
(``outcomes.matching.households``), so a change here changes both on purpose.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from importlib import resources

_NOT_LETTER = re.compile(r"[^A-Z ]+")
_SPACES = re.compile(r"\s+")
# Hyphens and slashes separate the parts of a double-barrelled name; apostrophes and
# full stops join ("O'Brien" is "OBRIEN", "St. John" is "ST JOHN").
_NAME_SEPARATORS = re.compile(r"[-/_,]+")
_NAME_JOINERS = re.compile("['\u2019`.]+")


def _ascii_upper(value: str) -> str:
    # NFKD splits "é" into "e" and a combining accent, which the ASCII encode drops:
    # agencies differ in whether their systems keep accents at all.
    decomposed = unicodedata.normalize("NFKD", value)
    return decomposed.encode("ascii", "ignore").decode("ascii").upper()


def name_normalise(value: str) -> str:
    """A name as compared: upper case ASCII letters, its parts separated by one space.

    "Mary-Jane  O'Neill" becomes "MARY JANE ONEILL".
    """
    if value.isascii() and value.isalpha():
        return value.upper()
    text = _ascii_upper(value)
    text = _NAME_JOINERS.sub("", text)
    text = _NAME_SEPARATORS.sub(" ", text)
    text = _NOT_LETTER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@functools.cache
def nickname_table() -> dict[str, frozenset[int]]:
    groups: dict[str, set[int]] = {}
    text = resources.files("outcomes.matching").joinpath("data/nicknames.txt").read_text("utf-8")
    number = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        number += 1
        for name in line.split(","):
            groups.setdefault(name_normalise(name), set()).add(number)
    return {name: frozenset(ids) for name, ids in groups.items()}


def nickname_groups(name: str) -> frozenset[int]:
    """The nickname groups (data/nicknames.txt) a normalised given name belongs to."""
    return nickname_table().get(name, frozenset())


@functools.lru_cache(maxsize=65536)
def are_nicknames(first: str, second: str) -> bool:
    """True when two different normalised given names are forms of one name (Bob, Robert)."""
    return first != second and bool(nickname_groups(first) & nickname_groups(second))


# Street words as Royal Mail abbreviates them. Both sides are abbreviated, so "Station
# Road" and "Station Rd" compare equal; the direction of the mapping does not matter.
STREET_ABBREVIATIONS: dict[str, str] = {
    "ROAD": "RD",
    "STREET": "ST",
    "SAINT": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "DRIVE": "DR",
    "LANE": "LN",
    "CLOSE": "CL",
    "COURT": "CT",
    "CRESCENT": "CRES",
    "CRESC": "CRES",
    "PLACE": "PL",
    "GARDENS": "GDNS",
    "GARDEN": "GDN",
    "TERRACE": "TER",
    "TERR": "TER",
    "SQUARE": "SQ",
    "GROVE": "GRV",
    "GR": "GRV",
    "PARK": "PK",
    "PARADE": "PDE",
    "WALK": "WLK",
    "HILL": "HL",
    "MOUNT": "MT",
    "COTTAGES": "COTTS",
    "COTTAGE": "COTT",
    "ESTATE": "EST",
    "HOUSE": "HO",
    "APARTMENT": "FLAT",
    "APT": "FLAT",
    "FLT": "FLAT",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "UPPER": "UPR",
    "LOWER": "LWR",
    "GREEN": "GRN",
    "VIEW": "VW",
    "BUILDINGS": "BLDGS",
    "HIGHWAY": "HWY",
}
# "10 a" and "10A" are the same house; "Flat 2, 10 High St" keeps both numbers.
_NUMBER_SUFFIX = re.compile(r"\b(\d+) ([A-Z])\b")
_NOT_ADDRESS = re.compile(r"[^A-Z0-9 ]+")
_NUMBER_WORDS = frozenset({"NO", "NUMBER"})


@functools.lru_cache(maxsize=65536)
def address_line_normalise(value: str) -> str:
    """The first line of an address as compared and used in household keys.

    Upper case, punctuation dropped, street words abbreviated ("Road" and "Rd"),
    "No." before a house number dropped, and a house number's letter joined to it:
    "10 a, Station Road." and "10A Station Rd" both become "10A STATION RD".
    """
    text = _NOT_ADDRESS.sub(" ", value.upper() if value.isascii() else _ascii_upper(value))
    words = [STREET_ABBREVIATIONS.get(word, word) for word in text.split()]
    words = [
        word
        for index, word in enumerate(words)
        if not (word in _NUMBER_WORDS and index + 1 < len(words) and words[index + 1][:1].isdigit())
    ]
    return _NUMBER_SUFFIX.sub(r"\1\2", " ".join(words))
