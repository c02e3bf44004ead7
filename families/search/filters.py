"""GET /api/search/'s query string: checked and documented here, then searched by
``families.search.selectors.person_search_for_user`` (the same rules as the page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django_filters.rest_framework import (
    CharFilter,
    DateFilter,
)

from families.filters import QueryParameters, documented
from families.search.selectors import PersonSearch, search_error


def person_search(cleaned: dict[str, Any]) -> PersonSearch:
    """The search that ``PersonSearchParameters``' cleaned values ask for."""
    return PersonSearch(
        text=cleaned.get("q") or "",
        date_of_birth=cleaned.get("date_of_birth"),
        postcode=cleaned.get("postcode") or "",
    )


class PersonSearchForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The search's own rules (something to look for, enough of a name, a real
        # postcode) once each parameter reads: one message at a time, as on the page.
        if not self.errors:
            error = search_error(person_search(cleaned))
            if error is not None:
                self.add_error(*error)
        return cleaned


class PersonSearchParameters(QueryParameters):
    """GET /api/search/: checked here, searched by ``person_search_for_user``."""

    q = documented(
        CharFilter(
            max_length=100,
            help_text="A name (typos allowed) or family reference",
            error_messages={
                "max_length": "Name or family reference must be 100 characters or fewer"
            },
        ),
        {"type": "string", "minLength": 1, "maxLength": 100},
    )
    date_of_birth = DateFilter(
        input_formats=["%Y-%m-%d"],
        help_text="YYYY-MM-DD",
        error_messages={"invalid": "Enter a date of birth as YYYY-MM-DD, like 2012-03-27"},
    )
    postcode = documented(
        CharFilter(
            max_length=10,
            help_text="A full postcode, any spacing or case",
            error_messages={"max_length": "Enter a real postcode, like SO23 8UG"},
        ),
        {"type": "string", "maxLength": 10},
    )

    class Meta:
        form = PersonSearchForm
