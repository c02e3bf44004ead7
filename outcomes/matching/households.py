"""Grouping matched people into households (FEEDS.md "What a submission produces", 3).

A record's household keys, strongest first: ``uprn:<UPRN>``, ``household:<agency
id>:<the agency's household id>``, ``address:<normalised first line>|<postcode>``. The
first key already in ``HouseholdKey`` names the person's family. With none:

- a family whose own address gives the key (a family added by hand, or before
  matching, has an address but no keys yet), unless the address is protected;
- a person already living in a family at the record's postcode (or whose record has no
  postcode) stays there;
- anyone else starts a new identified family at the record's address (its LCG from the
  postcode district, like ``families.services.family_create``).

Every key of the record is then registered to that family (a key registered before
stays with its family), and a person living in another family moves: that membership
ends on the date of the data and a new one starts (child if under 18 that day).

Set-based, for imports: a few queries for any number of people. Families are created
here rather than through ``family_create`` because an import creates thousands at once;
the rows written are the same (address, family, "identified" status change).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from agencies.lcgs.selectors import lcg_for_postcode_district
from agencies.models import LCG, User
from families import identifiers
from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    MemberRole,
)
from families.services import family_references_next
from families.states import FamilyStatus
from outcomes.matching.bulk import (
    copy_model_rows,
    deferred_checks_run,
    history_by_statement,
    history_write,
    next_ids,
)
from outcomes.matching.normalise import address_line_normalise
from outcomes.models import HouseholdKey

ADULT_AGE = 18


def household_keys(
    *,
    agency_id: int,
    uprn: str = "",
    household_id: str = "",
    address_line_1: str = "",
    postcode: str = "",
) -> tuple[str, ...]:
    """A record's household keys, strongest first (see the module docstring).

    An address key needs both a first line and a postcode: a postcode alone covers a
    street, not a household.
    """
    keys: list[str] = []
    if uprn.strip():
        keys.append(f"uprn:{uprn.strip()}")
    if household_id.strip():
        keys.append(f"household:{agency_id}:{household_id.strip()}")
    line = address_line_normalise(address_line_1)
    if line and postcode.strip():
        keys.append(f"address:{line}|{identifiers.normalise_postcode(postcode)}")
    return tuple(keys)


@dataclass(frozen=True)
class HouseholdMember:
    """A matched person and the household their record names."""

    person_id: int
    date_of_birth: datetime.date
    keys: tuple[str, ...]
    address_line_1: str = ""
    postcode: str = ""
    uprn: str = ""


@dataclass(frozen=True)
class _Current:
    membership_id: int
    family_id: int
    start_date: datetime.date


@dataclass(frozen=True)
class _NewFamily:
    address_line_1: str
    postcode: str
    uprn: str


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def households_group(
    *,
    actor: User,
    members: Sequence[HouseholdMember],
    as_of: datetime.date,
    reason: str,
) -> set[int]:
    """Put each member in the family their household keys name (module docstring).

    Runs in the caller's transaction. Returns every family touched: the families people
    are now in, and those they left. Data older than a person's current membership never
    moves them out of it (a late file must not undo a newer move).
    """
    by_person = {member.person_id: member for member in members}
    if not by_person:
        return set()
    current = _current_memberships(list(by_person))
    wanted = [
        m
        for m in by_person.values()
        if m.person_id not in current or current[m.person_id].start_date <= as_of
    ]
    wanted_keys = sorted({key for m in wanted for key in m.keys})
    key_family = _families_by_key(wanted_keys)
    # Families added by hand or before matching have an address but no keys yet.
    found_by_address = _families_by_address([k for k in wanted_keys if k not in key_family])
    key_family.update(found_by_address)
    family_postcodes = _family_postcodes(sorted({c.family_id for c in current.values()}))

    new_families: list[_NewFamily] = []
    new_keys: dict[str, int] = dict(found_by_address)
    targets: dict[int, int] = {}
    # New families get negative placeholders until their ids are reserved.
    for member in wanted:
        family_id = next((key_family[k] for k in member.keys if k in key_family), None)
        if family_id is None:
            here = current.get(member.person_id)
            if here is not None and (
                not member.postcode
                or family_postcodes.get(here.family_id, member.postcode) == member.postcode
            ):
                family_id = here.family_id
            else:
                new_families.append(_NewFamily(member.address_line_1, member.postcode, member.uprn))
                family_id = -len(new_families)
        for key in member.keys:
            if key not in key_family:
                key_family[key] = family_id
                new_keys[key] = family_id
        targets[member.person_id] = family_id

    with history_by_statement(Address, Family, HouseholdMembership):
        return _write(actor, by_person, current, targets, new_families, new_keys, as_of, reason)


def _write(
    actor: User,
    by_person: dict[int, HouseholdMember],
    current: dict[int, _Current],
    targets: dict[int, int],
    new_families: list[_NewFamily],
    new_keys: dict[str, int],
    as_of: datetime.date,
    reason: str,
) -> set[int]:
    now = timezone.now()
    real_ids = _families_create(actor=actor, new_families=new_families, now=now, reason=reason)

    def real(family_id: int) -> int:
        return real_ids[-family_id - 1] if family_id < 0 else family_id

    _keys_register({key: real(fid) for key, fid in new_keys.items()}, now)
    touched: set[int] = set()
    ended: list[int] = []
    started: list[tuple[int, int, str, datetime.date]] = []
    for person_id, placeholder in targets.items():
        family_id = real(placeholder)
        touched.add(family_id)
        here = current.get(person_id)
        if here is not None and here.family_id == family_id:
            continue
        if here is not None:
            ended.append(here.membership_id)
            touched.add(here.family_id)
        born = by_person[person_id].date_of_birth
        role = MemberRole.CHILD if _age_on(born, as_of) < ADULT_AGE else MemberRole.PARENT_CARER
        started.append((family_id, person_id, role.value, as_of))
    if ended:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {HouseholdMembership._meta.db_table} SET end_date = %s WHERE id = ANY(%s)",  # noqa: S608
                [as_of, ended],
            )
        history_write(HouseholdMembership, "update", ended)
        deferred_checks_run()
    membership_ids = next_ids(HouseholdMembership, len(started))
    copy_model_rows(
        HouseholdMembership,
        ["id", "family", "person", "role", "start_date"],
        ((pk, *row) for pk, row in zip(membership_ids, started, strict=True)),
    )
    history_write(HouseholdMembership, "insert", membership_ids)
    return touched


def _current_memberships(person_ids: list[int]) -> dict[int, _Current]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, person_id, family_id, start_date FROM {HouseholdMembership._meta.db_table}"  # noqa: S608
            " WHERE end_date IS NULL AND person_id = ANY(%s)",
            [person_ids],
        )
        return {person: _Current(pk, family, start) for pk, person, family, start in cursor}


def _families_by_key(keys: list[str]) -> dict[str, int]:
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, family_id FROM {HouseholdKey._meta.db_table} WHERE key = ANY(%s)",  # noqa: S608
            [keys],
        )
        return dict(cursor.fetchall())


def _family_postcodes(family_ids: list[int]) -> dict[int, str]:
    if not family_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.id, a.postcode FROM {Family._meta.db_table} f"  # noqa: S608
            f" JOIN {Address._meta.db_table} a ON a.id = f.address_id WHERE f.id = ANY(%s)",
            [family_ids],
        )
        return dict(cursor.fetchall())


def _families_by_address(keys: list[str]) -> dict[str, int]:
    """Families whose own address gives one of these UPRN or address keys.

    A protected address (a refuge) never groups anyone: unrelated families live there.
    Where several families share an address, the longest known one is chosen.
    """
    uprns = [key.removeprefix("uprn:") for key in keys if key.startswith("uprn:")]
    lines = [key.removeprefix("address:") for key in keys if key.startswith("address:")]
    postcodes = sorted({line.rsplit("|", 1)[1] for line in lines})
    if not uprns and not postcodes:
        return {}
    wanted = set(keys)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.id, a.line_1, a.postcode, a.uprn FROM {Family._meta.db_table} f"  # noqa: S608
            f" JOIN {Address._meta.db_table} a ON a.id = f.address_id"
            " WHERE NOT a.is_protected"
            " AND (a.postcode = ANY(%s) OR (a.uprn <> '' AND a.uprn = ANY(%s)))"
            " ORDER BY f.id",
            [postcodes, uprns],
        )
        for family_id, line_1, postcode, uprn in cursor.fetchall():
            for key in household_keys(
                agency_id=0, uprn=uprn, address_line_1=line_1, postcode=postcode
            ):
                if key in wanted:
                    found.setdefault(key, family_id)
    return found


def _lcg_for(postcode: str, cache: dict[str, LCG | None]) -> LCG | None:
    try:
        district = identifiers.postcode_district(postcode)
    except ValueError:
        # Feeds may name a household by UPRN or household id alone: no postcode, no LCG
        # (the family waits on the unassigned list).
        return None
    if district not in cache:
        cache[district] = lcg_for_postcode_district(district)
    return cache[district]


def _families_create(
    *, actor: User, new_families: list[_NewFamily], now: datetime.datetime, reason: str
) -> list[int]:
    count = len(new_families)
    if not count:
        return []
    references = family_references_next(count)
    address_ids = next_ids(Address, count)
    family_ids = next_ids(Family, count)
    lcgs: dict[str, LCG | None] = {}
    copy_model_rows(
        Address,
        ["id", "line_1", "line_2", "town", "postcode", "uprn", "is_protected", "created_at"],
        (
            (aid, new.address_line_1, "", "", new.postcode, new.uprn, False, now)
            for aid, new in zip(address_ids, new_families, strict=True)
        ),
    )
    family_rows = []
    for fid, aid, reference, new in zip(
        family_ids, address_ids, references, new_families, strict=True
    ):
        lcg = _lcg_for(new.postcode, lcgs)
        family_rows.append(
            (
                fid,
                reference,
                lcg.pk if lcg else None,
                FamilyStatus.IDENTIFIED.value,
                now,
                aid,
                now,
                now,
            )
        )
    copy_model_rows(
        Family,
        [
            "id",
            "reference",
            "lcg",
            "status",
            "status_changed_at",
            "address",
            "created_at",
            "updated_at",
        ],
        family_rows,
    )
    history_write(Address, "insert", address_ids)
    history_write(Family, "insert", family_ids)
    copy_model_rows(
        FamilyStatusChange,
        ["family", "from_status", "to_status", "reason", "actor", "created_at"],
        ((fid, "", FamilyStatus.IDENTIFIED.value, reason, actor.pk, now) for fid in family_ids),
    )
    return family_ids


def _keys_register(keys: dict[str, int], now: datetime.datetime) -> None:
    if not keys:
        return
    names, families = zip(*sorted(keys.items()), strict=True)
    with connection.cursor() as cursor:
        # A key registered meanwhile keeps its family (the strongest-first rule reads
        # the table, never overwrites it).
        cursor.execute(
            f"INSERT INTO {HouseholdKey._meta.db_table} (key, family_id, created_at) "
            "SELECT unnest(%s::text[]), unnest(%s::bigint[]), %s "
            "ON CONFLICT (key) DO NOTHING",
            [list(names), list(families), now],
        )
    deferred_checks_run()
