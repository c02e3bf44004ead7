"""Local Coordination Groups and the postcode districts they cover."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from agencies.models import Staff
from audit.history import audited


class LCG(models.Model):
    """A Local Coordination Group: reviews its area's caseload and allocates work.

    A family belongs to the LCG whose postcode districts contain its address
    (DOMAIN.md section 3); a postcode district belongs to at most one LCG.
    """

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120, unique=True)
    districts = ArrayField(
        models.CharField(max_length=80),
        default=list,
        help_text="Council districts the group covers, e.g. Hart, Rushmoor",
    )
    postcode_districts = ArrayField(
        models.CharField(max_length=4),
        default=list,
        help_text="Outward codes the group covers, e.g. SO23",
    )
    sro = models.ForeignKey(
        Staff,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lcgs_led",
        verbose_name="senior responsible officer",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "LCG"
        verbose_name_plural = "LCGs"

    def __str__(self) -> str:
        return self.name


# A coordinator sees every family of their LCGs: who added or removed whom is recorded.
@audited()
class LCGMembership(models.Model):
    """A member of staff who coordinates (or sits on) an LCG."""

    lcg = models.ForeignKey(LCG, on_delete=models.CASCADE, related_name="memberships")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="lcg_memberships")
    is_coordinator = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # Django would say "Lcg membership".
        verbose_name = "LCG membership"
        verbose_name_plural = "LCG memberships"
        constraints = [
            models.UniqueConstraint(fields=["lcg", "staff"], name="lcg_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.staff} in {self.lcg}"
