"""The search page: find a person or family you can see.

The search itself is recorded in the access log (what was searched for and which
families the results showed); opening a result is recorded again by the family page,
because its links carry ``?from=search``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import User
from audit.services import access_events_record_many
from families.access import access
from families.search.selectors import PersonSearch, person_search_for_user, search_error
from oneplan.access_rules import access_rule
from oneplan.forms import GOVUKDateField, GOVUKForm

PAGE_SIZE = 25
SEARCH_FIELDS = ("q", "postcode", "date_of_birth_day", "date_of_birth_month", "date_of_birth_year")


class PersonSearchForm(GOVUKForm):
    q = forms.CharField(
        label="Name or family reference",
        help_text="For example, John Smith or F-000123. Spelling mistakes are allowed.",
        required=False,
        max_length=100,
        error_messages={"max_length": "Name or family reference must be 100 characters or fewer"},
    )
    date_of_birth = GOVUKDateField(
        label="Date of birth",
        help_text="For example, 27 3 2012",
        required=False,
        allow_future=False,
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
        error_messages={"max_length": "Enter a real postcode, like SO23 8UG"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        error = search_error(self.search())
        if error is not None:
            field, message = error
            self.add_error(field, message)
        return cleaned

    def search(self) -> PersonSearch:
        data = self.cleaned_data
        return PersonSearch(
            text=data.get("q") or "",
            date_of_birth=data.get("date_of_birth"),
            postcode=data.get("postcode") or "",
        )


@login_required
@access_rule("case and oversight roles; finds only people in families in the user's scope")
def person_search(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not access.can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    submitted = any(name in request.GET for name in SEARCH_FIELDS)
    form = PersonSearchForm(request.GET if submitted else None)
    context: dict[str, Any] = {"form": form, "submitted": submitted}
    if not submitted:
        return render(request, "families/search.html", context)
    if not form.is_valid():
        return render(request, "families/search.html", context, status=400)
    search = form.search()
    page = Paginator(person_search_for_user(user, search), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    # Recorded even when nothing was found: what someone looked for is part of the record.
    access_events_record_many(
        user=user,
        family_ids=sorted({row.family_id for row in rows}),
        family_references=sorted({row.family.reference for row in rows}),
        object_type="person",
        filters=search.as_filters(),
        request=request,
        detail={"search": True, "people": [row.person_id for row in rows]},
    )
    query = request.GET.copy()
    query.pop("page", None)
    context.update({"page_obj": page, "rows": rows, "query": query})
    return render(request, "families/search.html", context)
