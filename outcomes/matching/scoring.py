"""Whether two records are about the same person: the scoring rule (FEEDS.md step 2).

Pure: records in, a comparison with reasons out; no database, no clock. The phonetic
codes a record carries are PostgreSQL's ``dmetaphone`` of the name as typed (the same
function the blocking queries and their index use), computed by the caller.

How a pair is scored
--------------------
Each field is compared and the outcome earns points (``WEIGHTS``): agreement earns the
most, a "close" outcome (a nickname, a typing error, the day and month of a date of
birth swapped) earns less, and a disagreement costs points. The score is the points
earned divided by the most the pair could have earned with the fields both records
have, kept between 0 and 1. With every field present the most is 15.5:

============== ===================================================================
given name     agrees 4; nickname 3; typing error or names swapped 2.5; sounds alike
               or another given name 2; initial only 1; differs -3
family name    agrees 4; typing error, names swapped or part of a double-barrelled
               name 2.5; sounds alike 2; differs -2 (names change on marriage)
date of birth  agrees 5; day and month swapped 3.5; one digit or two neighbouring
               digits different 3; one digit different but a decade or more apart 1;
               differs -4; 12 or more years apart -8 (a parent and child)
sex            agrees 0.5; differs -2; counted only when both records have it
address        same UPRN, or same postcode and first line, 2; same postcode only, or
               same first line with another postcode, 1; differs 0 (people move);
               counted only when both records have an address
identifiers    a UPN, NHS number or NI number both records have but that differs -10
same agency    the agency already sent another record matched to this person -3
============== ===================================================================

So an exact name, date of birth and sex at a new address scores 13.5 / 15.5 = 0.87 and
links automatically; twins (same surname, date of birth and address, different given
names) score at most 0.55 and wait for a person to decide; a father and son with the
same name but born a generation apart score 0.16 and stay different people.

What happens at which score is ``MatchThresholds`` (overridable in settings).
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, NamedTuple

from django.conf import settings

from outcomes.matching.normalise import address_line_normalise, are_nicknames, name_normalise
from outcomes.matching.similarity import within_edits


@dataclass(frozen=True)
class MatchThresholds:
    """Score thresholds (0 to 1). At or above ``auto_link`` a record links to its best
    candidate automatically, unless another candidate also reaches it (then a person
    decides); at or above ``review`` the best ``review_candidates`` candidates wait in the
    review queue; below it the record becomes a new person.

    Override any of them with ``ONEPLAN_MATCH_THRESHOLDS = {"auto_link": 0.9}`` in
    settings.
    """

    auto_link: float = 0.85
    review: float = 0.5
    review_candidates: int = 3

    def __post_init__(self) -> None:
        if not 0 <= self.review <= self.auto_link <= 1:
            raise ValueError("Match thresholds need 0 <= review <= auto_link <= 1")
        if self.review_candidates < 1:
            raise ValueError("review_candidates must be at least 1")


def match_thresholds() -> MatchThresholds:
    """The thresholds in force: the defaults with settings.ONEPLAN_MATCH_THRESHOLDS."""
    overrides: Mapping[str, Any] = getattr(settings, "ONEPLAN_MATCH_THRESHOLDS", None) or {}
    known = {f.name for f in fields(MatchThresholds)}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"Unknown match thresholds: {', '.join(sorted(unknown))}")
    return replace(MatchThresholds(), **overrides)


class MatchRecord(NamedTuple):
    """One side of a comparison: names and address already normalised (``match_record``
    builds one from values as typed). A tuple: an import builds hundreds of thousands."""

    given_name: str
    family_name: str
    date_of_birth: datetime.date
    given_code: str = ""
    family_code: str = ""
    sex: str = ""
    address_line: str = ""
    postcode: str = ""
    uprn: str = ""
    upn: str = ""
    nhs_number: str = ""
    ni_number: str = ""


def match_record(
    *,
    given_name: str,
    family_name: str,
    date_of_birth: datetime.date,
    given_code: str = "",
    family_code: str = "",
    sex: str = "",
    address_line_1: str = "",
    postcode: str = "",
    uprn: str = "",
    upn: str = "",
    nhs_number: str = "",
    ni_number: str = "",
) -> MatchRecord:
    return MatchRecord(
        given_name=name_normalise(given_name),
        family_name=name_normalise(family_name),
        date_of_birth=date_of_birth,
        given_code=given_code,
        family_code=family_code,
        sex=sex.strip().upper(),
        address_line=address_line_normalise(address_line_1),
        postcode=postcode.strip().upper(),
        uprn=uprn.strip(),
        upn=upn,
        nhs_number=nhs_number,
        ni_number=ni_number,
    )


class Level(enum.StrEnum):
    """How well one field agrees (MatchReview.field_agreement holds these)."""

    AGREES = "agrees"
    CLOSE = "close"
    DIFFERS = "differs"
    MISSING = "missing"


# Outcomes per field, the points each earns, and the words the review pages show.
WEIGHTS: dict[str, dict[str, float]] = {
    "given_name": {
        "agrees": 4.0,
        "nickname": 3.0,
        "typo": 2.5,
        "names_swapped": 2.5,
        "sounds_alike": 2.0,
        "other_given_name": 2.0,
        "initial": 1.0,
        "differs": -3.0,
    },
    "family_name": {
        "agrees": 4.0,
        "typo": 2.5,
        "names_swapped": 2.5,
        "part": 2.5,
        "sounds_alike": 2.0,
        "differs": -2.0,
    },
    "date_of_birth": {
        "agrees": 5.0,
        "day_month_swapped": 3.5,
        "one_digit": 3.0,
        "transposed": 3.0,
        "one_digit_decade": 1.0,
        "differs": -4.0,
        "differs_generation": -8.0,
    },
    "sex": {"agrees": 0.5, "differs": -2.0, "missing": 0.0},
    "address": {
        "agrees": 2.0,
        "same_postcode": 1.0,
        "same_street_address": 1.0,
        "differs": 0.0,
        "missing": 0.0,
    },
    "upn": {"agrees": 0.0, "differs": -10.0},
    "nhs_number": {"agrees": 0.0, "differs": -10.0},
    "ni_number": {"agrees": 0.0, "differs": -10.0},
    "agency_record": {"another_record": -3.0},
}

OUTCOME_LABELS: dict[str, str] = {
    "agrees": "Agrees",
    "nickname": "Close: nickname",
    "typo": "Close: typing error",
    "names_swapped": "Close: given and family names swapped",
    "sounds_alike": "Close: sounds alike",
    "other_given_name": "Close: another of their given names",
    "initial": "Close: initial only",
    "part": "Close: part of a double-barrelled name",
    "day_month_swapped": "Close: day and month swapped",
    "one_digit": "Close: one digit different",
    "transposed": "Close: two digits swapped",
    "one_digit_decade": "Close: one digit different, a decade or more apart",
    "same_postcode": "Close: same postcode, different first line",
    "same_street_address": "Close: same first line, different postcode",
    "differs": "Differs",
    "differs_generation": "Differs: 12 or more years apart",
    "missing": "Not known",
    "another_record": "Differs: the agency already sent another record for this person",
}

FIELD_LABELS: dict[str, str] = {
    "given_name": "Given name",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "address": "Address",
    "upn": "Unique Pupil Number",
    "nhs_number": "NHS number",
    "ni_number": "National Insurance number",
    "agency_record": "Records from this agency",
}

_MAX_POINTS = {
    "given_name": 4.0,
    "family_name": 4.0,
    "date_of_birth": 5.0,
    "sex": 0.5,
    "address": 2.0,
}


def outcome_level(outcome: str) -> Level:
    if outcome in ("agrees", "missing"):
        return Level(outcome)
    if outcome.startswith("differs") or outcome == "another_record":
        return Level.DIFFERS
    return Level.CLOSE


class Comparison(NamedTuple):
    """The outcome per field (``{"given_name": "nickname", ...}``) and the score."""

    fields: dict[str, str]
    points: float
    max_points: float
    score: float

    @property
    def levels(self) -> dict[str, str]:
        """Per field: agrees, close, differs or missing (MatchReview.field_agreement)."""
        return {name: outcome_level(outcome).value for name, outcome in self.fields.items()}


def _is_typo(first: str, second: str) -> bool:
    # Three-letter names are too short to tell a typing error from another name
    # (Amy, Ami); long names are allowed two slips.
    if max(len(first), len(second)) < 4:
        return False
    allowed = 2 if min(len(first), len(second)) >= 8 else 1
    return within_edits(first, second, allowed)


def _given_name(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.given_name, b.given_name
    if not x or not y:
        return "missing"
    x_parts, y_parts = x.split(), y.split()
    # The first given name is the one people use; middle names come and go between
    # agencies' systems.
    if x == y or x_parts[0] == y_parts[0] or x.replace(" ", "") == y.replace(" ", ""):
        return "agrees"
    if are_nicknames(x_parts[0], y_parts[0]):
        return "nickname"
    if _is_typo(x_parts[0], y_parts[0]):
        return "typo"
    if a.given_code and a.given_code == b.given_code:
        return "sounds_alike"
    if set(x_parts) & set(y_parts):
        return "other_given_name"
    if (len(x_parts[0]) == 1 or len(y_parts[0]) == 1) and x_parts[0][0] == y_parts[0][0]:
        return "initial"
    return "differs"


def _family_name(a: MatchRecord, b: MatchRecord) -> str:
    x, y = a.family_name, b.family_name
    if not x or not y:
        return "missing"
    x_compact, y_compact = x.replace(" ", ""), y.replace(" ", "")
    if x_compact == y_compact:
        return "agrees"
    if _is_typo(x_compact, y_compact):
        return "typo"
    if a.family_code and a.family_code == b.family_code:
        return "sounds_alike"
    if set(x.split()) & set(y.split()):
        return "part"
    return "differs"


_GENERATION_DAYS = 12 * 365.25
_NUMBERS = re.compile(r"[0-9]+")
_DECADE_YEARS = 10


def _date_of_birth(a: datetime.date, b: datetime.date) -> str:
    if a == b:
        return "agrees"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "day_month_swapped"
    x = f"{a.year:04d}{a.month:02d}{a.day:02d}"
    y = f"{b.year:04d}{b.month:02d}{b.day:02d}"
    different = [i for i in range(8) if x[i] != y[i]]
    if len(different) == 1:
        in_year = different[0] < 4
        return (
            "one_digit_decade" if in_year and abs(a.year - b.year) >= _DECADE_YEARS else "one_digit"
        )
    if len(different) == 2 and within_edits(x, y, 1):
        return "transposed"
    if abs((a - b).days) >= _GENERATION_DAYS:
        return "differs_generation"
    return "differs"


def _address(a: MatchRecord, b: MatchRecord) -> str:
    if a.uprn and b.uprn and a.uprn == b.uprn:
        return "agrees"
    same_line = bool(a.address_line) and a.address_line == b.address_line
    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            # A slip in the street name is the same address; another house number is a
            # neighbour.
            close_line = (
                bool(a.address_line)
                and bool(b.address_line)
                and _NUMBERS.findall(a.address_line) == _NUMBERS.findall(b.address_line)
                and within_edits(a.address_line, b.address_line, 2)
            )
            return "agrees" if same_line or close_line else "same_postcode"
        return "same_street_address" if same_line else "differs"
    if same_line:
        return "same_street_address"
    return "missing"


def compare(
    source: MatchRecord, candidate: MatchRecord, *, other_record_from_agency: bool = False
) -> Comparison:
    """Compare an agency's record with a person; see the module docstring for points."""
    outcomes: dict[str, str] = {
        "given_name": _given_name(source, candidate),
        "family_name": _family_name(source, candidate),
    }
    if (
        outcomes["given_name"] == "differs"
        and outcomes["family_name"] == "differs"
        and source.given_name == candidate.family_name
        and source.family_name == candidate.given_name
    ):
        outcomes["given_name"] = outcomes["family_name"] = "names_swapped"
    outcomes["date_of_birth"] = _date_of_birth(source.date_of_birth, candidate.date_of_birth)
    if source.sex and candidate.sex:
        outcomes["sex"] = "agrees" if source.sex == candidate.sex else "differs"
    else:
        outcomes["sex"] = "missing"
    outcomes["address"] = _address(source, candidate)
    for identifier in ("upn", "nhs_number", "ni_number"):
        ours, theirs = getattr(source, identifier), getattr(candidate, identifier)
        if ours and theirs:
            outcomes[identifier] = "agrees" if ours == theirs else "differs"
    if other_record_from_agency:
        outcomes["agency_record"] = "another_record"

    points = sum(WEIGHTS[name][outcome] for name, outcome in outcomes.items())
    max_points = sum(best for name, best in _MAX_POINTS.items() if outcomes.get(name) != "missing")
    score = round(min(1.0, max(0.0, points / max_points)), 3)
    return Comparison(fields=outcomes, points=points, max_points=max_points, score=score)


class MatchOutcome(enum.StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


class Candidate(NamedTuple):
    person_id: int
    comparison: Comparison

    @property
    def score(self) -> float:
        return self.comparison.score


@dataclass(frozen=True)
class MatchVerdict:
    """``best`` is the person to link (LINK) or the nearest miss (NEW, for the log);
    ``review`` the candidates a person chooses between (REVIEW)."""

    outcome: MatchOutcome
    best: Candidate | None = None
    review: tuple[Candidate, ...] = ()


def match_decide(candidates: Iterable[Candidate], thresholds: MatchThresholds) -> MatchVerdict:
    """Link, send to review, or create a new person, from every candidate's score.

    Two candidates that both reach the automatic threshold are a doubt the software
    cannot settle (two people with the same name and date of birth), so a person
    decides between them.
    """
    ranked = sorted(candidates, key=lambda c: (-c.score, c.person_id))
    if not ranked:
        return MatchVerdict(MatchOutcome.NEW)
    best = ranked[0]
    reviewable = tuple(c for c in ranked if c.score >= thresholds.review)
    if best.score >= thresholds.auto_link:
        if len(ranked) == 1 or ranked[1].score < thresholds.auto_link:
            return MatchVerdict(MatchOutcome.LINK, best=best)
        return MatchVerdict(
            MatchOutcome.REVIEW, best=best, review=reviewable[: thresholds.review_candidates]
        )
    if best.score >= thresholds.review:
        return MatchVerdict(
            MatchOutcome.REVIEW, best=best, review=reviewable[: thresholds.review_candidates]
        )
    return MatchVerdict(MatchOutcome.NEW, best=best)
