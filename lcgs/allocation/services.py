"""Allocation and handover: the LCG names a family's track, lead agency and lead
professional (DOMAIN.md 3, 4.4).

Every write goes through ``families``' own services: the lead and its history through
``family_set_lead`` (which moves access through the grants), the status through
``family_transition``. This module adds the LCG's rules and tells the new lead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Staff, User
from audit.history import records_actor
from families.models import Family, LeadAssignment, Track
from families.services import family_set_lead, family_transition
from families.states import TERMINAL_STATES, FamilyStatus
from lcgs.allocation.access import can_allocate_family
from lcgs.allocation.selectors import can_lead
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError

REASON_MAX_LENGTH = 2000
SOURCE_MAX_LENGTH = 200


@dataclass(frozen=True)
class Allocation:
    """What an allocation did: the family as it now is, its new lead assignment, and
    whether it was a handover (the family had a lead already)."""

    family: Family
    assignment: LeadAssignment
    handover: bool


def _clean_reason(reason: str) -> str:
    note = reason.strip()
    if not note:
        raise ApplicationError("Enter the reason for the allocation", field="reason")
    if len(note) > REASON_MAX_LENGTH:
        raise ApplicationError("The reason must be 2,000 characters or fewer", field="reason")
    return note


def _clean_track(track: Track | str) -> Track:
    try:
        return Track(track)
    except ValueError:
        raise ApplicationError("Select a track: intensive or local", field="track") from None


def _check_lead(track: Track, lead_agency: Agency, lead_professional: Staff | None) -> None:
    if not lead_agency.is_active:
        raise ApplicationError(
            f"{lead_agency.name} no longer works with the programme: select another lead agency",
            field="lead_agency",
        )
    if track == Track.INTENSIVE and lead_agency.kind != AgencyKind.INTENSIVE_SUPPORT_PROVIDER:
        raise ApplicationError(
            "On the intensive track the lead agency is an intensive support provider: "
            "select one, or the local track",
            field="lead_agency",
        )
    if lead_professional is None:
        return
    if lead_professional.agency_id != lead_agency.pk:
        raise ApplicationError(
            f"{lead_professional.display_name} does not work for {lead_agency.name}: "
            f"select a lead professional who does",
            field="lead_professional",
        )
    if not can_lead(lead_professional):
        raise ApplicationError(
            f"{lead_professional.display_name} cannot lead a family: select a key worker "
            "or a practitioner with an active account",
            field="lead_professional",
        )


def _check_status(family: Family) -> None:
    status = FamilyStatus(family.status)
    if status in TERMINAL_STATES:
        raise ApplicationError(
            f"{family.reference} is {status.label.lower()}: re-open it before allocating it"
        )
    if status == FamilyStatus.IDENTIFIED:
        raise ApplicationError(
            f"{family.reference} has not been screened yet: screen it before allocating it"
        )


def _source_text(source: object | None) -> str:
    return "" if source is None else str(source).strip()[:SOURCE_MAX_LENGTH]


@records_actor
@transaction.atomic
def family_allocate(
    *,
    actor: User,
    family: Family,
    track: Track | str,
    lead_agency: Agency,
    lead_professional: Staff | None,
    reason: str,
    source: object | None = None,
) -> Allocation:
    """Allocate a screened family, or hand an allocated one over to another lead.

    The family's LCG (its coordinators; programme managers for any family) names the
    track, the lead agency and, usually at once, the lead professional, who works for the
    lead agency and does case work there. On the intensive track the lead agency is an
    intensive support provider (DOMAIN.md 1, twin track). A screened family moves to
    "allocated" (DOMAIN.md 4.4); a family already allocated, engaged or further on is
    handed over: its status stays, its lead history keeps the previous lead, and access
    moves through the grants (the old lead professional's grant ends, the new one's
    starts). A family not yet screened, or one that left the journey, is refused.

    ``source`` names where the decision was made (an LCG meeting, say): it is kept on
    the lead assignment and in the status history. The new lead professional is emailed
    once the allocation is committed.
    """
    if not can_allocate_family(actor, family):
        raise PermissionDenied("Only the LCG's coordinators and programme managers allocate")
    note = _clean_reason(reason)
    chosen_track = _clean_track(track)
    _check_lead(chosen_track, lead_agency, lead_professional)
    where = _source_text(source)

    locked = Family.objects.select_for_update().get(pk=family.pk)
    _check_status(locked)
    handover = locked.status != FamilyStatus.SCREENED
    professional_id = lead_professional.pk if lead_professional is not None else None
    if handover and (locked.track, locked.lead_agency_id, locked.lead_professional_id) == (
        chosen_track.value,
        lead_agency.pk,
        professional_id,
    ):
        raise ApplicationError(
            f"{locked.reference} is already led by this lead on the "
            f"{chosen_track.label.lower()} track: choose another to hand it over"
        )
    previous_professional_id = locked.lead_professional_id

    updated = family_set_lead(
        actor=actor,
        family=locked,
        lead_agency=lead_agency,
        lead_professional=lead_professional,
        reason=note,
        track=chosen_track,
        source=where,
    )
    if not handover:
        lead = lead_agency.name
        if lead_professional is not None:
            lead += f", {lead_professional.display_name}"
        at = f" ({where})" if where else ""
        updated = family_transition(
            actor=actor,
            family=updated,
            to_status=FamilyStatus.ALLOCATED,
            reason=f"Allocated by the LCG{at}: {chosen_track.label.lower()} track, "
            f"led by {lead}. {note}",
        )
    assignment = LeadAssignment.objects.get(family=updated, ended_at__isnull=True)
    if professional_id is not None and professional_id != previous_professional_id:
        assignment_id = assignment.pk

        def notify() -> None:
            from lcgs.allocation.tasks import allocation_notice_send_task

            allocation_notice_send_task.delay(assignment_id)

        transaction.on_commit(notify)
    return Allocation(family=updated, assignment=assignment, handover=handover)


@records_actor
def allocation_notice_send(*, actor: User, assignment_id: int) -> int:
    """Email a lead professional that a family was allocated (or handed over) to them.

    Sent once per assignment (``notified_at``), and not at all when the assignment has
    ended since (handed on again before the email went). The email leaves the service's
    access control, so it names the family by its reference only and links to its page.
    Returns the number of emails sent (0 or 1).
    """
    with transaction.atomic():
        assignment = (
            LeadAssignment.objects.select_for_update(of=("self",))
            .select_related("family__lcg", "lead_agency", "lead_professional__user", "actor")
            .filter(
                pk=assignment_id,
                notified_at__isnull=True,
                ended_at__isnull=True,
                lead_professional__isnull=False,
            )
            .first()
        )
        if assignment is None or assignment.lead_professional is None:
            return 0
        # Marked before sending: once the email is out, nothing may fail before commit.
        assignment.notified_at = timezone.now()
        assignment.save(update_fields=["notified_at"])
        recipient = assignment.lead_professional.user.email
        if not recipient:
            return 0
        family = assignment.family
        track = (
            f", on the {Track(assignment.track).label.lower()} track" if assignment.track else ""
        )
        by = assignment.actor.get_full_name() or assignment.actor.username
        lcg = family.lcg.name if family.lcg is not None else "The programme"
        link = settings.ONEPLAN_BASE_URL + reverse("families:detail", args=[family.reference])
        send_mail(
            subject=f"{settings.ONEPLAN_SERVICE_NAME}: you are the lead professional "
            f"for {family.reference}",
            message=(
                f"{lcg} has allocated family {family.reference} to you as its lead "
                f"professional at {assignment.lead_agency.name}{track}. {by} recorded "
                f"the decision on {govuk_date(timezone.localtime(assignment.started_at))}."
                "\n\n"
                "The family is now in your My families list.\n\n"
                f"Open the family: {link}\n"
            ),
            from_email=None,
            recipient_list=[recipient],
            fail_silently=False,
        )
        return 1
