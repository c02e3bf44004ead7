"""The criteria each framework assesses, in the order pages show them.

Codes are the stable ones in FEEDS.md ("Criterion codes"); other areas (nominations,
screening, claims) store them, so a code never changes meaning once published.
"""

from __future__ import annotations

from datetime import date

from plans.headlines import HEADLINES

CRITERIA: dict[str, list[tuple[str, str]]] = {
    "tf1": [
        ("crime_asb", "Crime or anti-social behaviour"),
        ("education", "Education: exclusion or absence from school"),
        ("work", "Adult on an out-of-work benefit"),
        ("local", "Local discretion"),
    ],
    "tf2": [
        ("crime", "Parents or children involved in crime or anti-social behaviour"),
        ("education", "Children not attending school regularly"),
        ("children_in_need", "Children who need help"),
        (
            "worklessness",
            "Adults out of work or at risk of financial exclusion, or young people at risk "
            "of worklessness",
        ),
        ("domestic_abuse", "Families affected by domestic violence and abuse"),
        ("health", "Parents and children with a range of health problems"),
    ],
    # The Supporting Families headlines, one list with the needs plans record.
    "sf2022": list(HEADLINES),
}

FRAMEWORK_CODES: tuple[str, ...] = tuple(CRITERIA)

# When each framework came into force (DOMAIN.md 1 and 4). The database's FrameworkPeriod
# rows (seeded with these) are the source of truth; these apply only when it has none.
DEFAULT_PERIODS: tuple[tuple[date, str], ...] = (
    (date(2012, 4, 1), "tf1"),
    (date(2015, 4, 1), "tf2"),
    (date(2022, 4, 1), "sf2022"),
)


def criterion_label(framework: str, code: str) -> str:
    """The plain label of a criterion, or the code itself if the framework lacks it."""
    return dict(CRITERIA.get(framework, [])).get(code, code)
