"""REST API for families: the same selectors, policy and services as the pages."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record, access_events_record_many
from families import selectors, services
from families.access import access
from families.access.address import address_for_viewer
from families.filters import FamilyFilter
from families.models import Family, FamilyStatusChange, HouseholdMembership
from families.states import FamilyStatus, chosen_transitions
from oneplan.text_limits import TextLimitsMixin


class MemberSerializer(serializers.ModelSerializer[HouseholdMembership]):
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth")
    sex = serializers.CharField(source="person.sex")

    class Meta:
        model = HouseholdMembership
        fields = [
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "role",
            "start_date",
            "end_date",
        ]


class StatusChangeSerializer(serializers.ModelSerializer[FamilyStatusChange]):
    actor = serializers.CharField(source="actor.get_full_name")

    class Meta:
        model = FamilyStatusChange
        fields = ["from_status", "to_status", "reason", "actor", "created_at"]


class FamilyListSerializer(serializers.ModelSerializer[Family]):
    lcg = serializers.CharField(source="lcg.code", allow_null=True, default=None)
    lead_agency = serializers.CharField(source="lead_agency.code", allow_null=True, default=None)
    lead_professional = serializers.CharField(
        source="lead_professional.display_name", allow_null=True, default=None
    )
    main_carer = serializers.CharField(allow_null=True)
    member_count = serializers.IntegerField()

    class Meta:
        model = Family
        fields = [
            "reference",
            "lcg",
            "status",
            "status_changed_at",
            "lead_agency",
            "lead_professional",
            "main_carer",
            "member_count",
            "attached_on",
        ]


class AddressSerializer(serializers.Serializer[Any]):
    line_1 = serializers.CharField()
    line_2 = serializers.CharField()
    town = serializers.CharField()
    postcode = serializers.CharField()
    is_protected = serializers.BooleanField()
    restricted = serializers.BooleanField(
        help_text="True when the address is protected and hidden from you"
    )


class FamilyDetailSerializer(serializers.ModelSerializer[Family]):
    lcg = serializers.CharField(source="lcg.code", allow_null=True, default=None)
    lead_agency = serializers.CharField(source="lead_agency.code", allow_null=True, default=None)
    lead_professional = serializers.CharField(
        source="lead_professional.display_name", allow_null=True, default=None
    )
    address = serializers.SerializerMethodField()
    members = MemberSerializer(many=True, source="memberships")
    status_history = StatusChangeSerializer(many=True, source="status_changes")
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Family
        fields = [
            "reference",
            "lcg",
            "status",
            "status_changed_at",
            "attached_on",
            "track",
            "lead_agency",
            "lead_professional",
            "address",
            "members",
            "status_history",
            "allowed_transitions",
        ]

    @extend_schema_field(AddressSerializer(allow_null=True))
    def get_address(self, family: Family) -> dict[str, Any] | None:
        # A withheld address is a visible marker, not silence: the reader knows something
        # is withheld. The rule is families.access.address's.
        shown = address_for_viewer(self.context["request"].user, family)
        if shown is None:
            return None
        address = family.address
        assert address is not None
        return {
            "line_1": "" if shown.withheld else address.line_1,
            "line_2": "" if shown.withheld else address.line_2,
            "town": "" if shown.withheld else address.town,
            "postcode": shown.postcode,
            "is_protected": shown.is_protected,
            "restricted": shown.withheld,
        }

    def get_allowed_transitions(self, family: Family) -> list[str]:
        if not access.can_change_status(self.context["request"].user, family):
            return []
        return [s.value for s in chosen_transitions(family.status)]


class TransitionSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    to_status = serializers.ChoiceField(
        choices=FamilyStatus.choices,
        help_text="One of the family's allowed_transitions: a side exit, closed, or "
        "identified to re-open it",
    )
    reason = serializers.CharField(max_length=2000)


class FamilyViewSet(viewsets.ReadOnlyModelViewSet[Family]):
    """Families you may see. Others answer 404, as if they did not exist."""

    access_rule = "case roles; families in the user's scope (404 otherwise)"
    lookup_field = "reference"
    queryset = Family.objects.none()
    filterset_class = FamilyFilter

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Family]]:
        return FamilyListSerializer if self.action == "list" else FamilyDetailSerializer

    def _user(self) -> User:
        return request_user_or_403(
            self.request, access.can_view_families, "Your account does not give access to families"
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        page = getattr(self.paginator, "page", None)
        shown = list(page.object_list) if page is not None else []
        if shown:
            access_events_record_many(
                user=self._user(),
                family_ids=[f.pk for f in shown],
                family_references=[f.reference for f in shown],
                filters=dict(request.query_params.items()),
                request=request,
                detail={"api": True},
            )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        family = self.get_object()
        access_event_record(
            user=self._user(),
            action="api_read",
            object_type="family",
            object_id=str(family.pk),
            family_id=family.pk,
            family_reference=family.reference,
            request=request,
        )
        return Response(self.get_serializer(family).data)

    def get_queryset(self):
        # Filtered by FamilyFilter (filterset_class), which narrows this list.
        return selectors.family_list_for_user(self._user())

    def get_object(self) -> Family:
        return selectors.family_get_for_user_or_404(self._user(), self.kwargs["reference"])

    @extend_schema(
        request=TransitionSerializer,
        responses={
            200: FamilyDetailSerializer,
            204: OpenApiResponse(
                description="Done, and the change ended your access to the family (its "
                "lead professional closing the case): there is nothing more to show you"
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, reference: str) -> Response:
        """Take a side exit (declined, moved away, closed without outcome), close the case
        where its journey allows it, or re-open it, with a reason. Every other status
        follows from what happened (screening, allocation, the family's agreement to work
        with the programme and to its plan, results, claims) and is refused here; the
        family's ``allowed_transitions`` lists what you may choose."""
        user = self._user()
        family = self.get_object()
        if not access.can_change_status(user, family):
            raise PermissionDenied("You cannot change this family's status")
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.family_transition(
            actor=user,
            family=family,
            to_status=payload.validated_data["to_status"],
            reason=payload.validated_data["reason"],
            chosen=True,
        )
        if not selectors.family_visible_to(user, family):
            return Response(status=status.HTTP_204_NO_CONTENT)
        fresh = selectors.family_get_for_user_or_404(user, family.reference)
        return Response(
            FamilyDetailSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_200_OK,
        )


def register(router: BaseRouter) -> None:
    """The family API, and its areas' (search)."""
    from families.access import ledger_api
    from families.household import api as household_api
    from families.search import api as search_api

    router.register("families", FamilyViewSet, basename="family")
    search_api.register(router)
    household_api.register(router)
    ledger_api.register(router)
