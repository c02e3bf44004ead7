"""The meeting pages: parse, check, call one service, render.

A meeting the user neither runs nor attends answers 404, like one that does not exist;
an attendee asking to change it gets 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record, access_events_record_many
from families.pages import form_error, user_of
from lcgs.meetings import selectors, services
from lcgs.meetings.access import (
    LIST_RULE,
    MANAGE_DENIED,
    MANAGE_RULE,
    VIEW_RULE,
    can_manage_meeting,
    can_run_meetings,
    meeting_lcgs_for_user,
)
from lcgs.meetings.forms import (
    ActionDecisionForm,
    AgendaAddForm,
    AllocationDecisionForm,
    AttendeesForm,
    ConfirmForm,
    MeetingForm,
    ReviewDecisionForm,
    StatusDecisionForm,
)
from lcgs.meetings.models import AgendaItem, DecisionKind, Meeting
from lcgs.meetings.pdf import minutes_pdf_render
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError


def _meeting(request: HttpRequest, pk: int) -> tuple[User, Meeting]:
    user = user_of(request)
    return user, selectors.meeting_get_for_user_or_404(user, pk)


def agenda_shown_record(request: HttpRequest, user: User, meeting: Meeting) -> None:
    """A page (or API answer) that lists the meeting's agenda shows its families: one
    list event naming them (issue 14)."""
    rows = list(
        AgendaItem.objects.filter(meeting=meeting).values_list("family_id", "family__reference")
    )
    if rows:
        access_events_record_many(
            user=user,
            family_ids=[pk for pk, _ in rows],
            family_references=[reference for _, reference in rows],
            request=request,
            detail={"meeting": meeting.pk},
        )


def _item_shown_record(request: HttpRequest, user: User, item: AgendaItem) -> None:
    """A form about one agenda item shows its family: its GET is recorded (issue 14)."""
    if request.method == "GET":
        access_event_record(
            user=user,
            action="view",
            object_type="family",
            object_id=str(item.family_id),
            family_id=item.family_id,
            family_reference=item.family.reference,
            request=request,
            detail={"meeting": item.meeting_id},
        )


def _managed(request: HttpRequest, pk: int) -> tuple[User, Meeting]:
    user, meeting = _meeting(request, pk)
    if not can_manage_meeting(user, meeting):
        raise PermissionDenied(MANAGE_DENIED)
    return user, meeting


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], *, failed: bool = False
) -> HttpResponse:
    return render(request, template, context, status=400 if failed else 200)


@login_required
@access_rule(LIST_RULE)
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    meetings = list(selectors.meeting_list_for_user(user)[:200])
    if not meetings and not can_run_meetings(user):
        raise PermissionDenied(
            "Only the LCG's coordinators, programme managers and invited staff see LCG meetings"
        )
    return render(
        request,
        "lcgs/meetings/meeting_list.html",
        {"meetings": meetings, "can_create": can_run_meetings(user)},
    )


@login_required
@access_rule("LCG coordinators (their LCGs) and programme managers (any LCG)")
def meeting_create(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    lcgs = meeting_lcgs_for_user(user)
    if not lcgs:
        raise PermissionDenied(MANAGE_DENIED)
    form = MeetingForm(request.POST or None, lcgs=lcgs)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=user,
                lcg=form.cleaned_data["lcg"],
                starts_at=form.starts_at(),
                location=form.cleaned_data["location"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            count = meeting.agenda.count()
            messages.success(
                request,
                f"Meeting created. OnePlan proposed {count} famil"
                f"{'y' if count == 1 else 'ies'} for the agenda. Now choose who is coming.",
            )
            return redirect("lcgs:meeting-attendees", pk=meeting.pk)
    return _page(
        request,
        "lcgs/meetings/meeting_form.html",
        {"form": form, "meeting": None},
        failed=request.method == "POST",
    )


@login_required
@access_rule(VIEW_RULE)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting(request, pk)
    minutes = selectors.minutes_for_user(user, meeting)
    agenda_shown_record(request, user, meeting)
    return render(
        request,
        "lcgs/meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "minutes": minutes,
            "manages": can_manage_meeting(user, meeting),
            "started": meeting.starts_at <= timezone.now(),
            "kinds": DecisionKind.choices,
        },
    )


@login_required
@access_rule(MANAGE_RULE)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _managed(request, pk)
    local = timezone.localtime(meeting.starts_at)
    initial = {
        "day": local.date(),
        "time": local.time().isoformat(timespec="minutes"),
        "location": meeting.location,
    }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                actor=user,
                meeting=meeting,
                starts_at=form.starts_at(),
                location=form.cleaned_data["location"],
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Meeting changed")
            return redirect("lcgs:meeting-detail", pk=meeting.pk)
    return _page(
        request,
        "lcgs/meetings/meeting_form.html",
        {"form": form, "meeting": meeting},
        failed=request.method == "POST",
    )


@login_required
@access_rule(MANAGE_RULE)
def meeting_attendees(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _managed(request, pk)
    choices = selectors.attendee_choices(meeting.lcg)
    current = [a.staff for a in meeting.attendees.select_related("staff")]
    form = AttendeesForm(request.POST or None, choices=choices, initial={"attendees": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_attendees_set(
                actor=user, meeting=meeting, attendees=list(form.cleaned_data["attendees"])
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Attendees saved")
            return redirect("lcgs:meeting-detail", pk=meeting.pk)
    return _page(
        request,
        "lcgs/meetings/meeting_attendees.html",
        {"form": form, "meeting": meeting},
        failed=request.method == "POST",
    )


@login_required
@access_rule(MANAGE_RULE)
def meeting_agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _managed(request, pk)
    form = AgendaAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        family = selectors.agenda_family_for_user(user, meeting, reference)
        if family is None:
            form.add_error(
                "reference", f"{reference} is not a family of {meeting.lcg.name} you can add"
            )
        else:
            try:
                services.meeting_agenda_add(actor=user, meeting=meeting, family=family)
            except ApplicationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"{family.reference} added to the agenda")
                return redirect("lcgs:meeting-detail", pk=meeting.pk)
    return _page(
        request,
        "lcgs/meetings/agenda_add.html",
        {"form": form, "meeting": meeting},
        failed=request.method == "POST",
    )


@login_required
@access_rule(MANAGE_RULE)
def meeting_agenda_remove(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    user, meeting = _managed(request, pk)
    agenda_item = selectors.agenda_item_or_404(meeting, item)
    _item_shown_record(request, user, agenda_item)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_agenda_remove(actor=user, item=agenda_item)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{agenda_item.family.reference} taken off the agenda")
            return redirect("lcgs:meeting-detail", pk=meeting.pk)
    return _page(
        request,
        "lcgs/meetings/agenda_remove.html",
        {"form": form, "meeting": meeting, "item": agenda_item},
        failed=request.method == "POST",
    )


def _decision_form(
    kind: str, user: User, item: AgendaItem, data: Any
) -> AllocationDecisionForm | StatusDecisionForm | ActionDecisionForm | ReviewDecisionForm:
    if kind == DecisionKind.ALLOCATION:
        return AllocationDecisionForm(data)
    if kind == DecisionKind.STATUS:
        return StatusDecisionForm(data, family=item.family)
    if kind == DecisionKind.ACTION:
        return ActionDecisionForm(data, goals=selectors.open_goals_for_user(user, item.family))
    return ReviewDecisionForm(data)


def _decision(kind: str, data: dict[str, Any]) -> services.Decision:
    if kind == DecisionKind.ALLOCATION:
        return services.AllocationDecision(
            track=data["track"],
            lead_agency=data["lead_agency"],
            lead_professional=data["lead_professional"],
            reason=data["reason"],
        )
    if kind == DecisionKind.STATUS:
        return services.StatusDecision(to_status=data["to_status"], reason=data["reason"])
    if kind == DecisionKind.ACTION:
        return services.ActionDecision(
            goal=data["goal"],
            agency=data["agency"],
            description=data["description"],
            due_on=data["due_on"],
        )
    return services.ReviewDecision(next_review_on=data["next_review_on"])


@login_required
@access_rule(MANAGE_RULE)
def meeting_decide(request: HttpRequest, pk: int, item: int, kind: str) -> HttpResponse:
    user, meeting = _managed(request, pk)
    agenda_item = selectors.agenda_item_or_404(meeting, item)
    if kind not in DecisionKind.values:
        raise Http404("No such kind of decision")
    _item_shown_record(request, user, agenda_item)
    form = _decision_form(kind, user, agenda_item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.meeting_decision_record(
                actor=user, item=agenda_item, decision=_decision(kind, form.cleaned_data)
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{agenda_item.family.reference}: {decision.summary}")
            return redirect(
                reverse("lcgs:meeting-detail", args=[meeting.pk]) + f"#item-{agenda_item.pk}"
            )
    return _page(
        request,
        "lcgs/meetings/meeting_decide.html",
        {
            "form": form,
            "meeting": meeting,
            "item": agenda_item,
            "kind": kind,
            "kind_label": DecisionKind(kind).label,
        },
        failed=request.method == "POST",
    )


@login_required
@access_rule(MANAGE_RULE)
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _managed(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_close(actor=user, meeting=meeting)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, "Meeting closed. Attendees' access to the agenda's families has ended"
            )
            return redirect("lcgs:meeting-detail", pk=meeting.pk)
    return _page(
        request,
        "lcgs/meetings/meeting_close.html",
        {"form": form, "meeting": meeting},
        failed=request.method == "POST",
    )


@login_required
@access_rule(VIEW_RULE + "; restricted plan content only for those allowed to see it")
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting(request, pk)
    agenda_shown_record(request, user, meeting)
    return render(
        request,
        "lcgs/meetings/meeting_minutes.html",
        {"meeting": meeting, "minutes": selectors.minutes_for_user(user, meeting)},
    )


@login_required
@access_rule(VIEW_RULE + "; restricted plan content only for those allowed to see it")
def meeting_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user, meeting = _meeting(request, pk)
    minutes = selectors.minutes_for_user(user, meeting)
    agenda_shown_record(request, user, meeting)
    response = HttpResponse(
        minutes_pdf_render(minutes, printed_on=timezone.localdate()),
        content_type="application/pdf",
    )
    day = timezone.localtime(meeting.starts_at).date().isoformat()
    response["Content-Disposition"] = f'attachment; filename="lcg-meeting-{day}-{meeting.pk}.pdf"'
    return response
