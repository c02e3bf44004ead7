"""Pages for reviews, agreement, the printed plan, case notes and the chronology.

Parse, check, call one service, render. A family outside the user's scope answers 404
like one that does not exist; a family the user can see but may not change through a
page answers 403. Every page that shows case data records an access event first.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record
from families.access.access import can_view_families
from families.models import Family
from families.selectors import family_get_for_user_or_404
from oneplan.access_rules import access_rule
from oneplan.dates import govuk_date
from oneplan.errors import ApplicationError
from plans.models import Plan
from plans.plan.selectors import (
    plan_agreement_blockers,
    plan_agreement_for_user,
    plan_for_user_or_404,
)
from plans.plan.services import PlanConflict
from plans.review import access, selectors, services
from plans.review.chronology import chronology_for_user, chronology_kinds
from plans.review.forms import AgreementForm, CaseNoteForm, ChronologyFilterForm, ReviewForm
from plans.review.pdf import plan_pdf_render
from plans.review.rules import agreement_blockers_message
from plans.visibility import plan_content_for_user

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


def _family(request: HttpRequest, reference: str) -> tuple[User, Family]:
    user = _user(request)
    family = family_get_for_user_or_404(user, reference)
    if not access.can_view_reviews(user, family):
        raise Http404("No family found")
    return user, family


def _plan(request: HttpRequest, reference: str) -> tuple[User, Plan]:
    user = _user(request)
    return user, plan_for_user_or_404(user, reference)


def _record_view(
    request: HttpRequest, user: User, family: Family, object_type: str, object_id: object, **kw: Any
) -> None:
    access_event_record(
        user=user,
        action=kw.pop("action", "view"),
        object_type=object_type,
        object_id=str(object_id),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
        **kw,
    )


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------------------
# Reviews
# ---------------------------------------------------------------------------


@login_required
@access_rule("anyone who can see the family's plan (404 otherwise)")
def review_list(request: HttpRequest, reference: str) -> HttpResponse:
    user, plan = _plan(request, reference)
    family = plan.family
    page = _page(request, selectors.review_list_for_user(user, plan))
    _record_view(request, user, family, "reviews", plan.pk)
    return render(
        request,
        "plans/review/review_list.html",
        {
            "family": family,
            "plan": plan,
            "page_obj": page,
            "can_record": access.can_record_review(user, family),
        },
    )


def _review_form(user: User, plan: Plan, data: Any = None) -> ReviewForm:
    return ReviewForm(
        data,
        initial={"held_on": timezone.localdate()},
        goals=selectors.review_open_goals(user, plan),
        actions=selectors.review_open_actions(user, plan),
        agencies=selectors.team_agencies(plan.family),
        members=selectors.family_current_members(plan.family),
        interval_weeks=services.review_interval_weeks(),
    )


@login_required
@access_rule("the lead professional and the family's LCG coordinators (404 outside scope)")
def review_create(request: HttpRequest, reference: str) -> HttpResponse:
    user, plan = _plan(request, reference)
    family = plan.family
    if not access.can_record_review(user, family):
        raise PermissionDenied("You cannot record reviews for this family")
    form = _review_form(user, plan, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_record(
                actor=user,
                plan=plan,
                held_on=data["held_on"],
                next_review_on=data.get("next_review_on"),
                attendee_agency_ids=[int(i) for i in data["attendee_agencies"]],
                attendee_member_ids=[int(i) for i in data["attendee_members"]],
                other_attendees=data["other_attendees"],
                summary=data["summary"],
                decisions=data.get("decisions") or "",
                ratings=form.ratings(),
                new_actions=form.new_actions(),
                action_changes=form.action_changes(),
            )
        except ApplicationError as exc:
            form.add_error(form.field_for(exc.field), exc.message)
            if isinstance(exc, PlanConflict):
                form.refresh_versions()
        else:
            messages.success(
                request,
                f"Review recorded. The next review is on {govuk_date(review.next_review_on)}",
            )
            return redirect("plans:review-detail", reference=family.reference, review_id=review.pk)
    _record_view(request, user, family, "plan", plan.pk)
    return render(
        request,
        "plans/review/review_form.html",
        {"family": family, "plan": plan, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@access_rule("anyone who can see the family's plan (404 otherwise)")
def review_detail(request: HttpRequest, reference: str, review_id: int) -> HttpResponse:
    user, plan = _plan(request, reference)
    detail = selectors.review_get_for_user_or_404(user, plan, review_id)
    _record_view(request, user, plan.family, "review", review_id)
    return render(
        request,
        "plans/review/review_detail.html",
        {"family": plan.family, "plan": plan, "detail": detail, "review": detail.review},
    )


# ---------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------


@login_required
@access_rule("view: anyone who can see the plan; record: lead professional, LCG coordinators")
def agreement(request: HttpRequest, reference: str) -> HttpResponse:
    user, plan = _plan(request, reference)
    family = plan.family
    can_agree = access.can_agree_plan(user, family)
    members = selectors.family_current_members(family)
    form: AgreementForm | None = None
    if request.method == "POST":
        if not can_agree:
            raise PermissionDenied("You cannot record agreement for this family")
        form = AgreementForm(request.POST, members=members)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.agreement_record(
                    actor=user,
                    plan=plan,
                    agreed_on=data["agreed_on"],
                    signed_by_ids=[int(i) for i in data["signed_by"]],
                    method=data["method"],
                    note=data["note"],
                    expected_version=data["plan_version"],
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "The family's agreement to the plan is recorded")
                return redirect("plans:agreement", reference=family.reference)
    content = plan_content_for_user(user, family)
    state = plan_agreement_for_user(plan, content)
    if form is None and can_agree and not state.is_agreed:
        form = AgreementForm(initial={"plan_version": plan.version}, members=members)
    blockers = content.needs(plan_agreement_blockers(plan))[0]
    _record_view(request, user, family, "agreement", plan.pk)
    return render(
        request,
        "plans/review/agreement.html",
        {
            "family": family,
            "plan": plan,
            "state": state,
            "can_agree": can_agree,
            "agreements": selectors.agreement_list_for_user(user, plan),
            "blockers": blockers,
            "blockers_message": agreement_blockers_message([n.label for n in blockers]),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------
# The printed plan
# ---------------------------------------------------------------------------


@login_required
@access_rule("anyone who can see the family's plan; restricted information is never printed")
def plan_print(request: HttpRequest, reference: str) -> HttpResponse:
    user, plan = _plan(request, reference)
    printable = selectors.plan_printable(plan)
    _record_view(
        request, user, plan.family, "plan", plan.pk, action="export", detail={"format": "html"}
    )
    return render(
        request,
        "plans/review/plan_print.html",
        {"family": plan.family, "plan": plan, "printable": printable},
    )


@login_required
@access_rule("anyone who can see the family's plan; restricted information is never printed")
def plan_pdf(request: HttpRequest, reference: str) -> HttpResponse:
    user, plan = _plan(request, reference)
    printable = selectors.plan_printable(plan)
    _record_view(
        request,
        user,
        plan.family,
        "plan",
        plan.pk,
        action="export",
        detail={"format": "pdf", "plan_version": plan.version},
    )
    response = HttpResponse(plan_pdf_render(printable), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="our-family-plan-{plan.family.reference}.pdf"'
    )
    return response


# ---------------------------------------------------------------------------
# Case notes
# ---------------------------------------------------------------------------


@login_required
@access_rule(
    "read: anyone who can see the family; add: lead professional, LCG coordinators and "
    "case workers of agencies working with the family; restricted notes: restricted rule"
)
def case_notes(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family(request, reference)
    can_add = access.can_add_case_note(user, family)
    may_restrict = access.can_see_restricted_notes(user, family)
    people = selectors.family_people(family)
    form: CaseNoteForm | None = None
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied("You cannot add notes for this family")
        form = CaseNoteForm(request.POST, people=people, may_restrict=may_restrict)
        if form.is_valid():
            data = form.cleaned_data
            person = next((p for p in people if str(p.pk) == data["person"]), None)
            try:
                services.case_note_add(
                    actor=user,
                    family=family,
                    text=data["text"],
                    person=person,
                    is_restricted=bool(data.get("is_restricted")),
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, "Note added")
                return redirect("plans:case-notes", reference=family.reference)
    elif can_add:
        form = CaseNoteForm(people=people, may_restrict=may_restrict)
    page = _page(request, selectors.case_note_list_for_user(user, family))
    _record_view(request, user, family, "case_notes", family.pk)
    return render(
        request,
        "plans/review/case_notes.html",
        {"family": family, "page_obj": page, "form": form, "may_restrict": may_restrict},
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------------------
# Chronology
# ---------------------------------------------------------------------------


@login_required
@access_rule("anyone who can see the family; restricted entries follow the restricted rule")
def chronology(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = _family(request, reference)
    kinds = chronology_kinds()
    form = ChronologyFilterForm(request.GET or None, kinds=kinds)
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "kinds": form.cleaned_data["kind"],
            "since": form.cleaned_data["since"],
            "until": form.cleaned_data["until"],
        }
    entries = chronology_for_user(user, family, **filters) if not form.errors else []
    page = _page(request, entries)
    labels = dict(kinds)
    query = request.GET.copy()
    query.pop("page", None)
    _record_view(
        request,
        user,
        family,
        "chronology",
        family.pk,
        detail={"filters": {k: str(v) for k, v in filters.items() if v}},
    )
    return render(
        request,
        "plans/review/chronology.html",
        {
            "family": family,
            "form": form,
            "page_obj": page,
            "query": query,
            "rows": [(e, labels.get(e.kind, e.kind)) for e in page.object_list],
            "filtered": any(filters.values()),
        },
        status=400 if form.errors else 200,
    )
