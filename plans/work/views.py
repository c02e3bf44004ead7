"""The daily-work pages: my actions and my families. Parse, check, read, render.

Both pages list case data, so each records one access event naming the families on
the page before it renders (audit.services.access_events_record_many).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode

from agencies.models import User
from agencies.roles import Role
from audit.services import access_events_record_many
from families.access.access import staff_for
from families.models import Family
from families.naming import IN_SCOPE, SURNAME, family_heading
from oneplan.access_rules import access_rule
from plans.models import Action
from plans.work import access, selectors
from plans.work.forms import MyActionsFilterForm, MyFamiliesFilterForm
from plans.work.rules import ACTION_DUE_HEADINGS, ActionDue, Flag, action_due

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def action_update_url(action: Action, *, back: str = "") -> str:
    """The plan area's page where an action's owner updates its status and adds
    progress notes (it checks ``plans.plan.access.can_update_action`` itself); with
    ``back``, the page it returns to after saving."""
    url = reverse("plans:action-progress", args=[action.plan.family.reference, action.pk])
    return f"{url}?{urlencode({'next': back})}" if back else url


def plan_url(reference: str) -> str:
    return reverse("plans:plan", args=[reference])


class _CountedPaginator(Paginator[Action]):
    """A paginator told its count: the page's filter counts already hold it, and
    counting a busy agency's actions again would double the page's work."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


@dataclass(frozen=True)
class ActionRow:
    action: Action
    due: ActionDue | None
    heading: str
    family_label: str
    update_url: str
    plan_url: str


def _action_rows(
    actions: list[Action], *, user: User, today: datetime.date, done: bool, back: str
) -> list[ActionRow]:
    rows = []
    for action in actions:
        due = None if done else action_due(action.due_on, today)
        rows.append(
            ActionRow(
                action=action,
                due=due,
                heading=ACTION_DUE_HEADINGS[due] if due is not None else "",
                family_label=family_heading(
                    action.plan.family,
                    user,
                    permissions=IN_SCOPE,
                    surname=getattr(action, SURNAME, None) or "",
                ),
                update_url=action_update_url(action, back=back),
                plan_url=plan_url(action.plan.family.reference),
            )
        )
    return rows


@login_required
@access_rule(
    "case workers (agency practitioners, family support workers): only their own "
    "agency's actions that name them or no one, in families they may see"
)
def my_actions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can_view_my_actions(user):
        raise PermissionDenied("My actions is for practitioners and key workers")
    today = timezone.localdate()
    form = MyActionsFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    show = form.chosen()
    counts = selectors.owned_action_counts_for_user(user, today=today)
    actions = selectors.owned_action_list_for_user(user, show=show, today=today)
    page = _CountedPaginator(actions, PAGE_SIZE, count=counts.for_show(show)).get_page(
        request.GET.get("page")
    )
    rows = _action_rows(
        list(page.object_list),
        user=user,
        today=today,
        done=show == selectors.ActionShow.DONE,
        back=request.get_full_path(),
    )
    _record_list(request, user, [row.action.plan.family for row in rows], {"show": show.value})
    filters = [
        {
            "show": option.value,
            "label": label,
            "count": counts.for_show(option),
            "current": option == show,
            "href": f"{reverse('plans:my-actions')}?show={option.value}",
        }
        for option, label in selectors.ACTION_SHOW_LABELS.items()
    ]
    return render(
        request,
        "plans/work/my_actions.html",
        {
            "form": form,
            "show": show.value,
            "show_label": selectors.ACTION_SHOW_LABELS[show],
            "filters": filters,
            "page_obj": page,
            "rows": rows,
            "query": _query_without_page(request),
        },
        status=200 if valid else 400,
    )


@dataclass(frozen=True)
class FamilyRow:
    family: Family
    family_label: str
    flags: list[Flag]
    next_review_on: datetime.date | None
    plan_url: str
    family_url: str


@login_required
@access_rule(
    "lead professionals (their own families) and LCG coordinators (families led in "
    "the LCGs they coordinate, filterable by key worker)"
)
def my_families(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not access.can_view_my_families(user):
        raise PermissionDenied("My families is for key workers and LCG coordinators")
    staff = staff_for(user)
    coordinator = staff is not None and staff.has_role(Role.LCG_COORDINATOR)
    key_workers = selectors.key_worker_choices_for_user(user)
    form = MyFamiliesFilterForm(
        request.GET or None, key_workers=key_workers, coordinator=coordinator
    )
    today = timezone.localdate()
    now = timezone.now()
    status = 200
    families: QuerySet[Family]
    filters: dict[str, Any] = {}
    if form.is_bound and not form.is_valid():
        # A key worker outside the user's LCGs: say so, and show no one's families.
        status = 400
        families = Family.objects.none()
    else:
        if form.is_bound:
            filters = {
                "key_worker_id": form.cleaned_data.get("key_worker"),
                "attention_only": form.cleaned_data["attention"],
            }
        families = selectors.attention_family_list_for_user(user, today=today, now=now, **filters)
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        FamilyRow(
            family=family,
            # The list holds only families in the user's scope (led_families_for_user).
            family_label=family_heading(family, user, permissions=IN_SCOPE),
            flags=selectors.family_attention_flags(family, today=today, now=now),
            next_review_on=selectors.attention_facts(family).next_review_on,
            plan_url=plan_url(family.reference),
            family_url=reverse("families:detail", args=[family.reference]),
        )
        for family in page.object_list
    ]
    if status == 200:
        _record_list(
            request,
            user,
            [row.family for row in rows],
            {k: v for k, v in filters.items() if v},
        )
    return render(
        request,
        "plans/work/my_families.html",
        {
            "form": form,
            "coordinator": coordinator,
            "page_obj": page,
            "rows": rows,
            "filtered": any(filters.values()),
            "query": _query_without_page(request),
        },
        status=status,
    )


def _record_list(
    request: HttpRequest, user: User, families: list[Family], filters: dict[str, Any]
) -> None:
    seen: dict[int, str] = {}
    for family in families:
        seen.setdefault(family.pk, family.reference)
    if seen:
        access_events_record_many(
            user=user,
            family_ids=list(seen),
            family_references=list(seen.values()),
            filters=filters,
            request=request,
        )


def _query_without_page(request: HttpRequest) -> Any:
    query = request.GET.copy()
    query.pop("page", None)
    return query
