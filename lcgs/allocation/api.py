"""REST API for allocation: the same policy, selectors and service as the page.

``POST /api/families/{reference}/allocation/`` allocates a family or hands it over;
``GET /api/key-workers/?agency=CODE`` lists who can lead a family at an agency, with
their caseload, to choose by workload.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import Agency, Staff
from agencies.request_user import request_user_or_403
from families.access.access import can_view_families
from families.models import Family, Track
from families.selectors import family_get_for_user_or_404
from lcgs.allocation import selectors, services
from lcgs.allocation.access import can_allocate, can_allocate_family
from lcgs.allocation.selectors import KeyWorkerCaseload
from oneplan.text_limits import TextLimitsMixin

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The family's reference"
)
AGENCY = OpenApiParameter(
    "agency", str, required=True, description="The agency's code, like HCC-EH"
)


class AllocationRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    track = serializers.ChoiceField(choices=Track.choices)
    lead_agency = serializers.CharField(
        max_length=32, help_text="The lead agency's code, like HCC-EH"
    )
    lead_professional = serializers.CharField(
        max_length=150,
        required=False,
        allow_null=True,
        default=None,
        help_text="The lead professional's username: a key worker or practitioner of the "
        "lead agency (GET /api/key-workers/?agency=). Null or left out: the lead agency "
        "names one later",
    )
    reason = serializers.CharField(max_length=services.REASON_MAX_LENGTH)
    decision_source = serializers.CharField(
        max_length=services.SOURCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the decision was made, like an LCG meeting (kept in the history)",
    )


class AllocationSerializer(serializers.Serializer[services.Allocation]):
    reference = serializers.CharField(source="family.reference")
    status = serializers.CharField(source="family.status")
    track = serializers.CharField(source="family.track")
    lead_agency = serializers.CharField(source="assignment.lead_agency.code")
    lead_professional = serializers.CharField(
        source="assignment.lead_professional.user.username", allow_null=True, default=None
    )
    handover = serializers.BooleanField(
        help_text="True when the family had a lead already: its status stayed as it was"
    )
    started_at = serializers.DateTimeField(source="assignment.started_at")
    decision_source = serializers.CharField(
        source="assignment.source", help_text="Where the decision was made, if given"
    )


class FamilyAllocationViewSet(viewsets.GenericViewSet[Any]):
    """Allocate a family (track, lead agency, lead professional), or hand it over."""

    access_rule = (
        "coordinators of the family's LCG and programme managers (404 outside scope, 403 "
        "for others who see the family)"
    )
    queryset = Family.objects.none()
    serializer_class = AllocationSerializer

    @extend_schema(
        parameters=[REFERENCE],
        request=AllocationRequestSerializer,
        responses={200: AllocationSerializer},
    )
    def create(self, request: Request, reference: str) -> Response:
        """Allocate a screened family to a track, a lead agency and a lead professional
        (it moves to allocated), or hand an allocated family over to another lead (its
        status stays; the previous lead loses the access they had as lead professional,
        the new lead gains it). The new lead professional is emailed."""
        user = request_user_or_403(
            request, can_view_families, "Your account does not give access to families"
        )
        family = family_get_for_user_or_404(user, reference)
        if not can_allocate_family(user, family):
            raise PermissionDenied("Only the LCG's coordinators and programme managers allocate")
        payload = AllocationRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        agency = Agency.objects.filter(code=data["lead_agency"]).first()
        if agency is None:
            raise ValidationError(
                {"lead_agency": [f"No agency has the code {data['lead_agency']}"]}
            )
        professional = None
        if data["lead_professional"]:
            professional = (
                Staff.objects.select_related("user")
                .filter(user__username=data["lead_professional"])
                .first()
            )
            if professional is None:
                raise ValidationError(
                    {"lead_professional": [f"Nobody has the username {data['lead_professional']}"]}
                )
        allocation = services.family_allocate(
            actor=user,
            family=family,
            track=data["track"],
            lead_agency=agency,
            lead_professional=professional,
            reason=data["reason"],
            source=data["decision_source"] or None,
        )
        return Response(AllocationSerializer(allocation).data, status=status.HTTP_200_OK)


class KeyWorkerSerializer(serializers.Serializer[KeyWorkerCaseload]):
    username = serializers.CharField(source="staff.user.username")
    name = serializers.CharField(source="staff.display_name")
    job_title = serializers.CharField(source="staff.job_title")
    agency = serializers.CharField(source="staff.agency.code")
    roles = serializers.ListField(child=serializers.CharField(), source="staff.roles")
    families_led = serializers.IntegerField(help_text="Open families they lead")
    open_actions = serializers.IntegerField(help_text="Open plan actions that name them")
    overdue_actions = serializers.IntegerField(help_text="Of those, past their due date")


class KeyWorkerViewSet(viewsets.GenericViewSet[Any]):
    """Who can lead a family at an agency, with the work each carries today: for
    choosing a lead professional by workload."""

    access_rule = "LCG coordinators and programme managers (numbers only, no family named)"
    queryset = Staff.objects.none()
    serializer_class = KeyWorkerSerializer
    pagination_class = None

    @extend_schema(parameters=[AGENCY], responses=KeyWorkerSerializer(many=True))
    def list(self, request: Request) -> Response:
        """The agency's key workers and practitioners with an active account: the open
        families each leads and the open actions that name them (and how many are
        overdue), across the whole programme."""
        request_user_or_403(
            request, can_allocate, "Only LCG coordinators and programme managers allocate"
        )
        code = request.query_params.get("agency", "").strip()
        if not code:
            raise ValidationError({"agency": ["Enter the agency's code"]})
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise ValidationError({"agency": [f"No agency has the code {code}"]})
        rows = selectors.key_workers_with_caseload(
            agency_ids=[agency.pk], today=timezone.localdate()
        )
        return Response(self.get_serializer(rows, many=True).data)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register(
        r"families/(?P<reference>[^/.]+)/allocation",
        FamilyAllocationViewSet,
        basename="family-allocation",
    )
    router.register("key-workers", KeyWorkerViewSet, basename="key-worker")
