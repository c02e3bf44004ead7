"""REST API for single family plans: the same selectors, policy and services as the pages.

No lost updates over the API either: GET of a plan, need, goal or action returns an
``ETag``; PATCH must send it back in ``If-Match``. Without it the answer is 428; with a
stale one, 412 with the current representation and who changed it when. A family
outside the caller's scope answers 404.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from oneplan.api_errors import NOT_FOUND, ErrorDetailSerializer
from plans.models import (
    Plan,
)
from plans.plan import selectors, services
from plans.plan.access import can_edit_plan
from plans.plan.api_common import (
    IF_MATCH,
    AnswersConflicts,
    access_record,
    api_user,
    etag_for,
    expected_version_from,
    scoped_family,
    with_etag,
)
from plans.plan.api_items import PlanActionViewSet, PlanGoalViewSet, PlanNeedViewSet
from plans.plan.serializers import (
    FAMILY_PERMISSIONS,
    PRECONDITION_REQUIRED,
    PlanSerializer,
    PlanStartSerializer,
    PlanVersionDetailSerializer,
    PlanVersionSummarySerializer,
    conflict_serializer,
)

# ---------------------------------------------------------------------------
# Plans
# ---------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="A family's plan, with an ETag",
        responses={200: PlanSerializer},
    ),
)
class PlanViewSet(AnswersConflicts, viewsets.GenericViewSet[Plan]):
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

    def _access(self) -> tuple[User, selectors.PlanAccess]:
        user = api_user(self.request)
        return user, selectors.plan_access_for_user_or_404(user, self.kwargs["reference"])

    def _etag(self, plan: Plan) -> str:
        return etag_for(f"plan-{plan.pk}-v", plan.version)

    def _conflict_current(self) -> tuple[Any, str]:
        _, access = self._access()
        return self._data(access.plan, access), self._etag(access.plan)

    def _data(self, plan: Plan, access: selectors.FamilyAccess | None = None) -> Any:
        context = self.get_serializer_context()
        if access is not None:
            # The permissions already worked out serve the whole representation.
            context[FAMILY_PERMISSIONS] = {access.family.pk: access.permissions}
        return PlanSerializer(plan, context=context).data

    def retrieve(self, request: Request, reference: str) -> Response:
        user, access = self._access()
        plan = access.plan
        access_record(request, user, access.family, "plan", plan.pk)
        return with_etag(self._data(plan, access), self._etag(plan))

    @extend_schema(
        summary="Start a family's plan (or get the one it has)",
        request=PlanStartSerializer,
        responses={
            200: PlanSerializer,
            201: PlanSerializer,
            404: OpenApiResponse(ErrorDetailSerializer, NOT_FOUND),
        },
    )
    def create(self, request: Request) -> Response:
        user = api_user(request)
        payload = PlanStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        family = scoped_family(user, payload.validated_data["family"])
        existed = Plan.objects.filter(family=family).exists()
        if not existed and not can_edit_plan(user, family):
            raise PermissionDenied("You cannot start this family's plan")
        plan = services.plan_get_or_create(actor=user, family=family)
        plan = selectors.plan_for_user_or_404(user, family.reference)
        if existed:
            # The plan that was already there comes back as it would from GET: a read.
            access_record(request, user, family, "plan", plan.pk)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return with_etag(self._data(plan), self._etag(plan), code)

    @extend_schema(
        summary="Change the family's voice",
        parameters=[IF_MATCH],
        request=PlanSerializer,
        responses={
            200: PlanSerializer,
            412: conflict_serializer("PlanConflict", PlanSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, reference: str) -> Response:
        user, access = self._access()
        plan = access.plan
        if not access.can_edit:
            raise PermissionDenied("You cannot change this plan")
        expected = expected_version_from(request, f"plan-{plan.pk}-v")
        payload = PlanSerializer(plan, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.plan_voice_update(
            actor=user,
            plan=plan,
            expected_version=expected,
            working_well=data.get("working_well", plan.working_well),
            worries=data.get("worries", plan.worries),
            family_wants=data.get("family_wants", plan.family_wants),
        )
        fresh = selectors.plan_access_for_user_or_404(user, reference)
        return with_etag(self._data(fresh.plan, fresh), self._etag(fresh.plan))

    @extend_schema(
        summary="The plan's saved versions, newest first",
        responses={200: PlanVersionSummarySerializer(many=True)},
    )
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, reference: str) -> Response:
        user, access = self._access()
        plan = access.plan
        access_record(request, user, access.family, "plan_versions", plan.pk)
        queryset = selectors.plan_versions_for_plan(plan, access.content)
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
        user, access = self._access()
        plan, content = access.plan, access.content
        version = selectors.plan_version_or_404(plan, int(number), content)
        access_record(request, user, access.family, "plan_versions", plan.pk)
        data = dict(PlanVersionDetailSerializer(version).data)
        data["snapshot"], _ = content.snapshot(version.snapshot)
        return Response(data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("plans", PlanViewSet, basename="plan")
    router.register("plan-needs", PlanNeedViewSet, basename="plan-need")
    router.register("plan-goals", PlanGoalViewSet, basename="plan-goal")
    router.register("plan-actions", PlanActionViewSet, basename="plan-action")
