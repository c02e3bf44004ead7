"""REST API for a family's results and claim readiness: the same selector as the family
page's panel (``outcomes.results.visibility``), so restricted results are withheld the
same way."""

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
from families.selectors import family_get_for_user_or_404
from outcomes.assessment.api import EvidenceLineSerializer
from outcomes.models import Attachment, Framework
from outcomes.results.visibility import results_view_for_user


class ResultCheckSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text='tf1 "R1", "R2", "R3"; tf2 a problem code or "employment"; sf2022 a need '
        'code or "sustained"'
    )
    name = serializers.CharField(source="label")
    met = serializers.BooleanField()
    relevant = serializers.BooleanField(help_text="False: the rule does not apply to the family")
    status = serializers.CharField(
        help_text='"Met", "Not met", "Not relevant", or either with " (restricted information)"'
    )
    restricted = serializers.BooleanField(
        help_text="About restricted information you may not see: no reasons or evidence given"
    )
    recorded = serializers.BooleanField(help_text="Rests on an outcome a practitioner recorded")
    reasons = serializers.ListField(child=serializers.CharField())
    evidence = EvidenceLineSerializer(many=True)


class FamilyResultsSerializer(serializers.Serializer[Any]):
    family = serializers.CharField(source="family_reference")
    framework = serializers.ChoiceField(choices=Framework.choices)
    framework_label = serializers.CharField()
    version = serializers.IntegerField(help_text="Version of the rules in force at attachment")
    attached_on = serializers.DateField()
    as_of = serializers.DateField()
    eligible_at_entry = serializers.BooleanField()
    route = serializers.CharField(allow_null=True)
    readiness = serializers.ChoiceField(choices=["claimable", "at_risk", "blocked", "not_yet"])
    readiness_label = serializers.CharField()
    readiness_reasons = serializers.ListField(child=serializers.CharField())
    claimable_from = serializers.DateField(allow_null=True)
    checks = ResultCheckSerializer(many=True)


class FamilyResultsViewSet(viewsets.GenericViewSet[Any]):
    """A family's results and claim readiness today (docs/results.md). Families outside
    your scope answer 404, as do families not attached to the programme."""

    access_rule = "case roles; families in the user's scope (404 otherwise)"
    lookup_field = "reference"
    serializer_class = FamilyResultsSerializer
    queryset = Attachment.objects.none()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reference", str, OpenApiParameter.PATH, description="The family's reference"
            ),
        ],
        responses=FamilyResultsSerializer,
    )
    def retrieve(self, request: Request, reference: str) -> Response:
        user = request.user
        assert isinstance(user, User)
        if not access.can_view_families(user):
            raise PermissionDenied("Your account does not give access to families")
        family = family_get_for_user_or_404(user, reference)
        view = results_view_for_user(user, family, access.family_permissions(user, family))
        access_event_record(
            user=user,
            action="api_read",
            object_type="results",
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )
        if view is None:
            raise NotFound("This family is not attached to the programme")
        data = asdict(view)
        for check, source in zip(data["checks"], view.checks, strict=True):
            check["status"] = source.status
        return Response(FamilyResultsSerializer(data).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register("family-results", FamilyResultsViewSet, basename="family-results")
