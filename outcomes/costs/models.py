"""Costs avoided's own data (DOMAIN.md 6, configurable as data): the unit cost table
and the programme's spend per financial year, both edited by programme managers; every
write is kept by the models' history triggers, naming who made it."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from agencies.models import AgencyKind
from audit.history import audited


class CostUnit(models.TextChoices):
    EVENT = "event", "Per event"
    WEEK = "week", "Per week"
    HOUR = "hour", "Per hour"


@audited()
class UnitCost(models.Model):
    """What one use of a public service costs the agency that pays for it: a price
    per event, per week or per hour, at the prices of ``price_year``, with where the
    figure comes from. ``categories`` are the service use categories it prices
    (``outcomes.costs.rules.CATEGORIES``); a category is priced by at most one line in
    use. A line is never deleted: it is taken out of use, and its history kept."""

    name = models.CharField(max_length=120)
    agency = models.CharField(max_length=40, choices=AgencyKind.choices)
    unit = models.CharField(max_length=8, choices=CostUnit.choices)
    price_pence = models.PositiveIntegerField()
    price_year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=300)
    is_example = models.BooleanField(default=False)
    categories = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    in_use = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()
    # One more at every change: the API's ETag.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["agency", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price_year__gte=2000), name="unit_cost_price_year"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def price(self) -> Decimal:
        """The price in pounds."""
        return Decimal(self.price_pence) / 100


@audited()
class ProgrammeSpend(models.Model):
    """What the council spent on the programme in one financial year (1 April to 31
    March), as the programme manager enters it: costs avoided for the families attached
    in that year are set against it."""

    # The calendar year the financial year starts in: 2025 for April 2025 to March 2026.
    financial_year = models.PositiveSmallIntegerField(unique=True)
    amount_pence = models.PositiveBigIntegerField()
    source = models.CharField(max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-financial_year"]
        verbose_name_plural = "programme spend"

    def __str__(self) -> str:
        year = self.financial_year
        return f"Programme spend {year} to {year + 1}"

    @property
    def amount(self) -> Decimal:
        """The spend in pounds."""
        return Decimal(self.amount_pence) / 100
