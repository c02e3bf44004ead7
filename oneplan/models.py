"""Models shared by every app: the background Job record and API tokens."""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


FINISHED_JOB_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED})


class Job(models.Model):
    """Long work (imports, claim batches, exports) that runs in the background.

    The UI polls this row, so a person sees progress and a result page rather than a
    request that spins. ``idempotency_key`` makes "start this job" safe to repeat.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Each kind is a plain string an app registers with its runner and its name
    # (``oneplan.jobs.register_job_runner``): a new kind needs no change here.
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    parameters = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs"
    )
    idempotency_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["started_by", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="job_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total"))
                | models.Q(progress_total=0),
                name="job_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_JOB_STATUSES

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, (self.progress_done * 100) // self.progress_total)


@pghistory.track(
    pghistory.InsertEvent("api_token.issue"),
    pghistory.DeleteEvent("api_token.revoke"),
    # Never the digest, the first characters of the token or the password fingerprint:
    # the history says who had a token and when, not anything that helps forge one.
    fields=["user", "created", "expiry"],
    model_name="ApiTokenEvent",
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    append_only=True,
)
class ApiToken(models.Model):
    """A token for the API, issued only after the password and the second step.

    knox's token model (``KNOX_TOKEN_MODEL``): ``digest``, ``token_key``, ``user`` (with
    ``auth_token_set``), ``created`` and ``expiry`` are the fields its authentication
    reads, as in ``knox.models.AbstractAuthToken``. Only a SHA-512 digest of the token
    is kept (the token itself is shown once, when it is issued), and its first
    characters to find it by. A token ends at ``expiry`` (``ONEPLAN_API_TOKEN_MAX_AGE``
    after issue), after ``ONEPLAN_API_TOKEN_IDLE`` without a request, or when its user's
    password changes (``password_fingerprint`` no longer matches): the rules are in
    ``agencies.api_tokens``. Revoking a token deletes the row; the history event (with
    the reason in its context) is the record.
    """

    # knox makes the digest the primary key; a plain id keeps it out of URLs, forms and
    # the history's reference to the token.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=128, unique=True)
    token_key = models.CharField(max_length=25, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_token_set"
    )
    created = models.DateTimeField(auto_now_add=True)
    expiry = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    # The user's session hash (an HMAC of their password hash) when the token was issued.
    password_fingerprint = models.CharField(max_length=128)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"
        indexes = [models.Index(fields=["user", "-created"])]

    def __str__(self) -> str:
        return f"API token {self.pk} of user {self.user_id}"
