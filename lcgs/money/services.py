"""The LCG money's configuration (DOMAIN.md 5, configurable as data): a programme
manager sets a financial year's grant and reward rates, changes them, and sets each
LCG's annual targets. Every write is kept by the models' history triggers, naming who
made it (``records_actor``)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import LCG, User
from audit.history import records_actor
from lcgs.money.access import CHANGE_DENIED, can_change_lcg_money
from lcgs.money.models import LCGGrantRate, LCGTarget
from oneplan.errors import ApplicationError
from outcomes.money.rules import FIRST_YEAR, financial_year_label
from outcomes.money.services import SOURCE_MAX, latest_settable_year

# Far above any LCG's rate (Hampshire's were £350 and £450): a typing mistake, not a rate.
RATE_MAX = Decimal("10000.00")
# Far above any LCG's year (Hampshire took on about 1,800 families a year in all).
TARGET_MAX = 100000


def _require(actor: User) -> None:
    if not can_change_lcg_money(actor):
        raise PermissionDenied(CHANGE_DENIED)


def _year_checked(financial_year: int, today: datetime.date) -> int:
    last = latest_settable_year(today)
    if not FIRST_YEAR <= financial_year <= last:
        raise ApplicationError(
            f"The financial year must be from {FIRST_YEAR} to {last}", field="financial_year"
        )
    return financial_year


def _rate_checked(amount: Decimal, field: str, what: str) -> Decimal:
    if not amount.is_finite() or amount < 0:
        raise ApplicationError(f"The {what} cannot be negative", field=field)
    if amount >= RATE_MAX:
        raise ApplicationError(f"Enter a {what} under £{RATE_MAX:,.0f}", field=field)
    return amount.quantize(Decimal("0.01"))


def _source_checked(source: str) -> str:
    source = source.strip()
    if not source:
        raise ApplicationError("Enter where the figures come from", field="source")
    if len(source) > SOURCE_MAX:
        raise ApplicationError(
            f"Where the figures come from must be {SOURCE_MAX} characters or fewer",
            field="source",
        )
    return source


@records_actor
def lcg_grant_rate_create(
    *,
    actor: User,
    financial_year: int,
    grant_per_family: Decimal,
    reward_per_result: Decimal,
    source: str,
    today: datetime.date,
) -> LCGGrantRate:
    """Set the rates of a financial year that has none yet (up to next year, so a new
    year's rates can be set before it starts)."""
    _require(actor)
    year = _year_checked(financial_year, today)
    grant = _rate_checked(grant_per_family, "grant_per_family", "grant per family")
    reward = _rate_checked(reward_per_result, "reward_per_result", "reward per result")
    source = _source_checked(source)
    try:
        with transaction.atomic():
            return LCGGrantRate.objects.create(
                financial_year=year,
                grant_per_family=grant,
                reward_per_result=reward,
                source=source,
                updated_by=actor,
                updated_at=timezone.now(),
            )
    except IntegrityError:
        raise ApplicationError(
            f"Rates for {financial_year_label(year)} are already set: change them instead",
            field="financial_year",
        ) from None


class RateChanged(ApplicationError):
    """Someone saved the rates after the version the caller read."""

    def __init__(self, current: LCGGrantRate) -> None:
        super().__init__(
            f"Someone changed the rates for {financial_year_label(current.financial_year)} "
            "after you read them: read them again, then make your change"
        )
        self.current = current


def rate_version(rate: LCGGrantRate) -> int:
    """The version of a year's rates a caller read: the API's ETag."""
    return rate.version


@records_actor
@transaction.atomic
def lcg_grant_rate_change(
    *,
    actor: User,
    rate: LCGGrantRate,
    grant_per_family: Decimal,
    reward_per_result: Decimal,
    source: str,
    expected_version: int | None = None,
) -> LCGGrantRate:
    """Change a year's rates; the old figures stay in the history. The statement of
    that year is worked out again with the new rates. ``expected_version``: the
    ``rate_version`` the caller read; ``RateChanged`` when someone saved since."""
    _require(actor)
    grant = _rate_checked(grant_per_family, "grant_per_family", "grant per family")
    reward = _rate_checked(reward_per_result, "reward_per_result", "reward per result")
    source = _source_checked(source)
    locked = LCGGrantRate.objects.select_for_update().get(pk=rate.pk)
    if expected_version is not None and rate_version(locked) != expected_version:
        raise RateChanged(locked)
    if (locked.grant_per_family, locked.reward_per_result, locked.source) == (
        grant,
        reward,
        source,
    ):
        return locked
    locked.grant_per_family, locked.reward_per_result, locked.source = grant, reward, source
    locked.updated_by, locked.updated_at = actor, timezone.now()
    locked.version += 1
    locked.save(
        update_fields=[
            "grant_per_family",
            "reward_per_result",
            "source",
            "updated_by",
            "updated_at",
            "version",
        ]
    )
    return locked


def _target_checked(value: int, field: str, what: str) -> int:
    if value < 0:
        raise ApplicationError(f"The target for {what} cannot be negative", field=field)
    if value > TARGET_MAX:
        raise ApplicationError(f"Enter a target for {what} of {TARGET_MAX:,} or fewer", field=field)
    return value


@records_actor
@transaction.atomic
def lcg_target_set(
    *,
    actor: User,
    lcg: LCG,
    financial_year: int,
    families_taken_on: int,
    results: int,
    today: datetime.date,
) -> LCGTarget:
    """Set an LCG's targets for a financial year: families to take on on the local
    track, and results (their claims accepted). Setting them again changes them; the
    old figures stay in the history."""
    _require(actor)
    year = _year_checked(financial_year, today)
    taken_on = _target_checked(families_taken_on, "families_taken_on", "families taken on")
    wanted = _target_checked(results, "results", "results")
    # Locks the LCG's row, so two people setting the same year's first targets at once
    # make one row, the second a change of it.
    LCG.objects.select_for_update().filter(pk=lcg.pk).first()
    target = LCGTarget.objects.filter(lcg=lcg, financial_year=year).first()
    if target is None:
        return LCGTarget.objects.create(
            lcg=lcg,
            financial_year=year,
            families_taken_on=taken_on,
            results=wanted,
            updated_by=actor,
            updated_at=timezone.now(),
        )
    if (target.families_taken_on, target.results) == (taken_on, wanted):
        return target
    target.families_taken_on, target.results = taken_on, wanted
    target.updated_by, target.updated_at = actor, timezone.now()
    target.save(update_fields=["families_taken_on", "results", "updated_by", "updated_at"])
    return target
