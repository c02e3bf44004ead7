"""Exporting a claim batch from its page: "Export as CSV" and "Export as XLSX" start the
background job (``outcomes.claims.export``) and lead to the job's page, with its progress
bar and, when it is done, the download. Parse, check, call one service, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from agencies.request_user import request_user_or_403
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from outcomes.claims.access import can_export_claims
from outcomes.claims.export import DENIED, EXPORT_RULE, claim_batch_export_start
from outcomes.models import ClaimBatch


@login_required
@require_POST
@access_rule(EXPORT_RULE)
def claim_batch_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_export_claims, DENIED)
    batch = get_object_or_404(ClaimBatch, pk=batch_id)
    try:
        job = claim_batch_export_start(
            actor=user,
            batch=batch,
            file_format=request.POST.get("format", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
            request=request,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("outcomes:claim-batch", batch.pk)
    return redirect("jobs:detail", job_id=job.pk)
