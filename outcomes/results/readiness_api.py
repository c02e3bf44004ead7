"""REST API of the claim readiness list: ``GET /api/claim-readiness/`` (filters
``readiness`` and ``framework``), the same list as the page
(``outcomes.results.readiness``), for the same people (``can_see_claims``)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from audit.services import access_events_record_many
from outcomes.claims.access import can_see_claims
from outcomes.models import Framework, Readiness, Result
from outcomes.results.readiness import readiness_list


class ReadinessRowSerializer(serializers.ModelSerializer[Result]):
    family = serializers.CharField(source="family.reference")
    lcg = serializers.CharField(source="family.lcg.name", allow_null=True, default=None)
    route = serializers.CharField(help_text='The route met, or "" when none is')

    class Meta:
        model = Result
        fields = ["family", "lcg", "framework", "route", "readiness", "as_of", "valid_until"]


class ClaimReadinessViewSet(viewsets.GenericViewSet[Result]):
    """Every attached family's claim readiness as last evaluated (docs/results.md),
    claimable first; reasons are on each family's results (``/api/family-results/``)."""

    access_rule = "programme managers, internal auditors and senior officers"
    serializer_class = ReadinessRowSerializer
    queryset = Result.objects.none()

    def get_queryset(self) -> QuerySet[Result]:
        params = self.request.query_params
        readiness = params.get("readiness", "")
        framework = params.get("framework", "")
        if readiness and readiness not in Readiness.values:
            raise ValidationError({"readiness": [f"Choose one of {', '.join(Readiness.values)}"]})
        if framework and framework not in Framework.values:
            raise ValidationError({"framework": [f"Choose one of {', '.join(Framework.values)}"]})
        return readiness_list(readiness=readiness, framework=framework)

    @extend_schema(
        parameters=[
            OpenApiParameter("readiness", str, enum=Readiness.values, required=False),
            OpenApiParameter("framework", str, enum=Framework.values, required=False),
        ]
    )
    def list(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        if not can_see_claims(user):
            raise PermissionDenied("You cannot see claim readiness")
        page = self.paginate_queryset(self.get_queryset())
        rows: list[Any] = list(page or [])
        if rows:
            access_events_record_many(
                user=user,
                family_ids=[r.family_id for r in rows],
                family_references=[r.family.reference for r in rows],
                object_type="claim_readiness",
                request=request,
            )
        return self.get_paginated_response(ReadinessRowSerializer(rows, many=True).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("claim-readiness", ClaimReadinessViewSet, basename="claim-readiness")
