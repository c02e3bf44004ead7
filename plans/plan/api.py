"""REST API for single family plans: the same selectors, policy and services as the pages.

No lost updates over the API either: GET of a plan, need, goal or action returns an
``ETag``; PATCH must send it back in ``If-Match``. Without it the answer is 428; with a
stale one, 412 with the current representation and who changed it when. A family
outside the caller's scope answers 404.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import Agency, Staff, User
from audit.services import access_event_record
from families.access import can_view_families, family_scope
from families.models import Family, Person
from oneplan.errors import ApplicationError
from plans.models import (
    Action,
    ActionProgressNote,
    Goal,
    Need,
    Plan,
    PlanVersion,
)
from plans.plan import rules, selectors, services
from plans.plan.access import can_edit_plan, can_update_action
from plans.restricted import is_restricted_need
from plans.visibility import PlanContent, plan_content_for_user

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last GET of this object. Required: without it the "
    "answer is 428; if someone else saved since, 412 with the current version.",
)
FAMILY_PARAM = OpenApiParameter(
    "family", str, required=True, description="The family's reference, like F-000123"
)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send the ETag you read in an If-Match header, so that nobody's changes are lost"
    )
    default_code = "precondition_required"


def _user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


def _scoped_family(user: User, reference: str) -> Family:
    family = Family.objects.filter(family_scope(user), reference=reference).first()
    if family is None:
        raise Http404("No family found")
    return family


def _record(request: Request, user: User, family: Family, what: str, object_id: Any) -> None:
    access_event_record(
        user=user,
        action="api_read",
        object_type=what,
        object_id=str(object_id),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )


def _etag(prefix: str, version: int) -> str:
    return f'"{prefix}{version}"'


def _expected_version(request: Request, prefix: str) -> int:
    """The version the caller read, from If-Match. A tag of another object, or of no
    version we recognise, can never match: -1 makes the service answer with a conflict."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    match = re.fullmatch(r'(?:W/)?"' + re.escape(prefix) + r'(\d+)"', header)
    return int(match.group(1)) if match else -1


def _refusal(exc: ApplicationError) -> ValidationError:
    return ValidationError({exc.field or "non_field_errors": [exc.message]})


def _conflict_response(exc: services.PlanConflict, current: dict[str, Any], etag: str) -> Response:
    response = Response(
        {
            "detail": exc.message,
            "changed_by": exc.changed_by.get_full_name() if exc.changed_by else "",
            "changed_at": exc.changed_at,
            "current": current,
        },
        status=status.HTTP_412_PRECONDITION_FAILED,
    )
    response["ETag"] = etag
    return response


def _with_etag(data: Any, etag: str, code: int = status.HTTP_200_OK) -> Response:
    response = Response(data, status=code)
    response["ETag"] = etag
    return response


# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


MEMBERS_MESSAGE = "Select people who are in the family now"
NEEDS_MESSAGE = "Select needs of this family"


def _ids_of(queryset: QuerySet[Any], message: str, **kwargs: Any) -> Any:
    """A field of ids that answers a missing id, a malformed one and (through the service)
    another family's with the same message, so a reply never tells them apart."""
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        error_messages={"does_not_exist": message, "incorrect_type": message},
        **kwargs,
    )


class PlanNeedSerializer(serializers.ModelSerializer[Need]):
    family = serializers.CharField(source="family.reference", read_only=True)
    kind = serializers.ChoiceField(
        choices=rules.NEED_KINDS,
        write_only=True,
        required=False,
        help_text="When adding a need found during the work: its headline, or other",
    )
    members = _ids_of(Person.objects.all(), MEMBERS_MESSAGE, many=True, required=False)
    is_closed = serializers.BooleanField(
        write_only=True, required=False, help_text="Close (true) or re-open (false)"
    )
    restricted = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "id",
            "family",
            "code",
            "kind",
            "label",
            "detail",
            "source",
            "framework",
            "members",
            "identified_on",
            "closed_on",
            "is_closed",
            "restricted",
        ]
        read_only_fields = ["code", "source", "framework", "identified_on", "closed_on"]
        extra_kwargs = {"label": {"required": False}}

    def get_restricted(self, need: Need) -> bool:
        return is_restricted_need(need.code)


class PlanProgressNoteSerializer(serializers.ModelSerializer[ActionProgressNote]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = ActionProgressNote
        fields = ["id", "text", "author", "created_at"]
        read_only_fields = ["created_at"]

    def get_author(self, note: ActionProgressNote) -> str:
        return note.author.get_full_name() or note.author.username


@extend_schema_field(OpenApiTypes.STR)
class _NamedUserField(serializers.Field):  # type: ignore[type-arg]
    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: User) -> str:
        return value.get_full_name() or value.username


class PlanActionSerializer(serializers.ModelSerializer[Action]):
    family = serializers.CharField(source="plan.family.reference", read_only=True)
    goal = _ids_of(Goal.objects.none(), "Select a goal in this plan")
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    practitioner = _ids_of(
        Staff.objects.all(), "Select a practitioner", required=False, allow_null=True
    )
    family_member = _ids_of(
        Person.objects.all(),
        "Select someone who is in the family now",
        required=False,
        allow_null=True,
    )
    updated_by = _NamedUserField()
    can_update = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "family",
            "goal",
            "description",
            "owner",
            "agency",
            "practitioner",
            "family_member",
            "due_on",
            "status",
            "not_done_reason",
            "completed_on",
            "version",
            "updated_by",
            "updated_at",
            "can_update",
        ]
        read_only_fields = ["completed_on", "version", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            field = self.fields["goal"]
            assert isinstance(field, serializers.PrimaryKeyRelatedField)
            field.queryset = Goal.objects.filter(
                plan__family__in=Family.objects.filter(family_scope(request.user))
            )

    def get_can_update(self, item: Action) -> bool:
        return bool(can_update_action(self.context["request"].user, item))


class PlanGoalSerializer(serializers.ModelSerializer[Goal]):
    family = serializers.CharField(source="plan.family.reference", read_only=True)
    needs = _ids_of(Need.objects.all(), NEEDS_MESSAGE, many=True, required=False)
    members = _ids_of(Person.objects.all(), MEMBERS_MESSAGE, many=True, required=False)
    updated_by = _NamedUserField()
    actions = PlanActionSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "family",
            "title",
            "description",
            "status",
            "position",
            "needs",
            "members",
            "version",
            "updated_by",
            "updated_at",
            "actions",
        ]
        read_only_fields = ["position", "version", "updated_at"]
        extra_kwargs = {"title": {"required": False}}


class PlanSerializer(serializers.ModelSerializer[Plan]):
    family = serializers.CharField(source="family.reference", read_only=True)
    updated_by = _NamedUserField()
    needs = serializers.SerializerMethodField()
    goals = serializers.SerializerMethodField()
    needs_without_goal = serializers.SerializerMethodField(
        help_text="Ids of open needs no open goal covers (the plan cannot be agreed yet)"
    )
    restricted_needs_hidden = serializers.SerializerMethodField(
        help_text="How many restricted needs are left out because you cannot see them"
    )

    class Meta:
        model = Plan
        fields = [
            "family",
            "status",
            "version",
            "working_well",
            "worries",
            "family_wants",
            "next_review_on",
            "updated_by",
            "updated_at",
            "needs",
            "goals",
            "needs_without_goal",
            "restricted_needs_hidden",
        ]
        read_only_fields = ["status", "version", "next_review_on", "updated_at"]

    def _page(self, plan: Plan) -> selectors.PlanPage:
        cache: dict[int, selectors.PlanPage] = self.context.setdefault("_pages", {})
        if plan.pk not in cache:
            cache[plan.pk] = selectors.plan_page_for_user(self.context["request"].user, plan.family)
        return cache[plan.pk]

    @extend_schema_field(PlanNeedSerializer(many=True))
    def get_needs(self, plan: Plan) -> Any:
        page = self._page(plan)
        return PlanNeedSerializer([*page.needs, *page.closed_needs], many=True).data

    @extend_schema_field(PlanGoalSerializer(many=True))
    def get_goals(self, plan: Plan) -> Any:
        page = self._page(plan)
        goals = []
        for row in page.goals:
            data = dict(PlanGoalSerializer(row.goal, context=self.context).data)
            visible = {n.pk for n in row.needs}
            data["needs"] = [n for n in data["needs"] if n in visible]
            goals.append(data)
        return goals

    def get_needs_without_goal(self, plan: Plan) -> list[int]:
        return [n.pk for n in self._page(plan).uncovered]

    def get_restricted_needs_hidden(self, plan: Plan) -> int:
        return self._page(plan).hidden_restricted


class PlanStartSerializer(serializers.Serializer[Any]):
    family = serializers.CharField(help_text="The family's reference, like F-000123")


class PlanVersionSummarySerializer(serializers.ModelSerializer[PlanVersion]):
    created_by = _NamedUserField()

    class Meta:
        model = PlanVersion
        fields = ["number", "summary", "created_by", "created_at"]


class PlanVersionDetailSerializer(serializers.ModelSerializer[PlanVersion]):
    created_by = _NamedUserField()
    snapshot = serializers.JSONField(
        help_text="The whole plan as it stood; restricted needs are left out unless you "
        "can see restricted information"
    )

    class Meta:
        model = PlanVersion
        fields = ["number", "summary", "created_by", "created_at", "snapshot"]


def _conflict_serializer(name: str, current: serializers.Serializer[Any]) -> Any:
    return inline_serializer(
        name=name,
        fields={
            "detail": serializers.CharField(),
            "changed_by": serializers.CharField(),
            "changed_at": serializers.DateTimeField(),
            "current": current,
        },
    )


PRECONDITION_REQUIRED = OpenApiResponse(description="No If-Match header was sent")


# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="A family's plan, with an ETag",
        responses={200: PlanSerializer},
    ),
)
class PlanViewSet(viewsets.GenericViewSet[Plan]):
    """Single family plans. The lead professional and the LCG's coordinators change
    them; everyone who can see the family can read them."""

    access_rule = (
        "read: anyone who can see the family (404 outside scope); change: the lead "
        "professional and the LCG's coordinators"
    )
    serializer_class = PlanSerializer
    queryset = Plan.objects.none()
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _plan(self) -> tuple[User, Plan]:
        user = _user(self.request)
        return user, selectors.plan_for_user_or_404(user, self.kwargs["reference"])

    def _etag(self, plan: Plan) -> str:
        return _etag(f"plan-{plan.pk}-v", plan.version)

    def _data(self, plan: Plan) -> Any:
        return PlanSerializer(plan, context=self.get_serializer_context()).data

    def retrieve(self, request: Request, reference: str) -> Response:
        user, plan = self._plan()
        _record(request, user, plan.family, "plan", plan.pk)
        return _with_etag(self._data(plan), self._etag(plan))

    @extend_schema(
        summary="Start a family's plan (or get the one it has)",
        request=PlanStartSerializer,
        responses={200: PlanSerializer, 201: PlanSerializer},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        payload = PlanStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        family = _scoped_family(user, payload.validated_data["family"])
        existed = Plan.objects.filter(family=family).exists()
        if not existed and not can_edit_plan(user, family):
            raise PermissionDenied("You cannot start this family's plan")
        plan = services.plan_get_or_create(actor=user, family=family)
        plan = selectors.plan_for_user_or_404(user, family.reference)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return _with_etag(self._data(plan), self._etag(plan), code)

    @extend_schema(
        summary="Change the family's voice",
        parameters=[IF_MATCH],
        request=PlanSerializer,
        responses={
            200: PlanSerializer,
            412: _conflict_serializer("PlanConflict", PlanSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, reference: str) -> Response:
        user, plan = self._plan()
        if not can_edit_plan(user, plan.family):
            raise PermissionDenied("You cannot change this plan")
        expected = _expected_version(request, f"plan-{plan.pk}-v")
        payload = PlanSerializer(plan, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.plan_voice_update(
                actor=user,
                plan=plan,
                expected_version=expected,
                working_well=data.get("working_well", plan.working_well),
                worries=data.get("worries", plan.worries),
                family_wants=data.get("family_wants", plan.family_wants),
            )
        except services.PlanConflict as exc:
            fresh = selectors.plan_for_user_or_404(user, reference)
            return _conflict_response(exc, self._data(fresh), self._etag(fresh))
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        fresh = selectors.plan_for_user_or_404(user, reference)
        return _with_etag(self._data(fresh), self._etag(fresh))

    @extend_schema(
        summary="The plan's saved versions, newest first",
        responses={200: PlanVersionSummarySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, reference: str) -> Response:
        user, plan = self._plan()
        _record(request, user, plan.family, "plan_versions", plan.pk)
        queryset = selectors.plan_versions_for_plan(plan, plan_content_for_user(user, plan.family))
        page = self.paginate_queryset(queryset)  # type: ignore[arg-type]
        rows = PlanVersionSummarySerializer(page if page is not None else queryset, many=True)
        if page is not None:
            return self.get_paginated_response(rows.data)
        return Response(rows.data)

    @extend_schema(
        summary="One saved version of the plan, in full",
        parameters=[OpenApiParameter("number", int, OpenApiParameter.PATH)],
        responses={200: PlanVersionDetailSerializer},
    )
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request: Request, reference: str, number: str) -> Response:
        user, plan = self._plan()
        content = plan_content_for_user(user, plan.family)
        version = selectors.plan_version_or_404(plan, int(number), content)
        _record(request, user, plan.family, "plan_versions", plan.pk)
        data = dict(PlanVersionDetailSerializer(version).data)
        data["snapshot"], _ = content.snapshot(version.snapshot)
        return Response(data)


# ---------------------------------------------------------------------------
# Needs, goals, actions
# ---------------------------------------------------------------------------


class _FamilyScopedViewSet(viewsets.GenericViewSet[Any]):
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _family_from_query(self, user: User) -> Family:
        reference = self.request.query_params.get("family", "")
        if not reference:
            raise ValidationError(
                {"family": ["Give the family's reference, like ?family=F-000123"]}
            )
        return _scoped_family(user, reference)

    def _list(
        self,
        request: Request,
        rows: QuerySet[Any] | list[Any],
        what: str,
        family: Family,
        user: User,
    ) -> Response:
        _record(request, user, family, what, family.pk)
        page = self.paginate_queryset(rows)
        data = self.get_serializer(page if page is not None else rows, many=True).data
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)


@extend_schema_view(list=extend_schema(parameters=[FAMILY_PARAM]))
class PlanNeedViewSet(_FamilyScopedViewSet):
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

    def _need(self) -> tuple[User, Need, Plan]:
        user = _user(self.request)
        need = (
            Need.objects.filter(
                pk=self.kwargs["pk"],
                family__in=Family.objects.filter(family_scope(user)),
            )
            .select_related("family")
            .first()
        )
        if need is None or not plan_content_for_user(user, need.family).shows_need(need):
            raise Http404("No need found")
        plan = Plan.objects.filter(family=need.family).first()
        if plan is None:
            raise Http404("No need found")
        return user, need, plan

    @staticmethod
    def _prefix(need: Need) -> str:
        return f"need-{need.pk}-p"

    def list(self, request: Request) -> Response:
        user = _user(request)
        family = self._family_from_query(user)
        needs = selectors.visible_needs_for_user(user, family).prefetch_related("members")
        return self._list(request, needs, "plan_needs", family, user)

    def retrieve(self, request: Request, pk: str) -> Response:
        user, need, plan = self._need()
        _record(request, user, need.family, "plan_need", need.pk)
        return _with_etag(self.get_serializer(need).data, _etag(self._prefix(need), plan.version))

    @extend_schema(
        summary="Add a need found during the work",
        parameters=[FAMILY_PARAM],
        responses={201: PlanNeedSerializer},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        family = self._family_from_query(user)
        if not can_edit_plan(user, family):
            raise PermissionDenied("You cannot change this plan")
        plan = Plan.objects.filter(family=family).select_related("family").first()
        if plan is None:
            raise ValidationError({"family": ["Start the plan first"]})
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            need = services.need_create(
                actor=user,
                plan=plan,
                kind=data.get("kind", ""),
                label=data.get("label", ""),
                detail=data.get("detail", ""),
                members=data.get("members", []),
            )
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        plan.refresh_from_db()
        return _with_etag(
            self.get_serializer(need).data,
            _etag(self._prefix(need), plan.version),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change, close or re-open a need",
        parameters=[IF_MATCH],
        responses={
            200: PlanNeedSerializer,
            412: _conflict_serializer("PlanNeedConflict", PlanNeedSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user, need, plan = self._need()
        if not can_edit_plan(user, need.family):
            raise PermissionDenied("You cannot change this plan")
        expected = _expected_version(request, self._prefix(need))
        payload = self.get_serializer(need, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.need_update(
                actor=user,
                need=need,
                expected_version=expected,
                label=data.get("label", need.label),
                detail=data.get("detail", need.detail),
                members=data.get("members", list(need.members.all())),
                is_closed=data.get("is_closed", need.closed_on is not None),
            )
        except services.PlanConflict as exc:
            need.refresh_from_db()
            plan.refresh_from_db()
            return _conflict_response(
                exc, self.get_serializer(need).data, _etag(self._prefix(need), plan.version)
            )
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        need.refresh_from_db()
        plan.refresh_from_db()
        return _with_etag(self.get_serializer(need).data, _etag(self._prefix(need), plan.version))


@extend_schema_view(list=extend_schema(parameters=[FAMILY_PARAM]))
class PlanGoalViewSet(_FamilyScopedViewSet):
    """Goals of a family's plan, each with its actions."""

    access_rule = (
        "read: anyone who can see the family (404 outside scope); add and change: the "
        "lead professional and the LCG's coordinators"
    )
    serializer_class = PlanGoalSerializer
    queryset = Goal.objects.none()

    def _goal(self) -> tuple[User, Goal]:
        user = _user(self.request)
        goal = (
            self._goals()
            .filter(
                pk=self.kwargs["pk"],
                plan__family__in=Family.objects.filter(family_scope(user)),
            )
            .first()
        )
        if goal is None or not plan_content_for_user(user, goal.plan.family).shows_goal(goal.pk):
            raise Http404("No goal found")
        return user, goal

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

    def _data(self, goal: Goal, content: PlanContent | None = None) -> Any:
        if content is None:
            content = plan_content_for_user(self.request.user, goal.plan.family)
        data = dict(self.get_serializer(goal).data)
        data["needs"] = [n for n in data["needs"] if n not in content.hidden.need_ids]
        return data

    def list(self, request: Request) -> Response:
        user = _user(request)
        family = self._family_from_query(user)
        content = plan_content_for_user(user, family)
        goals = content.filter(self._goals().filter(plan__family=family).order_by("position", "pk"))
        _record(request, user, family, "plan_goals", family.pk)
        page = self.paginate_queryset(goals)
        rows = page if page is not None else list(goals)
        data = [self._data(goal, content) for goal in rows]
        if page is not None:
            return self.get_paginated_response(data)
        return Response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        user, goal = self._goal()
        _record(request, user, goal.plan.family, "plan_goal", goal.pk)
        return _with_etag(self._data(goal), _etag(self._prefix(goal), goal.version))

    @extend_schema(
        summary="Add a goal", parameters=[FAMILY_PARAM], responses={201: PlanGoalSerializer}
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        family = self._family_from_query(user)
        if not can_edit_plan(user, family):
            raise PermissionDenied("You cannot change this plan")
        plan = Plan.objects.filter(family=family).select_related("family").first()
        if plan is None:
            raise ValidationError({"family": ["Start the plan first"]})
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            goal = services.goal_create(
                actor=user,
                plan=plan,
                title=data.get("title", ""),
                description=data.get("description", ""),
                needs=data.get("needs", []),
                members=data.get("members", []),
            )
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        fresh = self._goals().get(pk=goal.pk)
        return _with_etag(
            self._data(fresh), _etag(self._prefix(fresh), fresh.version), status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Change a goal",
        parameters=[IF_MATCH],
        responses={
            200: PlanGoalSerializer,
            412: _conflict_serializer("PlanGoalConflict", PlanGoalSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user, goal = self._goal()
        family = goal.plan.family
        if not can_edit_plan(user, family):
            raise PermissionDenied("You cannot change this plan")
        expected = _expected_version(request, self._prefix(goal))
        payload = self.get_serializer(goal, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.goal_update(
                actor=user,
                goal=goal,
                expected_version=expected,
                title=data.get("title", goal.title),
                description=data.get("description", goal.description),
                status=data.get("status", goal.status),
                needs=data.get("needs", list(goal.needs.all())),
                members=data.get("members", list(goal.members.all())),
            )
        except services.PlanConflict as exc:
            fresh = self._goals().get(pk=goal.pk)
            return _conflict_response(
                exc, self._data(fresh), _etag(self._prefix(fresh), fresh.version)
            )
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        fresh = self._goals().get(pk=goal.pk)
        return _with_etag(self._data(fresh), _etag(self._prefix(fresh), fresh.version))


@extend_schema_view(list=extend_schema(parameters=[FAMILY_PARAM]))
class PlanActionViewSet(_FamilyScopedViewSet):
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

    def _action(self) -> tuple[User, Action]:
        user = _user(self.request)
        item = (
            self._actions()
            .filter(
                pk=self.kwargs["pk"],
                plan__family__in=Family.objects.filter(family_scope(user)),
            )
            .first()
        )
        if item is None or not plan_content_for_user(user, item.plan.family).shows_action(item):
            raise Http404("No action found")
        return user, item

    @staticmethod
    def _prefix(item: Action) -> str:
        return f"action-{item.pk}-v"

    def list(self, request: Request) -> Response:
        user = _user(request)
        family = self._family_from_query(user)
        rows = plan_content_for_user(user, family).filter(
            self._actions().filter(plan__family=family).order_by("due_on", "pk")
        )
        return self._list(request, rows, "plan_actions", family, user)

    def retrieve(self, request: Request, pk: str) -> Response:
        user, item = self._action()
        _record(request, user, item.plan.family, "plan_action", item.pk)
        return _with_etag(self.get_serializer(item).data, _etag(self._prefix(item), item.version))

    @extend_schema(
        summary="Add an action under a goal (adds its agency to the team)",
        responses={201: PlanActionSerializer},
    )
    def create(self, request: Request) -> Response:
        user = _user(request)
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        goal: Goal = data["goal"]
        family = Family.objects.get(pk=goal.plan.family_id)
        if not can_edit_plan(user, family):
            raise PermissionDenied("You cannot change this plan")
        if "due_on" not in data:
            raise ValidationError({"due_on": ["Enter a due date"]})
        try:
            item = services.action_create(
                actor=user,
                goal=goal,
                description=data.get("description", ""),
                owner=data.get("owner", ""),
                agency=data.get("agency"),
                practitioner=data.get("practitioner"),
                family_member=data.get("family_member"),
                due_on=data["due_on"],
            )
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        fresh = self._actions().get(pk=item.pk)
        return _with_etag(
            self.get_serializer(fresh).data,
            _etag(self._prefix(fresh), fresh.version),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Change an action, or just its status",
        parameters=[IF_MATCH],
        responses={
            200: PlanActionSerializer,
            412: _conflict_serializer("PlanActionConflict", PlanActionSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        user, item = self._action()
        if not can_update_action(user, item):
            raise PermissionDenied("You cannot update this action")
        expected = _expected_version(request, self._prefix(item))
        payload = self.get_serializer(item, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        changes = dict(payload.validated_data)
        if set(changes) - services.ACTION_PROGRESS_FIELDS and not can_edit_plan(
            user, item.plan.family
        ):
            raise PermissionDenied("You can only update this action's status")
        try:
            services.action_update(actor=user, action=item, expected_version=expected, **changes)
        except services.PlanConflict as exc:
            fresh = self._actions().get(pk=item.pk)
            return _conflict_response(
                exc, self.get_serializer(fresh).data, _etag(self._prefix(fresh), fresh.version)
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        except ApplicationError as exc:
            raise _refusal(exc) from exc
        fresh = self._actions().get(pk=item.pk)
        return _with_etag(
            self.get_serializer(fresh).data, _etag(self._prefix(fresh), fresh.version)
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
        user, item = self._action()
        if request.method == "POST":
            if not can_update_action(user, item):
                raise PermissionDenied("You cannot update this action")
            payload = PlanProgressNoteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            try:
                note = services.action_progress_note_add(
                    actor=user, action=item, text=payload.validated_data["text"]
                )
            except ApplicationError as exc:
                raise _refusal(exc) from exc
            return Response(PlanProgressNoteSerializer(note).data, status=status.HTTP_201_CREATED)
        _record(request, user, item.plan.family, "plan_action", item.pk)
        notes = item.progress_notes.select_related("author")
        return Response(PlanProgressNoteSerializer(notes, many=True).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-needs", PlanNeedViewSet, basename="plan-need")
    router.register("plan-goals", PlanGoalViewSet, basename="plan-goal")
    router.register("plan-actions", PlanActionViewSet, basename="plan-action")
