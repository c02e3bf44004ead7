"""The LCG money's configuration (DOMAIN.md 5, configurable as data): the grant and
reward rates per financial year, and each LCG's annual targets. Both are edited by
programme managers; every write is kept by the models' history triggers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from agencies.models import LCG
from audit.history import audited


@audited()
class LCGGrantRate(models.Model):
    """What the council pays its LCGs in one financial year (1 April to 31 March): a
    **grant** for each family the LCG takes on on the local track, and a **reward** for
    each such family whose result claim is accepted (Hampshire: £350 and £450). The
    statement (``lcgs.money.selectors``) prices a year's families at that year's rates;
    a year with no rates prices nothing and says so."""

    # The calendar year the financial year starts in: 2025 for April 2025 to March 2026.
    financial_year = models.PositiveSmallIntegerField(unique=True)
    grant_per_family = models.DecimalField(max_digits=8, decimal_places=2)
    reward_per_result = models.DecimalField(max_digits=8, decimal_places=2)
    # Where the figures come from ("Hampshire: LCG funding agreement", a local decision).
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
        # Django would say "Lcg grant rate".
        verbose_name = "LCG grant rate"
        verbose_name_plural = "LCG grant rates"
        constraints = [
            models.CheckConstraint(
                condition=Q(grant_per_family__gte=0) & Q(reward_per_result__gte=0),
                name="lcg_grant_rate_not_negative",
            ),
        ]

    def __str__(self) -> str:
        year = self.financial_year
        return f"LCG grant rates {year} to {year + 1}"


@audited()
class LCGTarget(models.Model):
    """An LCG's targets for one financial year: how many families it means to take on
    on the local track, and how many results (accepted claims of such families). Shown
    against what the grant statement counts, on the statement and the LCG dashboard."""

    lcg = models.ForeignKey(LCG, on_delete=models.PROTECT, related_name="targets")
    financial_year = models.PositiveSmallIntegerField()
    families_taken_on = models.PositiveIntegerField()
    results = models.PositiveIntegerField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-financial_year", "lcg__name"]
        verbose_name = "LCG target"
        verbose_name_plural = "LCG targets"
        constraints = [
            models.UniqueConstraint(
                fields=["lcg", "financial_year"], name="lcg_target_one_per_year"
            ),
        ]

    def __str__(self) -> str:
        year = self.financial_year
        return f"Targets of LCG {self.lcg_id} for {year} to {year + 1}"
