"""Every write about nominations and screening decisions.

A nomination is a professional's request that the programme take a family on, with the
criteria they believe apply (DOMAIN.md 1: agencies identify families together). The
screening decision moves a family on from "identified": eligible families to
"screened", others closed without outcome, and settles its open nominations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from agencies.models import Staff, User
from families import identifiers
from families.access.access import family_scope, staff_for
from families.models import Family, MemberRole
from families.services import AddressData, MemberData, family_create, family_transition
from families.states import FamilyStatus
from lcgs.screening.access import can_nominate, can_screen_family
from oneplan.errors import ApplicationError, NotFoundOrNoAccess
from outcomes.assessment.selectors import framework_for_date, framework_for_family
from outcomes.frameworks.registry import CRITERIA
from outcomes.models import Assessment, Nomination, NominationStatus

REASON_MAX_LENGTH = 2000
# Where a family that is not eligible goes. "identified" may move only to "screened" or
# a side exit; of those, "closed without outcome" says what happened (not the family's
# choice, as "declined" would). A closed family can be re-opened from its page.
NOT_ELIGIBLE_STATUS = FamilyStatus.CLOSED_NO_OUTCOME


def _nominator(actor: User) -> Staff:
    staff = staff_for(actor)
    if staff is None or not can_nominate(actor):
        raise NotFoundOrNoAccess("Your role cannot nominate families")
    return staff


def _clean_reason(reason: str, *, message: str) -> str:
    text = reason.strip()
    if not text:
        raise ApplicationError(message, field="reason")
    if len(text) > REASON_MAX_LENGTH:
        raise ApplicationError("The reason must be 2,000 characters or fewer", field="reason")
    return text


def _clean_criteria(framework: str, criteria: Sequence[str]) -> list[str]:
    known = [code for code, _ in CRITERIA.get(framework, [])]
    chosen = list(dict.fromkeys(criteria))
    if not chosen:
        raise ApplicationError("Select the problems you believe the family has", field="criteria")
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise ApplicationError(
            f"Not a criterion of this framework: {', '.join(unknown)}", field="criteria"
        )
    return [code for code in known if code in chosen]


def _insert(
    *, actor: User, staff: Staff, family: Family, framework: str, reason: str, criteria: list[str]
) -> Nomination:
    nomination = Nomination(
        family=family,
        framework=framework,
        criteria=criteria,
        reason=reason,
        nominated_by=actor,
        agency=staff.agency,
        created_at=timezone.now(),
    )
    nomination.full_clean()
    nomination.save()
    return nomination


@transaction.atomic
def nomination_create(
    *, actor: User, family: Family, reason: str, criteria: Sequence[str]
) -> Nomination:
    """Nominate a family the actor can see for the programme.

    Only a family still waiting to be screened ("identified") can be nominated, and an
    agency has at most one open nomination per family: the family row is locked first,
    so two colleagues nominating at once cannot both succeed.
    """
    staff = _nominator(actor)
    if not Family.objects.filter(family_scope(actor), pk=family.pk).exists():
        raise NotFoundOrNoAccess("No family found")
    locked = Family.objects.select_for_update().get(pk=family.pk)
    if locked.status != FamilyStatus.IDENTIFIED:
        raise ApplicationError(
            f"{locked.reference} is {locked.get_status_display().lower()}, so it is past "
            "screening and cannot be nominated"
        )
    if Nomination.objects.filter(
        family=locked, agency=staff.agency, status=NominationStatus.OPEN
    ).exists():
        raise ApplicationError(
            f"{staff.agency.name} has already nominated {locked.reference}: withdraw that "
            "nomination first if you want to change it"
        )
    framework = framework_for_family(locked)
    return _insert(
        actor=actor,
        staff=staff,
        family=locked,
        framework=framework,
        reason=_clean_reason(reason, message="Enter why you are nominating the family"),
        criteria=_clean_criteria(framework, criteria),
    )


@dataclass(frozen=True)
class NewHousehold:
    """A family OnePlan does not know yet, as a nominator describes it."""

    main_carer: MemberData
    address_line_1: str
    postcode: str
    other_members: tuple[MemberData, ...] = ()


@transaction.atomic
def nomination_create_for_new_family(
    *, actor: User, household: NewHousehold, reason: str, criteria: Sequence[str]
) -> Nomination:
    """Add a family that is not yet known (identified, in the LCG its postcode falls
    in, or on the unassigned list) and nominate it, in one step: if anything is wrong,
    neither the family nor the nomination is kept.

    The nominator does not gain access to the family by nominating it: they see their
    nomination and its outcome; the LCG decides who works with the family.
    """
    staff = _nominator(actor)
    framework = framework_for_date(timezone.localdate())
    clean_reason = _clean_reason(reason, message="Enter why you are nominating the family")
    clean_criteria = _clean_criteria(framework, criteria)
    if not household.address_line_1.strip():
        raise ApplicationError("Enter the first line of the address", field="address_line_1")
    postcode_problem = identifiers.postcode_error(household.postcode)
    if postcode_problem:
        raise ApplicationError(postcode_problem, field="postcode")
    if household.main_carer.role != MemberRole.PARENT_CARER:
        raise ApplicationError("The main carer must be a parent or carer", field="main_carer")
    family = family_create(
        actor=actor,
        address=AddressData(postcode=household.postcode, line_1=household.address_line_1.strip()),
        members=[household.main_carer, *household.other_members],
        reason=f"Nominated by {staff.agency.name}: {clean_reason}",
        joined_on=timezone.localdate(),
    )
    return _insert(
        actor=actor,
        staff=staff,
        family=family,
        framework=framework,
        reason=clean_reason,
        criteria=clean_criteria,
    )


@transaction.atomic
def nomination_withdraw(*, actor: User, nomination: Nomination, reason: str) -> Nomination:
    """The nominator takes back a nomination that has not been decided yet."""
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if locked.nominated_by_id != actor.pk:
        raise NotFoundOrNoAccess("No nomination found")
    if locked.status != NominationStatus.OPEN:
        raise ApplicationError(
            f"This nomination has already been decided: {locked.get_status_display().lower()}"
        )
    locked.status = NominationStatus.WITHDRAWN
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.decision_note = _clean_reason(
        reason, message="Enter why you are withdrawing the nomination"
    )
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    return locked


@dataclass(frozen=True)
class ScreeningDecision:
    family: Family
    eligible: bool
    nominations_decided: int


@transaction.atomic
def screening_decide(
    *, actor: User, family: Family, eligible: bool, reason: str
) -> ScreeningDecision:
    """Record the screening decision for a family waiting on the screening list.

    Eligible: the family moves to "screened", ready for the LCG to allocate it.
    Not eligible (a reason is required): the family is closed without outcome.
    Open nominations are accepted or declined with it, naming who decided and when.
    The family row is locked first, so two coordinators deciding at once cannot both
    succeed: the second is told the family has already been screened.
    """
    if not can_screen_family(actor, family):
        raise NotFoundOrNoAccess("No family waiting for screening")
    note = reason.strip()
    if not eligible:
        note = _clean_reason(reason, message="Enter why the family is not eligible")
    elif len(note) > REASON_MAX_LENGTH:
        raise ApplicationError("The reason must be 2,000 characters or fewer", field="reason")
    locked = Family.objects.select_for_update().get(pk=family.pk)
    if locked.status != FamilyStatus.IDENTIFIED:
        raise ApplicationError(
            f"{locked.reference} has already been screened: it is "
            f"{locked.get_status_display().lower()}"
        )
    open_ids = list(
        Nomination.objects.select_for_update()
        .filter(family=locked, status=NominationStatus.OPEN)
        .values_list("pk", flat=True)
    )
    data_identified = Assessment.objects.filter(
        family=locked, framework=framework_for_family(locked), is_current=True, eligible=True
    ).exists()
    if not data_identified and not open_ids:
        raise ApplicationError(f"{locked.reference} is not waiting for screening")
    if eligible:
        status_reason = "Screened: eligible for the programme" + (f". {note}" if note else "")
        target = FamilyStatus.SCREENED
    else:
        status_reason = f"Screened: not eligible. {note}"
        target = NOT_ELIGIBLE_STATUS
    updated = family_transition(actor=actor, family=locked, to_status=target, reason=status_reason)
    decided = Nomination.objects.filter(pk__in=open_ids).update(
        status=NominationStatus.ACCEPTED if eligible else NominationStatus.DECLINED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note,
    )
    return ScreeningDecision(family=updated, eligible=eligible, nominations_decided=decided)
