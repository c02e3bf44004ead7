"""Random households with every kind of evidence the rules read, dated close around a
day so that windows gain and lose rows often: for property tests of the rules (pure, no
database). Reproducible from the seed."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from outcomes.frameworks.types import Fact, Household, Member

_TERM_ENDS = {1: (3, 31), 4: (8, 31), 9: (12, 31)}


def _terms_around(day: date, count: int) -> list[tuple[date, date]]:
    starts = sorted(
        date(year, month, 1) for year in range(day.year - 3, day.year + 1) for month in _TERM_ENDS
    )
    started = [s for s in starts if s <= day][-count:]
    return [(s, date(s.year, *_TERM_ENDS[s.month])) for s in started]


def random_household(rng: random.Random, around: date, *, next_id: list[int]) -> Household:
    """Two adults and up to three children; about 30 rows of evidence in the 20 months
    before ``around`` and a few after it."""

    def new_id() -> int:
        next_id[0] += 1
        return next_id[0]

    members: list[Member] = []
    for role in ("adult", "adult", "child", "child", "child")[: rng.randint(2, 5)]:
        years = rng.randint(25, 50) if role == "adult" else rng.randint(3, 17)
        born = around - timedelta(days=365 * years + rng.randrange(365))
        left = around + timedelta(days=rng.randrange(-60, 120)) if rng.random() < 0.1 else None
        members.append(Member(new_id(), role.title(), born, date(2015, 1, 1), left))
    adults = [m.person_id for m in members if m.given_name == "Adult"]
    children = [m.person_id for m in members if m.given_name == "Child"] or adults
    facts: list[Fact] = []

    def day() -> date:
        return around - timedelta(days=rng.randrange(-40, 600))

    def add(kind: str, person: int, on: date, end: date | None, data: dict[str, Any]) -> None:
        facts.append(Fact(new_id(), person, kind, on, end, data))

    for child in children:
        for start, end in _terms_around(around, 6):
            possible = rng.choice((120, 130))
            add(
                "school_attendance",
                child,
                start,
                end,
                {
                    "possible_sessions": possible,
                    "unauthorised_absence_sessions": int(possible * rng.random() ** 2 * 0.4),
                    "authorised_absence_sessions": 2,
                },
            )
    for _ in range(rng.randint(0, 4)):
        on = day()
        add(
            "exclusions",
            rng.choice(children),
            on,
            None,
            {
                "exclusion_date": on.isoformat(),
                "exclusion_type": rng.choice(("fixed", "fixed", "permanent")),
                "sessions": 2,
            },
        )
    everyone = [m.person_id for m in members]
    for _ in range(rng.randint(0, 5)):
        on = day()
        outcome_on = on + timedelta(days=rng.randrange(0, 60))
        add(
            "offences",
            rng.choice(everyone),
            on,
            None,
            {
                "offence_date": on.isoformat(),
                "outcome_date": outcome_on.isoformat(),
                "outcome": rng.choice(("proven", "proven", "not_proven")),
                "offence_type": "theft",
            },
        )
    for _ in range(rng.randint(0, 5)):
        on = day()
        add(
            "asb",
            rng.choice(everyone),
            on,
            None,
            {"incident_date": on.isoformat(), "intervention": rng.choice(("abc", "incident"))},
        )
    for _ in range(rng.randint(0, 4)):
        on = day()
        category = rng.choice(("domestic_abuse", "missing_person", "asb", "welfare"))
        add(
            "police_callouts",
            rng.choice(everyone),
            on,
            None,
            {"callout_date": on.isoformat(), "category": category},
        )
    for adult in adults:
        for _ in range(rng.randint(0, 2)):
            on = day()
            until = on + timedelta(days=rng.randrange(20, 300)) if rng.random() < 0.5 else None
            add(
                "benefits",
                adult,
                on,
                until,
                {
                    "benefit": rng.choice(("JSA", "ESA", "UC", "CA")),
                    "start_date": on.isoformat(),
                    "out_of_work": rng.random() < 0.7,
                },
            )
        for _ in range(rng.randint(0, 2)):
            on = day()
            until = on + timedelta(days=rng.randrange(20, 300)) if rng.random() < 0.5 else None
            add("employment", adult, on, until, {"hours_per_week": rng.choice((8, 16, 30))})
        if rng.random() < 0.3:
            on = day()
            add(
                "work_progress",
                adult,
                on,
                None,
                {"event_date": on.isoformat(), "programme": "work_programme"},
            )
        if rng.random() < 0.4:
            on = day()
            event = rng.choice(("rent_arrears", "notice_seeking_possession", "arrears_cleared"))
            add("housing", adult, on, None, {"event_date": on.isoformat(), "event": event})
        if rng.random() < 0.3:
            on = day()
            add(
                "domestic_abuse",
                adult,
                on,
                None,
                {"incident_date": on.isoformat(), "role": "victim", "marac": rng.random() < 0.3},
            )
    for _ in range(rng.randint(0, 3)):
        on = day()
        until = on + timedelta(days=rng.randrange(20, 300)) if rng.random() < 0.5 else None
        kind = rng.choice(("social_care", "health", "neet"))
        data = {
            "social_care": {
                "status": rng.choice(("early_help", "child_in_need", "child_protection"))
            },
            "health": {"need": rng.choice(("mental_health", "substance_misuse")), "engaged": True},
            "neet": {"status": "neet"},
        }[kind]
        add(kind, rng.choice(children if kind != "health" else everyone), on, until, data)
    return Household(members=tuple(members), facts=tuple(facts))
