"""The claim readiness list (``outcomes.results.readiness``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.models import User
from audit.services import access_events_record_many
from oneplan.access_rules import access_rule
from outcomes.claims.access import can_see_claims
from outcomes.models import Framework, Readiness
from outcomes.results.readiness import last_evaluated, readiness_counts, readiness_list

PER_PAGE = 50


class ReadinessFilterForm(forms.Form):
    readiness = forms.ChoiceField(
        label="Readiness",
        required=False,
        choices=[("", "Any readiness"), *Readiness.choices],
    )
    framework = forms.ChoiceField(
        label="Framework", required=False, choices=[("", "Any framework"), *Framework.choices]
    )


@login_required
@access_rule("programme managers, internal auditors and senior officers")
def claim_readiness_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not can_see_claims(user):
        raise PermissionDenied("You cannot see claim readiness")
    form = ReadinessFilterForm(request.GET or None)
    filters = {"readiness": "", "framework": ""}
    if form.is_valid():
        filters = {k: form.cleaned_data[k] for k in filters}
    status = 200 if form.is_bound is False or form.is_valid() else 400
    page = Paginator(readiness_list(**filters), PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    if shown:
        access_events_record_many(
            user=user,
            family_ids=[r.family_id for r in shown],
            family_references=[r.family.reference for r in shown],
            object_type="claim_readiness",
            filters={k: v for k, v in filters.items() if v},
            request=request,
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "outcomes/results/readiness_list.html",
        {
            "form": form,
            "page_obj": page,
            "results": shown,
            "counts": readiness_counts(),
            "as_of": last_evaluated(),
            "querystring": query.urlencode(),
        },
        status=status,
    )
