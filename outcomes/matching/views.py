"""Review queue and where a person's records came from: parse, check, call, render.

Programme managers only (``policy.can_review_matches``); anyone else signed in gets 403.
Every page that shows people records an access event before it renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record, access_events_record_many
from families.models import HouseholdMembership
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from outcomes.matching import selectors, services
from outcomes.matching.access import can_review_matches
from outcomes.matching.forms import NEW_PERSON, MatchDecisionForm, UnlinkForm

PAGE_SIZE = 50
RULE = "programme managers only"


def _reviewer(request: HttpRequest) -> User:
    return request_user_or_403(
        request, can_review_matches, "Only programme managers decide matches"
    )


@login_required
@access_rule(RULE)
def match_review_list(request: HttpRequest) -> HttpResponse:
    user = _reviewer(request)
    page = Paginator(selectors.match_review_list_for_user(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    if shown:
        families = selectors.candidate_family_ids([s.pk for s in shown])
        access_events_record_many(
            user=user,
            family_ids=families,
            object_type="match_review",
            request=request,
            detail={"sources": [s.pk for s in shown]},
        )
    return render(request, "outcomes/matching/match_review_list.html", {"page_obj": page})


def _record_review_view(
    request: HttpRequest, user: User, comparison: selectors.ReviewComparison
) -> None:
    for candidate in comparison.candidates:
        access_event_record(
            user=user,
            action="view",
            object_type="person",
            object_id=str(candidate.person.pk),
            family_id=candidate.family.pk if candidate.family else None,
            family_reference=candidate.family.reference if candidate.family else "",
            purpose="Deciding a match in the review queue",
            request=request,
            detail={"source": comparison.source.pk},
        )


@login_required
@access_rule(RULE)
def match_review_detail(request: HttpRequest, source_id: int) -> HttpResponse:
    user = _reviewer(request)
    source = selectors.match_review_source_get_for_user_or_404(user, source_id)
    comparison = selectors.review_comparison(source, user)
    form = None
    if comparison.pending:
        choices = [
            (c.review.pk, f"candidate {number}, {c.person.full_name}")
            for number, c in enumerate(comparison.candidates, start=1)
        ]
        form = MatchDecisionForm(request.POST or None, candidates=choices)
        if request.method == "POST" and form.is_valid():
            decision = form.cleaned_data["decision"]
            same_person = decision != NEW_PERSON
            review = (
                next(c.review for c in comparison.candidates if str(c.review.pk) == decision)
                if same_person
                else comparison.candidates[0].review
            )
            try:
                decided = services.match_review_decide(
                    actor=user,
                    review=review,
                    same_person=same_person,
                    note=form.cleaned_data["note"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                person = decided.person
                assert person is not None
                messages.success(
                    request,
                    f"Linked to {person.full_name}"
                    if same_person
                    else f"Created a new person, {person.full_name}",
                )
                return redirect("outcomes:match-review-list")
    elif request.method == "POST":
        messages.info(request, "This match has already been decided")
        return redirect("outcomes:match-review-detail", source_id=source.pk)
    _record_review_view(request, user, comparison)
    return render(
        request,
        "outcomes/matching/match_review_detail.html",
        {"comparison": comparison, "source": source, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@access_rule(RULE)
def person_sources(request: HttpRequest, person_id: int) -> HttpResponse:
    user = _reviewer(request)
    person = selectors.person_get_for_user_or_404(user, person_id)
    family = selectors.current_family(person.pk)
    access_event_record(
        user=user,
        action="view",
        object_type="person",
        object_id=str(person.pk),
        family_id=family.pk if family else None,
        family_reference=family.reference if family else "",
        request=request,
        detail={"page": "sources"},
    )
    memberships = (
        HouseholdMembership.objects.filter(person=person)
        .select_related("family")
        .order_by("-start_date", "-pk")
    )
    return render(
        request,
        "outcomes/matching/person_sources.html",
        {
            "person": person,
            "family": family,
            "memberships": memberships,
            "sources": selectors.person_sources(person),
        },
    )


@login_required
@access_rule(RULE)
def source_unlink(request: HttpRequest, source_id: int) -> HttpResponse:
    user = _reviewer(request)
    source = selectors.linked_source_get_for_user_or_404(user, source_id)
    person = source.person
    form = UnlinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            undone = services.source_link_undo(
                actor=user, source=source, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            assert undone.person is not None
            messages.success(
                request,
                f"{source.agency.name}'s record {source.source_person_id} is now a separate "
                f"person, {undone.person.full_name}",
            )
            return redirect("outcomes:person-sources", person_id=undone.person_id)
    if person is not None:
        family = selectors.current_family(person.pk)
        access_event_record(
            user=user,
            action="view",
            object_type="person",
            object_id=str(person.pk),
            family_id=family.pk if family else None,
            family_reference=family.reference if family else "",
            request=request,
            detail={"page": "unlink", "source": source.pk},
        )
    return render(
        request,
        "outcomes/matching/source_unlink.html",
        {"source": source, "person": person, "form": form},
        status=400 if request.method == "POST" else 200,
    )
