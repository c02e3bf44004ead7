"""Every write to a family's household records: members, people's details, the address.

Each service takes ``actor=``, checks ``can_correct_household`` again, locks what it
changes, refuses an edit made from a stale version (``RecordChanged``), writes, and
records why in a ``RecordCorrection``. The old and new values are kept by the history
triggers (``audit.history``), in the same pghistory context the correction names, so the
"Changes" pages show each reason beside the values it explains.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from agencies.lcgs.selectors import lcg_for_postcode_district
from agencies.models import LCG, User
from audit.history import records_actor
from families import identifiers
from families.access.access import family_scope
from families.household.access import CORRECT_DENIED, can_correct_household
from families.household.history import record_last_write, record_version
from families.household.models import CorrectionKind, RecordCorrection, RecordType
from families.models import Address, Family, HouseholdMembership, MemberRole, Person, Sex
from oneplan.dates import govuk_datetime
from oneplan.errors import ApplicationError

REASON_MAX = 2000
NAME_MAX = 100


class RecordChanged(ApplicationError):
    """Someone changed the record after the version the caller read."""

    def __init__(self, what: str, current_version: str, by: str, at: datetime.datetime | None):
        when = f" at {govuk_datetime(at)}" if at else ""
        super().__init__(
            f"{by} changed {what}{when}, after you opened it. Check the details as they "
            "are now, then make your change again"
        )
        self.current_version = current_version


def _events(model: type[models.Model]) -> type[models.Model]:
    events: type[models.Model] = model.pgh_event_models["insert"]  # type: ignore[attr-defined]
    return events


def person_version(person: Person) -> str:
    """The version of a person's details a reader saw (the page's hidden field, the
    API's ETag)."""
    return str(record_version(_events(Person), person.pk))


def membership_version(membership: HouseholdMembership) -> str:
    return str(record_version(_events(HouseholdMembership), membership.pk))


def address_version(family: Family) -> str:
    """Which address the family had, and its version: a move or a correction made from
    a page read before either changed is refused."""
    if family.address_id is None:
        return "0"
    return f"{family.address_id}.{record_version(_events(Address), family.address_id)}"


def _check_version(
    model: type[models.Model], pk: int | None, expected: str | None, current: str, what: str
) -> None:
    if expected is None or expected == current:
        return
    last = record_last_write(_events(model), pk) if pk is not None else None
    raise RecordChanged(what, current, last.by if last else "Someone", last.at if last else None)


def _require(actor: User, family: Family) -> None:
    if not can_correct_household(actor, family):
        raise PermissionDenied(CORRECT_DENIED)


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ApplicationError("Enter the reason for the change", field="reason")
    if len(text) > REASON_MAX:
        raise ApplicationError(
            f"The reason must be {REASON_MAX:,} characters or fewer", field="reason"
        )
    return text


def _record(
    *,
    actor: User,
    family: Family,
    kind: CorrectionKind,
    record_type: RecordType,
    record_id: int,
    reason: str,
    person: Person | None = None,
    is_restricted: bool = False,
) -> RecordCorrection:
    with pghistory.context() as context:
        context_id = context.id
    return RecordCorrection.objects.create(
        family=family,
        person=person,
        kind=kind,
        record_type=record_type,
        record_id=record_id,
        reason=reason,
        is_restricted=is_restricted,
        context_id=context_id,
        actor=actor,
        created_at=timezone.now(),
    )


def _locked_family(family: Family) -> Family:
    return Family.objects.select_for_update().get(pk=family.pk)


# ---------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonDetails:
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str = ""
    upn: str = ""
    nhs_number: str = ""
    ni_number: str = ""


_IDENTIFIERS: tuple[tuple[str, str, Any, Any], ...] = (
    ("upn", "Unique Pupil Number", identifiers.upn_error, identifiers.normalise_upn),
    ("nhs_number", "NHS number", identifiers.nhs_number_error, identifiers.normalise_nhs_number),
    (
        "ni_number",
        "National Insurance number",
        identifiers.ni_number_error,
        identifiers.normalise_ni_number,
    ),
)


def _details_checked(details: PersonDetails, *, person_id: int | None) -> dict[str, Any]:
    """The details as they are stored, or the first problem with them."""
    values: dict[str, Any] = {}
    for name, label in (("given_name", "first name"), ("family_name", "last name")):
        text = str(getattr(details, name)).strip()
        if not text:
            raise ApplicationError(f"Enter a {label}", field=name)
        if len(text) > NAME_MAX:
            raise ApplicationError(
                f"{label.capitalize()} must be {NAME_MAX} characters or fewer", field=name
            )
        values[name] = text
    if details.date_of_birth > timezone.localdate():
        raise ApplicationError("Date of birth must be today or in the past", field="date_of_birth")
    values["date_of_birth"] = details.date_of_birth
    if details.sex not in ("", *Sex.values):
        raise ApplicationError("Select the person's sex", field="sex")
    values["sex"] = details.sex
    for name, label, error, normalise in _IDENTIFIERS:
        raw = str(getattr(details, name)).strip()
        if not raw:
            values[name] = ""
            continue
        problem = error(raw)
        if problem:
            raise ApplicationError(problem, field=name)
        value = normalise(raw)
        # An identifier names one person (matching relies on it).
        taken = Person.objects.filter(**{name: value})
        if person_id is not None:
            taken = taken.exclude(pk=person_id)
        if taken.exists():
            raise ApplicationError(f"Another person already has this {label}", field=name)
        values[name] = value
    return values


@records_actor
@transaction.atomic
def person_correct(
    *,
    actor: User,
    family: Family,
    person: Person,
    details: PersonDetails,
    reason: str,
    expected_version: str | None = None,
) -> Person:
    """Correct a household member's name, date of birth, sex or identifiers, with the
    reason; what was wrong stays in the person's history. ``expected_version``: the
    ``person_version`` the caller read (``RecordChanged`` if someone wrote since)."""
    _require(actor, family)
    why = _reason(reason)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if not HouseholdMembership.objects.filter(family=family, person=locked).exists():
        raise ApplicationError("This person has never been in this family's household")
    _check_version(
        Person, locked.pk, expected_version, person_version(locked), f"{locked.full_name}'s details"
    )
    values = _details_checked(details, person_id=locked.pk)
    if all(getattr(locked, k) == v for k, v in values.items()):
        raise ApplicationError("Change at least one detail, or cancel", field="given_name")
    for name, value in values.items():
        setattr(locked, name, value)
    locked.full_clean(validate_constraints=False)
    locked.save()
    _record(
        actor=actor,
        family=family,
        person=locked,
        kind=CorrectionKind.PERSON_CORRECTED,
        record_type=RecordType.PERSON,
        record_id=locked.pk,
        reason=why,
    )
    return locked


# ---------------------------------------------------------------------------
# Membership
# ---------------------------------------------------------------------------


def _role_checked(role: str) -> MemberRole:
    if role not in MemberRole.values:
        raise ApplicationError("Select the person's role in the household", field="role")
    return MemberRole(role)


def _start_checked(start_date: datetime.date) -> datetime.date:
    if start_date > timezone.localdate():
        raise ApplicationError(
            "The date they joined must be today or in the past", field="start_date"
        )
    return start_date


def person_may_join(actor: User, person: Person) -> bool:
    """An existing person may be added only if the actor can see them: they are, or
    were, in the household of a family in the actor's scope."""
    return HouseholdMembership.objects.filter(
        person=person, family__in=Family.objects.filter(family_scope(actor))
    ).exists()


@records_actor
@transaction.atomic
def household_member_add(
    *,
    actor: User,
    family: Family,
    role: str,
    start_date: datetime.date,
    reason: str,
    details: PersonDetails | None = None,
    person: Person | None = None,
) -> HouseholdMembership:
    """Add someone to the family's household from ``start_date``: a new person from
    ``details``, or an existing ``person`` the actor can see. A person lives in one
    household at a time, so someone still in another family's household is refused
    until that membership is ended there."""
    _require(actor, family)
    why = _reason(reason)
    member_role = _role_checked(role)
    joined = _start_checked(start_date)
    _locked_family(family)
    if (details is None) == (person is None):
        raise ApplicationError("Choose an existing person or enter a new person's details")
    if person is not None:
        chosen = Person.objects.select_for_update().get(pk=person.pk)
        if not person_may_join(actor, chosen):
            raise ApplicationError("Select a person from the list", field="person")
        current = HouseholdMembership.objects.filter(person=chosen, end_date__isnull=True).first()
        if current is not None:
            if current.family_id == family.pk:
                raise ApplicationError(
                    f"{chosen.full_name} is already in this household", field="person"
                )
            raise ApplicationError(
                f"{chosen.full_name} is still in another family's household: end that "
                "membership first",
                field="person",
            )
        if (
            HouseholdMembership.objects.filter(person=chosen, family=family)
            .filter(end_date__gte=joined)
            .exists()
        ):
            raise ApplicationError(
                "The date they joined must be after they last left this household",
                field="start_date",
            )
    else:
        assert details is not None
        chosen = Person(**_details_checked(details, person_id=None))
        chosen.full_clean(validate_constraints=False)
        chosen.save()
    membership = HouseholdMembership(
        family=family, person=chosen, role=member_role, start_date=joined
    )
    membership.save()
    _record(
        actor=actor,
        family=family,
        person=chosen,
        kind=CorrectionKind.MEMBER_ADDED,
        record_type=RecordType.MEMBERSHIP,
        record_id=membership.pk,
        reason=why,
    )
    return membership


def _locked_membership(family: Family, membership: HouseholdMembership) -> HouseholdMembership:
    locked = (
        HouseholdMembership.objects.select_for_update()
        .select_related("person")
        .filter(pk=membership.pk, family=family)
        .first()
    )
    if locked is None:
        raise ApplicationError("This person is not in this family's household")
    return locked


@records_actor
@transaction.atomic
def household_membership_end(
    *,
    actor: User,
    family: Family,
    membership: HouseholdMembership,
    end_date: datetime.date,
    reason: str,
    expected_version: str | None = None,
) -> HouseholdMembership:
    """Record that someone left the household on ``end_date``, with the reason."""
    _require(actor, family)
    why = _reason(reason)
    locked = _locked_membership(family, membership)
    _check_version(
        HouseholdMembership,
        locked.pk,
        expected_version,
        membership_version(locked),
        f"{locked.person.full_name}'s membership",
    )
    if locked.end_date is not None:
        raise ApplicationError(f"{locked.person.full_name} has already left the household")
    if end_date > timezone.localdate():
        raise ApplicationError("The date they left must be today or in the past", field="end_date")
    if end_date < locked.start_date:
        raise ApplicationError(
            "The date they left must be on or after the date they joined", field="end_date"
        )
    locked.end_date = end_date
    locked.save(update_fields=["end_date"])
    _record(
        actor=actor,
        family=family,
        person=locked.person,
        kind=CorrectionKind.MEMBERSHIP_ENDED,
        record_type=RecordType.MEMBERSHIP,
        record_id=locked.pk,
        reason=why,
    )
    return locked


@records_actor
@transaction.atomic
def household_membership_role_change(
    *,
    actor: User,
    family: Family,
    membership: HouseholdMembership,
    role: str,
    reason: str,
    expected_version: str | None = None,
) -> HouseholdMembership:
    """Change someone's role in the household (a child who is now an adult carer, a
    role recorded wrongly), with the reason."""
    _require(actor, family)
    why = _reason(reason)
    new_role = _role_checked(role)
    locked = _locked_membership(family, membership)
    _check_version(
        HouseholdMembership,
        locked.pk,
        expected_version,
        membership_version(locked),
        f"{locked.person.full_name}'s membership",
    )
    if locked.role == new_role:
        raise ApplicationError("Select a different role, or cancel", field="role")
    locked.role = new_role
    locked.save(update_fields=["role"])
    _record(
        actor=actor,
        family=family,
        person=locked.person,
        kind=CorrectionKind.ROLE_CHANGED,
        record_type=RecordType.MEMBERSHIP,
        record_id=locked.pk,
        reason=why,
    )
    return locked


# ---------------------------------------------------------------------------
# Address
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressDetails:
    postcode: str
    line_1: str = ""
    line_2: str = ""
    town: str = ""


@dataclass(frozen=True)
class AddressChanged:
    """The family at its new address. ``outside_lcg``: the LCG whose area the new
    postcode is in, when it is not the family's own (the family stays with its LCG
    until the LCG decides otherwise)."""

    family: Family
    address: Address
    outside_lcg: LCG | None


_LINE_LIMITS = {"line_1": 200, "line_2": 200, "town": 100}
_LINE_LABELS = {"line_1": "Address line 1", "line_2": "Address line 2", "town": "Town or city"}


def _address_checked(details: AddressDetails) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, limit in _LINE_LIMITS.items():
        text = str(getattr(details, name)).strip()
        if len(text) > limit:
            raise ApplicationError(
                f"{_LINE_LABELS[name]} must be {limit} characters or fewer", field=name
            )
        values[name] = text
    if not values["line_1"]:
        raise ApplicationError(
            "Enter address line 1, typically the building and street", field="line_1"
        )
    problem = identifiers.postcode_error(details.postcode)
    if problem:
        raise ApplicationError(problem, field="postcode")
    values["postcode"] = identifiers.normalise_postcode(details.postcode)
    return values


def _shared(address: Address, family: Family) -> bool:
    return Family.objects.filter(address=address).exclude(pk=family.pk).exists()


def _locked_address(family: Family) -> Address:
    if family.address_id is None:
        raise ApplicationError("The family has no address recorded: add one first")
    return Address.objects.select_for_update().get(pk=family.address_id)


@records_actor
@transaction.atomic
def family_address_change(
    *,
    actor: User,
    family: Family,
    details: AddressDetails,
    reason: str,
    is_protected: bool = False,
    expected_version: str | None = None,
) -> AddressChanged:
    """The family has moved: a new address from now on; the old one stays in the
    history. A move to a refuge is protected from the start (``is_protected``), so the
    new address is never shown to anyone who may not see it."""
    _require(actor, family)
    why = _reason(reason)
    locked = _locked_family(family)
    _check_version(
        Address, locked.address_id, expected_version, address_version(locked), "the address"
    )
    values = _address_checked(details)
    old = locked.address
    address = Address(**values, is_protected=is_protected)
    address.full_clean()
    address.save()
    locked.address = address
    locked.save(update_fields=["address", "updated_at"])
    _record(
        actor=actor,
        family=locked,
        kind=CorrectionKind.ADDRESS_CHANGED,
        record_type=RecordType.ADDRESS,
        record_id=address.pk,
        reason=why,
        is_restricted=is_protected or bool(old and old.is_protected),
    )
    lcg = lcg_for_postcode_district(identifiers.postcode_district(address.postcode))
    outside = lcg if lcg is not None and lcg.pk != locked.lcg_id else None
    return AddressChanged(family=locked, address=address, outside_lcg=outside)


@records_actor
@transaction.atomic
def family_address_correct(
    *,
    actor: User,
    family: Family,
    details: AddressDetails,
    reason: str,
    expected_version: str | None = None,
) -> Address:
    """Correct the family's current address (a mistyped line or postcode), with the
    reason; the wrong values stay in the address's history."""
    _require(actor, family)
    why = _reason(reason)
    locked_family = _locked_family(family)
    address = _locked_address(locked_family)
    _check_version(
        Address, address.pk, expected_version, address_version(locked_family), "the address"
    )
    if _shared(address, locked_family):
        raise ApplicationError(
            "This address is also recorded for another family, so it cannot be corrected "
            "here: record the family's address as a new address instead"
        )
    values = _address_checked(details)
    if all(getattr(address, k) == v for k, v in values.items()):
        raise ApplicationError("Change at least one part of the address, or cancel", field="line_1")
    for name, value in values.items():
        setattr(address, name, value)
    address.full_clean()
    address.save()
    _record(
        actor=actor,
        family=locked_family,
        kind=CorrectionKind.ADDRESS_CORRECTED,
        record_type=RecordType.ADDRESS,
        record_id=address.pk,
        reason=why,
        is_restricted=address.is_protected,
    )
    return address


@records_actor
@transaction.atomic
def family_address_protect(
    *,
    actor: User,
    family: Family,
    protected: bool,
    reason: str,
    expected_version: str | None = None,
) -> Address:
    """Mark the family's address as protected (a refuge or safe address), or no longer
    protected, with the reason. Protection takes effect at once everywhere: every page,
    API answer, search, export and print asks ``families.access.address``.

    Protecting errs on the safe side: an address shared with another family is
    protected for them too. Ending protection of a shared address is refused."""
    _require(actor, family)
    why = _reason(reason)
    locked_family = _locked_family(family)
    address = _locked_address(locked_family)
    _check_version(
        Address, address.pk, expected_version, address_version(locked_family), "the address"
    )
    if address.is_protected == protected:
        raise ApplicationError(
            "The address is already protected" if protected else "The address is not protected"
        )
    if not protected and _shared(address, locked_family):
        raise ApplicationError(
            "This address is also recorded for another family, so its protection cannot "
            "be ended here"
        )
    address.is_protected = protected
    address.save(update_fields=["is_protected"])
    if protected:
        # The address's values are hidden back through time; the reasons given for
        # correcting it may quote it ("the house number was typed wrongly"), so they
        # become restricted too, for every family it is recorded for. Ending the
        # protection later leaves them restricted: it errs on the safe side.
        RecordCorrection.objects.filter(
            record_type=RecordType.ADDRESS, record_id=address.pk, is_restricted=False
        ).update(is_restricted=True)
    _record(
        actor=actor,
        family=locked_family,
        kind=CorrectionKind.ADDRESS_PROTECTED if protected else CorrectionKind.ADDRESS_UNPROTECTED,
        record_type=RecordType.ADDRESS,
        record_id=address.pk,
        reason=why,
        is_restricted=True,
    )
    return address
