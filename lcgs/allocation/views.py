"""The allocation page: parse, check, call one service, render.

A family outside the user's scope answers 404 like one that does not exist; one they
see but do not allocate (a lead professional, a practitioner) answers 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from agencies.models import Agency, Staff
from audit.services import access_event_record
from families.models import Family
from families.pages import family_or_404, form_error
from families.states import TERMINAL_STATES, FamilyStatus
from lcgs.allocation import selectors, services
from lcgs.allocation.access import can_allocate_family
from lcgs.allocation.forms import NOT_YET, AllocationForm
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError

# The button that shows the chosen agency's key workers instead of allocating.
SHOW = "show"


def _agency(request: HttpRequest, family: Family) -> Agency | None:
    """The lead agency whose key workers the form lists: the one chosen on the form, or
    in the address (``?lead_agency=``), else the family's own."""
    raw = request.POST.get("lead_agency") if request.method == "POST" else None
    if raw is None:
        raw = request.GET.get("lead_agency")
    if raw is None:
        return family.lead_agency
    if not raw.isdigit():
        return None
    return selectors.lead_agency_choices().filter(pk=int(raw)).first()


def _not_allocatable(family: Family) -> str:
    status = FamilyStatus(family.status)
    if status in TERMINAL_STATES:
        return f"This family is {status.label.lower()}. Re-open it before allocating it."
    if status == FamilyStatus.IDENTIFIED:
        return "This family has not been screened yet. Screen it before allocating it."
    return ""


@login_required
@access_rule("coordinators of the family's LCG and programme managers (404 outside scope)")
def family_allocate(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    if not can_allocate_family(user, family):
        raise PermissionDenied("Only the LCG's coordinators and programme managers allocate")
    if request.method == "GET":
        # The form shows the family: recorded like any page about it (issue 14).
        access_event_record(
            user=user,
            action="view",
            object_type="family",
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )
    agency = _agency(request, family)
    key_workers = (
        selectors.key_workers_with_caseload(agency_ids=[agency.pk], today=timezone.localdate())
        if agency is not None
        else []
    )
    handover = family.status not in (FamilyStatus.IDENTIFIED, FamilyStatus.SCREENED)
    blocked = _not_allocatable(family)
    status = 200
    if request.method == "POST" and not blocked and SHOW not in request.POST:
        form = AllocationForm(request.POST, agency=agency, key_workers=key_workers)
        if form.is_valid():
            data = form.cleaned_data
            # One of the listed key workers: the form offered no one else.
            professional: Staff | None = next(
                (w.staff for w in key_workers if str(w.staff.pk) == data["lead_professional"]),
                None,
            )
            try:
                allocation = services.family_allocate(
                    actor=user,
                    family=family,
                    track=data["track"],
                    lead_agency=data["lead_agency"],
                    lead_professional=professional,
                    reason=data["reason"],
                )
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _done(allocation))
                return redirect("families:detail", reference=family.reference)
        status = 400
    elif request.method == "POST":
        # "Show key workers": the same page for the agency chosen, keeping what was typed.
        form = AllocationForm(initial=_kept(request.POST), agency=agency, key_workers=key_workers)
    else:
        form = AllocationForm(
            initial=_current(family, agency), agency=agency, key_workers=key_workers
        )
    return render(
        request,
        "lcgs/allocation/family_allocate.html",
        {
            "family": family,
            "form": form,
            "agency": agency,
            "handover": handover,
            "blocked": blocked,
            "key_workers": key_workers,
        },
        status=status,
    )


def _kept(data: Any) -> dict[str, Any]:
    return {name: data.get(name, "") for name in ("track", "lead_agency", "reason")} | {
        "lead_professional": data.get("lead_professional", "")
    }


def _current(family: Family, agency: Agency | None) -> dict[str, Any]:
    initial: dict[str, Any] = {"track": family.track or "", "lead_agency": agency}
    if agency is not None and family.lead_agency_id == agency.pk:
        initial["lead_professional"] = (
            str(family.lead_professional_id) if family.lead_professional_id else NOT_YET
        )
    return initial


def _done(allocation: services.Allocation) -> str:
    family = allocation.family
    lead = allocation.assignment.lead_professional
    who = lead.display_name if lead is not None else allocation.assignment.lead_agency.name
    if allocation.handover:
        return f"{family.reference} handed over to {who}"
    return f"{family.reference} allocated to {who}: the family is now allocated"
