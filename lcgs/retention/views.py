"""The retention pages (docs/retention.md), for the data protection officer: the records
due for review, batches and their approval, legal holds, and the retention periods.
Parse, check, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.models import AccessAction
from audit.services import access_event_record, access_events_record_many
from families.selectors import family_get_for_user_or_404
from lcgs.retention import selectors, services
from lcgs.retention.access import DENIED, RULE, can_manage_retention
from lcgs.retention.forms import (
    ApproveForm,
    BatchStartForm,
    ExcludeForm,
    HoldFamilyForm,
    HoldForm,
    LiftForm,
    PolicyForm,
)
from lcgs.retention.models import LegalHold, RetentionReview
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError

PURPOSE = "Retention review"


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (which must show its errors)."""
    return request.POST if request.method == "POST" else None


def _families_seen(request: HttpRequest, reviews: list[RetentionReview]) -> None:
    """The pages name families by reference: one list event, like every list page."""
    families = [r.family for r in reviews if r.family is not None]
    access_events_record_many(
        user=request.user,
        family_ids=[f.pk for f in families],
        family_references=[f.reference for f in families],
        purpose=PURPOSE,
        request=request,
    )


# Legal holds listed on a page, and batches on the retention page (newest first).
HOLDS_PAGE_SIZE = 50
BATCHES_PAGE_SIZE = 50


@login_required
@access_rule(RULE)
def retention(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    reviews = selectors.reviews_waiting(user)
    _families_seen(request, reviews)
    batches = Paginator(selectors.batch_list(user), BATCHES_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "lcgs/retention/retention.html",
        {
            "summary": selectors.retention_summary(user),
            "reviews": reviews,
            "list_max": selectors.LIST_MAX,
            "batches": list(batches.object_list),
            "page_obj": batches,
            "records": selectors.anonymisation_records(user),
            "records_max": selectors.RECORDS_MAX,
        },
    )


@login_required
@access_rule(RULE)
@require_POST
def retention_batch_start(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    form = BatchStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Select the kind of records")
        return redirect("lcgs:retention")
    try:
        batch = services.retention_batch_create(
            actor=user, record_class=form.cleaned_data["record_class"], today=timezone.localdate()
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("lcgs:retention")
    return redirect("lcgs:retention-batch", batch.pk)


@login_required
@access_rule(RULE)
def retention_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    batch = selectors.batch_get_or_404(user, batch_id)
    form = ApproveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_batch_approve(actor=user, batch=batch)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Batch {batch.pk} approved: OnePlan is working through it")
            return redirect("lcgs:retention-batch", batch.pk)
    items = selectors.batch_items(user, batch)
    _families_seen(request, items)
    return render(
        request,
        "lcgs/retention/batch.html",
        {
            "batch": batch,
            "items": items,
            "form": form,
            "record": selectors.batch_record(user, batch),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@access_rule(RULE)
@require_POST
def retention_batch_cancel(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    batch = selectors.batch_get_or_404(user, batch_id)
    try:
        services.retention_batch_cancel(actor=user, batch=batch)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("lcgs:retention-batch", batch.pk)
    messages.success(request, f"Batch {batch.pk} cancelled: its records are due for review again")
    return redirect("lcgs:retention")


@login_required
@access_rule(RULE)
def retention_review_exclude(request: HttpRequest, review_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    review = selectors.review_for_exclusion_or_404(user, review_id)
    form = ExcludeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_review_exclude(
                actor=user, review=review, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "The record is kept and left out of review")
            if review.batch_id:
                return redirect("lcgs:retention-batch", review.batch_id)
            return redirect("lcgs:retention")
    _families_seen(request, [review])
    return render(
        request,
        "lcgs/retention/exclude.html",
        {"review": review, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Legal holds ----------------------------------------------------------------------------


@login_required
@access_rule(RULE)
def retention_holds(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    page = Paginator(selectors.legal_hold_list(user), HOLDS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    holds = list(page.object_list)
    holds_seen(request, user, holds)
    return render(request, "lcgs/retention/holds.html", {"holds": holds, "page_obj": page})


def hold_seen(request: HttpRequest, user: User, hold: LegalHold, action: str) -> None:
    """One hold shown (its page, or the API's answer): the family or the person it
    names (the page and the API)."""
    if hold.family is not None:
        access_event_record(
            user=user,
            action=action,
            object_type="legal_hold",
            object_id=hold.pk,
            family_id=hold.family.pk,
            family_reference=hold.family.reference,
            purpose=PURPOSE,
            request=request,
        )
    elif hold.person is not None:
        access_event_record(
            user=user,
            action=action,
            object_type="person",
            object_id=hold.person.pk,
            purpose=PURPOSE,
            request=request,
        )


def holds_seen(request: HttpRequest, user: User, holds: list[LegalHold]) -> None:
    """Holds name their family by reference and their person by name: one list event for
    the families, and an event per person (the page and the API)."""
    families = [h.family for h in holds if h.family is not None]
    access_events_record_many(
        user=user,
        family_ids=[f.pk for f in families],
        family_references=[f.reference for f in families],
        object_type="legal_hold",
        purpose=PURPOSE,
        request=request,
    )
    for hold in holds:
        if hold.person is not None:
            access_event_record(
                user=user,
                action=AccessAction.VIEW,
                object_type="person",
                object_id=hold.person.pk,
                purpose=PURPOSE,
                request=request,
            )


@login_required
@access_rule(RULE)
def retention_hold_find(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    form = HoldFamilyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        try:
            family = family_get_for_user_or_404(user, reference)
        except Http404:
            form.add_error("reference", "No family has this reference: check it and enter it again")
        else:
            return redirect("lcgs:retention-hold-new", family.reference)
    return render(
        request,
        "lcgs/retention/hold_find.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@access_rule(RULE + "; a family that does not exist is 404")
def retention_hold_new(request: HttpRequest, reference: str) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    family = family_get_for_user_or_404(user, reference)
    people = {m.person.pk: m.person for m in family.memberships.all()}
    members = [(pk, f"{p.given_name} {p.family_name}") for pk, p in people.items()]
    access_event_record(
        user=user,
        action=AccessAction.VIEW,
        object_type="family",
        object_id=family.pk,
        family_id=family.pk,
        family_reference=family.reference,
        purpose=PURPOSE,
        request=request,
    )
    form = HoldForm(_posted(request), members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        on = data["on"]
        person = people.get(int(on.removeprefix("person-"))) if on.startswith("person-") else None
        try:
            services.legal_hold_place(
                actor=user,
                family=None if person is not None else family,
                person=person,
                reason=data["reason"],
                until=data["until"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Legal hold placed on {'a member of ' if person else ''}family {family.reference}",
            )
            return redirect("lcgs:retention-holds")
    return render(
        request,
        "lcgs/retention/hold_form.html",
        {"family": family, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@access_rule(RULE)
def retention_hold_lift(request: HttpRequest, hold_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    hold = selectors.legal_hold_get_or_404(user, hold_id)
    if hold.lifted_at is not None:
        raise Http404("This legal hold has already been lifted")
    form = LiftForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_hold_lift(actor=user, hold=hold, reason=form.cleaned_data["lift_reason"])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Legal hold lifted")
            return redirect("lcgs:retention-holds")
    hold_seen(request, user, hold, AccessAction.VIEW)
    return render(
        request,
        "lcgs/retention/hold_lift.html",
        {"hold": hold, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Periods ------------------------------------------------------------------------------


@login_required
@access_rule(RULE)
def retention_periods(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    return render(
        request, "lcgs/retention/periods.html", {"summary": selectors.retention_summary(user)}
    )


@login_required
@access_rule(RULE)
def retention_period_change(request: HttpRequest, policy_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_manage_retention, DENIED)
    policy = selectors.policy_get_or_404(user, policy_id)
    initial = {"years": policy.years, "action": policy.action, "source": policy.source}
    form = PolicyForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.retention_policy_change(
                actor=user,
                policy=policy,
                years=data["years"],
                action=data["action"],
                source=data["source"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, f"Retention period changed: {policy.get_record_class_display()}"
            )
            return redirect(reverse("lcgs:retention-periods"))
    return render(
        request,
        "lcgs/retention/period_form.html",
        {"policy": policy, "form": form},
        status=400 if request.method == "POST" else 200,
    )
