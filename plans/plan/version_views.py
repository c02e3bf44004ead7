"""The plan's saved versions, and any two compared: what of them a viewer may see is
``plans.visibility``'s decision (``access.content``), as on the plan page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from oneplan.access_rules import access_rule
from plans.plan import forms, rules, selectors
from plans.plan.views import TEMPLATES, VIEW_RULE, _plan_access, _record_view, _user


def _versions_page(
    request: HttpRequest,
    access: selectors.PlanAccess,
    versions: list[Any],
    form: forms.VersionCompareForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        TEMPLATES + "plan_versions.html",
        {"family": access.family, "plan": access.plan, "versions": versions, "compare_form": form},
        status=status,
    )


@login_required
@access_rule(VIEW_RULE)
def plan_versions(request: HttpRequest, reference: str) -> HttpResponse:
    access = _plan_access(request, reference)
    versions = list(selectors.plan_versions_for_plan(access.plan, access.content))
    numbers = [v.number for v in versions]
    form = forms.VersionCompareForm(
        initial={"older": numbers[1] if len(numbers) > 1 else 1, "newer": numbers[0]}
        if numbers
        else {},
        numbers=numbers,
    )
    _record_view(request, _user(request), access.family, "plan_versions")
    return _versions_page(request, access, versions, form)


@login_required
@access_rule(VIEW_RULE)
def plan_compare(request: HttpRequest, reference: str) -> HttpResponse:
    access = _plan_access(request, reference)
    family, plan, content = access.family, access.plan, access.content
    versions = selectors.plan_versions_for_plan(plan, content)
    numbers = list(versions.values_list("number", flat=True))
    form = forms.VersionCompareForm(request.GET, numbers=numbers)
    if not form.is_valid():
        return _versions_page(request, access, list(versions), form, status=400)
    first, second = sorted((form.cleaned_data["older"], form.cleaned_data["newer"]))
    older = selectors.plan_version_or_404(plan, first, content)
    newer = selectors.plan_version_or_404(plan, second, content)
    old_snapshot, hidden_old = content.snapshot(older.snapshot)
    new_snapshot, hidden = content.snapshot(newer.snapshot)
    comparison = rules.versions_compare(old_snapshot, new_snapshot)
    _record_view(request, _user(request), family, "plan_versions")
    return render(
        request,
        TEMPLATES + "plan_compare.html",
        {
            "family": family,
            "plan": plan,
            "older": older,
            "newer": newer,
            "comparison": comparison,
            "sections": [
                ("Needs", "Need", comparison.needs),
                ("Goals", "Goal", comparison.goals),
                ("Actions", "Action", comparison.actions),
            ],
            "hidden_restricted": max(hidden, hidden_old),
            "compare_form": forms.VersionCompareForm(
                initial={"older": first, "newer": second}, numbers=numbers
            ),
        },
    )
