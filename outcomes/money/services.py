"""The attachment fees (DOMAIN.md 1, 4; configurable as data): a programme manager adds
a fee for a framework and financial year, or changes one. Every write is kept by the
model's history triggers, naming who made it."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from oneplan.errors import ApplicationError
from outcomes.claims.access import can_change_payment_rates
from outcomes.models import AttachmentFee, Framework
from outcomes.money.rules import FIRST_YEAR, financial_year_label, financial_year_of

# Far above any real fee (tf1's was at most £3,200 a family): a typing mistake, not a fee.
AMOUNT_MAX = Decimal("100000.00")
SOURCE_MAX = 200


def _require(actor: User) -> None:
    if not can_change_payment_rates(actor):
        raise ApplicationError("Only a programme manager can change the payment rates")


def _checked(amount: Decimal, source: str) -> tuple[Decimal, str]:
    if not amount.is_finite() or amount < 0:
        raise ApplicationError("The fee cannot be negative", field="amount")
    if amount >= AMOUNT_MAX:
        raise ApplicationError(f"Enter a fee under £{AMOUNT_MAX:,.0f}", field="amount")
    source = source.strip()
    if not source:
        raise ApplicationError("Enter where the figure comes from", field="source")
    if len(source) > SOURCE_MAX:
        raise ApplicationError(
            f"Where the figure comes from must be {SOURCE_MAX} characters or fewer",
            field="source",
        )
    return amount.quantize(Decimal("0.01")), source


def latest_settable_year(today: datetime.date) -> int:
    """A fee can be set up to the next financial year, ahead of its start."""
    return financial_year_of(today) + 1


@records_actor
def attachment_fee_create(
    *,
    actor: User,
    framework: str,
    financial_year: int,
    amount: Decimal,
    source: str,
    today: datetime.date,
) -> AttachmentFee:
    """Set the fee for a framework and financial year that has none yet."""
    _require(actor)
    if framework not in Framework.values:
        raise ApplicationError("Select a framework", field="framework")
    last = latest_settable_year(today)
    if not FIRST_YEAR <= financial_year <= last:
        raise ApplicationError(
            f"The financial year must be from {FIRST_YEAR} to {last}", field="financial_year"
        )
    amount, source = _checked(amount, source)
    try:
        with transaction.atomic():
            return AttachmentFee.objects.create(
                framework=framework,
                financial_year=financial_year,
                amount=amount,
                source=source,
                updated_by=actor,
                updated_at=timezone.now(),
            )
    except IntegrityError:
        raise ApplicationError(
            f"A fee for {Framework(framework).label} in {financial_year_label(financial_year)} "
            "is already set: change that one instead",
            field="financial_year",
        ) from None


@records_actor
@transaction.atomic
def attachment_fee_change(
    *, actor: User, fee: AttachmentFee, amount: Decimal, source: str
) -> AttachmentFee:
    """Change a fee's amount or where it comes from; the old figure stays in the
    history. Money already shown for the year is worked out again with the new fee."""
    _require(actor)
    amount, source = _checked(amount, source)
    locked = AttachmentFee.objects.select_for_update().get(pk=fee.pk)
    if (locked.amount, locked.source) == (amount, source):
        return locked
    locked.amount, locked.source = amount, source
    locked.updated_by, locked.updated_at = actor, timezone.now()
    locked.save(update_fields=["amount", "source", "updated_by", "updated_at"])
    return locked
