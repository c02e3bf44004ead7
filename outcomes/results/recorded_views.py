"""The lead practitioner's page for recording a family's outcomes (sf2022, DOMAIN.md
4.3): the family's needs, the outcome and a reason; the outcomes recorded so far with
their corrections. Parse, check, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.models import User
from audit.services import access_event_record
from families.access import access
from families.selectors import family_get_for_user_or_404
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from outcomes.models import Attachment
from outcomes.results.recorded import recordable_needs, recorded_outcome_list_for_user
from outcomes.results.recorded_access import can_record_outcome
from outcomes.results.recorded_forms import RecordedOutcomeForm
from outcomes.results.recorded_services import recorded_outcome_record


@login_required
@access_rule("the family's lead professional (404 outside the user's scope, 403 otherwise)")
def recorded_outcome_record_page(request: HttpRequest, reference: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if not access.can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    family = family_get_for_user_or_404(user, reference)
    if not can_record_outcome(user, family):
        raise PermissionDenied("Only the family's lead professional records its outcomes")
    attachment = Attachment.objects.filter(family=family).first()
    needs = recordable_needs(family, attachment)
    form = RecordedOutcomeForm(request.POST or None, needs=needs)
    if request.method == "POST" and form.is_valid():
        try:
            made = recorded_outcome_record(
                actor=user,
                family=family,
                need_code=form.cleaned_data["need"],
                positive=form.cleaned_data["positive"] == "yes",
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            label = next(n.label for n in needs if n.code == made.need_code)
            messages.success(request, f"Outcome recorded for {label.lower()}")
            return redirect("outcomes:recorded-outcome-record", family.reference)
    recorded = recorded_outcome_list_for_user(family, access.family_permissions(user, family))
    access_event_record(
        user=user,
        action="view",
        object_type="recorded_outcomes",
        object_id=str(family.pk),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outcomes/recorded/recorded_outcome_record.html",
        {
            "family": family,
            "attachment": attachment,
            "needs": needs,
            "form": form,
            "current": [r for r in recorded if r.is_current],
            "earlier": [r for r in recorded if not r.is_current],
        },
        status=status,
    )
