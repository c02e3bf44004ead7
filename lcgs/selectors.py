"""Reads about LCGs."""

from __future__ import annotations

from django.db.models import QuerySet

from lcgs.models import LCG


def lcg_for_postcode_district(district: str) -> LCG | None:
    """The LCG whose postcode districts contain ``district`` (e.g. "SO23"), if any.

    Families outside every LCG wait on the programme manager's unassigned list.
    """
    return LCG.objects.filter(postcode_districts__contains=[district.upper()]).first()


def lcg_list() -> QuerySet[LCG]:
    return LCG.objects.select_related("sro__user").order_by("name")


def lcg_list_coordinated_by(staff_id: int) -> QuerySet[LCG]:
    return LCG.objects.filter(memberships__staff_id=staff_id, memberships__is_coordinator=True)
