"""The data protection officer's subject access pages (docs/subject-access.md): parse,
check, call one service, render. Every page asks the one rule
(access.can_handle_subject_access); every page that shows a person's records writes an
access event."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from agencies.request_user import request_user_or_403
from audit.models import AccessAction
from audit.services import access_event_record, access_events_record_many
from audit.subject_access import bundle, rules, selectors, services
from audit.subject_access.access import DENIED, RULE, can_handle_subject_access
from audit.subject_access.forms import (
    CloseForm,
    ExtendForm,
    ItemDecisionForm,
    PersonSearchForm,
    RequestForm,
    SentForm,
)
from audit.subject_access.models import SubjectAccessRequest
from oneplan.access_rules import access_rule
from oneplan.dates import file_stamp
from oneplan.errors import ApplicationError, NotFoundOrNoAccess

OBJECT_TYPE = "subject_access_request"


def _record_view(request: HttpRequest, sar: SubjectAccessRequest, what: str, **detail: Any) -> None:
    access_event_record(
        user=request.user,
        action=AccessAction.VIEW,
        object_type=OBJECT_TYPE,
        object_id=sar.pk,
        request=request,
        detail={"person": sar.person_id, "page": what, **detail},
    )


def _deadline(sar: SubjectAccessRequest) -> str:
    return rules.deadline_state(sar.due_on, today=timezone.localdate(), is_open=sar.is_open)


@login_required
@require_GET
@access_rule(RULE)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    show_all = request.GET.get("show") == "all"
    requests = list(selectors.request_list(user, open_only=not show_all))
    rows = [(sar, _deadline(sar)) for sar in requests]
    access_events_record_many(
        user=user,
        family_ids=[],
        object_type=OBJECT_TYPE,
        request=request,
        detail={"requests": [sar.pk for sar in requests]},
    )
    return render(
        request,
        "audit/subject_access/dashboard.html",
        {
            "rows": rows,
            "show_all": show_all,
            "overdue": sum(1 for _, state in rows if state == "overdue"),
            "soon": sum(1 for _, state in rows if state == "soon"),
        },
    )


@login_required
@require_GET
@access_rule(RULE)
def person_find(request: HttpRequest) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    form = PersonSearchForm(request.GET or None)
    people = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        people = selectors.person_search(
            user,
            family_name=data["family_name"],
            given_name=data["given_name"],
            date_of_birth=data["date_of_birth"],
        )
        access_events_record_many(
            user=user,
            family_ids=sorted({pk for person in people for pk in person.family_ids}),
            object_type="person",
            filters={k: str(v or "") for k, v in data.items()},
            request=request,
            detail={"people": [person.pk for person in people], "for": OBJECT_TYPE},
        )
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "audit/subject_access/person_find.html",
        {"form": form, "people": people, "limit": selectors.SEARCH_LIMIT},
        status=status,
    )


@login_required
@access_rule(RULE + "; an unknown person is 404")
def request_new(request: HttpRequest, person_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    person = selectors.person_summary(person_id)
    if person is None:
        raise Http404("No such person")
    access_event_record(
        user=user,
        action=AccessAction.VIEW,
        object_type="person",
        object_id=person.pk,
        family_id=person.family_ids[0] if person.family_ids else None,
        family_reference=person.family_references[0] if person.family_references else "",
        request=request,
        detail={"for": OBJECT_TYPE},
    )
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sar = services.subject_access_request_create(
                actor=user,
                person_id=person.pk,
                requester=data["requester"],
                requester_name=data["requester_name"],
                requester_contact=data["requester_contact"],
                received_on=data["received_on"],
                notes=data["notes"],
                today=timezone.localdate(),
            )
        except NotFoundOrNoAccess:
            raise Http404("No such person") from None
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Request recorded: due by {_due_text(sar)}")
            return redirect("audit:subject-access-request", request_id=sar.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "audit/subject_access/request_form.html",
        {"form": form, "person": person},
        status=status,
    )


def _due_text(sar: SubjectAccessRequest) -> str:
    from oneplan.dates import govuk_date

    return govuk_date(sar.due_on)


@login_required
@require_GET
@access_rule(RULE + "; an unknown request is 404")
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    _record_view(request, sar, "request")
    return render(
        request,
        "audit/subject_access/request_detail.html",
        {
            "sar": sar,
            "deadline": _deadline(sar),
            "job": sar.assembly_job,
            "can_assemble": rules.can_move(sar.status, rules.ASSEMBLING)
            and not (
                sar.status == rules.ASSEMBLING
                and sar.assembly_job
                and not sar.assembly_job.is_finished
            ),
            "can_finish": rules.can_move(sar.status, rules.REDACTED),
            "can_download": sar.status in (rules.REDACTED, rules.SENT, rules.CLOSED)
            and sar.item_count > 0,  # type: ignore[attr-defined]
            "can_send": rules.can_move(sar.status, rules.SENT),
            "can_close": rules.can_move(sar.status, rules.CLOSED),
        },
    )


def _form_page(
    request: HttpRequest,
    request_id: int,
    form_class: type[Any],
    template: str,
    call: Any,
    done: str,
) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    _record_view(request, sar, template)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(user, sar, form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, done)
            return redirect("audit:subject-access-request", request_id=sar.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, f"audit/subject_access/{template}.html", {"form": form, "sar": sar}, status=status
    )


@login_required
@access_rule(RULE + "; an unknown request is 404")
def request_extend(request: HttpRequest, request_id: int) -> HttpResponse:
    return _form_page(
        request,
        request_id,
        ExtendForm,
        "extend",
        lambda user, sar, data: services.subject_access_request_extend(
            actor=user, request=sar, months=data["months"], reason=data["reason"]
        ),
        "Deadline extended",
    )


@login_required
@access_rule(RULE + "; an unknown request is 404")
def request_sent(request: HttpRequest, request_id: int) -> HttpResponse:
    return _form_page(
        request,
        request_id,
        SentForm,
        "sent",
        lambda user, sar, data: services.subject_access_request_send(
            actor=user, request=sar, sent_on=data["sent_on"], today=timezone.localdate()
        ),
        "Response recorded as sent",
    )


@login_required
@access_rule(RULE + "; an unknown request is 404")
def request_close(request: HttpRequest, request_id: int) -> HttpResponse:
    return _form_page(
        request,
        request_id,
        CloseForm,
        "close",
        lambda user, sar, data: services.subject_access_request_close(
            actor=user, request=sar, reason=data["reason"]
        ),
        "Request closed",
    )


@login_required
@require_POST
@access_rule(RULE + "; an unknown request is 404")
def request_assemble(request: HttpRequest, request_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    try:
        services.subject_access_assemble_start(actor=user, request=sar)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Gathering the records: this page shows when it is done")
    return redirect("audit:subject-access-request", request_id=sar.pk)


@login_required
@require_POST
@access_rule(RULE + "; an unknown request is 404")
def redaction_finish(request: HttpRequest, request_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    try:
        services.subject_access_redaction_finish(actor=user, request=sar)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("audit:subject-access-items", request_id=sar.pk)
    messages.success(request, "Redaction finished: you can download the response")
    return redirect("audit:subject-access-request", request_id=sar.pk)


@login_required
@require_GET
@access_rule(RULE + "; an unknown request is 404")
def item_list(request: HttpRequest, request_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    show_all = request.GET.get("show") == "all"
    items = selectors.item_list(user, sar, flagged_only=not show_all)
    _record_view(request, sar, "items", all=show_all)
    return render(
        request,
        "audit/subject_access/items.html",
        {
            "sar": sar,
            "groups": selectors.item_groups(items),
            "show_all": show_all,
            "can_finish": rules.can_move(sar.status, rules.REDACTED),
        },
    )


@login_required
@access_rule(RULE + "; an unknown request or record is 404")
def item_decide(request: HttpRequest, request_id: int, item_id: int) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    item = selectors.item_get_or_404(user, sar, item_id)
    _record_view(request, sar, "item", item=item.pk)
    initial: dict[str, Any] = {}
    if item.is_decided:
        initial = {
            "decision": "withhold"
            if item.redacted
            else "fields"
            if item.redacted_fields
            else "keep",
            "withhold_fields": item.redacted_fields,
            "reason": item.redaction_reason,
        }
    form = ItemDecisionForm(request.POST or None, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.subject_access_item_decide(
                actor=user,
                item=item,
                decision=data["decision"],
                fields=data["withhold_fields"],
                reason=data["reason"],
            )
        except ApplicationError as exc:
            field = "withhold_fields" if exc.field == "fields" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Decision saved: {item.label}")
            return redirect("audit:subject-access-items", request_id=sar.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "audit/subject_access/item.html",
        {"form": form, "sar": sar, "item": item},
        status=status,
    )


def bundle_file(
    request: HttpRequest, sar: SubjectAccessRequest, file_format: str
) -> tuple[bytes, str, str]:
    """The response as ``file_format``, its content type and name, recorded as a
    download of the person's records (one rule for the page and the API)."""
    if file_format not in bundle.FORMATS:
        raise Http404("No such format")
    if sar.status not in (rules.REDACTED, rules.SENT, rules.CLOSED) or not sar.items.exists():
        raise ApplicationError("The response can be downloaded once the redaction is finished")
    items = sar.items.order_by("position", "pk")
    access_event_record(
        user=request.user,
        action=AccessAction.DOWNLOAD,
        object_type=OBJECT_TYPE,
        object_id=sar.pk,
        request=request,
        detail={"person": sar.person_id, "format": file_format},
    )
    stamp = file_stamp(timezone.now())
    if file_format == "csv":
        return (
            bundle.bundle_csv(items),
            "text/csv; charset=utf-8",
            f"subject-access-{sar.pk}-{stamp}.csv",
        )
    content = bundle.bundle_pdf(sar, items, printed_on=timezone.localdate())
    return content, "application/pdf", f"subject-access-{sar.pk}-{stamp}.pdf"


@login_required
@require_GET
@access_rule(RULE + "; once redacted; an unknown request is 404")
def bundle_download(request: HttpRequest, request_id: int, file_format: str) -> HttpResponse:
    user = request_user_or_403(request, can_handle_subject_access, DENIED)
    sar = selectors.request_get_or_404(user, request_id)
    try:
        content, content_type, name = bundle_file(request, sar, file_format)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("audit:subject-access-request", request_id=sar.pk)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
