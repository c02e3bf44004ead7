"""Single family plan pages: parse, check, call one service, render.

A family outside the user's scope answers 404. Viewing needs only sight of the family;
changing the plan needs ``can_edit_plan``; updating an action's progress needs
``can_update_action``. Every page that shows the plan records an access event first.

Edit forms carry the version they started from; when someone else saved first the page
answers 409 with both versions side by side and the user's typed values ready to save
again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from agencies.models import User
from audit.services import access_event_record
from families.access.access import can_view_families
from families.models import Family
from oneplan.access_rules import access_rule
from oneplan.errors import ApplicationError
from plans.models import Goal, Need, Plan
from plans.plan import forms, rules, selectors, services

TEMPLATES = "plans/plan/"
VIEW_RULE = "anyone who can see the family (404 outside scope)"
EDIT_RULE = "lead professional and the LCG's coordinators of a family in scope"
UPDATE_RULE = (
    "whoever edits the plan, or a case worker of the action's own agency when the action "
    "names no practitioner or names them"
)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


def _family_access(request: HttpRequest, reference: str) -> selectors.FamilyAccess:
    return selectors.family_access_for_user_or_404(_user(request), reference)


def _plan_access(request: HttpRequest, reference: str) -> selectors.PlanAccess:
    return selectors.plan_access_for_user_or_404(_user(request), reference)


def _require_edit(access: selectors.FamilyAccess) -> None:
    if not access.can_edit:
        raise PermissionDenied("You cannot change this family's plan")


def _record_view(request: HttpRequest, user: User, family: Family, what: str) -> None:
    access_event_record(
        user=user,
        action="view",
        object_type=what,
        object_id=str(family.pk),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )


def _plan_url(family: Family) -> str:
    return reverse("plans:plan", args=[family.reference])


# Pages a form may send the user back to (``?next=``), and what the back link says.
_RETURN_LABELS = {
    "plans:my-actions": "Back to My actions",
    "plans:agreement": "Back to the agreement",
}


def _return_to(request: HttpRequest) -> dict[str, str]:
    """``next_url`` and ``next_label`` for a form reached from another page (My actions,
    the agreement page): where it goes back to, after saving or instead. Only a page of
    this service named in ``_RETURN_LABELS``; anything else is ignored."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=None) or not url.startswith("/"):
        return {}
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return {}
    label = _RETURN_LABELS.get(match.view_name)
    return {"next_url": url, "next_label": label} if label else {}


# What an action's add and edit forms both ask for, passed to the service as typed.
ACTION_FIELDS = ("description", "owner", "agency", "practitioner", "family_member", "due_on")
VOICE_KEYS = tuple(key for key, _ in rules.VOICE_FIELDS)


def _as_saved(item: Any, fields: Iterable[str], *, version: int) -> dict[str, Any]:
    """An edit form's starting values: the version it starts from and each field as
    saved."""
    return {"version": version, **{name: getattr(item, name) for name in fields}}


def _typed(data: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The named fields of a valid form, as the service's keyword arguments."""
    return {name: data[name] for name in fields}


def _page_context(user: User, family: Family, **extra: Any) -> dict[str, Any]:
    """What every form page of the plan is given: who is editing, the family, and the
    page's own words (title, caption, button) and data."""
    return {"user": user, "family": family, **extra}


def _form_error(form: Any, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _edit_page(
    request: HttpRequest,
    form: Any,
    *,
    call: Callable[[dict[str, Any]], object],
    success: str,
    context: dict[str, Any],
    template: str = TEMPLATES + "plan_form.html",
) -> HttpResponse:
    """One form, one service call. A refusal goes back on the form with what was typed;
    a conflict answers 409 with both versions and the form re-shown carrying the new
    version; success goes back to the plan."""
    family: Family = context["family"]
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                call(form.cleaned_data)
            except services.PlanConflict as exc:
                context["conflict"] = {
                    "rows": forms.conflict_rows(form, exc.current),
                    "who": exc.changed_by.get_full_name() if exc.changed_by else "Someone",
                }
                form = form.with_version(_version_of(exc.current))
                form.is_valid()
                form.add_error(None, exc.message)
                status = 409
            except services.NoLawfulBasis as exc:
                _form_error(form, exc)
                context["no_lawful_basis"] = True
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, success)
                return redirect(context.get("next_url") or _plan_url(family))
    else:
        _record_view(request, context["user"], family, "plan")
    return render(request, template, {**context, "form": form}, status=status)


def _version_of(current: Any) -> int:
    if isinstance(current, Need):
        plan = Plan.objects.get(family_id=current.family_id)
        return plan.version
    return int(current.version)


# ---------------------------------------------------------------------------
# The plan
# ---------------------------------------------------------------------------


@login_required
@access_rule(VIEW_RULE)
def plan_detail(request: HttpRequest, reference: str) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    page = selectors.plan_page_for_user(user, family, access.permissions, access.content)
    _record_view(request, user, family, "plan")
    voice = (
        [(label, getattr(page.plan, key)) for key, label in rules.VOICE_FIELDS]
        if page.plan is not None
        else []
    )
    agreement = (
        selectors.plan_agreement_for_user(page.plan, access.content)
        if page.plan is not None
        else None
    )
    return render(
        request,
        TEMPLATES + "plan_detail.html",
        {
            "family": family,
            "family_permissions": access.permissions,
            "page": page,
            "agreement": agreement,
            "voice": voice,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
@access_rule(EDIT_RULE)
def plan_start(request: HttpRequest, reference: str) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    services.plan_get_or_create(actor=user, family=family)
    messages.success(request, "The plan has been started")
    return redirect(_plan_url(family))


@login_required
@access_rule(EDIT_RULE)
def plan_voice(request: HttpRequest, reference: str) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    plan = access.plan_or_404()
    form = forms.PlanVoiceForm(
        request.POST or None, initial=_as_saved(plan, VOICE_KEYS, version=plan.version)
    )
    return _edit_page(
        request,
        form,
        call=lambda data: services.plan_voice_update(
            actor=user,
            permissions=access.permissions,
            plan=plan,
            expected_version=data["version"],
            **_typed(data, VOICE_KEYS),
        ),
        success="The family's voice has been saved",
        context=_page_context(user, family, title="The family's voice", button="Save"),
    )


# ---------------------------------------------------------------------------
# Needs
# ---------------------------------------------------------------------------


@login_required
@access_rule(EDIT_RULE)
def need_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    plan = access.plan_or_404()
    return _edit_page(
        request,
        forms.NeedAddForm(request.POST or None, family=family),
        call=lambda data: services.need_create(
            actor=user,
            permissions=access.permissions,
            plan=plan,
            kind=data["kind"],
            label=data["label"],
            detail=data["detail"],
            members=list(data["members"]),
        ),
        success="Need added",
        context=_page_context(
            user, family, title="Add a need found during the work", button="Add need"
        ),
    )


@login_required
@access_rule(EDIT_RULE)
def need_edit(request: HttpRequest, reference: str, need_id: int) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    plan = access.plan_or_404()
    need = get_object_or_404(Need, pk=need_id, family=family)
    if not access.content.shows_need(need):
        raise Http404("No need found")
    form = forms.NeedEditForm(
        request.POST or None,
        family=family,
        need=need,
        initial={
            "version": plan.version,
            "label": need.label,
            "detail": need.detail,
            "members": list(need.members.all()),
            "is_closed": need.closed_on is not None,
        },
    )
    return _edit_page(
        request,
        form,
        call=lambda data: services.need_update(
            actor=user,
            permissions=access.permissions,
            need=need,
            expected_version=data["version"],
            label=data.get("label", need.label),
            detail=data["detail"],
            members=list(data["members"]),
            is_closed=data["is_closed"],
        ),
        success="Need saved",
        context=_page_context(
            user, family, title="Change a need", caption=need.label, button="Save"
        ),
    )


# ---------------------------------------------------------------------------
# Goals
# ---------------------------------------------------------------------------


def _goal_needs(access: selectors.FamilyAccess, goal: Goal | None = None) -> Any:
    needs = access.content.filter(
        Need.objects.filter(family=access.family).order_by("closed_on", "identified_on", "pk")
    )
    if goal is None:
        return needs.filter(closed_on__isnull=True)
    # A closed need the goal already covers stays selectable, so saving keeps it.
    return needs.filter(closed_on__isnull=True) | needs.filter(goals=goal)


@login_required
@access_rule(EDIT_RULE)
def goal_add(request: HttpRequest, reference: str) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    plan = access.plan_or_404()
    needs = _goal_needs(access)
    # From the agreement page's "add a goal" for a need without one: that need ticked.
    asked = request.GET.get("need", "")
    initial = {"needs": [int(asked)]} if asked.isdigit() else {}
    return _edit_page(
        request,
        forms.GoalForm(request.POST or None, family=family, needs=needs, initial=initial),
        call=lambda data: services.goal_create(
            actor=user,
            permissions=access.permissions,
            plan=plan,
            title=data["title"],
            description=data["description"],
            needs=list(data["needs"]),
            members=list(data["members"]),
        ),
        success="Goal added",
        context=_page_context(
            user, family, title="Add a goal", button="Add goal", **_return_to(request)
        ),
    )


@login_required
@access_rule(EDIT_RULE)
def goal_edit(request: HttpRequest, reference: str, goal_id: int) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    plan = access.plan_or_404()
    goal = _goal_or_404(access, plan, goal_id)
    form = forms.GoalEditForm(
        request.POST or None,
        family=family,
        needs=_goal_needs(access, goal).distinct(),
        initial={
            "version": goal.version,
            "title": goal.title,
            "description": goal.description,
            "status": goal.status,
            "needs": list(goal.needs.all()),
            "members": list(goal.members.all()),
        },
    )
    return _edit_page(
        request,
        form,
        call=lambda data: services.goal_update(
            actor=user,
            permissions=access.permissions,
            goal=goal,
            expected_version=data["version"],
            title=data["title"],
            description=data["description"],
            status=data["status"],
            needs=_keep_hidden_needs(access, goal, list(data["needs"])),
            members=list(data["members"]),
        ),
        success="Goal saved",
        context=_page_context(
            user, family, title="Change a goal", caption=goal.title, button="Save"
        ),
    )


def _goal_or_404(access: selectors.FamilyAccess, plan: Plan, goal_id: int) -> Goal:
    goal = get_object_or_404(Goal, pk=goal_id, plan=plan)
    if not access.content.shows_goal(goal.pk):
        raise Http404("No goal found")
    return goal


def _keep_hidden_needs(
    access: selectors.FamilyAccess, goal: Goal, chosen: list[Need]
) -> list[Need]:
    # Needs the editor cannot see stay on the goal: a form cannot remove what it hid.
    content = access.content
    return chosen + [n for n in goal.needs.all() if not content.shows_need(n)]


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------


def _action_context(user: User, family: Family, **extra: Any) -> dict[str, Any]:
    return _page_context(
        user,
        family,
        lawful_basis_url=reverse("families:lawful-basis-add", args=[family.reference]),
        **extra,
    )


@login_required
@access_rule(EDIT_RULE)
def action_add(request: HttpRequest, reference: str, goal_id: int) -> HttpResponse:
    access = _family_access(request, reference)
    user, family = _user(request), access.family
    _require_edit(access)
    plan = access.plan_or_404()
    goal = _goal_or_404(access, plan, goal_id)
    return _edit_page(
        request,
        forms.ActionForm(request.POST or None, family=family),
        call=lambda data: services.action_create(
            actor=user, permissions=access.permissions, goal=goal, **_typed(data, ACTION_FIELDS)
        ),
        success="Action added",
        context=_action_context(
            user, family, title="Add an action", caption=goal.title, button="Add action"
        ),
        template=TEMPLATES + "action_form.html",
    )


def _action_access(request: HttpRequest, reference: str, action_id: int) -> selectors.ActionAccess:
    """The family's action, if the user may see it (404 for one under a restricted goal
    to anyone outside the restricted rule, as for a missing one)."""
    return selectors.action_for_user_or_404(_user(request), action_id, reference=reference)


@login_required
@access_rule(EDIT_RULE)
def action_edit(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    family_access = _family_access(request, reference)
    _require_edit(family_access)
    user = _user(request)
    access = selectors.action_for_user_or_404(user, action_id, family=family_access)
    family, action = access.family, access.action
    form = forms.ActionEditForm(
        request.POST or None,
        family=family,
        goals=access.content.filter(
            Goal.objects.filter(plan_id=action.plan_id).order_by("position", "pk")
        ),
        initial=_as_saved(action, ("goal", *ACTION_FIELDS), version=action.version),
    )
    return _edit_page(
        request,
        form,
        call=lambda data: services.action_update(
            actor=user,
            action=action,
            expected_version=data["version"],
            permissions=access.permissions,
            **_typed(data, ("goal", *ACTION_FIELDS)),
        ),
        success="Action saved",
        context=_action_context(
            user, family, title="Change an action", caption=action.goal.title, button="Save"
        ),
        template=TEMPLATES + "action_form.html",
    )


@login_required
@access_rule(UPDATE_RULE)
def action_progress(request: HttpRequest, reference: str, action_id: int) -> HttpResponse:
    access = _action_access(request, reference, action_id)
    user, family, action = _user(request), access.family, access.action
    if not access.can_update:
        raise PermissionDenied("You cannot update this action")
    form = forms.ActionProgressForm(
        request.POST or None,
        initial={
            "version": action.version,
            "status": action.status,
            "not_done_reason": action.not_done_reason,
        },
    )
    return _edit_page(
        request,
        form,
        call=lambda data: services.action_progress_record(
            actor=user,
            action=action,
            expected_version=data["version"],
            status=data["status"],
            not_done_reason=data["not_done_reason"],
            note=data["note"],
            permissions=access.permissions,
        ),
        success="Action updated",
        template=TEMPLATES + "action_progress.html",
        context={
            "user": user,
            "family": family,
            "action": action,
            # Read only when the page is shown, not when a save redirects.
            "notes": action.progress_notes.select_related("author"),
            "title": "Update an action",
            "button": "Save",
            **_return_to(request),
        },
    )


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------
