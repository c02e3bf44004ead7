"""Claim batches (DOMAIN.md 5): the list, making a batch for a window, a batch with its
claims, taking a family out with a reason, and replaying a claim's decision from its
frozen snapshot. Parse, check, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.forms import GOVUKForm
from outcomes.claims import services
from outcomes.claims.access import (
    can_audit_claims,
    can_claim_equivalent_progress,
    can_export_claims,
    can_make_claims,
    can_see_claims,
    can_see_money,
)
from outcomes.claims.forms import ClaimBatchForm, ClaimRemoveForm
from outcomes.models import Claim, ClaimBatch, ClaimBatchStatus, ClaimStatus

SEE = "programme managers, internal auditors and senior officers"
CLAIMS_PER_PAGE = 50
MAKE = "programme managers"


def _viewer(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_see_claims(user):
        raise PermissionDenied(
            "Only programme managers, internal auditors and senior officers see claims"
        )
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
        {
            "batches": batches,
            "can_make": can_make_claims(user),
            "can_see_money": can_see_money(user),
        },
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
    # The sums in the database; the claims themselves a page at a time.
    claims = Claim.objects.filter(batch=batch)
    sums = claims.aggregate(
        standing=Count("pk", filter=Q(status=ClaimStatus.PROPOSED)),
        total=Sum("amount", filter=Q(status=ClaimStatus.PROPOSED)),
        clawed_back=Sum("amount", filter=Q(status=ClaimStatus.CLAWED_BACK)),
        sampled=Count("audit"),
    )
    page = Paginator(
        claims.select_related("family", "audit").order_by("family__reference", "pk"),
        CLAIMS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    shown = [claim.family for claim in page.object_list]
    if shown:
        # The page lists the claimed families: one list event naming them (issue 14).
        access_events_record_many(
            user=user,
            family_ids=[family.pk for family in shown],
            family_references=[family.reference for family in shown],
            request=request,
            detail={"claim_batch": batch.pk, "page": page.number},
        )
    return render(
        request,
        "outcomes/claims/batch_detail.html",
        {
            "batch": batch,
            "claims": page.object_list,
            "page_obj": page,
            "standing": sums["standing"],
            "total": sums["total"] or Decimal("0"),
            "can_change": can_make_claims(user) and batch.status == ClaimBatchStatus.DRAFT,
            "can_make": can_make_claims(user),
            "can_audit": can_audit_claims(user) and batch.status == ClaimBatchStatus.IN_AUDIT,
            "sampled": sums["sampled"],
            "clawed_back": sums["clawed_back"] or Decimal("0"),
            "can_claw_back": can_make_claims(user) and batch.status == ClaimBatchStatus.ACCEPTED,
            "can_add_equivalent": can_claim_equivalent_progress(user)
            and batch.status == ClaimBatchStatus.DRAFT,
            "can_export": can_export_claims(user),
        },
    )


def _claim(batch_id: int, claim_id: int) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("batch", "family"), pk=claim_id, batch_id=batch_id
    )


def _claim_shown_record(request: HttpRequest, user: User, claim: Claim) -> None:
    """A form about one claim shows its family: its GET is recorded (issue 14)."""
    if request.method == "GET":
        access_event_record(
            user=user,
            action="view",
            object_type="claim",
            object_id=str(claim.pk),
            family_id=claim.family_id,
            family_reference=claim.family.reference,
            request=request,
        )


@login_required
@access_rule(MAKE)
def claim_remove(request: HttpRequest, batch_id: int, claim_id: int) -> HttpResponse:
    return _claim_with_reason(
        request,
        batch_id,
        claim_id,
        ClaimRemoveForm,
        services.claim_remove,
        "outcomes/claims/claim_remove.html",
        "{reference} removed from the batch",
    )


def _claim_with_reason(
    request: HttpRequest,
    batch_id: int,
    claim_id: int,
    form_class: type[GOVUKForm],
    service: Callable[..., Claim],
    template: str,
    done: str,
) -> HttpResponse:
    """A programme manager's change to one claim that needs a reason (remove, claw
    back): the form, the service, then back to the batch saying what was done."""
    user = _maker(request)
    claim = _claim(batch_id, claim_id)
    _claim_shown_record(request, user, claim)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=user, claim=claim, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, done.format(reference=claim.family.reference))
            return redirect("outcomes:claim-batch", batch_id)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"claim": claim, "form": form}, status=status)


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


def _batch_action(request: HttpRequest, batch_id: int, action: str) -> HttpResponse:
    """Send a batch along its journey (a programme manager's button on the batch page);
    a refusal is shown there as an error."""
    from outcomes.claims import audit

    user = _maker(request)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    try:
        if action == "audit":
            audit.batch_audit_start(actor=user, batch=batch)
            messages.success(request, "Sent to internal audit: the sample is drawn")
        else:
            audit.batch_submit(actor=user, batch=batch)
            messages.success(request, "Batch submitted")
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("outcomes:claim-batch", batch_id)


@login_required
@require_POST
@access_rule(MAKE)
def claim_batch_audit_start(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch_action(request, batch_id, "audit")


@login_required
@require_POST
@access_rule(MAKE)
def claim_batch_submit(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch_action(request, batch_id, "submit")


@login_required
@access_rule(MAKE)
def claim_batch_outcome(request: HttpRequest, batch_id: int) -> HttpResponse:
    from outcomes.claims import audit
    from outcomes.claims.forms import ClaimBatchOutcomeForm

    user = _maker(request)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    form = ClaimBatchOutcomeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = audit.batch_outcome_record(
                actor=user,
                batch=batch,
                accepted=form.cleaned_data["accepted"] == "yes",
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Recorded: {batch.get_status_display().lower()}")
            return redirect("outcomes:claim-batch", batch_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/claims/batch_outcome.html", {"batch": batch, "form": form}, status=status
    )


@login_required
@access_rule("internal auditors")
def claim_audit(request: HttpRequest, batch_id: int, claim_id: int) -> HttpResponse:
    from outcomes.claims import audit
    from outcomes.claims.forms import ClaimAuditForm
    from outcomes.models import AUDIT_CHECKLIST, ClaimAudit

    user = request.user
    assert isinstance(user, User)
    if not can_audit_claims(user):
        raise PermissionDenied("Only internal auditors audit claims")
    claim = _claim(batch_id, claim_id)
    sampled = get_object_or_404(ClaimAudit, claim=claim)
    _claim_shown_record(request, user, claim)
    form = ClaimAuditForm(request.POST or None, checklist=list(AUDIT_CHECKLIST))
    if request.method == "POST" and form.is_valid():
        confirmed = set(form.cleaned_data["confirmed"])
        try:
            audit.claim_audit_decide(
                actor=user,
                audit=sampled,
                checklist={code: code in confirmed for code, _ in AUDIT_CHECKLIST},
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{claim.family.reference}: audit decision recorded")
            return redirect("outcomes:claim-batch", batch_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outcomes/claims/claim_audit.html",
        {"claim": claim, "sampled": sampled, "form": form},
        status=status,
    )


@login_required
@access_rule(MAKE)
def claim_batch_payment(request: HttpRequest, batch_id: int) -> HttpResponse:
    from outcomes.claims import audit
    from outcomes.claims.forms import ClaimPaymentForm

    user = _maker(request)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    form = ClaimPaymentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit.batch_payment_record(
                actor=user,
                batch=batch,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Payment recorded")
            return redirect("outcomes:claim-batch", batch_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "outcomes/claims/batch_payment.html", {"batch": batch, "form": form}, status=status
    )


@login_required
@access_rule(MAKE)
def claim_claw_back(request: HttpRequest, batch_id: int, claim_id: int) -> HttpResponse:
    from outcomes.claims import audit
    from outcomes.claims.forms import ClaimClawBackForm

    return _claim_with_reason(
        request,
        batch_id,
        claim_id,
        ClaimClawBackForm,
        audit.claim_claw_back,
        "outcomes/claims/claim_claw_back.html",
        "The claim for {reference} is clawed back",
    )


@login_required
@access_rule("senior officers (a draft batch; the family attached and not claimable)")
def claim_equivalent_add(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A senior officer adds a family to a draft batch on "equivalent progress", with a
    written reason (outcomes.claims.equivalent)."""
    from django.http import Http404

    from families.selectors import family_get_for_user_or_404
    from outcomes.claims import equivalent
    from outcomes.claims.forms import ClaimEquivalentForm

    user = request.user
    assert isinstance(user, User)
    if not can_claim_equivalent_progress(user):
        raise PermissionDenied("Only a senior officer approves claims on equivalent progress")
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    form = ClaimEquivalentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["family"]
        try:
            family = family_get_for_user_or_404(user, reference)
        except Http404:
            form.add_error("family", f"There is no family with the reference {reference}")
        else:
            try:
                claim = equivalent.claim_equivalent_add(
                    actor=user, batch=batch, family=family, reason=form.cleaned_data["reason"]
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, equivalent.equivalent_added_message(claim))
                return redirect("outcomes:claim-batch", batch_id)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "outcomes/claims/claim_equivalent_add.html",
        {"batch": batch, "form": form, "is_draft": batch.status == ClaimBatchStatus.DRAFT},
        status=status,
    )
