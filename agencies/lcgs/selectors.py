"""Reads about LCGs as reference data: which LCG covers a postcode district, the list of
LCGs, and who belongs to which."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from agencies.models import LCG, LCGMembership


def lcg_for_postcode_district(district: str) -> LCG | None:
    """The LCG whose postcode districts contain ``district`` (e.g. "SO23"), if any.

    Families outside every LCG wait on the programme manager's unassigned list.
    """
    return LCG.objects.filter(postcode_districts__contains=[district.upper()]).first()


def lcg_list() -> QuerySet[LCG]:
    return LCG.objects.select_related("sro__user").order_by("name")


def lcg_list_coordinated_by(staff_id: int) -> QuerySet[LCG]:
    return LCG.objects.filter(memberships__staff_id=staff_id, memberships__is_coordinator=True)


def lcg_ids_coordinated_by(staff_id: int) -> QuerySet[LCGMembership, Any]:
    """The ids of the LCGs a member of staff coordinates, as a subquery for filters
    (``lcg_id__in=...``): one rule for every list scoped to a coordinator's LCGs."""
    return LCGMembership.objects.filter(staff_id=staff_id, is_coordinator=True).values("lcg_id")


def lcg_choices() -> list[tuple[str, str]]:
    """Every LCG as (code, name), for the staff pages' checkboxes."""
    return list(LCG.objects.order_by("name").values_list("code", "name"))


def lcg_codes_held(staff_ids: Sequence[int]) -> dict[int, list[str]]:
    """The codes of the LCGs each of these members of staff belongs to, in one query."""
    held: dict[int, list[str]] = {}
    rows = (
        LCGMembership.objects.filter(staff_id__in=staff_ids)
        .order_by("lcg__name")
        .values_list("staff_id", "lcg__code")
    )
    for staff_id, code in rows:
        held.setdefault(staff_id, []).append(code)
    return held
