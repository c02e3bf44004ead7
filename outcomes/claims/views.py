"""Claim batches (DOMAIN.md 5): the list, making a batch for a window, a batch with its
claims, taking a family out with a reason, and replaying a claim's decision from its
frozen snapshot. Parse, check, call one service, render."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agencies.models import User
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from outcomes.claims import services
from outcomes.claims.access import can_make_claims, can_see_claims
from outcomes.claims.forms import ClaimBatchForm, ClaimRemoveForm
from outcomes.models import Claim, ClaimBatch, ClaimBatchStatus, ClaimStatus

SEE = "programme managers and internal auditors"
MAKE = "programme managers"


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_see_claims(user):
        raise PermissionDenied("Only programme managers and internal auditors see claims")
    return user


def _maker(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_make_claims(user):
        raise PermissionDenied("Only programme managers make and change claims")
    return user


def _standing() -> Q:
    return Q(claims__status=ClaimStatus.PROPOSED)


@login_required
@access_rule(SEE)
def claim_batch_list(request: HttpRequest) -> HttpResponse:
    user = _viewer(request)
    batches = ClaimBatch.objects.annotate(
        claim_count=Count("claims", filter=_standing()),
        total=Sum("claims__amount", filter=_standing()),
    ).select_related("created_by")
    return render(
        request,
        "outcomes/claims/batch_list.html",
        {"batches": batches, "can_make": can_make_claims(user)},
    )


@login_required
@access_rule(MAKE)
def claim_batch_new(request: HttpRequest) -> HttpResponse:
    user = _maker(request)
    form = ClaimBatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.claim_batch_create(
                actor=user,
                window_start=form.cleaned_data["window_start"],
                window_end=form.cleaned_data["window_end"],
                sample_percent=form.cleaned_data["sample_percent"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            families = "family" if made.proposed == 1 else "families"
            messages.success(request, f"Claim batch made: {made.proposed} {families} proposed")
            return redirect("outcomes:claim-batch", made.batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outcomes/claims/batch_new.html", {"form": form}, status=status)


@login_required
@access_rule(SEE)
def claim_batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _viewer(request)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    claims = list(
        Claim.objects.filter(batch=batch).select_related("family").order_by("family__reference")
    )
    standing = [c for c in claims if c.status == ClaimStatus.PROPOSED]
    return render(
        request,
        "outcomes/claims/batch_detail.html",
        {
            "batch": batch,
            "claims": claims,
            "standing": len(standing),
            "total": sum((c.amount for c in standing), Decimal("0")),
            "can_change": can_make_claims(user) and batch.status == ClaimBatchStatus.DRAFT,
        },
    )


def _claim(batch_id: int, claim_id: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("batch", "family"), pk=claim_id, batch_id=batch_id
    )


@login_required
@access_rule(MAKE)
def claim_remove(request: HttpRequest, batch_id: int, claim_id: int) -> HttpResponse:
    user = _maker(request)
    claim = _claim(batch_id, claim_id)
    form = ClaimRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_remove(actor=user, claim=claim, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{claim.family.reference} removed from the batch")
            return redirect("outcomes:claim-batch", batch_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/claims/claim_remove.html", {"claim": claim, "form": form}, status=status
    )


@login_required
@require_POST
@access_rule(SEE + " (runs the rules again on the claim's snapshot; changes nothing)")
def claim_replay(request: HttpRequest, batch_id: int, claim_id: int) -> HttpResponse:
    _viewer(request)
    claim = _claim(batch_id, claim_id)
    try:
        replay = services.claim_replay(claim)
    except ApplicationError as exc:
        messages.error(request, f"{claim.family.reference}: {exc.message}")
    else:
        if replay.same:
            messages.success(
                request,
                f"{claim.family.reference}: replayed on its snapshot, the rules give the same "
                f"decision (route {replay.replayed['route']})",
            )
        else:
            messages.error(
                request,
                f"{claim.family.reference}: replayed on its snapshot, the rules now give route "
                f"{replay.replayed['route'] or 'none'} (frozen: {replay.frozen['route']})",
            )
    return redirect("outcomes:claim-batch", batch_id)
