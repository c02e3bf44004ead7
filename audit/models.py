"""Access events: who read what, when and why (DOMAIN.md section 7).

Audit depends on ``agencies`` only (docs/decisions/0005): families are named by id and
reference, never by a foreign key, so the log outlives the records it describes.
"""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils import timezone

from audit.labels import access_event_words
from oneplan.dates import govuk_datetime

# The message every refused change raises; tests look for it.
APPEND_ONLY_MESSAGE = "access events are append-only"


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    LIST = "list", "Saw in a list"
    SEARCH_RESULT_OPENED = "search_result_opened", "Opened from search results"
    API_READ = "api_read", "Read through the API"
    EXPORT = "export", "Exported"
    BREAK_GLASS = "break_glass", "Emergency access (break glass)"
    DOWNLOAD = "download", "Downloaded"
    # Asked for a family outside their access and answered 404 (families.access.access_log):
    # nothing was shown, but many refusals are how someone looking around shows up.
    REFUSED = "refused", "Refused: no access"


class AccessEvent(models.Model):
    """One read of case data by one user (or by the system, when ``user`` is null).

    Append-only: database triggers refuse UPDATE, DELETE and TRUNCATE whatever the
    code path (ORM, bulk, raw SQL, admin), so a person who misused their access cannot
    tidy the record afterwards (TRUNCATE only of an empty table). The triggers come from
    django-pgtrigger, whose ``pgtrigger.ignore()`` can switch them off for one thread:
    only test teardown may use it on this model (audit/tests/plugin.py). A database
    owner can still drop them; production should run the service as a role that does not
    own this table.

    A list page writes one event of action ``list`` whose ``detail["families"]`` holds the
    ids of the families shown (services.access_events_record_many); every other event is
    about one object. A ``refused`` event records a request for a family outside the
    user's access (services.access_refused_record): nothing was shown.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: an account that has read case data cannot be deleted, only deactivated.
    # Its lookups use the (user, -occurred_at) index, so no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="access_events",
        db_index=False,
    )
    action = models.CharField(max_length=32, choices=AccessAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    # Not a foreign key: audit depends on no case app. Indexed by (family_id, -occurred_at).
    family_id = models.BigIntegerField(null=True, blank=True)
    family_reference = models.CharField(max_length=32, blank=True)
    purpose = models.TextField(blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=2000, blank=True)
    # DjangoJSONEncoder: callers may put dates, UUIDs and decimals in the detail.
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "access event"
        indexes = [
            models.Index(fields=["family_id", "-occurred_at"], name="audit_event_family_time"),
            models.Index(fields=["user", "-occurred_at"], name="audit_event_user_time"),
            # Finds the list pages a family appeared on: detail->'families' @> '[id]'.
            GinIndex(
                OpClass(KeyTransform("families", "detail"), name="jsonb_path_ops"),
                name="audit_event_listed_families",
            ),
            # Counts recent refusals for the flag on user activity: few rows, read often.
            models.Index(
                fields=["-occurred_at"],
                condition=models.Q(action="refused"),
                name="audit_event_refused_time",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AccessAction.values),
                name="audit_event_action_known",
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="append_only",
                level=pgtrigger.Row,
                when=pgtrigger.Before,
                operation=pgtrigger.Update | pgtrigger.Delete,
                func=f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';",
            ),
            # Row triggers do not fire for TRUNCATE, so this one is per statement. An empty
            # table may be truncated: that destroys nothing, and Django's test runner
            # truncates every table after each transactional test.
            pgtrigger.Trigger(
                name="append_only_truncate",
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                # Constants only: the model's own table name and the message above.
                func=pgtrigger.Func(
                    'IF EXISTS (SELECT 1 FROM "{meta.db_table}") THEN'  # noqa: S608
                    f" RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';"
                    " END IF; RETURN NULL;"
                ),
            ),
        ]

    # Not columns: names filled in for one reader by selectors.access_events_name, used
    # by ``what``. Empty means "not known to this reader", and the words do without.
    family_name: str = ""
    subject_name: str = ""

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.what}, {govuk_datetime(self.occurred_at)}"

    @property
    def is_refused(self) -> bool:
        return self.action == AccessAction.REFUSED

    @property
    def listed_family_count(self) -> int:
        families = self.detail.get("families") if isinstance(self.detail, dict) else None
        return len(families) if isinstance(families, list) else 0

    @property
    def listed_references(self) -> list[str]:
        """For a list event, the references of the families it showed, where recorded."""
        if not isinstance(self.detail, dict):
            return []
        references = self.detail.get("family_references")
        if not isinstance(references, list):
            # Some callers name the families by reference instead of by id.
            references = self.detail.get("families")
        if not isinstance(references, list):
            return []
        return [item for item in references if isinstance(item, str)]

    @property
    def what(self) -> str:
        """What was read, in words for a table cell (audit.labels): "Plan for Blackburn
        family, F-000666", "A list of 20 families"."""
        if self.action == AccessAction.LIST:
            count = self.listed_family_count
            noun = self.object_type.replace("_", " ") or "record"
            return f"A list of {count} {_plural(noun, count)}"
        return access_event_words(
            object_type=self.object_type,
            object_id=self.object_id,
            family_reference=self.family_reference,
            family_name=self.family_name,
            subject_name=self.subject_name,
            detail=self.detail if isinstance(self.detail, dict) else None,
        )


def _plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


# Subject access keeps its models in its own area (docs/decisions/0017).
from audit.subject_access.models import *  # noqa: E402, F403
