"""Grants follow domain events: allocation, team changes, consent, closure, break glass.

``grants_sync`` is the one function that opens and ends grants. Services call it after
they change what access rests on; it works out the grants each family should have from
its current state, ends the ones that no longer rest on anything and opens the missing
ones. Running it twice changes nothing. What a grant allows is read from the grant
when access is decided (``families.access.access``); no copy of it is kept elsewhere
(docs/decisions/0013).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import User
from audit.history import inserts_recorded_set_based, records_actor
from families.grants_models import BreakGlassAccess, Grant, GrantReason, TeamMember
from families.models import Family
from families.states import TERMINAL_STATES

CHUNK = 2000


@dataclass(frozen=True)
class _Wanted:
    reason: GrantReason
    user_id: int | None
    agency_id: int | None
    ends_at: datetime | None = None
    # Set for grants from a registered source: when the grant starts (it may be later
    # than now) and what it rests on, in words.
    starts_at: datetime | None = None
    about: str = ""


@dataclass(frozen=True)
class SourcedGrant:
    """A grant that rests on a record of an app above families (an LCG meeting): to
    whom, why, for which window, and what it rests on, in words."""

    family_id: int
    source: str
    reason: GrantReason
    user_id: int
    starts_at: datetime
    ends_at: datetime
    about: str


# Apps above families that open grants on their own records register here (as they do
# family panels): given a chunk of family ids and the moment, a source answers the grants
# those families should have from it. ``grants_sync`` asks every source, so it stays the
# one function that opens and ends grants, and a re-sync keeps what a source still wants.
GrantSource = Callable[[list[int], datetime], Iterable[SourcedGrant]]
_SOURCES: dict[str, GrantSource] = {}


def register_grant_source(name: str, source: GrantSource) -> None:
    """Register ``source`` under ``name`` (registering a name again replaces it)."""
    _SOURCES[name] = source


def _sourced_grants(chunk: list[int], now: datetime) -> dict[int, dict[str, _Wanted]]:
    wanted: dict[int, dict[str, _Wanted]] = {}
    for source in _SOURCES.values():
        for grant in source(chunk, now):
            wanted.setdefault(grant.family_id, {})[grant.source] = _Wanted(
                grant.reason,
                grant.user_id,
                None,
                grant.ends_at,
                grant.starts_at,
                grant.about[:200],
            )
    return wanted


def _window_changed(grant: Grant, wanted: _Wanted | None) -> bool:
    """A sourced grant whose window or words changed (a meeting moved) is re-opened."""
    if wanted is None or wanted.starts_at is None:
        return False
    return (grant.starts_at, grant.ends_at, grant.about) != (
        wanted.starts_at,
        wanted.ends_at,
        wanted.about,
    )


def _wanted_grants(
    families: list[Family],
    team: dict[int, list[TeamMember]],
    glass: dict[int, list[BreakGlassAccess]],
    lead_user_ids: dict[int, int],
) -> dict[int, dict[str, _Wanted]]:
    wanted: dict[int, dict[str, _Wanted]] = {}
    for family in families:
        rows: dict[str, _Wanted] = {}
        # A closed case keeps only role-derived access (its LCG, programme-wide roles).
        if family.status not in TERMINAL_STATES:
            if family.lead_professional_id is not None:
                user_id = lead_user_ids[family.lead_professional_id]
                rows[f"lead:{user_id}"] = _Wanted(GrantReason.LEAD_PROFESSIONAL, user_id, None)
            elif family.lead_agency_id is not None:
                # No named lead professional yet: the lead agency's staff can pick it up.
                rows[f"lead_agency:{family.lead_agency_id}"] = _Wanted(
                    GrantReason.LEAD_AGENCY, None, family.lead_agency_id
                )
            for member in team.get(family.pk, []):
                rows[f"team:{member.agency_id}"] = _Wanted(GrantReason.TEAM, None, member.agency_id)
        # Break glass is for emergencies, so it works on closed cases too.
        for access in glass.get(family.pk, []):
            rows[f"break_glass:{access.pk}"] = _Wanted(
                GrantReason.BREAK_GLASS, access.user_id, None, access.expires_at
            )
        wanted[family.pk] = rows
    return wanted


def grants_sync(*, actor: User, family_ids: Iterable[int], why: str = "") -> None:
    """Open and end grants so they match each family's current state. Idempotent.

    Set-based: a few queries per chunk of families, so a whole council can be re-synced
    after an import or by the nightly job.
    """
    from agencies.models import Staff

    ids = sorted(set(family_ids))
    now = timezone.now()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        families = list(
            Family.objects.filter(pk__in=chunk).only(
                "pk", "status", "lead_professional_id", "lead_agency_id"
            )
        )
        lead_user_ids = dict(
            Staff.objects.filter(
                pk__in={f.lead_professional_id for f in families if f.lead_professional_id}
            ).values_list("pk", "user_id")
        )
        team: dict[int, list[TeamMember]] = {}
        for member in TeamMember.objects.filter(family_id__in=chunk, removed_at__isnull=True):
            team.setdefault(member.family_id, []).append(member)
        glass: dict[int, list[BreakGlassAccess]] = {}
        for access in BreakGlassAccess.objects.filter(family_id__in=chunk, expires_at__gt=now):
            glass.setdefault(access.family_id, []).append(access)
        wanted = _wanted_grants(families, team, glass, lead_user_ids)
        # A closed case keeps only role-derived access, whatever a source wants.
        open_ids = {f.pk for f in families if f.status not in TERMINAL_STATES}
        for family_id, rows in _sourced_grants(sorted(open_ids), now).items():
            if family_id in open_ids:
                wanted.setdefault(family_id, {}).update(rows)

        open_grants = Grant.objects.filter(family_id__in=chunk, ended_at__isnull=True)
        have = {(g.family_id, g.source): g for g in open_grants}
        stale = [
            g.pk
            for (family_id, source), g in have.items()
            if source not in wanted.get(family_id, {})
            or (g.ends_at is not None and g.ends_at <= now)
            or _window_changed(g, wanted.get(family_id, {}).get(source))
        ]
        if stale:
            Grant.objects.filter(pk__in=stale).update(
                ended_at=now, end_reason=why or "No longer rests on anything"
            )
        stale_keys = {(g.family_id, g.source) for g in have.values() if g.pk in stale}
        # A re-sync after an import opens thousands: their history in one statement.
        with transaction.atomic(), inserts_recorded_set_based(Grant) as record_inserts:
            opened = Grant.objects.bulk_create(
                [
                    Grant(
                        family_id=family_id,
                        source=source,
                        reason=w.reason,
                        user_id=w.user_id,
                        agency_id=w.agency_id,
                        ends_at=w.ends_at,
                        created_by=actor,
                        starts_at=w.starts_at or now,
                        about=w.about,
                    )
                    for family_id, rows in wanted.items()
                    for source, w in rows.items()
                    if (family_id, source) not in have or (family_id, source) in stale_keys
                    if w.ends_at is None or w.ends_at > now
                ],
                batch_size=5000,
            )
            record_inserts([grant.pk for grant in opened])


@records_actor
def grants_expire(*, actor: User) -> int:
    """End grants whose time is up (break glass, an LCG meeting's 24 hours) and re-derive
    permissions. Idempotent."""
    now = timezone.now()
    lapsed = list(
        Grant.objects.filter(ended_at__isnull=True, ends_at__lte=now).values_list(
            "family_id", flat=True
        )
    )
    if lapsed:
        grants_sync(actor=actor, family_ids=lapsed, why="Time limit reached")
    return len(set(lapsed))


def open_grants_q(now: datetime) -> Q:
    """Grants in force at ``now``: opened, not ended, not lapsed."""
    return Q(ended_at__isnull=True, starts_at__lte=now) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now)
    )
