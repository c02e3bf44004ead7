"""The log of evaluation extracts (docs/evaluation-extract.md): one row per extract
made, never changed but to record how many rows its file held."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from oneplan.models import Job


class ExtractLog(models.Model):
    """Who asked for a pseudonymised extract, when, for which evaluation partner, with
    which fields, under which key (``key_id`` names the key, never holds it), and how
    many rows the file held once the job finished. Downloads are access events."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    partner = models.CharField(max_length=100)
    partner_code = models.CharField(max_length=40)
    key_id = models.CharField(max_length=80)
    fields = ArrayField(models.CharField(max_length=40))
    reference_date = models.DateField()
    row_count = models.PositiveIntegerField(null=True, blank=True)
    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Evaluation extract {self.pk} for {self.partner}"
