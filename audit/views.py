"""Access log pages for the data protection officer: parse, check, call, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from agencies.models import User
from audit import access, selectors
from audit.forms import UserActivityForm
from audit.models import AccessAction
from audit.services import access_event_record
from oneplan.access_rules import access_rule

PAGE_SIZE = 50


@login_required
@require_GET
@access_rule("data protection officers only (403 for everyone else)")
def user_activity(request: HttpRequest) -> HttpResponse:
    """What one member of staff has read, between two dates; before a search, who has
    recently been refused access to families, flagged when it was many times."""
    viewer = request.user
    if not access.can_view_user_activity(viewer):
        raise PermissionDenied("Only the data protection officer can see user activity")
    assert isinstance(viewer, User)
    form = UserActivityForm(request.GET or None)
    flag = selectors.refusal_flag()
    since = flag.since(timezone.now())
    context: dict[str, object] = {"form": form, "flag": flag}
    if not form.is_bound:
        # Counts of refusals by person, no family: not itself a read of case data.
        context["refused_users"] = selectors.users_refused_since(since=since, flag=flag)
    if form.is_bound and form.is_valid():
        subject: User = form.cleaned_data["username"]
        date_from = form.cleaned_data["date_from"]
        date_to = form.cleaned_data["date_to"]
        events = selectors.access_events_for_user(
            user_id=subject.pk, date_from=date_from, date_to=date_to
        )
        page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        page.object_list = selectors.access_events_name(page.object_list, viewer=viewer)
        refused = selectors.refused_count_for_user(user_id=subject.pk, since=since)
        # Reading someone's activity is itself a read of personal data: the DPO's own
        # log shows whose activity they looked at.
        access_event_record(
            user=viewer,
            action=AccessAction.VIEW,
            object_type="user_activity",
            object_id=subject.pk,
            request=request,
            detail={"date_from": date_from, "date_to": date_to, "page": page.number},
        )
        context.update(
            {
                "subject": subject,
                "date_from": date_from,
                "date_to": date_to,
                "events_page": page,
                "refused": refused,
                "flagged": flag.raised_by(refused),
            }
        )
    return render(request, "audit/user_activity.html", context)
