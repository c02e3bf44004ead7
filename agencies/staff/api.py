"""Staff administration through the API, for system administrators only (403 for anyone
else): list, look up, invite, change, deactivate, reset two-step verification and make a
new set-up link. The rules are in ``agencies.staff.services``."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Agency, Staff, User
from agencies.roles import Role
from agencies.staff import services
from agencies.staff.access import NOT_AN_ADMINISTRATOR, can_administer_staff
from agencies.staff.filters import StaffFilter
from agencies.staff.links import set_up_link_url
from agencies.staff.memberships import staff_membership_kinds
from agencies.staff.selectors import (
    AccountStatus,
    staff_get_for_admin_or_404,
    staff_list_for_admin,
    staff_memberships,
)
from agencies.staff.services import JOB_TITLE_LENGTH, NAME_LENGTH, StaffAccess
from oneplan.text_limits import TextLimitsMixin

ADMIN_ONLY = "system administrators only (403 for everyone else)"
REASON_LENGTH = 1000


class IsStaffAdministrator(BasePermission):
    message = NOT_AN_ADMINISTRATOR

    def has_permission(self, request: Request, view: APIView) -> bool:
        return can_administer_staff(request.user)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class MembershipCodesField(serializers.Field):
    """The codes of one membership kind (LCGs) a member of staff holds, read from the
    ``memberships`` the view loaded for the whole page in one query per kind."""

    def __init__(self, kind_name: str, **kwargs: Any) -> None:
        self.kind_name = kind_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Staff) -> list[str]:
        held: dict[int, dict[str, list[str]]] = self.context.get("memberships") or {}
        if value.pk not in held:
            held = staff_memberships([value])
        return held.get(value.pk, {}).get(self.kind_name, [])


def _membership_fields(*, read_only: bool) -> dict[str, serializers.Field]:
    fields: dict[str, serializers.Field] = {}
    for kind in staff_membership_kinds():
        if read_only:
            fields[kind.name] = MembershipCodesField(kind.name, help_text=kind.hint)
        else:
            fields[kind.name] = serializers.ListField(
                child=serializers.CharField(max_length=32),
                label=kind.label,
                required=False,
                help_text=f"{kind.hint} Their codes, e.g. from /api/{kind.name}/.",
            )
    return fields


class StaffSerializer(serializers.ModelSerializer[Staff]):
    username = serializers.CharField(source="user.username", read_only=True)
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    agency: serializers.SlugRelatedField[Agency] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices), read_only=True
    )
    status = serializers.ChoiceField(
        source="account_status",
        choices=AccountStatus.choices,
        read_only=True,
        help_text="invited: has not set a password yet; deactivated: cannot sign in",
    )
    two_step_verification = serializers.BooleanField(
        source="has_authenticator_app",
        read_only=True,
        help_text="Whether they have set up an authenticator app",
    )
    last_login = serializers.DateTimeField(
        source="user.last_login", read_only=True, allow_null=True, help_text="Never: null"
    )

    class Meta:
        model = Staff
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "agency",
            "job_title",
            "roles",
            "status",
            "two_step_verification",
            "last_login",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**super().get_fields(), **_membership_fields(read_only=True)}


class _StaffChangeFields(serializers.Serializer[dict[str, Any]]):
    first_name = serializers.CharField(max_length=NAME_LENGTH)
    last_name = serializers.CharField(max_length=NAME_LENGTH)
    email = serializers.EmailField(
        label="Email address", required=False, allow_blank=True, max_length=254
    )
    agency = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Agency.objects.filter(is_active=True),
        help_text="The code of an active agency, from /api/agencies/",
    )
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=JOB_TITLE_LENGTH)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.choices),
        allow_empty=False,
        help_text="At least one role",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {**super().get_fields(), **_membership_fields(read_only=False)}


class StaffChangeSerializer(TextLimitsMixin, _StaffChangeFields):
    def access(self) -> StaffAccess:
        data = self.validated_data
        return StaffAccess(
            agency=data["agency"],
            roles=list(data["roles"]),
            job_title=data.get("job_title", ""),
            memberships={
                kind.name: list(data.get(kind.name, [])) for kind in staff_membership_kinds()
            },
        )


class StaffInviteSerializer(StaffChangeSerializer):
    username = serializers.CharField(
        max_length=NAME_LENGTH, help_text="What they will sign in with; cannot be changed"
    )


class SetUpLinkSerializer(serializers.Serializer[dict[str, Any]]):
    set_up_link = serializers.URLField(
        read_only=True,
        help_text="Give this to the person: they choose their password there. Shown "
        "only now (OnePlan keeps a hash); it works once.",
    )
    expires_at = serializers.DateTimeField(read_only=True)


class StaffInvitedSerializer(SetUpLinkSerializer):
    staff = StaffSerializer(read_only=True)


class ReasonSerializer(TextLimitsMixin, serializers.Serializer[dict[str, str]]):
    reason = serializers.CharField(max_length=REASON_LENGTH, help_text="Why, for the record")


class StaffViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Staff]
):
    """Staff accounts: for system administrators only."""

    access_rule = ADMIN_ONLY
    permission_classes = [IsStaffAdministrator]
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    queryset = Staff.objects.none()

    def _actor(self) -> User:
        assert isinstance(self.request.user, User)
        return self.request.user

    def get_queryset(self) -> QuerySet[Staff]:
        return staff_list_for_admin(self.request.user)

    def get_object(self) -> Staff:
        # A path that is not a number is 404 like one that names nobody.
        key = str(self.kwargs.get("pk", ""))
        return staff_get_for_admin_or_404(self.request.user, int(key) if key.isdigit() else 0)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page) if page is not None else list(queryset)
        context = {**self.get_serializer_context(), "memberships": staff_memberships(rows)}
        data = StaffSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def _staff_response(self, staff: Staff, code: int = status.HTTP_200_OK) -> Response:
        fresh = staff_get_for_admin_or_404(self.request.user, staff.pk)
        return Response(StaffSerializer(fresh, context=self.get_serializer_context()).data, code)

    @extend_schema(
        summary="Invite a member of staff",
        request=StaffInviteSerializer,
        responses={201: StaffInvitedSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = StaffInviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invited = services.staff_invite(
            actor=self._actor(),
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data.get("email", ""),
            access=serializer.access(),
        )
        staff = staff_get_for_admin_or_404(request.user, invited.staff.pk)
        body = {
            "staff": staff,
            "set_up_link": set_up_link_url(request._request, invited.set_up.token),
            "expires_at": invited.set_up.link.expires_at,
        }
        answer = StaffInvitedSerializer(body, context=self.get_serializer_context())
        return Response(answer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a member of staff's details, agency, roles and memberships",
        request=StaffChangeSerializer,
        responses={200: StaffSerializer},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        staff = self.get_object()
        serializer = StaffChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.staff_change(
            actor=self._actor(),
            staff=staff,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data.get("email", ""),
            access=serializer.access(),
        )
        return self._staff_response(staff)

    @extend_schema(
        summary="Deactivate a member of staff: ends their sessions, API tokens and set-up link",
        request=ReasonSerializer,
        responses={200: StaffSerializer},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        staff = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.staff_deactivate(
            actor=self._actor(), staff=staff, reason=serializer.validated_data["reason"]
        )
        return self._staff_response(staff)

    @extend_schema(
        summary="Reset a member of staff's two-step verification (a lost phone)",
        request=ReasonSerializer,
        responses={200: StaffSerializer},
    )
    @action(detail=True, methods=["post"], url_path="reset-two-step-verification")
    def reset_two_step_verification(self, request: Request, pk: str | None = None) -> Response:
        staff = self.get_object()
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.staff_mfa_reset(
            actor=self._actor(), staff=staff, reason=serializer.validated_data["reason"]
        )
        return self._staff_response(staff)

    @extend_schema(
        summary="Make a new set-up link for someone invited (earlier links stop working)",
        request=None,
        responses={201: SetUpLinkSerializer},
    )
    @action(detail=True, methods=["post"], url_path="set-up-link")
    def set_up_link(self, request: Request, pk: str | None = None) -> Response:
        staff = self.get_object()
        issued = services.staff_set_up_link_issue(actor=self._actor(), staff=staff)
        body = {
            "set_up_link": set_up_link_url(request._request, issued.token),
            "expires_at": issued.link.expires_at,
        }
        return Response(SetUpLinkSerializer(body).data, status=status.HTTP_201_CREATED)


def register(router: Any) -> None:
    router.register("staff", StaffViewSet, basename="staff")
