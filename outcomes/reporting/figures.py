"""Each family's date for each figure of the programme dashboard, in SQL: the one
definition the dashboard, the families behind a figure, the API and the quarterly return
all use (the words are ``outcomes.reporting.rules.FIGURES``).

``figure_day(key, today=...)`` is an expression on ``Family``: the day that puts the
family in the figure (None when it is not in it at all). A family counts in the
financial year and month of that day, in the LCG and track it has today.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    DateField,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce, TruncDate

from families.models import Family, FamilyStatusChange
from families.states import FamilyStatus
from outcomes.models import (
    Attachment,
    Claim,
    ClaimBatchChange,
    ClaimBatchStatus,
    ClaimStatus,
    Result,
)
from outcomes.reporting.rules import AGREED, ATTACHED, CLAIMED, IDENTIFIED, SUSTAINED
from plans.models import Agreement


class OneYearOn(Func):
    """The date a year after a date column, 29 February becoming 28 February
    (``rules.one_year_on`` in SQL)."""

    template = "((%(expressions)s) + INTERVAL '1 year')::date"
    output_field = DateField()


def identified_on() -> BaseExpression:
    """The day of the family's first arrival at "identified" in its status history (in
    the service's time zone); the day its record was made where the history has none."""
    first = (
        FamilyStatusChange.objects.filter(
            family_id=OuterRef("pk"), to_status=FamilyStatus.IDENTIFIED
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    return TruncDate(Coalesce(Subquery(first), F("created_at")))


def attached_on() -> BaseExpression:
    """The family's attachment date (``Attachment``, one per family)."""
    return Subquery(
        Attachment.objects.filter(family_id=OuterRef("pk")).values("attached_on")[:1],
        output_field=DateField(),
    )


def plan_agreed_on() -> BaseExpression:
    """The day the family first agreed its plan: its earliest recorded agreement."""
    return Subquery(
        Agreement.objects.filter(plan__family_id=OuterRef("pk"))
        .order_by("agreed_on", "pk")
        .values("agreed_on")[:1],
        output_field=DateField(),
    )


def batch_accepted_at() -> Subquery:
    """On a ``Claim``: the moment its batch moved from submitted to accepted (None while
    it has not). The LCG grant statement's reward line uses it too."""
    return Subquery(
        ClaimBatchChange.objects.filter(
            batch_id=OuterRef("batch_id"),
            from_status=ClaimBatchStatus.SUBMITTED,
            to_status=ClaimBatchStatus.ACCEPTED,
        )
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )


def batch_accepted_on() -> BaseExpression:
    """On a ``Claim``: the day its batch moved from submitted to accepted."""
    return TruncDate(batch_accepted_at())


def accepted_claims() -> QuerySet[Claim]:
    """Claims that stand in a batch government accepted, annotated with the day the
    batch moved from submitted to accepted (``accepted_on``): a claim clawed back or
    removed from its batch is not here."""
    return (
        Claim.objects.filter(status=ClaimStatus.PROPOSED, batch__status=ClaimBatchStatus.ACCEPTED)
        .annotate(accepted_on=batch_accepted_on())
        .filter(accepted_on__isnull=False)
    )


def claim_accepted_on() -> BaseExpression:
    """The day the family's result claim was accepted (the earliest, should a family
    have claims under two frameworks)."""
    return Subquery(
        accepted_claims()
        .filter(family_id=OuterRef("pk"))
        .order_by("accepted_on", "pk")  # type: ignore[misc]  # an annotation
        .values("accepted_on")[:1],
        output_field=DateField(),
    )


def route_on(day_ref: str) -> Subquery:
    """The result route the evaluation found for the claim's family on the day
    ``day_ref`` names (an outer column): the route of the latest stored result judged on
    or before that day ("" when none was met, None when none was judged)."""
    return Subquery(
        Result.objects.filter(family_id=OuterRef("family_id"), as_of__lte=OuterRef(day_ref))
        .order_by("-as_of", "-evaluated_at", "-pk")
        .values("route")[:1]
    )


def sustained_claims(today: datetime.date) -> QuerySet[Claim]:
    """Accepted claims whose first anniversary of the claim date has come by ``today``
    and whose family's results on that anniversary still met a route; annotated with
    the anniversary (``one_year_on``)."""
    return (
        accepted_claims()
        .annotate(one_year_on=OneYearOn(F("claim_date")))
        .filter(one_year_on__lte=today)
        .annotate(route_then=route_on("one_year_on"))
        .filter(route_then__isnull=False)
        .exclude(route_then="")
    )


def sustained_on(today: datetime.date) -> BaseExpression:
    """The day the family was found sustaining its outcomes one year on: the first
    anniversary of its accepted claim's date, once it has come by ``today``."""
    return Subquery(
        sustained_claims(today)
        .filter(family_id=OuterRef("pk"))
        .order_by("one_year_on", "pk")  # type: ignore[misc]  # an annotation
        .values("one_year_on")[:1],
        output_field=DateField(),
    )


def figure_day(key: str, *, today: datetime.date) -> BaseExpression:
    """The family's day for figure ``key`` (``rules.FIGURE_KEYS``), as an expression on
    ``Family``."""
    if key == IDENTIFIED:
        return identified_on()
    if key == ATTACHED:
        return attached_on()
    if key == AGREED:
        return plan_agreed_on()
    if key == CLAIMED:
        return claim_accepted_on()
    if key == SUSTAINED:
        return sustained_on(today)
    raise ValueError(f"There is no figure {key!r}")


def families_in_figure(
    families: QuerySet[Family],
    key: str,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    today: datetime.date,
) -> QuerySet[Family]:
    """``families`` whose day for figure ``key`` falls from ``starts_on`` to ``ends_on``
    (both included), annotated with it as ``figure_day``."""
    return families.annotate(figure_day=figure_day(key, today=today)).filter(
        figure_day__range=(starts_on, ends_on)
    )
