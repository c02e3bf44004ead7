"""Writes for LCGs as reference data. Every write goes through a function here."""

from __future__ import annotations

from django.db import transaction

from agencies.models import User
from agencies.services import access_change_check
from lcgs.models import LCGMembership


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
