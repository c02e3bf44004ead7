"""The figures costs avoided uses (DOMAIN.md 6, configurable as data): a programme
manager adds or changes a line of the unit cost table, and sets the programme's spend
for a financial year. Every write is kept by the models' history triggers, naming who
made it (``records_actor``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import AgencyKind, User
from audit.history import records_actor
from oneplan.errors import ApplicationError
from outcomes.costs.access import CHANGE_DENIED, can_change_costs
from outcomes.costs.models import CostUnit, ProgrammeSpend, UnitCost
from outcomes.costs.rules import CATEGORY_BY_CODE, UNIT_MEASURE
from outcomes.money.rules import FIRST_YEAR
from outcomes.money.services import latest_settable_year

# Far above any real unit cost (residential care is about £3,000 a week).
PRICE_MAX_PENCE = 100_000_00
# Far above any council's programme budget for a year.
SPEND_MAX_PENCE = 1_000_000_000_00
NAME_MAX = 120
SOURCE_MAX = 300
SPEND_SOURCE_MAX = 200
FIRST_PRICE_YEAR = 2000


def _require(actor: User) -> None:
    if not can_change_costs(actor):
        raise PermissionDenied(CHANGE_DENIED)


def _text(value: str, *, field: str, what: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise ApplicationError(f"Enter {what}", field=field)
    if len(value) > limit:
        raise ApplicationError(
            f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer", field=field
        )
    return value


def _categories_checked(
    unit: str, categories: Sequence[str], *, in_use: bool, line_id: int | None
) -> list[str]:
    """The categories a line prices: each one known, counted in the line's unit, and
    priced by no other line in use (a service use counted twice would be saved twice)."""
    chosen = list(dict.fromkeys(categories))
    measure = UNIT_MEASURE.get(unit)
    for code in chosen:
        category = CATEGORY_BY_CODE.get(code)
        if category is None:
            raise ApplicationError(f"There is no service use {code!r}", field="categories")
        if measure is None:
            raise ApplicationError(
                "No agency's file counts hours: a per hour line cannot price any service use",
                field="categories",
            )
        if category.measure != measure:
            counted = "weeks" if category.measure == "weeks" else "events"
            raise ApplicationError(
                f"{category.label} is counted in {counted}: choose a unit of per "
                f"{'week' if counted == 'weeks' else 'event'}, or leave it out",
                field="categories",
            )
    if in_use and chosen:
        others = UnitCost.objects.filter(in_use=True, categories__overlap=chosen)
        if line_id is not None:
            others = others.exclude(pk=line_id)
        clash = others.order_by("pk").first()
        if clash is not None:
            both = [CATEGORY_BY_CODE[c].label for c in chosen if c in clash.categories]
            raise ApplicationError(
                f"{', '.join(both)} is already priced by {clash.name}: take it off that line first",
                field="categories",
            )
    return chosen


def _checked(
    *, name: str, agency: str, unit: str, price_pence: int, price_year: int, source: str,
    today: datetime.date,
) -> tuple[str, str]:  # fmt: skip
    if agency not in AgencyKind.values:
        raise ApplicationError("Select the agency that pays", field="agency")
    if unit not in CostUnit.values:
        raise ApplicationError("Select what the price is per", field="unit")
    if price_pence < 0:
        raise ApplicationError("The price cannot be negative", field="price")
    if price_pence >= PRICE_MAX_PENCE:
        raise ApplicationError(f"Enter a price under £{PRICE_MAX_PENCE // 100:,}", field="price")
    if not FIRST_PRICE_YEAR <= price_year <= today.year:
        raise ApplicationError(
            f"The price year must be from {FIRST_PRICE_YEAR} to {today.year}", field="price_year"
        )
    return (
        _text(name, field="name", what="the service's name", limit=NAME_MAX),
        _text(source, field="source", what="where the figure comes from", limit=SOURCE_MAX),
    )


@records_actor
@transaction.atomic
def unit_cost_create(
    *,
    actor: User,
    name: str,
    agency: str,
    unit: str,
    price_pence: int,
    price_year: int,
    source: str,
    is_example: bool,
    categories: Sequence[str],
    today: datetime.date,
) -> UnitCost:
    """Add a line to the unit cost table. Its categories are priced by no other line
    in use (checked under a lock on the table, so two people adding at once cannot
    both price the same service use)."""
    _require(actor)
    name, source = _checked(
        name=name, agency=agency, unit=unit, price_pence=price_pence, price_year=price_year,
        source=source, today=today,
    )  # fmt: skip
    # Serialises every change to which line prices what.
    list(UnitCost.objects.select_for_update().filter(in_use=True).values_list("pk", flat=True))
    chosen = _categories_checked(unit, categories, in_use=True, line_id=None)
    return UnitCost.objects.create(
        name=name,
        agency=agency,
        unit=unit,
        price_pence=price_pence,
        price_year=price_year,
        source=source,
        is_example=is_example,
        categories=chosen,
        updated_by=actor,
        updated_at=timezone.now(),
    )


class UnitCostChanged(ApplicationError):
    """Someone saved the line after the version the caller read."""

    def __init__(self, current: UnitCost) -> None:
        super().__init__(
            f"Someone changed {current.name} after you read it: read it again, then make "
            "your change"
        )
        self.current = current


@records_actor
@transaction.atomic
def unit_cost_change(
    *,
    actor: User,
    line: UnitCost,
    name: str,
    agency: str,
    unit: str,
    price_pence: int,
    price_year: int,
    source: str,
    is_example: bool,
    categories: Sequence[str],
    in_use: bool,
    today: datetime.date,
    expected_version: int | None = None,
) -> UnitCost:
    """Change a line of the unit cost table, or take it out of use; the old figures
    stay in the history. Costs avoided is worked out again with the table as it is
    now. ``expected_version``: the version the caller read; ``UnitCostChanged`` when
    someone saved since."""
    _require(actor)
    name, source = _checked(
        name=name, agency=agency, unit=unit, price_pence=price_pence, price_year=price_year,
        source=source, today=today,
    )  # fmt: skip
    list(UnitCost.objects.select_for_update().filter(in_use=True).values_list("pk", flat=True))
    locked = UnitCost.objects.select_for_update().get(pk=line.pk)
    if expected_version is not None and locked.version != expected_version:
        raise UnitCostChanged(locked)
    chosen = _categories_checked(unit, categories, in_use=in_use, line_id=locked.pk)
    new = (name, agency, unit, price_pence, price_year, source, is_example, chosen, in_use)
    old = (
        locked.name, locked.agency, locked.unit, locked.price_pence, locked.price_year,
        locked.source, locked.is_example, list(locked.categories), locked.in_use,
    )  # fmt: skip
    if new == old:
        return locked
    (
        locked.name, locked.agency, locked.unit, locked.price_pence, locked.price_year,
        locked.source, locked.is_example, locked.categories, locked.in_use,
    ) = new  # fmt: skip
    locked.updated_by, locked.updated_at = actor, timezone.now()
    locked.version += 1
    locked.save()
    return locked


@records_actor
@transaction.atomic
def programme_spend_set(
    *, actor: User, financial_year: int, amount_pence: int, source: str, today: datetime.date
) -> ProgrammeSpend:
    """Set what the programme spent in a financial year (up to next year, for a budget
    set ahead), or change it; the old figure stays in the history."""
    _require(actor)
    last = latest_settable_year(today)
    if not FIRST_YEAR <= financial_year <= last:
        raise ApplicationError(
            f"The financial year must be from {FIRST_YEAR} to {last}", field="financial_year"
        )
    if amount_pence < 0:
        raise ApplicationError("The spend cannot be negative", field="amount")
    if amount_pence >= SPEND_MAX_PENCE:
        raise ApplicationError(f"Enter a spend under £{SPEND_MAX_PENCE // 100:,}", field="amount")
    source = _text(
        source, field="source", what="where the figure comes from", limit=SPEND_SOURCE_MAX
    )
    spend = ProgrammeSpend.objects.select_for_update().filter(financial_year=financial_year).first()
    now = timezone.now()
    if spend is None:
        try:
            with transaction.atomic():
                return ProgrammeSpend.objects.create(
                    financial_year=financial_year,
                    amount_pence=amount_pence,
                    source=source,
                    updated_by=actor,
                    updated_at=now,
                )
        except IntegrityError:
            # Someone saved the year's first figure at the same moment (the year is
            # unique): this save changes theirs, as a later save would.
            spend = ProgrammeSpend.objects.select_for_update().get(financial_year=financial_year)
    if (spend.amount_pence, spend.source) == (amount_pence, source):
        return spend
    spend.amount_pence, spend.source = amount_pence, source
    spend.updated_by, spend.updated_at = actor, now
    spend.save(update_fields=["amount_pence", "source", "updated_by", "updated_at"])
    return spend
