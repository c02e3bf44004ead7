"""Reads for subject access. The person is read through ``apps.get_model`` and the
registry's paths, as audit imports no case app (docs/decisions/0005). Every selector
that returns requests takes the viewer and returns nothing to anyone but the DPO."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from agencies.models import AnyUser
from audit.personal_data import FAMILY, PERSON
from audit.subject_access import rules
from audit.subject_access.access import can_handle_subject_access
from audit.subject_access.models import SubjectAccessItem, SubjectAccessRequest

SEARCH_LIMIT = 50


@dataclass(frozen=True)
class PersonSummary:
    pk: int
    name: str
    date_of_birth: datetime.date | None
    family_ids: list[int] = field(default_factory=list)
    family_references: list[str] = field(default_factory=list)


def _summaries(people: QuerySet[Any]) -> list[PersonSummary]:
    family_model = apps.get_model(FAMILY)
    rows = list(people.values("pk", "given_name", "family_name", "date_of_birth")[:SEARCH_LIMIT])
    pks = [row["pk"] for row in rows]
    links = family_model._base_manager.filter(memberships__person__in=pks).values_list(
        "memberships__person", "pk", "reference"
    )
    families: dict[int, list[tuple[int, str]]] = {}
    for person_pk, family_pk, reference in links:
        families.setdefault(person_pk, []).append((family_pk, reference))
    return [
        PersonSummary(
            pk=row["pk"],
            name=f"{row['given_name']} {row['family_name']}",
            date_of_birth=row["date_of_birth"],
            family_ids=[pk for pk, _ in sorted(set(families.get(row["pk"], [])))],
            family_references=[ref for _, ref in sorted(set(families.get(row["pk"], [])))],
        )
        for row in rows
    ]


def person_summary(person_id: int) -> PersonSummary | None:
    """The person's name, date of birth and families, or None if there is no such person."""
    people = apps.get_model(PERSON)._base_manager.filter(pk=person_id)
    found = _summaries(people)
    return found[0] if found else None


def person_search(
    viewer: AnyUser, *, family_name: str, given_name: str = "", date_of_birth: datetime.date | None
) -> list[PersonSummary]:
    """People whose family name (and given name, when entered) start as typed, born on
    ``date_of_birth`` when entered: at most 50. Only for the DPO."""
    if not can_handle_subject_access(viewer):
        return []
    query = Q(family_name__istartswith=family_name.strip())
    if given_name.strip():
        query &= Q(given_name__istartswith=given_name.strip())
    if date_of_birth is not None:
        query &= Q(date_of_birth=date_of_birth)
    people = (
        apps.get_model(PERSON)
        ._base_manager.filter(query)
        .order_by("family_name", "given_name", "date_of_birth", "pk")
    )
    return _summaries(people)


def request_list(viewer: AnyUser, *, open_only: bool = True) -> QuerySet[SubjectAccessRequest]:
    """Requests, soonest due first: the open ones, or all. None for anyone but the DPO."""
    if not can_handle_subject_access(viewer):
        return SubjectAccessRequest.objects.none()
    requests = SubjectAccessRequest.objects.select_related("assembly_job").annotate(
        item_count=Count("items"),
        flagged_count=Count("items", filter=Q(items__needs_redaction=True)),
        waiting_count=Count(
            "items", filter=Q(items__needs_redaction=True, items__decided_at__isnull=True)
        ),
    )
    if open_only:
        requests = requests.filter(status__in=rules.OPEN_STATES)
    return requests.order_by("due_on", "pk")


def request_get_or_404(viewer: AnyUser, request_id: int) -> SubjectAccessRequest:
    """One request, for the DPO; 404 when there is no such request."""
    try:
        return request_list(viewer, open_only=False).get(pk=request_id)
    except SubjectAccessRequest.DoesNotExist:
        raise Http404("No such subject access request") from None


def item_list(
    viewer: AnyUser, request: SubjectAccessRequest, *, flagged_only: bool = False
) -> QuerySet[SubjectAccessItem]:
    if not can_handle_subject_access(viewer):
        return SubjectAccessItem.objects.none()
    items = request.items.all()
    if flagged_only:
        items = items.filter(needs_redaction=True)
    return items.order_by("position", "pk")


def item_get_or_404(
    viewer: AnyUser, request: SubjectAccessRequest, item_id: int
) -> SubjectAccessItem:
    try:
        return item_list(viewer, request).get(pk=item_id)
    except SubjectAccessItem.DoesNotExist:
        raise Http404("No such record in this request") from None


@dataclass(frozen=True)
class ItemGroup:
    label: str
    items: list[SubjectAccessItem]


def item_groups(items: QuerySet[SubjectAccessItem]) -> list[ItemGroup]:
    """Items grouped by the table they came from, in the assembly's order."""
    groups: dict[str, list[SubjectAccessItem]] = {}
    for item in items:
        groups.setdefault(item.source_label, []).append(item)
    return [ItemGroup(label=label, items=rows) for label, rows in groups.items()]
