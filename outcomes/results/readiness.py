"""Families by claim readiness, as the nightly evaluation last stored it: the list the
programme manager, internal auditors and senior officers work from (the page and
``GET /api/claim-readiness/``). Who may see it is ``can_see_claims`` (they see every
family's readiness; its reasons, which may name restricted needs, stay on the family's
own page, whose panel withholds them by the restricted-information rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet

from outcomes.models import Readiness, Result


@dataclass(frozen=True)
class ReadinessCount:
    value: str
    label: str
    count: int


def readiness_counts() -> list[ReadinessCount]:
    """How many attached families are at each readiness, in one query."""
    found = dict(
        Result.objects.filter(is_current=True)
        .values_list("readiness")
        .annotate(n=Count("pk"))
        .values_list("readiness", "n")
    )
    return [ReadinessCount(r.value, r.label, found.get(r.value, 0)) for r in Readiness]


def readiness_list(*, readiness: str = "", framework: str = "") -> QuerySet[Result]:
    """The current results, optionally of one readiness and one framework, with their
    family and its LCG, claimable first then by family reference."""
    rows = Result.objects.filter(is_current=True).select_related("family", "family__lcg")
    if readiness:
        rows = rows.filter(readiness=readiness)
    if framework:
        rows = rows.filter(framework=framework)
    return rows.order_by("family__reference")


def last_evaluated() -> date | None:
    """The latest date a stored result was worked out on."""
    return (
        Result.objects.filter(is_current=True)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
