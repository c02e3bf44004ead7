"""The grant ledger page: every grant ever opened on a family, beside who has viewed it.

One page, two lists, chosen with ``?show=`` (links, so it works without JavaScript),
each paged with ``?page=``. A family outside the user's scope answers 404; one they see
but may not read the ledger of answers 403.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from audit.selectors import access_events_for_family, access_events_name
from families.access import access
from families.access.ledger import grant_ledger_for_family, grant_ledger_view_record, ledger_entries
from families.pages import family_or_404
from oneplan.access_rules import access_rule

PAGE_SIZE = 50
SHOW_GRANTS = "grants"
SHOW_VIEWERS = "viewers"


@login_required
@access_rule("data protection officer, and coordinators of the family's LCG")
def family_grant_ledger(request: HttpRequest, reference: str) -> HttpResponse:
    user, family = family_or_404(request, reference)
    if not access.can_view_family_viewers(user, family):
        raise PermissionDenied("You cannot see the grant ledger of this family")
    show = SHOW_VIEWERS if request.GET.get("show") == SHOW_VIEWERS else SHOW_GRANTS
    grants = grant_ledger_for_family(family)
    events = access_events_for_family(family_id=family.pk)
    context: dict[str, object] = {"family": family, "show": show}
    if show == SHOW_GRANTS:
        page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
        context["grants_page"] = page
        context["entries"] = ledger_entries(family, list(page.object_list))
        context["grant_count"] = page.paginator.count
        context["event_count"] = events.count()
        number = page.number
    else:
        events_page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
        events_page.object_list = access_events_name(events_page.object_list, viewer=user)
        context["events_page"] = events_page
        context["grant_count"] = grants.count()
        context["event_count"] = events_page.paginator.count
        number = events_page.number
    grant_ledger_view_record(
        user=user,
        family=family,
        request=request,
        action="view",
        detail={"show": show, "page": number},
    )
    return render(request, "families/ledger.html", context)
