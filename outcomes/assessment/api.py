"""REST API for eligibility assessments: the same selector and policy as the family
page's panel, so restricted findings are withheld the same way."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from audit.services import access_event_record
from families.access import access
from families.filters import query_parameters
from families.selectors import family_get_for_user_or_404
from oneplan.api_errors import ErrorSchema
from outcomes.assessment.filters import FamilyAssessmentParameters
from outcomes.assessment.selectors import assessment_view_for_user
from outcomes.models import Assessment, Framework


class EvidenceLineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="The feed kind the evidence came from (FEEDS.md)")
    kind_label = serializers.CharField()
    date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    agency = serializers.CharField()


class CriterionSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(source="label", help_text="The criterion in plain words")
    met = serializers.BooleanField()
    status = serializers.CharField(help_text='"Met", "Not met" or "Met (restricted information)"')
    restricted = serializers.BooleanField(
        help_text="Met only on restricted information you may not see: no detail is given"
    )
    withheld = serializers.BooleanField(
        help_text="Some findings rest on restricted information you may not see and are left out"
    )
    reasons = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceLineSerializer(many=True)


class FamilyAssessmentSerializer(serializers.Serializer[Any]):
    family = serializers.CharField(source="family_reference")
    framework = serializers.ChoiceField(choices=Framework.choices)
    framework_label = serializers.CharField()
    version = serializers.IntegerField(help_text="Version of the framework's parameters used")
    as_of = serializers.DateField()
    assessed_at = serializers.DateTimeField()
    eligible = serializers.BooleanField()
    met_count = serializers.IntegerField()
    summary = serializers.CharField()
    criteria = CriterionSerializer(many=True)


class OneObjectFilterSchema(ErrorSchema):
    """The project's schema, also documenting the view's FilterSet on an operation that
    answers one object: drf-spectacular documents filters on lists only, and here a
    parameter picks which of the family's assessments to show."""

    def get_filter_backends(self) -> list[Any]:
        return list(getattr(self.view, "filter_backends", []))


class FamilyAssessmentViewSet(viewsets.GenericViewSet[Any]):
    """A family's current eligibility assessment. Families outside your scope answer
    404, as do families not assessed yet."""

    access_rule = "case roles; families in the user's scope (404 otherwise)"
    lookup_field = "reference"
    serializer_class = FamilyAssessmentSerializer
    queryset = Assessment.objects.none()
    filterset_class = FamilyAssessmentParameters
    schema = OneObjectFilterSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reference", str, OpenApiParameter.PATH, description="The family's reference"
            ),
        ],
        responses=FamilyAssessmentSerializer,
    )
    def retrieve(self, request: Request, reference: str) -> Response:
        user = request.user
        assert isinstance(user, User)
        if not access.can_view_families(user):
            raise PermissionDenied("Your account does not give access to families")
        framework = query_parameters(self)["framework"] or None
        family = family_get_for_user_or_404(user, reference)
        view = assessment_view_for_user(
            user, family, access.family_permissions(user, family), framework=framework
        )
        access_event_record(
            user=user,
            action="api_read",
            object_type="assessment",
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )
        if view is None:
            raise NotFound("This family has not been assessed yet")
        data = asdict(view)
        for criterion, source in zip(data["criteria"], view.criteria, strict=True):
            criterion["status"] = source.status
        return Response(FamilyAssessmentSerializer(data).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("family-assessments", FamilyAssessmentViewSet, basename="family-assessment")
