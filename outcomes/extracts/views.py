"""The evaluation extract pages (docs/evaluation-extract.md): the log of extracts,
asking for one, one extract's details and downloading its file. Parse, check, call,
render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from agencies.models import User
from agencies.request_user import request_user_or_403
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.models import JobStatus
from outcomes.extracts import selectors, services
from outcomes.extracts.access import (
    LOG_DENIED,
    LOG_RULE,
    MAKE_DENIED,
    MAKE_RULE,
    can_make_extracts,
    can_see_extract_log,
)
from outcomes.extracts.forms import EvaluationExtractForm
from outcomes.extracts.rules import FIELD_CODES, FIELD_LABELS


def _reader(request: HttpRequest) -> User:
    return request_user_or_403(request, can_see_extract_log, LOG_DENIED)


def _maker(request: HttpRequest) -> User:
    return request_user_or_403(request, can_make_extracts, MAKE_DENIED)


# Extracts listed on a page of the log, newest first.
LOG_PAGE_SIZE = 50


@login_required
@access_rule(LOG_RULE)
def extract_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    page = Paginator(selectors.extract_log_list(user), LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "outcomes/extracts/extract_list.html",
        {
            "logs": list(page.object_list),
            "page_obj": page,
            "labels": FIELD_LABELS,
            "can_make": can_make_extracts(user),
        },
    )


@login_required
@access_rule(MAKE_RULE)
def extract_new(request: HttpRequest) -> HttpResponse:
    user = _maker(request)
    form = EvaluationExtractForm(
        request.POST or None,
        initial={"reference_date": timezone.localdate(), "columns": list(FIELD_CODES)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            log = services.evaluation_extract_start(
                actor=user,
                partner=data["partner"],
                fields=data["columns"],
                reference_date=data["reference_date"],
                request=request,
            )
        except ApplicationError as exc:
            field = "columns" if exc.field == "fields" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            return redirect("outcomes:evaluation-extract", log.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "outcomes/extracts/extract_new.html", {"form": form}, status=status)


@login_required
@access_rule(LOG_RULE)
def extract_detail(request: HttpRequest, log_id: int) -> HttpResponse:
    user = _reader(request)
    log = selectors.extract_log_get_or_404(user, log_id)
    return render(
        request,
        "outcomes/extracts/extract_detail.html",
        {
            "log": log,
            "job": log.job,
            "fields": [FIELD_LABELS.get(code, code) for code in log.fields],
            "can_download": can_make_extracts(user)
            and log.job.status == JobStatus.SUCCEEDED
            and bool(log.job.result_file),
        },
    )


@login_required
@access_rule(MAKE_RULE + " (404 while the file is not ready)")
def extract_download(request: HttpRequest, log_id: int) -> FileResponse:
    user = _maker(request)
    log = selectors.extract_log_get_or_404(user, log_id)
    job = log.job
    if job.status != JobStatus.SUCCEEDED or not job.result_file:
        raise Http404("This extract has no file yet")
    services.evaluation_extract_downloaded(actor=user, log=log, request=request)
    name = job.result_file.name.rsplit("/", 1)[-1]
    return FileResponse(job.result_file.open("rb"), as_attachment=True, filename=name)
