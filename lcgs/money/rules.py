"""The LCG grant statement's arithmetic (DOMAIN.md 5). Pure: no ORM, no clock.

A line is a count of families at a rate; a year without rates prices nothing (the
statement says so rather than inventing a figure). Financial years are the Money page's
(``outcomes.money.rules``): 1 April to 31 March, named by the year they start in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from outcomes.reporting.rules import percent_of_target

ZERO = Decimal("0.00")
TOTAL = "Total"


@dataclass(frozen=True)
class Rates:
    """A financial year's rates: the grant per family taken on on the local track and
    the reward per such family whose result claim is accepted."""

    grant_per_family: Decimal
    reward_per_result: Decimal


@dataclass(frozen=True)
class StatementRow:
    """One LCG's grant for a financial year (or the total across LCGs).

    ``families_taken_on`` earn the grant; ``results`` (families on the local track whose
    claim was accepted in the year and still stands) earn the reward; ``clawed_back``
    counts the families whose claim accepted in the year was clawed back since: shown
    so the coordinator sees why they earn nothing. Targets are ``None`` when not set."""

    lcg_id: int | None
    lcg: str
    families_taken_on: int
    grant: Decimal
    results: int
    reward: Decimal
    clawed_back: int
    target_taken_on: int | None = None
    target_results: int | None = None

    @property
    def total(self) -> Decimal:
        return self.grant + self.reward

    @property
    def taken_on_percent(self) -> int | None:
        return percent_of_target(self.families_taken_on, self.target_taken_on)

    @property
    def results_percent(self) -> int | None:
        return percent_of_target(self.results, self.target_results)


def line_amount(count: int, rate: Decimal | None) -> Decimal:
    """``count`` families at ``rate`` pounds each; nothing when no rate is set."""
    if rate is None:
        return ZERO
    return (rate * count).quantize(Decimal("0.01"))


def statement_row(
    lcg_id: int | None,
    lcg: str,
    *,
    families_taken_on: int,
    results: int,
    clawed_back: int,
    rates: Rates | None,
    targets: tuple[int, int] | None = None,
) -> StatementRow:
    """An LCG's row: its families priced at the year's ``rates`` (a clawed-back claim
    earns nothing), beside its ``targets`` (families taken on, results) when set."""
    return StatementRow(
        lcg_id=lcg_id,
        lcg=lcg,
        families_taken_on=families_taken_on,
        grant=line_amount(families_taken_on, rates.grant_per_family if rates else None),
        results=results,
        reward=line_amount(results, rates.reward_per_result if rates else None),
        clawed_back=clawed_back,
        target_taken_on=targets[0] if targets else None,
        target_results=targets[1] if targets else None,
    )


def _sum_targets(values: list[int | None]) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def statement_total(rows: Iterable[StatementRow]) -> StatementRow:
    """The total across LCGs: counts and amounts added up; a target total adds the
    targets that are set (none set: no total target)."""
    rows = list(rows)
    return StatementRow(
        lcg_id=None,
        lcg=TOTAL,
        families_taken_on=sum(row.families_taken_on for row in rows),
        grant=sum((row.grant for row in rows), ZERO),
        results=sum(row.results for row in rows),
        reward=sum((row.reward for row in rows), ZERO),
        clawed_back=sum(row.clawed_back for row in rows),
        target_taken_on=_sum_targets([row.target_taken_on for row in rows]),
        target_results=_sum_targets([row.target_results for row in rows]),
    )
