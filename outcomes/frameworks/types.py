"""What every framework's rule takes in and gives back. Plain data: no ORM, no clock."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, NamedTuple

from outcomes.frameworks.dates import age_on


class ParameterError(ValueError):
    """A framework version's parameters cannot be used; the message says why."""


class Member(NamedTuple):
    """A person in the household, as the household record holds them. (Named tuples:
    a run builds hundreds of thousands of these, and tuples are the cheapest to make.)"""

    person_id: int
    given_name: str
    date_of_birth: date
    start_date: date | None = None
    end_date: date | None = None

    def age_on(self, day: date) -> int:
        return age_on(self.date_of_birth, day)

    def in_household_on(self, day: date) -> bool:
        # The start date is not checked: households are recorded when data first
        # arrives, usually after the facts that data brings about the people in them.
        return self.end_date is None or self.end_date >= day


class Fact(NamedTuple):
    """One dated piece of evidence about a person (FEEDS.md kinds; ``data`` holds the
    kind's own columns, typed)."""

    id: int
    person_id: int
    kind: str
    date: datetime.date
    end_date: datetime.date | None = None
    data: Mapping[str, Any] = MappingProxyType({})

    def active_between(self, start: datetime.date, end: datetime.date) -> bool:
        """True when a spell (benefit, care episode, need...) overlaps [start, end]."""
        return self.date <= end and (self.end_date is None or self.end_date >= start)

    def date_in(self, key: str) -> datetime.date | None:
        value = self.data.get(key)
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str) and value:
            return datetime.date.fromisoformat(value)
        return None


@dataclass(frozen=True)
class Household:
    members: tuple[Member, ...]
    facts: tuple[Fact, ...]


@dataclass(frozen=True)
class HouseholdRules:
    """DOMAIN.md 4 household definitions, as parameters."""

    adult_age: int = 18
    school_age_min: int = 5
    school_age_max: int = 16
    # A dependent child is under 16, or 16 up to this age and not in work.
    dependent_under: int = 16
    dependent_max_age: int = 18

    def to_json(self) -> dict[str, int]:
        """Every definition by name; with no arguments, the defaults each framework's
        parameters start from."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> HouseholdRules:
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise ParameterError("household must be an object")
        values: dict[str, int] = {}
        for name in ("adult_age", "school_age_min", "school_age_max"):
            values[name] = _int(data, name, getattr(cls, name), low=0, high=30)
        values["dependent_under"] = _int(data, "dependent_under", cls.dependent_under, 0, 30)
        values["dependent_max_age"] = _int(data, "dependent_max_age", cls.dependent_max_age, 0, 30)
        if values["school_age_min"] > values["school_age_max"]:
            raise ParameterError("household.school_age_min is above school_age_max")
        return cls(**values)


def setting_value(name: str, value: Any, label: str) -> Any:
    """One setting of an indicator or an outcome measure, checked for its type (each
    menu checks its bounds): ``percent`` a finite number (a ``Decimal``), ``codes`` a
    list of codes (a tuple), ``min_age``/``max_age`` a whole number or None, and every
    other setting a whole number. ``ParameterError`` names ``label``."""
    if name == "percent":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ParameterError(f"{label} must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ParameterError(f"{label} must be a number") from None
        # "NaN" parses, but cannot be compared with the bounds check's limits.
        if not number.is_finite():
            raise ParameterError(f"{label} must be a number")
        return number
    if name == "codes":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ParameterError(f"{label} must be a list of codes")
        return tuple(value)
    if name in ("min_age", "max_age") and value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(f"{label} must be a whole number")
    return value


def _int(data: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"household.{name} must be a whole number from {low} to {high}")
    return int(value)


class Hit(NamedTuple):
    """One finding that makes an indicator true, in words, with what it rests on."""

    reason: str
    evidence: tuple[int, ...]
    people: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class CriterionResult:
    code: str
    label: str
    met: bool
    reasons: tuple[str, ...]
    hits: tuple[Hit, ...] = ()

    @property
    def evidence(self) -> list[int]:
        return sorted({e for hit in self.hits for e in hit.evidence})

    @property
    def people(self) -> list[int]:
        return sorted({p for hit in self.hits for p in hit.people})

    def to_json(self) -> dict[str, Any]:
        """The ``Assessment.criteria`` entry: met, reasons, evidence and people ids, plus
        each finding with its own evidence so pages can withhold restricted ones."""
        return {
            "met": self.met,
            "reasons": list(self.reasons),
            "evidence": self.evidence,
            "people": self.people,
            "hits": [hit.to_json() for hit in self.hits],
        }


@dataclass(frozen=True)
class RuleResult:
    framework: str
    as_of: date
    eligible: bool
    criteria: tuple[CriterionResult, ...]
    summary: str

    @property
    def met_count(self) -> int:
        return sum(1 for c in self.criteria if c.met)

    def criterion(self, code: str) -> CriterionResult:
        for result in self.criteria:
            if result.code == code:
                return result
        raise KeyError(code)

    def criteria_json(self) -> dict[str, dict[str, Any]]:
        return {c.code: c.to_json() for c in self.criteria}
