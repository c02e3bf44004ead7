"""The API of a plan's needs, goals and actions (with progress notes): each read through
the plan-content rule (``plans.visibility``), each write through one service."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import User
from families.access.access import family_permissions
from families.access.perms import MANAGE_TEAM
from families.models import Family
from plans.models import (
    Action,
    Goal,
    Need,
    Plan,
)
from plans.plan import selectors, services
from plans.plan.api_common import (
    FAMILY_PARAM,
    IF_MATCH,
    AnswersConflicts,
    access_record,
    api_user,
    etag_for,
    expected_version_from,
    scoped_family,
    with_etag,
)
from plans.plan.serializers import (
    FAMILY_PERMISSIONS,
    PRECONDITION_REQUIRED,
    PlanActionSerializer,
    PlanGoalSerializer,
    PlanNeedSerializer,
    PlanProgressNoteSerializer,
    conflict_serializer,
)
from plans.visibility import PlanContent, plan_content_for_user

# ---------------------------------------------------------------------------
# Needs, goals, actions
# ---------------------------------------------------------------------------


class FamilyScopedViewSet(AnswersConflicts, viewsets.GenericViewSet[Any]):
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Ids are whole numbers: anything else matches no route and answers 404.
    lookup_value_regex = r"[0-9]+"

    def _family_from_query(self, user: User) -> Family:
        reference = self.request.query_params.get("family", "")
        if not reference:
            raise ValidationError(
                {"family": ["Give the family's reference, like ?family=F-000123"]}
            )
        return scoped_family(user, reference)

    def _addition(self, request: Request) -> tuple[User, Plan, frozenset[str], Any]:
        """Who adds to the plan of the family in ``?family=``, that plan, their
        permissions on the family (for the service, so it does not ask again) and what
        they sent, checked: 403 for someone who cannot change the plan, 400 when the
        family has no plan yet or the payload is not valid."""
        user = api_user(request)
        family = self._family_from_query(user)
        permissions = family_permissions(user, family)
        if MANAGE_TEAM not in permissions:
            raise PermissionDenied("You cannot change this plan")
        plan = Plan.objects.filter(family=family).select_related("family").first()
        if plan is None:
            raise ValidationError({"family": ["Start the plan first"]})
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return user, plan, permissions, payload.validated_data

    def _list(
        self,
        request: Request,
        rows: QuerySet[Any] | list[Any],
        what: str,
        family: Family,
        user: User,
    ) -> Response:
        access_record(request, user, family, what, family.pk)
        page = self.paginate_queryset(rows)
        data = self.get_serializer(page if page is not None else rows, many=True).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)


@extend_schema_view(list=extend_schema(parameters=[FAMILY_PARAM]))
class PlanNeedViewSet(FamilyScopedViewSet):
    """A family's needs. Restricted needs (domestic abuse, health, substance use) only
    for those who can see restricted information. The ETag of a need carries the plan
    version it was read at: a save from an older version goes through only if the need
    itself has not changed since."""

    access_rule = (
        "read: anyone who can see the family (restricted needs need the restricted "
        "permission); add and change: the lead professional and the LCG's coordinators"
    )
    serializer_class = PlanNeedSerializer
    queryset = Need.objects.none()

    def _need(self) -> tuple[User, selectors.NeedAccess]:
        user = api_user(self.request)
        return user, selectors.need_for_user_or_404(user, self.kwargs["pk"])

    @staticmethod
    def _prefix(need: Need) -> str:
        return f"need-{need.pk}-p"

    def _conflict_current(self) -> tuple[Any, str]:
        _, access = self._need()
        return self.get_serializer(access.need).data, etag_for(
            self._prefix(access.need), access.plan.version
        )

    def list(self, request: Request) -> Response:
        user = api_user(request)
        family = self._family_from_query(user)
        needs = selectors.visible_needs_for_user(user, family).prefetch_related("members")
        return self._list(request, needs, "plan_needs", family, user)

    def retrieve(self, request: Request, pk: str) -> Response:
        user, access = self._need()
        need, plan = access.need, access.plan
        access_record(request, user, need.family, "plan_need", need.pk)
        return with_etag(self.get_serializer(need).data, etag_for(self._prefix(need), plan.version))

    @extend_schema(
        summary="Add a need found during the work",
        parameters=[FAMILY_PARAM],
        responses={201: PlanNeedSerializer},
    )
    def create(self, request: Request) -> Response:
        user, plan, permissions, data = self._addition(request)
        need = services.need_create(
            actor=user,
            plan=plan,
            permissions=permissions,
            kind=data.get("kind", ""),
            label=data.get("label", ""),
            detail=data.get("detail", ""),
            members=data.get("members", []),
        )
        plan.refresh_from_db()
        return with_etag(
            self.get_serializer(need).data,
            etag_for(self._prefix(need), plan.version),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change, close or re-open a need",
        parameters=[IF_MATCH],
        responses={
            200: PlanNeedSerializer,
            412: conflict_serializer("PlanNeedConflict", PlanNeedSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user, access = self._need()
        need, plan = access.need, access.plan
        if not access.can_edit:
            raise PermissionDenied("You cannot change this plan")
        expected = expected_version_from(request, self._prefix(need))
        payload = self.get_serializer(need, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.need_update(
            actor=user,
            need=need,
            permissions=access.permissions,
            expected_version=expected,
            label=data.get("label", need.label),
            detail=data.get("detail", need.detail),
            members=data.get("members", list(need.members.all())),
            is_closed=data.get("is_closed", need.closed_on is not None),
        )
        need.refresh_from_db()
        plan.refresh_from_db()
        return with_etag(self.get_serializer(need).data, etag_for(self._prefix(need), plan.version))


@extend_schema_view(list=extend_schema(parameters=[FAMILY_PARAM]))
class PlanGoalViewSet(FamilyScopedViewSet):
    """Goals of a family's plan, each with its actions."""

    access_rule = (
        "read: anyone who can see the family (404 outside scope); add and change: the "
        "lead professional and the LCG's coordinators"
    )
    serializer_class = PlanGoalSerializer
    queryset = Goal.objects.none()

    def _goal(self) -> tuple[User, selectors.GoalAccess]:
        user = api_user(self.request)
        return user, selectors.goal_for_user_or_404(user, self.kwargs["pk"], self._goals())

    @staticmethod
    def _goals() -> QuerySet[Goal]:
        return Goal.objects.select_related("plan__family", "updated_by").prefetch_related(
            "needs",
            "members",
            "actions__agency",
            "actions__practitioner__user",
            "actions__plan__family",
            "actions__updated_by",
        )

    @staticmethod
    def _prefix(goal: Goal) -> str:
        return f"goal-{goal.pk}-v"

    def _conflict_current(self) -> tuple[Any, str]:
        _, access = self._goal()
        fresh = access.goal
        return self._data(fresh, access.content, access.permissions), etag_for(
            self._prefix(fresh), fresh.version
        )

    def _data(self, goal: Goal, content: PlanContent, permissions: frozenset[str]) -> Any:
        """The goal as the viewer may see it: needs restricted from them left out, and
        each action's ``can_update`` answered from the permissions already worked out."""
        serializer = self.get_serializer(goal)
        serializer.context[FAMILY_PERMISSIONS] = {goal.plan.family_id: permissions}
        data = dict(serializer.data)
        data["needs"] = [n for n in data["needs"] if n not in content.hidden.need_ids]
        return data

    def list(self, request: Request) -> Response:
        user = api_user(request)
        family = self._family_from_query(user)
        permissions = family_permissions(user, family)
        content = plan_content_for_user(user, family, permissions)
        goals = content.filter(self._goals().filter(plan__family=family).order_by("position", "pk"))
        access_record(request, user, family, "plan_goals", family.pk)
        page = self.paginate_queryset(goals)
        rows = page if page is not None else list(goals)
        data = [self._data(goal, content, permissions) for goal in rows]
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        user, access = self._goal()
        goal = access.goal
        access_record(request, user, access.family, "plan_goal", goal.pk)
        return with_etag(
            self._data(goal, access.content, access.permissions),
            etag_for(self._prefix(goal), goal.version),
        )

    @extend_schema(
        summary="Add a goal", parameters=[FAMILY_PARAM], responses={201: PlanGoalSerializer}
    )
    def create(self, request: Request) -> Response:
        user, plan, permissions, data = self._addition(request)
        goal = services.goal_create(
            actor=user,
            plan=plan,
            permissions=permissions,
            title=data.get("title", ""),
            description=data.get("description", ""),
            needs=data.get("needs", []),
            members=data.get("members", []),
        )
        fresh = self._goals().get(pk=goal.pk)
        content = plan_content_for_user(user, plan.family, permissions)
        return with_etag(
            self._data(fresh, content, permissions),
            etag_for(self._prefix(fresh), fresh.version),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change a goal",
        parameters=[IF_MATCH],
        responses={
            200: PlanGoalSerializer,
            412: conflict_serializer("PlanGoalConflict", PlanGoalSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user, access = self._goal()
        goal = access.goal
        if not access.can_edit:
            raise PermissionDenied("You cannot change this plan")
        expected = expected_version_from(request, self._prefix(goal))
        payload = self.get_serializer(goal, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.goal_update(
            actor=user,
            goal=goal,
            permissions=access.permissions,
            expected_version=expected,
            title=data.get("title", goal.title),
            description=data.get("description", goal.description),
            status=data.get("status", goal.status),
            needs=data.get("needs", list(goal.needs.all())),
            members=data.get("members", list(goal.members.all())),
        )
        fresh = self._goals().get(pk=goal.pk)
        return with_etag(
            self._data(fresh, access.content, access.permissions),
            etag_for(self._prefix(fresh), fresh.version),
        )


@extend_schema_view(list=extend_schema(parameters=[FAMILY_PARAM]))
class PlanActionViewSet(FamilyScopedViewSet):
    """Actions of a family's plan. Agency practitioners and key workers may change the
    status of their own agency's actions (when no one else is named) and add progress
    notes; everything else is for the lead professional and the LCG's coordinators."""

    access_rule = (
        "read: anyone who can see the family (404 outside scope); add and change: the "
        "lead professional and the LCG's coordinators; status and progress notes: also "
        "a case worker of the action's agency when it names no one else"
    )
    serializer_class = PlanActionSerializer
    queryset = Action.objects.none()

    @staticmethod
    def _actions() -> QuerySet[Action]:
        return Action.objects.select_related(
            "plan__family", "agency", "practitioner__user", "family_member", "updated_by"
        )

    def _access(self) -> tuple[User, selectors.ActionAccess]:
        user = api_user(self.request)
        return user, selectors.action_for_user_or_404(user, self.kwargs["pk"])

    def _serializer(self, access: selectors.FamilyAccess, *args: Any, **kwargs: Any) -> Any:
        # The permissions already worked out answer every row's ``can_update``.
        context = self.get_serializer_context()
        context[FAMILY_PERMISSIONS] = {access.family.pk: access.permissions}
        return PlanActionSerializer(*args, context=context, **kwargs)

    @staticmethod
    def _prefix(item: Action) -> str:
        return f"action-{item.pk}-v"

    def _conflict_current(self) -> tuple[Any, str]:
        fresh = self._actions().get(pk=self.kwargs["pk"])
        return self.get_serializer(fresh).data, etag_for(self._prefix(fresh), fresh.version)

    def list(self, request: Request) -> Response:
        user = api_user(request)
        family = self._family_from_query(user)
        rows = plan_content_for_user(user, family).filter(
            self._actions().filter(plan__family=family).order_by("due_on", "pk")
        )
        return self._list(request, rows, "plan_actions", family, user)

    def retrieve(self, request: Request, pk: str) -> Response:
        user, access = self._access()
        item = access.action
        access_record(request, user, access.family, "plan_action", item.pk)
        return with_etag(
            self._serializer(access, item).data, etag_for(self._prefix(item), item.version)
        )

    @extend_schema(
        summary="Add an action under a goal (adds its agency to the team)",
        responses={201: PlanActionSerializer},
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        goal: Goal = data["goal"]
        family = Family.objects.get(pk=goal.plan.family_id)
        permissions = family_permissions(user, family)
        if MANAGE_TEAM not in permissions:
            raise PermissionDenied("You cannot change this plan")
        if "due_on" not in data:
            raise ValidationError({"due_on": ["Enter a due date"]})
        item = services.action_create(
            actor=user,
            goal=goal,
            permissions=permissions,
            description=data.get("description", ""),
            owner=data.get("owner", ""),
            agency=data.get("agency"),
            practitioner=data.get("practitioner"),
            family_member=data.get("family_member"),
            due_on=data["due_on"],
        )
        fresh = self._actions().get(pk=item.pk)
        return with_etag(
            self.get_serializer(fresh).data,
            etag_for(self._prefix(fresh), fresh.version),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change an action, or just its status",
        parameters=[IF_MATCH],
        responses={
            200: PlanActionSerializer,
            412: conflict_serializer("PlanActionConflict", PlanActionSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user, access = self._access()
        item = access.action
        if not access.can_update:
            raise PermissionDenied("You cannot update this action")
        expected = expected_version_from(request, self._prefix(item))
        payload = self._serializer(access, item, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        if set(changes) - services.ACTION_PROGRESS_FIELDS and not access.can_edit:
            raise PermissionDenied("You can only update this action's status")
        saved = services.action_update(
            actor=user,
            action=item,
            expected_version=expected,
            permissions=access.permissions,
            **changes,
        )
        return with_etag(
            self._serializer(access, saved).data, etag_for(self._prefix(saved), saved.version)
        )

    @extend_schema(
        methods=["GET"],
        summary="An action's progress notes, newest first",
        responses={200: PlanProgressNoteSerializer(many=True)},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add a progress note to an action",
        request=PlanProgressNoteSerializer,
        responses={201: PlanProgressNoteSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="progress-notes")
    def progress_notes(self, request: Request, pk: str) -> Response:
        user, access = self._access()
        item = access.action
        if request.method == "POST":
            if not access.can_update:
                raise PermissionDenied("You cannot update this action")
            payload = PlanProgressNoteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            note = services.action_progress_note_add(
                actor=user,
                action=item,
                text=payload.validated_data["text"],
                permissions=access.permissions,
            )
            return Response(PlanProgressNoteSerializer(note).data, status=status.HTTP_201_CREATED)
        access_record(request, user, access.family, "plan_action", item.pk)
        notes = item.progress_notes.select_related("author").order_by("-created_at", "-pk")
        page = self.paginate_queryset(notes)
        assert page is not None  # the viewset always has a paginator
        return self.get_paginated_response(PlanProgressNoteSerializer(page, many=True).data)
