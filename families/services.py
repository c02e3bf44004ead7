"""Every write to families goes through a function here.

Each takes ``actor=`` (a user, or ``agencies.services.system_actor()`` for jobs), runs
in a transaction and leaves a record of who did what and why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from agencies.lcgs.selectors import lcg_for_postcode_district
from agencies.models import Agency, Staff, User
from families import identifiers
from families.access.grants import grants_sync
from families.journey import JourneyFacts, journey_requirements, journey_step_problems
from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LawfulBasis,
    LeadAssignment,
    MemberRole,
    Person,
    Track,
)
from families.states import (
    SET_BY_EVENTS,
    FamilyStatus,
    TransitionNotAllowed,
    check_transition,
    not_chosen_message,
)
from oneplan.errors import ApplicationError

REFERENCE_SEQUENCE = "families_family_reference_seq"


def family_references_next(count: int) -> list[str]:
    """Reserve ``count`` new family references (F-000001...) from a database sequence.

    A sequence, not max()+1, so concurrent imports never hand out the same number.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s) FROM generate_series(1, %s)", [REFERENCE_SEQUENCE, count]
        )
        return [f"F-{number:06d}" for (number,) in cursor.fetchall()]


@dataclass(frozen=True)
class MemberData:
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    role: MemberRole
    sex: str = ""
    upn: str = ""
    nhs_number: str = ""
    ni_number: str = ""


@dataclass(frozen=True)
class AddressData:
    postcode: str
    line_1: str = ""
    line_2: str = ""
    town: str = ""
    uprn: str = ""
    is_protected: bool = False


@transaction.atomic
def family_create(
    *,
    actor: User,
    address: AddressData,
    members: list[MemberData],
    reason: str,
    joined_on: datetime.date,
) -> Family:
    """Create an identified family at an address, with its household members.

    The LCG follows from the address's postcode district; a family outside every LCG
    is still created, with no LCG, and waits on the unassigned list (DOMAIN.md 3).
    """
    if not members:
        raise ApplicationError("Add at least one family member", field="members")
    if not reason.strip():
        raise ApplicationError("Enter why the family is being added", field="reason")
    postcode = identifiers.normalise_postcode(address.postcode)
    address_row = Address(
        postcode=postcode,
        line_1=address.line_1,
        line_2=address.line_2,
        town=address.town,
        uprn=address.uprn,
        is_protected=address.is_protected,
    )
    address_row.full_clean()
    address_row.save()
    now = timezone.now()
    family = Family(
        reference=family_references_next(1)[0],
        lcg=lcg_for_postcode_district(identifiers.postcode_district(postcode)),
        status=FamilyStatus.IDENTIFIED,
        status_changed_at=now,
        address=address_row,
    )
    family.save()
    for member in members:
        person = Person(
            given_name=member.given_name,
            family_name=member.family_name,
            date_of_birth=member.date_of_birth,
            sex=member.sex,
            upn=identifiers.normalise_upn(member.upn) if member.upn else "",
            nhs_number=(
                identifiers.normalise_nhs_number(member.nhs_number) if member.nhs_number else ""
            ),
            ni_number=(
                identifiers.normalise_ni_number(member.ni_number) if member.ni_number else ""
            ),
        )
        person.full_clean()
        person.save()
        HouseholdMembership.objects.create(
            family=family, person=person, role=member.role, start_date=joined_on
        )
    FamilyStatusChange.objects.create(
        family=family,
        from_status="",
        to_status=FamilyStatus.IDENTIFIED,
        reason=reason.strip(),
        actor=actor,
        created_at=now,
    )
    return family


@transaction.atomic
def family_transition(
    *,
    actor: User,
    family: Family,
    to_status: FamilyStatus | str,
    reason: str,
    chosen: bool = False,
) -> Family:
    """Move a family along the case journey (DOMAIN.md 3), recording who, when and why.

    A move the journey allows is still refused when the family lacks what the new status
    requires and families knows of (DOMAIN.md 4.4): allocated needs a track and a lead
    agency, engaged and later a lawful basis for sharing (``families.journey``).

    ``chosen`` is a person's choice (the status form and its API): only the side exits,
    closing and re-opening (``families.states.chosen_transitions``); every other status
    follows from an event, whose service moves the family.

    Locks the family row first so two people moving the same family at once cannot
    both succeed from the same starting state.
    """
    if not reason.strip():
        raise ApplicationError("Enter the reason for the change", field="reason")
    locked = Family.objects.select_for_update().get(pk=family.pk)
    try:
        check_transition(locked.status, to_status)
    except TransitionNotAllowed as exc:
        raise ApplicationError(str(exc), field="to_status") from exc
    if chosen and FamilyStatus(to_status) in SET_BY_EVENTS:
        # A person's choice (the status form, the API): these follow from events only.
        raise ApplicationError(not_chosen_message(to_status), field="to_status")
    # What the new status requires of the family (families.journey), as far as families
    # knows: the plan facts belong to plans, so those are not checked here.
    if journey_requirements(to_status):
        problems = journey_step_problems(to_status, _journey_facts(locked))
        if problems:
            raise ApplicationError(" ".join(problems), field="to_status")
    now = timezone.now()
    from_status = locked.status
    locked.status = FamilyStatus(to_status)
    locked.status_changed_at = now
    if locked.status == FamilyStatus.ALLOCATED and locked.attached_on is None:
        locked.attached_on = timezone.localdate(now)
    locked.save(update_fields=["status", "status_changed_at", "attached_on", "updated_at"])
    FamilyStatusChange.objects.create(
        family=locked,
        from_status=from_status,
        to_status=locked.status,
        reason=reason.strip(),
        actor=actor,
        created_at=now,
    )
    # Closing a case ends the grants that rested on working with it; re-opening does not
    # restore them (the LCG allocates again).
    grants_sync(actor=actor, family_ids=[locked.pk], why=f"Case {locked.get_status_display()}")
    return locked


def _journey_facts(family: Family) -> JourneyFacts:
    """The family's own facts the journey asks for (one query, for the lawful basis)."""
    return JourneyFacts(
        has_lead_agency=family.lead_agency_id is not None,
        has_track=bool(family.track),
        has_lawful_basis=LawfulBasis.objects.filter(
            family=family, withdrawn_on__isnull=True
        ).exists(),
    )


@transaction.atomic
def family_set_lead(
    *,
    actor: User,
    family: Family,
    lead_agency: Agency,
    lead_professional: Staff | None,
    reason: str,
    track: Track | str | None = None,
    source: str = "",
) -> Family:
    """Give a family its lead agency and (optionally) lead professional, keeping history.

    The lead professional must work for the lead agency: one family, one lead. With a
    ``track`` the family's track is set too (the LCG's allocation); each assignment keeps
    the track it was made on and ``source``, where the decision was made. Access moves
    with the lead (``grants_sync``): the old lead's grant ends, the new one's starts.
    """
    if not reason.strip():
        raise ApplicationError("Enter the reason for the change", field="reason")
    if lead_professional is not None and lead_professional.agency_id != lead_agency.pk:
        raise ApplicationError(
            f"{lead_professional.display_name} does not work for {lead_agency.name}",
            field="lead_professional",
        )
    locked = Family.objects.select_for_update().get(pk=family.pk)
    now = timezone.now()
    LeadAssignment.objects.filter(family=locked, ended_at__isnull=True).update(ended_at=now)
    if track is not None:
        locked.track = Track(track)
    LeadAssignment.objects.create(
        family=locked,
        lead_agency=lead_agency,
        lead_professional=lead_professional,
        reason=reason.strip(),
        track=locked.track,
        source=source.strip()[:200],
        actor=actor,
        started_at=now,
    )
    locked.lead_agency = lead_agency
    locked.lead_professional = lead_professional
    if locked.track == Track.LOCAL and locked.first_local_lead_at is None:
        locked.first_local_lead_at = now
    locked.save(
        update_fields=[
            "lead_agency",
            "lead_professional",
            "track",
            "first_local_lead_at",
            "updated_at",
        ]
    )
    grants_sync(actor=actor, family_ids=[locked.pk], why="Lead changed")
    return locked
