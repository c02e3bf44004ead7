"""What the demo case work is made of: which agency sends each kind of evidence, the
Supporting Families headline needs and how often demo families have them, and the shapes
the case-work generator reads and writes."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

from django.db.models import Model

from families.states import TERMINAL_STATES
from outcomes.models import FeedKind

CHUNK: Final = 5000
DAY: Final = datetime.timedelta(days=1)

# Which demo agency sends each kind of feed (codes from ``oneplan.site.demo.seed``).
FEED_AGENCY: Final[dict[FeedKind, str]] = {
    FeedKind.SCHOOL_ATTENDANCE: "SCH-BASINGSTOKE-VALE",
    FeedKind.EXCLUSIONS: "SCH-BASINGSTOKE-VALE",
    FeedKind.OFFENCES: "HCC-YOT",
    FeedKind.ASB: "GBC",
    FeedKind.POLICE_CALLOUTS: "HC-POLICE",
    FeedKind.BENEFITS: "DWP-JCP",
    FeedKind.EMPLOYMENT: "DWP-JCP",
    FeedKind.SOCIAL_CARE: "HCC-CS",
    FeedKind.DOMESTIC_ABUSE: "HC-POLICE",
    FeedKind.HEALTH: "SHFT",
    FeedKind.HOUSING: "HBC-HOUSING",
}

# Shown with each demo feed: its rows were copied in, not read from a file (so the file
# is empty), and counted afterwards (``casework_store.feed_counts_record``).
DEMO_FEED_NOTE: Final = (
    "Demo data: these rows were loaded when the demo was made, so the file itself was not kept."
)

# Supporting Families headline needs (DOMAIN.md 4.3) and how often demo families have
# each; a family being worked with has three or more.
HEADLINES: Final[tuple[tuple[str, float], ...]] = (
    ("education", 0.45),
    ("early_years", 0.15),
    ("health", 0.40),
    ("substance_use", 0.15),
    ("family_relationships", 0.30),
    ("child_safety", 0.30),
    ("crime", 0.30),
    ("domestic_abuse", 0.25),
    ("housing", 0.30),
    ("financial_stability", 0.50),
)
# Statuses whose families' work is done: their plan's open actions and the next review
# go with the case (families.journey: outcomes met and claimed have none overdue).
OUTCOMES: Final = frozenset({"outcomes_met", "claimed"})
LEFT: Final = frozenset(status.value for status in TERMINAL_STATES)

GOALS: Final[dict[str, tuple[str, ...]]] = {
    "education": ("{child} goes to school every day", "{child} stays in school"),
    "early_years": ("{child} is ready for nursery", "The baby's development checks are up to date"),
    "health": ("{adult} feels able to manage their mental health",),
    "substance_use": ("{adult} cuts down their drinking and keeps appointments",),
    "family_relationships": ("Fewer arguments at home and a calmer evening routine",),
    "child_safety": ("The children are safe and the plan can step down",),
    "crime": ("{child} stays out of trouble with the police",),
    "domestic_abuse": ("{adult} and the children feel safe at home",),
    "housing": ("The rent arrears are paid off and the tenancy is safe",),
    "financial_stability": ("{adult} finds work or training that fits around the children",),
}
ACTIONS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    # (agency kind or "family", what)
    "education": (
        ("school", "Meet {child} each morning for a check-in"),
        ("family", "Get {child} up and out of the door by 8:15"),
    ),
    "early_years": (
        ("health", "Home visit for the 2-year development review"),
        ("family", "Take up the free nursery place"),
    ),
    "health": (
        ("health", "Refer {adult} to talking therapies"),
        ("family", "Go to the GP appointment about sleep"),
    ),
    "substance_use": (("health", "Arrange an assessment with the recovery service"),),
    "family_relationships": (
        ("voluntary_sector", "Six family mediation sessions"),
        ("family", "Agree a bedtime routine and stick to it"),
    ),
    "child_safety": (("childrens_services", "Child in need review meeting"),),
    "crime": (
        ("youth_offending", "Weekly session with the youth justice worker"),
        ("police", "Visit to explain the acceptable behaviour contract"),
    ),
    "domestic_abuse": (("police", "Safety planning visit with the domestic abuse officer"),),
    "housing": (
        ("housing", "Set up an affordable repayment plan for the arrears"),
        ("family", "Pay the agreed amount each week"),
    ),
    "financial_stability": (
        ("dwp", "Work coach appointment about part-time work"),
        ("family", "Go to the jobs fair at the library"),
    ),
}
WORKING_WELL: Final = (
    "Mum is very proud of the children and wants the best for them.",
    "The family get on well with their neighbours and grandparents help out.",
    "The children enjoy football club and never miss it.",
)
WORRIES: Final = (
    "Mornings are chaotic and the children are often late or miss school.",
    "Money is very tight and the arrears letters are frightening.",
    "There have been arguments that upset the younger children.",
)
WANTS: Final = (
    "\u201cWe want a calmer house and for the kids to do well at school.\u201d",
    "\u201cI want to get back to work and stop worrying about the rent.\u201d",
    "\u201cWe just want to be left alone to get on with our lives.\u201d",
)
RATINGS: Final = ("no_change", "some_progress", "good_progress", "some_progress")


@dataclass
class DemoMember:
    person_id: int
    given_name: str
    family_name: str
    born: datetime.date
    sex: str
    upn: str
    nhs: str
    ni: str
    role: str
    # Age on the seed's ``today``, worked out once (the generator asks it many times).
    age: int = 0


@dataclass
class DemoFamily:
    pk: int
    status: str
    lead_agency_id: int | None
    lead_user_id: int | None
    attached_on: datetime.date | None
    # When the family's journey reached "engaged" and "plan active" (None: it did not).
    engaged_on: datetime.date | None
    plan_active_on: datetime.date | None
    # The day of the family's last status change.
    changed_on: datetime.date
    line_1: str
    postcode: str
    uprn: str
    members: list[DemoMember] = field(default_factory=list)

    @property
    def left_on(self) -> datetime.date | None:
        """The day the family left the journey (closed or a side exit), else None."""
        return self.changed_on if self.status in LEFT else None


@dataclass
class DemoRows:
    """Lines for COPY, per table, with ids reserved as they are made."""

    lines: dict[type[Model], list[str]] = field(default_factory=lambda: defaultdict(list))
    through: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def iso_text(day: datetime.date | None) -> str:
    return "\\N" if day is None else day.isoformat()


def age_on(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def terms_before(today: datetime.date, count: int) -> list[tuple[str, str, datetime.date]]:
    """The ``count`` most recent school terms that started on or before ``today``, newest
    first, as (academic year, term, start date), with FEEDS.md's term start dates."""
    terms: list[tuple[str, str, datetime.date]] = []
    year = today.year + 1
    while len(terms) < count:
        first = year - 1
        label = f"{first}/{str(year)[-2:]}"
        for term, start in (
            ("summer", datetime.date(year, 4, 1)),
            ("spring", datetime.date(year, 1, 1)),
            ("autumn", datetime.date(first, 9, 1)),
        ):
            if start <= today and len(terms) < count:
                terms.append((label, term, start))
        year -= 1
    return terms


def term_end(term: str, start: datetime.date) -> datetime.date:
    if term == "autumn":
        return datetime.date(start.year, 12, 31)
    if term == "spring":
        return datetime.date(start.year, 3, 31)
    return datetime.date(start.year, 8, 31)


def action_due(
    rng: random.Random, today: datetime.date, family: DemoFamily, started: datetime.date
) -> tuple[datetime.date, str]:
    """An action's due date and status, as the family's journey leaves them.

    A family that has left: every action was done or not done by the day it left.
    Outcomes met or claimed: the work behind the outcomes is done, and what is still open
    is due later (families.journey: none overdue). Otherwise, work in hand.
    """
    left_on = family.left_on
    if left_on is not None:
        due = started + rng.randint(0, max(0, (left_on - started).days)) * DAY
        return due, rng.choices(("done", "not_done"), weights=(4, 1))[0]
    outcomes = family.status in OUTCOMES
    status = rng.choices(
        ("not_started", "in_progress", "done", "not_done"),
        weights=(1, 2, 6, 0.4) if outcomes else (3, 4, 3, 0.4),
    )[0]
    if outcomes and status in ("not_started", "in_progress"):
        return today + rng.randint(1, 45) * DAY, status
    return today + rng.randint(-30, 45) * DAY, status
