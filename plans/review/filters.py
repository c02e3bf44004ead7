"""Query-string parameters of the chronology API; see ``families.filters``.

The chronology is gathered from every registered source, not one queryset, so these
parameters are only checked and documented here and passed to ``chronology_for_user``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters.rest_framework import DateFilter, MultipleChoiceFilter

from families.filters import QueryParameters, documented
from plans.review.chronology import chronology_kinds

DATE_MESSAGE = "Enter a date as YYYY-MM-DD"


class ChronologyForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "until must be the same as or after since")
        return cleaned


class ChronologyParameters(QueryParameters):
    """GET /api/families/{reference}/chronology/."""

    kind = documented(
        MultipleChoiceFilter(
            # Called per request: later apps register kinds of their own.
            choices=chronology_kinds,
            help_text="Only these kinds (repeat the parameter for several): plan_change, "
            "review, case_note, status_change, agreement, and any a later app registers",
            error_messages={"invalid_choice": "Unknown kind %(value)r"},
        ),
        {"type": "string"},
    )
    since = DateFilter(
        input_formats=["%Y-%m-%d"],
        help_text="From this date",
        error_messages={"invalid": DATE_MESSAGE},
    )
    until = DateFilter(
        input_formats=["%Y-%m-%d"],
        help_text="To this date (the same as or after since)",
        error_messages={"invalid": DATE_MESSAGE},
    )

    class Meta:
        form = ChronologyForm
