"""Reads for the household pages and API: the members, people to add, and the "Changes"
of a family and of a person, from the write history.

The caller has already fetched the family in the viewer's scope (404 otherwise); what of
a protected address a viewer sees is decided by ``families.access.address``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from agencies.models import LCG, AnyUser
from families.access.access import can_view_restricted, family_scope
from families.access.address import PROTECTED_ADDRESS, address_shown
from families.household.history import (
    WITHHELD,
    ReasonKey,
    RecordChange,
    TrackedField,
    record_changes,
)
from families.household.models import CorrectionKind, RecordCorrection, RecordType
from families.models import (
    Address,
    Family,
    HouseholdMembership,
    MemberRole,
    Person,
    Sex,
    Track,
)
from families.states import FamilyStatus
from oneplan.dates import govuk_date

CANDIDATES_SHOWN = 20


def _events(model: type[models.Model]) -> type[models.Model]:
    events: type[models.Model] = model.pgh_event_models["insert"]  # type: ignore[attr-defined]
    return events


# ---------------------------------------------------------------------------
# Members
# ---------------------------------------------------------------------------


def household_members(family: Family) -> list[HouseholdMembership]:
    """Everyone who is or was in the household, current members first."""
    return list(
        HouseholdMembership.objects.filter(family=family)
        .select_related("person")
        .order_by(models.F("end_date").desc(nulls_first=True), "start_date", "pk")
    )


def membership_get_or_404(family: Family, membership_id: int) -> HouseholdMembership:
    membership = (
        HouseholdMembership.objects.filter(family=family, pk=membership_id)
        .select_related("person")
        .first()
    )
    if membership is None:
        raise Http404("No such household member")
    return membership


def person_get_or_404(family: Family, person_id: int) -> Person:
    """A person who is or was in ``family``'s household (404 for anyone else)."""
    person = Person.objects.filter(pk=person_id, memberships__family=family).distinct().first()
    if person is None:
        raise Http404("No such person in this family")
    return person


def person_candidates_for_user(
    user: AnyUser,
    *,
    given_name: str = "",
    family_name: str = "",
    date_of_birth: datetime.date | None = None,
) -> QuerySet[Person]:
    """People the viewer may add to a household: anyone who is, or was, in the household
    of a family in their scope, found by name (the start of each name, any case) and
    date of birth. Nobody outside the viewer's scope is ever listed."""
    if not (given_name.strip() or family_name.strip() or date_of_birth):
        return Person.objects.none()
    visible = HouseholdMembership.objects.filter(
        family__in=Family.objects.filter(family_scope(user))
    ).values("person_id")
    people = Person.objects.filter(pk__in=visible)
    if given_name.strip():
        people = people.filter(given_name__istartswith=given_name.strip())
    if family_name.strip():
        people = people.filter(family_name__istartswith=family_name.strip())
    if date_of_birth:
        people = people.filter(date_of_birth=date_of_birth)
    return people.order_by("family_name", "given_name", "pk")


def current_family_references(user: AnyUser, people: Sequence[Person]) -> dict[int, str]:
    """Each person's current family's reference (for the candidates' list), one query:
    only a family the viewer may see is named (someone who left a family in their scope
    for one outside it is listed without where they live now)."""
    rows = HouseholdMembership.objects.filter(
        person__in=people,
        end_date__isnull=True,
        family__in=Family.objects.filter(family_scope(user)),
    ).values_list("person_id", "family__reference")
    return dict(rows)


# ---------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------


def _date(value: Any) -> str:
    return govuk_date(value) if isinstance(value, datetime.date) else "Not recorded"


def _choice(choices: Mapping[str, str]) -> Any:
    def display(value: Any) -> str:
        if value in (None, ""):
            return "Not recorded"
        return str(choices.get(value, value))

    return display


PERSON_FIELDS: tuple[TrackedField, ...] = (
    TrackedField("given_name", "First name"),
    TrackedField("family_name", "Last name"),
    TrackedField("date_of_birth", "Date of birth", _date),
    TrackedField("sex", "Sex", _choice(dict(Sex.choices))),
    TrackedField("upn", "Unique Pupil Number"),
    TrackedField("nhs_number", "NHS number"),
    TrackedField("ni_number", "National Insurance number"),
)
MEMBERSHIP_FIELDS: tuple[TrackedField, ...] = (
    TrackedField("role", "Role", _choice(dict(MemberRole.choices))),
    TrackedField("start_date", "Joined the household", _date),
    TrackedField("end_date", "Left the household", _date),
)
ADDRESS_FIELDS: tuple[TrackedField, ...] = (
    TrackedField("line_1", "Address line 1", restricted=True),
    TrackedField("line_2", "Address line 2", restricted=True),
    TrackedField("town", "Town or city", restricted=True),
    TrackedField("postcode", "Postcode", restricted=True),
    TrackedField("uprn", "UPRN", restricted=True),
    TrackedField("is_protected", "Protected address"),
)


@dataclass(frozen=True)
class Changes:
    """A record's changes, newest first, and whether any values were withheld."""

    changes: list[RecordChange]
    withheld: bool


def _reasons(
    corrections: Sequence[RecordCorrection], record_type: RecordType, *, may_see_restricted: bool
) -> dict[ReasonKey, str]:
    found: dict[ReasonKey, str] = {}
    for correction in corrections:
        if correction.context_id is None:
            continue
        reason = correction.reason
        if correction.is_restricted and not may_see_restricted:
            reason = WITHHELD
        if correction.record_type == record_type:
            found[(correction.context_id, correction.record_id)] = reason
        # A new person's details, and the family's move to a new address, were written
        # in the same change as the record the reason names.
        if (
            record_type == RecordType.PERSON
            and correction.kind == CorrectionKind.MEMBER_ADDED
            and correction.person_id is not None
        ):
            found[(correction.context_id, correction.person_id)] = reason
        if record_type == RecordType.FAMILY and correction.kind == CorrectionKind.ADDRESS_CHANGED:
            found[(correction.context_id, correction.family_id)] = reason
    return found


def _address_changes(
    address_ids: set[int], corrections: Sequence[RecordCorrection], *, may_see: bool
) -> list[RecordChange]:
    def withhold(_id: int, versions: Sequence[Mapping[str, Any]]) -> bool:
        # Once protected, an address's earlier values would give it away too.
        return not may_see and any(v.get("is_protected") for v in versions)

    def name(_id: int, latest: Mapping[str, Any]) -> str:
        if withhold(_id, [latest]):
            return PROTECTED_ADDRESS
        parts = (latest.get("line_1"), latest.get("town"), latest.get("postcode"))
        return "Address: " + ", ".join(str(p) for p in parts if p)

    return record_changes(
        _events(Address),
        address_ids,
        ADDRESS_FIELDS,
        record_type="address",
        record_name=name,
        withhold=withhold,
        reasons=_reasons(corrections, RecordType.ADDRESS, may_see_restricted=may_see),
    )


def family_changes_for_user(user: AnyUser, family: Family) -> Changes:
    """Every recorded change to ``family``'s household records, newest first: the
    family's own record (its address, LCG, status, track), every address it has had,
    every membership of its household and every person who has been in it, with who
    made each change, when, the old and new values and the reason where one was given.
    A protected address's values (and reasons about it) are withheld from anyone who
    may not see restricted information."""
    may_see = can_view_restricted(user, family)
    corrections = list(RecordCorrection.objects.filter(family=family))
    family_events = _events(Family)
    address_ids = set(
        family_events.objects.filter(pgh_obj_id=family.pk)  # type: ignore[attr-defined]
        .exclude(address_id=None)
        .values_list("address_id", flat=True)
    )
    if family.address_id:
        address_ids.add(family.address_id)
    addresses = {a.pk: a for a in Address.objects.filter(pk__in=address_ids)}
    lcgs = dict(LCG.objects.values_list("pk", "name"))

    def address_text(value: Any) -> str:
        address = addresses.get(value) if value is not None else None
        if address is None:
            return "Not recorded"
        return address_shown(address, may_see_protected=may_see).text

    family_fields = (
        TrackedField("address_id", "Address", address_text),
        TrackedField("lcg_id", "LCG", lambda v: str(lcgs.get(v, "Unassigned"))),
        TrackedField("status", "Status", _choice(dict(FamilyStatus.choices))),
        TrackedField("track", "Track", _choice(dict(Track.choices))),
        TrackedField("attached_on", "Taken on", _date),
    )
    membership_events = _events(HouseholdMembership)
    membership_rows = list(
        membership_events.objects.filter(family_id=family.pk)  # type: ignore[attr-defined]
        .values_list("pgh_obj_id", "person_id")
        .distinct()
    )
    people = {
        p.pk: p.full_name for p in Person.objects.filter(pk__in={p for _, p in membership_rows})
    }
    member_of = dict(membership_rows)
    changes = [
        *record_changes(
            family_events,
            [family.pk],
            family_fields,
            record_type="family",
            record_name=lambda _id, _v: f"Family {family.reference}",
            reasons=_reasons(corrections, RecordType.FAMILY, may_see_restricted=may_see),
        ),
        *_address_changes(address_ids, corrections, may_see=may_see),
        *record_changes(
            membership_events,
            member_of.keys(),
            MEMBERSHIP_FIELDS,
            record_type="membership",
            record_name=lambda i, _v: f"{people.get(member_of[i], 'Someone')} in the household",
            reasons=_reasons(corrections, RecordType.MEMBERSHIP, may_see_restricted=may_see),
        ),
        *record_changes(
            _events(Person),
            people.keys(),
            PERSON_FIELDS,
            record_type="person",
            record_name=lambda _id, v: f"{v.get('given_name')} {v.get('family_name')}",
            reasons=_reasons(corrections, RecordType.PERSON, may_see_restricted=may_see),
        ),
    ]
    return _newest_first(changes)


def person_changes_for_user(user: AnyUser, family: Family, person: Person) -> Changes:
    """Every recorded change to ``person``'s details, and to their membership of
    ``family``'s household, newest first, with who, when, old and new values and why."""
    may_see = can_view_restricted(user, family)
    corrections = list(RecordCorrection.objects.filter(family=family))
    memberships = list(
        _events(HouseholdMembership)
        .objects.filter(family_id=family.pk, person_id=person.pk)  # type: ignore[attr-defined]
        .values_list("pgh_obj_id", flat=True)
        .distinct()
    )
    changes = [
        *record_changes(
            _events(Person),
            [person.pk],
            PERSON_FIELDS,
            record_type="person",
            record_name=lambda _id, v: f"{v.get('given_name')} {v.get('family_name')}",
            reasons=_reasons(corrections, RecordType.PERSON, may_see_restricted=may_see),
        ),
        *record_changes(
            _events(HouseholdMembership),
            memberships,
            MEMBERSHIP_FIELDS,
            record_type="membership",
            record_name=lambda _id, _v: "Membership of the household",
            reasons=_reasons(corrections, RecordType.MEMBERSHIP, may_see_restricted=may_see),
        ),
    ]
    return _newest_first(changes)


def _newest_first(changes: list[RecordChange]) -> Changes:
    changes.sort(key=lambda c: (c.at, c.event_id), reverse=True)
    withheld = any(f.withheld for c in changes for f in c.changes) or any(
        c.reason == WITHHELD for c in changes
    )
    return Changes(changes=changes, withheld=withheld)


# ---------------------------------------------------------------------------
# The chronology (plans registers a source that calls this: plans may import families)
# ---------------------------------------------------------------------------


def household_corrections_for_user(
    user: AnyUser,
    family: Family,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[RecordCorrection]:
    """``family``'s household corrections in the date range (inclusive), newest first,
    without those about a protected address unless the viewer may see restricted
    information. Each keeps ``is_restricted`` so the chronology applies its own rule too."""
    rows = RecordCorrection.objects.filter(family=family).select_related("actor", "person")
    if not can_view_restricted(user, family):
        rows = rows.filter(is_restricted=False)
    if since:
        rows = rows.filter(
            created_at__gte=timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
        )
    if until:
        end = until + datetime.timedelta(days=1)
        rows = rows.filter(
            created_at__lt=timezone.make_aware(datetime.datetime.combine(end, datetime.time.min))
        )
    return list(rows.order_by("-created_at", "-pk"))


def correction_title(correction: RecordCorrection) -> str:
    """How a correction is named in the chronology."""
    label = CorrectionKind(correction.kind).label
    if correction.person is not None:
        return f"{label}: {correction.person.full_name}"
    return label
