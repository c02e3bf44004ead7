"""Feed pages: submit an agency's file, follow its import, read every row error.

Programme managers only (``outcomes.feeds.access``); everyone else gets 403. Parse,
check, call one service, render.
"""

from __future__ import annotations

import csv
import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from agencies.models import Agency, User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from oneplan.spreadsheets import spreadsheet_text
from outcomes.feeds import selectors, services
from outcomes.feeds.access import can_submit_feeds
from outcomes.feeds.forms import FeedUploadForm
from outcomes.feeds.validation import parse_feed_date
from outcomes.models import FeedKind, FeedSubmission, SubmissionStatus

PAGE_SIZE = 50
ERRORS_PAGE_SIZE = 100
# The error report is written this many rows at a time, so a file of 200,000 bad rows
# never has all its errors in memory at once.
ERRORS_DOWNLOAD_CHUNK = 10_000
RULE = "programme managers only"


def _manager(request: HttpRequest) -> User:
    return request_user_or_403(
        request, can_submit_feeds, "Only programme managers work with agency feeds"
    )


@login_required
@access_rule(RULE)
def feed_list(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    page = Paginator(selectors.feed_submission_list_for_user(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "outcomes/feeds/submission_list.html", {"page_obj": page})


def _initial(request: HttpRequest) -> dict[str, Any]:
    """What "fix and upload again" carries over: agency, kind and extract date."""
    initial: dict[str, Any] = {}
    agency = request.GET.get("agency", "")
    if agency:
        initial["agency"] = Agency.objects.filter(code=agency, is_active=True).first()
    if request.GET.get("kind", "") in FeedKind.values:
        initial["kind"] = request.GET["kind"]
    extract_date = parse_feed_date(request.GET.get("extract_date", ""))
    if extract_date is not None:
        initial["extract_date"] = extract_date
    return {k: v for k, v in initial.items() if v is not None}


@login_required
@access_rule(RULE)
def feed_upload(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    if request.method == "POST":
        form = FeedUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            try:
                submission = services.feed_submission_create(
                    actor=user,
                    agency=data["agency"],
                    kind=data["kind"],
                    extract_date=data["extract_date"],
                    filename=upload.name or "feed",
                    content=upload.read(),
                    valid_rows_only=data["valid_rows_only"],
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return redirect("outcomes:feed-detail", submission_id=submission.pk)
    else:
        form = FeedUploadForm(initial=_initial(request))
    return render(
        request,
        "outcomes/feeds/submission_upload.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _again_url(submission: FeedSubmission) -> str:
    query = urlencode(
        {
            "agency": submission.agency.code,
            "kind": submission.kind,
            "extract_date": submission.extract_date.isoformat(),
        }
    )
    return f"{reverse('outcomes:feed-upload')}?{query}"


@login_required
@access_rule(RULE)
def feed_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    user = _manager(request)
    submission = selectors.feed_submission_get_for_user_or_404(
        user, submission_id, with_row_errors=False
    )
    is_poll = bool(getattr(request, "htmx", False))
    # A sequence read from the database a slice at a time, which Paginator accepts.
    rows: Any = selectors.feed_submission_row_errors(submission)
    errors = Paginator(rows, ERRORS_PAGE_SIZE).get_page(request.GET.get("page"))
    if not is_poll:
        access_event_record(
            user=user,
            action="view",
            object_type="feed_submission",
            object_id=submission.pk,
            request=request,
        )
    context = {
        "submission": submission,
        "job": submission.job,
        "is_finished": submission.status != SubmissionStatus.RECEIVED,
        "errors_page": errors,
        "again_url": _again_url(submission),
    }
    template = (
        "outcomes/feeds/_submission_result.html"
        if is_poll
        else "outcomes/feeds/submission_detail.html"
    )
    return render(request, template, context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@access_rule(RULE)
def feed_errors_download(request: HttpRequest, submission_id: int) -> StreamingHttpResponse:
    user = _manager(request)
    submission = selectors.feed_submission_get_for_user_or_404(
        user, submission_id, with_row_errors=False
    )
    access_event_record(
        user=user,
        action="download",
        object_type="feed_submission",
        object_id=submission.pk,
        request=request,
        detail={"what": "row errors"},
    )
    writer = csv.writer(_Echo())

    def lines() -> Any:
        yield "\ufeff"
        yield writer.writerow(["row", "column", "message"])
        if submission.file_error:
            yield writer.writerow(["", "", spreadsheet_text(submission.file_error)])
        errors = selectors.feed_submission_row_errors(submission)
        for start in range(0, errors.count(), ERRORS_DOWNLOAD_CHUNK):
            for error in errors[start : start + ERRORS_DOWNLOAD_CHUNK]:
                yield writer.writerow(
                    [
                        error["row"],
                        spreadsheet_text(error["column"]),
                        spreadsheet_text(error["message"]),
                    ]
                )

    stem = submission.filename.rsplit(".", 1)[0] or "feed"
    day = datetime.date.today().isoformat()
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_ascii(stem)}-errors-{day}.csv"'
    return response


def _ascii(text: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in text)[:80]
