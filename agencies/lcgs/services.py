"""Writes for LCGs as reference data. Every write goes through a function here."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from agencies.models import LCG, LCGMembership, Staff, User
from agencies.services import access_change_check
from audit.history import records_actor
from oneplan.errors import ApplicationError


@transaction.atomic
def lcg_membership_save(*, actor: User, membership: LCGMembership) -> LCGMembership:
    """Add someone to an LCG, or change their membership. A coordinator sees every family
    of the LCG, so nobody adds or changes their own membership, nor moves another
    person's membership onto their own profile."""
    before = (
        LCGMembership.objects.select_for_update()
        .select_related("staff")
        .filter(pk=membership.pk)
        .first()
        if membership.pk
        else None
    )
    user_ids = [membership.staff.user_id]
    if before is not None:
        user_ids.append(before.staff.user_id)
    access_change_check(actor=actor, user_ids=user_ids)
    membership.save()
    return membership


@transaction.atomic
def lcg_membership_delete(*, actor: User, membership: LCGMembership) -> None:
    """Take someone off an LCG: not oneself (it is still a change to one's own access)."""
    access_change_check(actor=actor, user_ids=[membership.staff.user_id])
    membership.delete()


@records_actor
@transaction.atomic
def lcg_memberships_set(*, actor: User, staff: Staff, codes: Sequence[str]) -> None:
    """Make ``staff`` a coordinator of exactly the LCGs with these codes, from the staff
    pages (``agencies.staff``, through ``agencies.lcgs.memberships``). Nobody changes
    their own. Memberships kept stay as they were; the ones added or removed are
    recorded."""
    wanted = {code.strip() for code in codes if code.strip()}
    lcgs = {lcg.code: lcg for lcg in LCG.objects.filter(code__in=wanted)}
    unknown = sorted(wanted - set(lcgs))
    if unknown:
        raise ApplicationError(
            f"Select LCGs from the list: there is no LCG {', '.join(unknown)}",  # noqa: S608
            field="lcgs",
        )
    held = {
        membership.lcg.code: membership
        for membership in LCGMembership.objects.select_for_update()
        .select_related("lcg")
        .filter(staff=staff)
    }
    if set(held) == wanted:
        return
    access_change_check(actor=actor, user_ids=[staff.user_id])
    for code in sorted(set(held) - wanted):
        held[code].delete()
    for code in sorted(wanted - set(held)):
        LCGMembership.objects.create(lcg=lcgs[code], staff=staff, is_coordinator=True)
