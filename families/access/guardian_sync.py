"""The only module that writes django-guardian object permissions.

Permissions on a family are derived from its open grants; nothing else assigns them.
What each grant reason allows is in ``families.access.perms``. Role-derived access (LCG
coordinators, programme-wide roles) is decided in ``families.access.access`` and needs
no per-family rows.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils import timezone

from agencies.models import Agency, Staff
from families.access.perms import PERMISSIONS_BY_REASON
from families.grants_models import (
    FamilyGroupObjectPermission,
    FamilyUserObjectPermission,
    Grant,
)


def agency_group_name(agency_id: int) -> str:
    return f"agency:{agency_id}"


def agency_groups_sync(agency_ids: Iterable[int]) -> dict[int, Group]:
    """Ensure each agency has a group holding exactly its staff; return them by agency."""
    groups: dict[int, Group] = {}
    for agency in Agency.objects.filter(pk__in=set(agency_ids)):
        group, _ = Group.objects.get_or_create(name=agency_group_name(agency.pk))
        user_ids = set(Staff.objects.filter(agency=agency).values_list("user_id", flat=True))
        current = set(group.user_set.values_list("pk", flat=True))
        if user_ids - current:
            group.user_set.add(*(user_ids - current))
        if current - user_ids:
            group.user_set.remove(*(current - user_ids))
        groups[agency.pk] = group
    return groups


def _permissions() -> dict[str, Permission]:
    codenames = set().union(*PERMISSIONS_BY_REASON.values())
    return {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="families", codename__in=codenames
        )
    }


def family_permissions_sync(family_ids: Iterable[int]) -> None:
    """Make guardian's rows for these families match their open, unexpired grants."""
    ids = list(set(family_ids))
    if not ids:
        return
    now = timezone.now()
    grants = Grant.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now),
        family_id__in=ids,
        ended_at__isnull=True,
        starts_at__lte=now,
    ).values_list("family_id", "user_id", "agency_id", "reason")
    perms = _permissions()
    want_user: set[tuple[int, int, int]] = set()
    want_agency: set[tuple[int, int, int]] = set()
    for family_id, user_id, agency_id, reason in grants:
        for codename in PERMISSIONS_BY_REASON[reason]:
            if user_id is not None:
                want_user.add((family_id, user_id, perms[codename].pk))
            else:
                want_agency.add((family_id, agency_id, perms[codename].pk))
    groups = agency_groups_sync({agency_id for _, agency_id, _ in want_agency})
    want_group = {(f, groups[a].pk, p) for f, a, p in want_agency}

    have_user = set(
        FamilyUserObjectPermission.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "user_id", "permission_id"
        )
    )
    have_group = set(
        FamilyGroupObjectPermission.objects.filter(content_object_id__in=ids).values_list(
            "content_object_id", "group_id", "permission_id"
        )
    )
    for f, u, p in have_user - want_user:
        FamilyUserObjectPermission.objects.filter(
            content_object_id=f, user_id=u, permission_id=p
        ).delete()
    for f, g, p in have_group - want_group:
        FamilyGroupObjectPermission.objects.filter(
            content_object_id=f, group_id=g, permission_id=p
        ).delete()
    FamilyUserObjectPermission.objects.bulk_create(
        [
            FamilyUserObjectPermission(content_object_id=f, user_id=u, permission_id=p)
            for f, u, p in want_user - have_user
        ],
        batch_size=5000,
    )
    FamilyGroupObjectPermission.objects.bulk_create(
        [
            FamilyGroupObjectPermission(content_object_id=f, group_id=g, permission_id=p)
            for f, g, p in want_group - have_group
        ],
        batch_size=5000,
    )
