"""Query-string filters of the nominations and screening API. Each narrows what its
selector returned (the selector alone scopes by user); see ``families.filters``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import ChoiceFilter, FilterSet

from families.filters import LCGFilterSet
from lcgs.screening.selectors import Source
from outcomes.models import Nomination, NominationStatus


class NominationFilter(FilterSet):
    """GET /api/nominations/: narrows ``nomination_list_for_user``."""

    status = ChoiceFilter(
        choices=NominationStatus.choices,
        help_text="Only nominations in this state",
        error_messages={"invalid_choice": "Unknown status %(value)r"},
    )

    class Meta:
        model = Nomination
        fields: list[str] = []


class ScreeningFilter(LCGFilterSet):
    """GET /api/screening/: narrows ``screening_list_for_user``, whose rows say whether
    agencies' data, an open nomination or both put the family on the list."""

    source = ChoiceFilter(
        choices=Source.CHOICES,
        method="filter_source",
        help_text="How the family came onto the list",
        error_messages={"invalid_choice": "Enter data, nomination or both"},
    )

    def filter_source(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == Source.DATA:
            return queryset.filter(has_data=True)
        if value == Source.NOMINATION:
            return queryset.filter(has_nomination=True)
        return queryset.filter(has_data=True, has_nomination=True)
