"""Every write of subject access (docs/subject-access.md). Each service takes ``actor=``,
asks the access rule again, runs in a transaction and is recorded: the request's own
history (pghistory) and, for reads of what was assembled, access events."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Final

from django.db import transaction
from django.utils import timezone

from agencies.models import User
from audit.history import records_actor
from audit.models import AccessAction
from audit.services import access_event_record
from audit.subject_access import rules
from audit.subject_access.access import DENIED, can_handle_subject_access
from audit.subject_access.assembly import person_family_ids, rows_about_person
from audit.subject_access.models import (
    Requester,
    SubjectAccessItem,
    SubjectAccessRequest,
    SubjectAccessStatus,
)
from audit.subject_access.selectors import person_summary
from oneplan.errors import ApplicationError, NotFoundOrNoAccess
from oneplan.jobs import JobOutcome, Progress, job_start
from oneplan.models import Job

ASSEMBLY_JOB: Final = "subject_access_assembly"


def _check(actor: User) -> None:
    if not can_handle_subject_access(actor):
        raise ApplicationError(DENIED)


def _move(request: SubjectAccessRequest, to_status: str) -> None:
    if not rules.can_move(request.status, to_status):
        raise ApplicationError(
            f"A request that is {request.get_status_display().lower()} cannot be "
            f"{SubjectAccessStatus(to_status).label.lower()}"
        )
    request.status = to_status


def _locked(request: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)


@records_actor
@transaction.atomic
def subject_access_request_create(
    *,
    actor: User,
    person_id: int,
    requester: str,
    requester_name: str,
    requester_contact: str,
    received_on: datetime.date,
    notes: str = "",
    today: datetime.date,
) -> SubjectAccessRequest:
    """Record a request received on ``received_on`` for the person: due one calendar
    month later (rules.due_date)."""
    _check(actor)
    person = person_summary(person_id)
    if person is None:
        raise NotFoundOrNoAccess("No such person")
    if requester not in Requester.values:
        raise ApplicationError("Select who made the request", field="requester")
    if received_on > today:
        raise ApplicationError(
            "The date received must be today or in the past", field="received_on"
        )
    return SubjectAccessRequest.objects.create(
        person_id=person.pk,
        person_name=person.name,
        requester=requester,
        requester_name=requester_name,
        requester_contact=requester_contact,
        received_on=received_on,
        due_on=rules.due_date(received_on),
        notes=notes,
        created_by=actor,
    )


@records_actor
@transaction.atomic
def subject_access_request_extend(
    *, actor: User, request: SubjectAccessRequest, months: int, reason: str
) -> SubjectAccessRequest:
    """Extend the deadline to ``months`` (1 or 2) further months after the first, with
    the reason told to the requester (Article 12(3): complex or numerous requests)."""
    _check(actor)
    request = _locked(request)
    if not request.is_open:
        raise ApplicationError("Only an open request can be extended")
    if not 1 <= months <= rules.MAX_EXTENSION_MONTHS:
        raise ApplicationError("Select 1 or 2 months", field="months")
    if months < request.extension_months:
        raise ApplicationError(
            "The deadline is already extended further: an extension cannot be shortened",
            field="months",
        )
    if not reason.strip():
        raise ApplicationError("Enter why the deadline is extended", field="reason")
    request.extension_months = months
    request.extension_reason = reason.strip()
    request.due_on = rules.due_date(request.received_on, extension_months=months)
    request.save(update_fields=["extension_months", "extension_reason", "due_on", "updated_at"])
    return request


@records_actor
@transaction.atomic
def subject_access_assemble_start(*, actor: User, request: SubjectAccessRequest) -> Job:
    """Start the background job that gathers everything held about the person. Again
    after new records, or after a failed job: items are gathered afresh, and the
    redaction starts again."""
    _check(actor)
    request = _locked(request)
    job = request.assembly_job
    if request.status == rules.ASSEMBLING and job is not None and not job.is_finished:
        return job
    _move(request, rules.ASSEMBLING)
    job = job_start(actor=actor, kind=ASSEMBLY_JOB, parameters={"request": request.pk})
    request.assembly_job = job
    request.save(update_fields=["status", "assembly_job", "updated_at"])
    return job


@transaction.atomic
def subject_access_assemble(
    *, actor: User, request_id: int, progress: Progress | None = None
) -> int:
    """Gather the items of a request (the ASSEMBLY_JOB's work): replaces any items of
    an earlier assembly, in one transaction, so running it twice has one effect."""
    _check(actor)
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request_id)
    if request.status != rules.ASSEMBLING:
        raise ApplicationError("This request is not waiting to be assembled")
    SubjectAccessItem.objects.filter(request=request).delete()
    items = [
        SubjectAccessItem(
            request=request,
            source_model=row.table.model,
            source_label=row.table.label,
            row_id=row.row_id,
            source_row=row.source_row,
            label=row.label[:300],
            is_history=row.table.is_history,
            values=row.values,
            needs_redaction=row.needs_redaction,
            redaction_hint=row.redaction_hint,
            position=position,
        )
        for position, row in enumerate(rows_about_person(request.person_id))
    ]
    SubjectAccessItem.objects.bulk_create(items, batch_size=500)
    if progress is not None:
        progress(len(items), len(items))
    # Assembling read every family the person belongs to: the families' logs show it.
    for family_id in person_family_ids(request.person_id):
        access_event_record(
            user=actor,
            action=AccessAction.EXPORT,
            object_type="subject_access_request",
            object_id=request.pk,
            family_id=family_id,
            detail={"person": request.person_id, "items": len(items)},
        )
    _move(request, rules.READY)
    request.save(update_fields=["status", "updated_at"])
    return len(items)


def subject_access_assembly_job(job: Job, progress: Progress) -> JobOutcome:
    """The ASSEMBLY_JOB runner. The rule is asked again: a DPO who has lost the role
    since starting it assembles nothing."""
    actor = job.started_by
    request_id = int(str(job.parameters.get("request", "0")))
    count = subject_access_assemble(actor=actor, request_id=request_id, progress=progress)
    return JobOutcome(counts={"items": count})


@records_actor
@transaction.atomic
def subject_access_item_decide(
    *,
    actor: User,
    item: SubjectAccessItem,
    decision: str,
    fields: Sequence[str] = (),
    reason: str = "",
) -> SubjectAccessItem:
    """Record the DPO's decision on one item: ``keep`` it whole, ``withhold`` it all, or
    withhold some ``fields``; withholding needs a reason (an exemption, or "about
    another person"). The decision applies to the record's change history too (the
    items with the same ``source_row``), which copies the same details."""
    _check(actor)
    request = _locked(item.request)
    if request.status not in (rules.READY, rules.REDACTED):
        raise ApplicationError("Items can be redacted once the request is assembled")
    item = SubjectAccessItem.objects.select_for_update().get(pk=item.pk)
    if decision not in ("keep", "withhold", "fields"):
        raise ApplicationError("Select what to do with this record", field="decision")
    names = {value["field"] for value in item.values}
    chosen = [name for name in fields if name in names]
    if decision != "keep" and not reason.strip():
        raise ApplicationError("Enter why the information is withheld", field="reason")
    if decision == "fields" and not chosen:
        raise ApplicationError("Select the fields to withhold", field="fields")
    # The record's change history holds the same details: the decision covers it too.
    related = SubjectAccessItem.objects.select_for_update().filter(
        request=request, source_row=item.source_row
    )
    now = timezone.now()
    for each in [item, *related.exclude(pk=item.pk)]:
        each.redacted = decision == "withhold"
        own = {value["field"] for value in each.values}
        each.redacted_fields = (
            [name for name in chosen if name in own] if decision == "fields" else []
        )
        each.redaction_reason = "" if decision == "keep" else reason.strip()
        each.decided_by = actor
        each.decided_at = now
        each.save(
            update_fields=[
                "redacted",
                "redacted_fields",
                "redaction_reason",
                "decided_by",
                "decided_at",
            ]
        )
    if request.status == rules.REDACTED:
        # A decision changed after the redaction was finished: finish it again.
        _move(request, rules.READY)
        request.save(update_fields=["status", "updated_at"])
    return item


@records_actor
@transaction.atomic
def subject_access_redaction_finish(
    *, actor: User, request: SubjectAccessRequest
) -> SubjectAccessRequest:
    """Mark the redaction done: every item flagged as possibly about other people has
    a decision."""
    _check(actor)
    request = _locked(request)
    waiting = request.items.filter(needs_redaction=True, decided_at__isnull=True).count()
    if waiting:
        raise ApplicationError(f"Decide on every flagged record first: {waiting} still to review")
    _move(request, rules.REDACTED)
    request.save(update_fields=["status", "updated_at"])
    return request


@records_actor
@transaction.atomic
def subject_access_request_send(
    *, actor: User, request: SubjectAccessRequest, sent_on: datetime.date, today: datetime.date
) -> SubjectAccessRequest:
    """Record that the redacted bundle was sent to the requester on ``sent_on``."""
    _check(actor)
    request = _locked(request)
    if sent_on > today:
        raise ApplicationError("The date sent must be today or in the past", field="sent_on")
    if sent_on < request.received_on:
        raise ApplicationError(
            "The date sent must be on or after the date received", field="sent_on"
        )
    _move(request, rules.SENT)
    request.sent_on = sent_on
    request.save(update_fields=["status", "sent_on", "updated_at"])
    return request


@records_actor
@transaction.atomic
def subject_access_request_close(
    *, actor: User, request: SubjectAccessRequest, reason: str
) -> SubjectAccessRequest:
    """Close the request: answered, withdrawn, or refused (with the reason)."""
    _check(actor)
    request = _locked(request)
    if not reason.strip():
        raise ApplicationError("Enter why the request is closed", field="reason")
    _move(request, rules.CLOSED)
    request.closed_reason = reason.strip()
    request.save(update_fields=["status", "closed_reason", "updated_at"])
    return request
