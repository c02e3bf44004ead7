"""Why a household record was corrected: one row per correction.

Imported into ``families.models``. The old and new values are already in the write
history (the ``@audited`` triggers on Person, Address, HouseholdMembership and Family);
this row adds what the triggers cannot know: the reason, and which history rows it
explains (``context_id`` is the pghistory context the correction's writes were made in).

A table of its own rather than pghistory context metadata: the family's chronology lists
a family's corrections with one indexed query, the subject access bundle and retention
find a person's corrections the same way, and anonymisation can clear a reason without
rewriting a request's shared context.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CorrectionKind(models.TextChoices):
    MEMBER_ADDED = "member_added", "Person added to the household"
    MEMBERSHIP_ENDED = "membership_ended", "Person left the household"
    ROLE_CHANGED = "role_changed", "Role in the household changed"
    PERSON_CORRECTED = "person_corrected", "Person's details corrected"
    ADDRESS_CHANGED = "address_changed", "Family's address changed"
    ADDRESS_CORRECTED = "address_corrected", "Family's address corrected"
    ADDRESS_PROTECTED = "address_protected", "Address marked as protected"
    ADDRESS_UNPROTECTED = "address_unprotected", "Address no longer protected"


class RecordType(models.TextChoices):
    PERSON = "person", "Person"
    MEMBERSHIP = "membership", "Household membership"
    ADDRESS = "address", "Address"
    FAMILY = "family", "Family"


class RecordCorrection(models.Model):
    """Who changed a household record, when, which record and why (append-only)."""

    family = models.ForeignKey(
        "families.Family", on_delete=models.CASCADE, related_name="record_corrections"
    )
    person = models.ForeignKey(
        "families.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="record_corrections",
    )
    kind = models.CharField(max_length=30, choices=CorrectionKind.choices)
    record_type = models.CharField(max_length=20, choices=RecordType.choices)
    record_id = models.BigIntegerField()
    reason = models.TextField()
    # About a protected address: shown only to those who may see restricted information.
    is_restricted = models.BooleanField(default=False)
    context_id = models.UUIDField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["family", "-created_at"]),
            models.Index(fields=["person", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.family_id}: {self.get_kind_display()}"
