"""Every write about intensive support: providers' contracted places, and the LCG's
nominations of families to a provider, which the provider accepts or declines
(DOMAIN.md 1, twin track).

Acceptance does not allocate by itself: it calls the LCG's allocation
(``lcgs.allocation.services.family_allocate``) with the intensive track, the provider as
lead agency and the nomination as the decision's source.

Locks, always in this order so two services never wait on each other: the provider's
places for the year, then the family, then the nomination.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Staff, User
from audit.history import records_actor
from families.models import Family, Track
from families.states import TERMINAL_STATES, FamilyStatus
from lcgs.allocation.access import can_allocate_family
from lcgs.allocation.services import Allocation, family_allocate
from lcgs.intensive.access import can_set_places, provider_deciders, provider_staff
from lcgs.intensive.models import IntensiveNomination, IntensiveNominationStatus, IntensivePlaces
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from oneplan.reasons import reason_checked
from outcomes.money.rules import FIRST_YEAR, financial_year_label, financial_year_of

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 2000
MAX_PLACES = 10_000
WAITING = IntensiveNominationStatus.WAITING


def _check_provider(provider: Agency) -> None:
    if provider.kind != AgencyKind.INTENSIVE_SUPPORT_PROVIDER:
        raise ApplicationError(
            f"{provider.name} is not an intensive support provider: select one",
            field="provider",
        )
    if not provider.is_active:
        raise ApplicationError(
            f"{provider.name} no longer works with the programme: select another provider",
            field="provider",
        )


# ---------------------------------------------------------------------------
# Contracted places
# ---------------------------------------------------------------------------


def _accepted(provider: Agency, year: int) -> int:
    return IntensiveNomination.objects.filter(
        provider=provider, status=IntensiveNominationStatus.ACCEPTED, place_year=year
    ).count()


@transaction.atomic
def intensive_places_set(
    *, actor: User, provider: Agency, financial_year: int, places: int
) -> IntensivePlaces:
    """Set how many families ``provider`` is contracted to take on in a financial year.

    Programme managers only. Never fewer than the families the provider has already
    accepted that year: those families keep their place. Every change is kept in the
    history (who, when, what it was).
    """
    if not can_set_places(actor):
        raise PermissionDenied("Only programme managers set contracted places")
    _check_provider(provider)
    this_year = financial_year_of(timezone.localdate())
    if not FIRST_YEAR <= financial_year <= this_year + 5:
        raise ApplicationError(
            f"Enter a financial year from {FIRST_YEAR} to {this_year + 5}",
            field="financial_year",
        )
    if not 0 <= places <= MAX_PLACES:
        raise ApplicationError(f"Enter a number of places from 0 to {MAX_PLACES:,}", field="places")
    row = (
        IntensivePlaces.objects.select_for_update()
        .filter(provider=provider, financial_year=financial_year)
        .first()
    )
    accepted = _accepted(provider, financial_year)
    if places < accepted:
        raise ApplicationError(
            f"{provider.name} has already accepted {accepted} "
            f"{'family' if accepted == 1 else 'families'} in "
            f"{financial_year_label(financial_year)}: enter {accepted} places or more",
            field="places",
        )
    now = timezone.now()
    if row is None:
        return IntensivePlaces.objects.create(
            provider=provider,
            financial_year=financial_year,
            places=places,
            updated_by=actor,
            updated_at=now,
        )
    if row.places != places:
        row.places = places
        row.updated_by = actor
        row.updated_at = now
        row.save(update_fields=["places", "updated_by", "updated_at"])
    return row


# ---------------------------------------------------------------------------
# Nominating
# ---------------------------------------------------------------------------


def _check_nominable(family: Family) -> None:
    status = FamilyStatus(family.status)
    if status in TERMINAL_STATES:
        raise ApplicationError(
            f"{family.reference} is {status.label.lower()}: re-open it before nominating it"
        )
    if status == FamilyStatus.IDENTIFIED:
        raise ApplicationError(
            f"{family.reference} has not been screened yet: screen it before nominating it"
        )
    if family.track == Track.INTENSIVE:
        lead = family.lead_agency.name if family.lead_agency else "an intensive support provider"
        raise ApplicationError(
            f"{family.reference} is already on the intensive track, led by {lead}"
        )


@transaction.atomic
def intensive_nominate(
    *, actor: User, family: Family, provider: Agency, reason: str
) -> IntensiveNomination:
    """Nominate a family to an intensive support provider: it joins the waiting list
    for the provider's decision, behind every nomination made to it before.

    The family's LCG (its coordinators; programme managers for any family) nominates a
    family that has been screened and is still open and not on the intensive track. A
    family has one waiting nomination at a time: the family row is locked first, so two
    coordinators nominating at once cannot both succeed (and the database refuses a
    second waiting nomination whatever happens). A provider with no places left can
    still be nominated to: the family waits until a place is contracted or freed.
    """
    if not can_allocate_family(actor, family):
        raise PermissionDenied("Only the LCG's coordinators and programme managers nominate")
    _check_provider(provider)
    note = reason_checked(
        reason,
        missing="Enter why the family needs intensive support",
        maximum=REASON_MAX_LENGTH,
    )
    locked = (
        Family.objects.select_related("lead_agency")
        .select_for_update(of=("self",))
        .get(pk=family.pk)
    )
    _check_nominable(locked)
    waiting = (
        IntensiveNomination.objects.filter(family=locked, status=WAITING)
        .select_related("provider")
        .first()
    )
    if waiting is not None:
        raise ApplicationError(
            f"{locked.reference} is already waiting for a decision from "
            f"{waiting.provider.name} (nominated on {govuk_date(waiting.nominated_at)}): "
            "withdraw that nomination first",
            field="provider",
        )
    nomination = IntensiveNomination.objects.create(
        family=locked,
        lcg_id=locked.lcg_id,
        provider=provider,
        reason=note,
        nominated_by=actor,
        nominated_at=timezone.now(),
    )
    nomination_id = nomination.pk

    def notify() -> None:
        from lcgs.intensive.tasks import nomination_notice_send_task

        nomination_notice_send_task.delay(nomination_id)

    # The provider's staff are told once the nomination is committed.
    transaction.on_commit(notify)
    return nomination


@records_actor
def nomination_notice_send(*, actor: User, nomination_id: int) -> int:
    """Email the provider's staff who decide on its nominations
    (``lcgs.intensive.access.provider_deciders``) that a family waits for their
    decision. Sent once per nomination (``provider_notified_at``), and not at all when
    the nomination was decided or withdrawn before the email went. The email leaves the
    service's access control, so it names the family by its reference only and links to
    the nomination, whose page shows the provider what it may see. Returns the number of
    emails sent, one per person."""
    with transaction.atomic():
        nomination = (
            IntensiveNomination.objects.select_for_update(of=("self",))
            .select_related("family", "lcg", "provider")
            .filter(pk=nomination_id, provider_notified_at__isnull=True, status=WAITING)
            .first()
        )
        if nomination is None:
            return 0
        # Marked before sending: once the emails are out, nothing may fail before commit.
        nomination.provider_notified_at = timezone.now()
        nomination.save(update_fields=["provider_notified_at"])
        recipients = sorted(
            {
                email
                for email in provider_deciders(nomination.provider_id).values_list(
                    "user__email", flat=True
                )
                if email
            }
        )
        if not recipients:
            return 0
        lcg = nomination.lcg.name if nomination.lcg is not None else "The programme"
        reference = nomination.family.reference
        link = settings.ONEPLAN_BASE_URL + reverse(
            "lcgs:intensive-nomination-detail", args=[nomination.pk]
        )
        subject = (
            f"{settings.ONEPLAN_SERVICE_NAME}: family {reference} nominated to "
            f"{nomination.provider.name}"
        )
        body = (
            f"{lcg} has nominated family {reference} for intensive family support at "
            f"{nomination.provider.name} on "
            f"{govuk_date(timezone.localtime(nomination.nominated_at))}. It waits on your "
            "list of families nominated to you for your decision: accept it, or decline "
            "it with your reason.\n\n"
            f"Open the nomination: {link}\n"
        )
        # One email each, so no one sees who else was told. Once one has gone the mark
        # must stand (a retry would send the others again): a later failure is logged
        # and the rest are still tried. If none went, the error undoes the mark and the
        # task tries again later.
        sent = 0
        for recipient in recipients:
            try:
                sent += send_mail(subject, body, None, [recipient], fail_silently=False)
            except OSError:
                if not sent and recipient == recipients[-1]:
                    raise
                logger.exception("Nomination %s: the email to one person failed", nomination.pk)
        return sent


# ---------------------------------------------------------------------------
# The provider's decision, and withdrawal
# ---------------------------------------------------------------------------


def _lock(nomination: IntensiveNomination) -> IntensiveNomination:
    Family.objects.select_for_update().filter(pk=nomination.family_id).first()
    locked = (
        IntensiveNomination.objects.select_for_update(of=("self",))
        .select_related("family", "provider", "nominated_by")
        .get(pk=nomination.pk)
    )
    if locked.status != WAITING:
        raise ApplicationError(
            f"This nomination has already been decided: {locked.get_status_display().lower()}"
        )
    return locked


def _check_provider_staff(actor: User, nomination: IntensiveNomination) -> Staff:
    staff = provider_staff(actor)
    if staff is None or staff.agency_id != nomination.provider_id:
        raise PermissionDenied("Only the provider's staff decide on its nominations")
    return staff


@dataclass(frozen=True)
class Acceptance:
    """An accepted nomination and the allocation it made."""

    nomination: IntensiveNomination
    allocation: Allocation
    places_left: int


@transaction.atomic
def intensive_nomination_accept(
    *,
    actor: User,
    nomination: IntensiveNomination,
    lead_professional: Staff | None,
    note: str = "",
) -> Acceptance:
    """The provider accepts a family nominated to it: the family takes one of the
    provider's places for this financial year and is allocated to it on the intensive
    track, the provider as lead agency and, if named now, one of its key workers as lead
    professional (otherwise the provider's staff pick the family up and name one later).

    Never more families accepted in a year than the places contracted for it: the
    provider's places row is locked before counting, so two acceptances at once are
    decided one after the other and the second is refused when the last place has gone.

    The allocation is the LCG's decision, made when its coordinator nominated the
    family; the provider's acceptance completes it. So ``family_allocate`` runs for the
    nominating coordinator (the lead history names them and the nomination as the
    source) while the nomination records who at the provider accepted, and the audit
    trail of the request names the provider's member of staff.
    """
    staff = _check_provider_staff(actor, nomination)
    provider = staff.agency
    if lead_professional is not None and lead_professional.agency_id != provider.pk:
        raise ApplicationError(
            f"{lead_professional.display_name} does not work for {provider.name}: "
            "select one of your key workers",
            field="lead_professional",
        )
    clean_note = note.strip()
    if len(clean_note) > REASON_MAX_LENGTH:
        raise ApplicationError("The note must be 2,000 characters or fewer", field="note")
    year = financial_year_of(timezone.localdate())
    places = (
        IntensivePlaces.objects.select_for_update()
        .filter(provider=provider, financial_year=year)
        .first()
    )
    locked = _lock(nomination)
    contracted = places.places if places is not None else 0
    accepted = _accepted(provider, year)
    if accepted >= contracted:
        label = financial_year_label(year)
        if places is None:
            message = f"{provider.name} has no places contracted for {label}"
        else:
            message = f"All {contracted} of {provider.name}'s places for {label} are taken"
        raise ApplicationError(
            f"{message}: the family stays on the waiting list. Decline the nomination, or "
            "ask the programme manager to record more places"
        )
    nominator = locked.nominated_by
    if not can_allocate_family(nominator, locked.family):
        raise ApplicationError(
            f"{nominator.get_full_name() or nominator.username}, who nominated "
            f"{locked.family.reference}, no longer allocates for its LCG: ask its "
            "coordinators to nominate the family again"
        )
    accepted_by = staff.display_name
    reason = (
        f"Accepted for intensive support by {accepted_by} of {provider.name} on "
        f"{govuk_date(timezone.localdate())}"
        + (f" ({clean_note})" if clean_note else "")
        + f". Nominated by the LCG on {govuk_date(locked.nominated_at)}: "
    )
    reason += locked.reason[: REASON_MAX_LENGTH - len(reason)]
    allocation = family_allocate(
        actor=nominator,
        family=locked.family,
        track=Track.INTENSIVE,
        lead_agency=provider,
        lead_professional=lead_professional,
        reason=reason,
        source=locked,
    )
    locked.status = IntensiveNominationStatus.ACCEPTED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = clean_note
    locked.place_year = year
    locked.lead_professional = lead_professional
    locked.save()
    return Acceptance(
        nomination=locked, allocation=allocation, places_left=contracted - accepted - 1
    )


@transaction.atomic
def intensive_nomination_decline(
    *, actor: User, nomination: IntensiveNomination, reason: str
) -> IntensiveNomination:
    """The provider declines a family nominated to it, saying why. The LCG's
    coordinators see the reason and nominate the family elsewhere or allocate it
    locally; the family itself is not changed."""
    _check_provider_staff(actor, nomination)
    note = reason_checked(
        reason, missing="Enter why you are declining the family", maximum=REASON_MAX_LENGTH
    )
    locked = _lock(nomination)
    return _decide(locked, actor, IntensiveNominationStatus.DECLINED, note)


@transaction.atomic
def intensive_nomination_withdraw(
    *, actor: User, nomination: IntensiveNomination, reason: str
) -> IntensiveNomination:
    """The LCG (a coordinator of the family's LCG, or a programme manager) takes back a
    nomination still waiting for the provider's decision, saying why."""
    if not can_allocate_family(actor, nomination.family):
        raise PermissionDenied("Only the LCG's coordinators and programme managers withdraw")
    note = reason_checked(
        reason, missing="Enter why you are withdrawing the nomination", maximum=REASON_MAX_LENGTH
    )
    locked = _lock(nomination)
    return _decide(locked, actor, IntensiveNominationStatus.WITHDRAWN, note)


def _decide(
    locked: IntensiveNomination, actor: User, status: IntensiveNominationStatus, note: str
) -> IntensiveNomination:
    locked.status = status
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked
