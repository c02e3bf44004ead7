"""Programme reporting's configuration (docs/programme-reporting.md,
docs/quarterly-return.md): the programme's annual targets, and the saved column layouts
of the quarterly progress return. Both are written only by ``outcomes.reporting.services``;
every write is kept by the history triggers (``audited``), naming who made it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from audit.history import audited


@audited()
class ProgrammeTarget(models.Model):
    """The programme's targets for one financial year (1 April to 31 March), one per
    figure of the programme dashboard (``outcomes.reporting.rules.FIGURES``); a figure
    with no target is empty. Set by programme managers; the dashboard shows each
    figure against its target."""

    # The calendar year the financial year starts in: 2025 for April 2025 to March 2026.
    financial_year = models.PositiveSmallIntegerField(unique=True)
    identified = models.PositiveIntegerField("Families identified", null=True, blank=True)
    attached = models.PositiveIntegerField("Families attached", null=True, blank=True)
    agreed = models.PositiveIntegerField("Families with an agreed plan", null=True, blank=True)
    claimed = models.PositiveIntegerField("Families with results claimed", null=True, blank=True)
    sustained = models.PositiveIntegerField(
        "Families sustaining outcomes one year on", null=True, blank=True
    )
    # Where the targets come from ("Cabinet report of 3 March", "MHCLG allocation").
    source = models.CharField(max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()
    # One more at every change: the API's ETag, so a change made from a stale read is
    # refused instead of overwriting someone else's.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-financial_year"]

    def __str__(self) -> str:
        year = self.financial_year
        return f"Programme targets {year} to {year + 1}"


@audited()
class QuarterlyReturnPreset(models.Model):
    """A named choice of the quarterly progress return's columns, in order (keys of
    ``outcomes.reporting.quarterly.COLUMNS``), saved by a programme manager so the same
    layout is made every quarter."""

    name = models.CharField(max_length=100, unique=True)
    columns = ArrayField(models.CharField(max_length=40))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(columns__len__gt=0), name="quarterly_return_preset_has_columns"
            ),
        ]

    def __str__(self) -> str:
        return self.name
