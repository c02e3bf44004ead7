"""Query-string filters of the daily-work API ("my actions", "my families").

"My families" narrows what its selector returned (the selector alone scopes by user);
"my actions" only checks ``show``, which picks the selector's list and its order. See
``families.filters``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django_filters.rest_framework import FilterSet, TypedChoiceFilter

from families.filters import GivenChoiceFilter, QueryParameters, YesNoFilter, documented
from families.models import Family
from plans.work import selectors
from plans.work.forms import KEY_WORKER_OUTSIDE_SCOPE

SHOW_MESSAGE = f"Choose one of: {', '.join(s.value for s in selectors.ActionShow)}"


class MyActionParameters(QueryParameters):
    """GET /api/my-actions/: ``show`` is passed to ``owned_action_list_for_user``."""

    show = GivenChoiceFilter(
        choices=[(show.value, label) for show, label in selectors.ACTION_SHOW_LABELS.items()],
        help_text=(
            "overdue; due_soon (today to 7 days ahead); open (default); "
            "done (completed in the last 14 days)"
        ),
        error_messages={"invalid_choice": SHOW_MESSAGE, "blank": SHOW_MESSAGE},
    )


def action_show(cleaned: dict[str, Any]) -> selectors.ActionShow:
    """The view of "my actions" that ``MyActionParameters``' cleaned values ask for."""
    return selectors.ActionShow(cleaned.get("show") or selectors.ActionShow.OPEN)


class MyFamilyFilter(FilterSet):
    """GET /api/my-families/: narrows ``attention_family_list_for_user``."""

    key_worker = documented(
        TypedChoiceFilter(
            coerce=int,
            empty_value=None,
            method="filter_key_worker",
            help_text="Staff id of a lead professional (LCG coordinators only)",
            error_messages={"invalid_choice": KEY_WORKER_OUTSIDE_SCOPE},
        ),
        {"type": "integer"},
    )
    attention = YesNoFilter(
        method="filter_attention", help_text="Only families that need attention"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The key workers a coordinator may choose (none for anyone else), looked up
        # only when the filter is used: the list alone costs no extra query.
        if self.data.get("key_worker") and self.request is not None:
            self.filters["key_worker"].extra["choices"] = [
                (staff.pk, staff.display_name)
                for staff in selectors.key_worker_choices_for_user(self.request.user)
            ]

    def filter_key_worker(
        self, queryset: QuerySet[Family], name: str, value: int
    ) -> QuerySet[Family]:
        return queryset.filter(lead_professional_id=value)

    def filter_attention(self, queryset: QuerySet[Any], name: str, value: bool) -> QuerySet[Any]:
        # ``attention`` is the selector's annotation: how many flags are raised.
        return queryset.filter(attention__gt=0) if value else queryset
