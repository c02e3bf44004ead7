"""REST API for household records: the same selectors, rule and services as the pages.

Reads carry an ``ETag`` (the record's version); every change sends it back in
``If-Match``: without it the answer is 428, and with a stale one 412 with the record as
it is now, so nobody's correction is lost silently.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from agencies.request_user import request_user_or_403
from audit.services import access_event_record
from families.access.access import can_view_families
from families.access.address import address_for_viewer
from families.household import selectors, services
from families.household.access import CORRECT_DENIED, can_correct_household
from families.models import Family, HouseholdMembership, MemberRole, Person, Sex
from families.selectors import family_get_for_user_or_404
from oneplan.api_errors import ErrorDetailSerializer, OneObjectSchema
from oneplan.text_limits import TextLimitsMixin

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The family's reference"
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last GET of this record. Required: without it the "
    "answer is 428; if someone changed the record since, 412 with it as it is now.",
)
PRECONDITION_REQUIRED = OpenApiResponse(ErrorDetailSerializer, "No If-Match header was sent")
NO_ACCESS = "Your account does not give access to families"


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send the ETag you read in an If-Match header, so that nobody's changes are lost"
    )
    default_code = "precondition_required"


def _etag(prefix: str, version: str) -> str:
    return f'"{prefix}-{version}"'


def _expected(request: Request, prefix: str) -> str:
    """The version the caller read, from If-Match; a tag of another record can never
    match (the service then answers with a conflict)."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    found = re.fullmatch(r'(?:W/)?"' + re.escape(prefix) + r'-([0-9.]+)"', header)
    return found.group(1) if found else "stale"


def _with_etag(data: Any, etag: str, code: int = status.HTTP_200_OK) -> Response:
    response = Response(data, status=code)
    response["ETag"] = etag
    return response


def _conflict(exc: services.RecordChanged, current: Any, etag: str) -> Response:
    return _with_etag(
        {"detail": exc.message, "current": current}, etag, status.HTTP_412_PRECONDITION_FAILED
    )


def _conflict_schema(name: str, current: serializers.Serializer[Any]) -> OpenApiResponse:
    return OpenApiResponse(
        inline_serializer(
            name=name, fields={"detail": serializers.CharField(), "current": current}
        ),
        "Someone changed the record after the version in If-Match: the record as it is "
        "now (its ETag in the ETag header)",
    )


# ---------------------------------------------------------------------------
# Serializers
# ---------------------------------------------------------------------------


class HouseholdMemberSerializer(serializers.ModelSerializer[HouseholdMembership]):
    person_id = serializers.IntegerField()
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth")

    class Meta:
        model = HouseholdMembership
        fields = [
            "id",
            "person_id",
            "given_name",
            "family_name",
            "date_of_birth",
            "role",
            "start_date",
            "end_date",
        ]


class MemberAddSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    person_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="An existing person (in a family you can see); or leave it out and give "
        "the new person's details",
    )
    given_name = serializers.CharField(max_length=services.NAME_MAX, required=False, default="")
    family_name = serializers.CharField(max_length=services.NAME_MAX, required=False, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, default="")
    upn = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    nhs_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    ni_number = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    role = serializers.ChoiceField(choices=MemberRole.choices)
    start_date = serializers.DateField()
    reason = serializers.CharField(max_length=services.REASON_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["person_id"] is None and attrs["date_of_birth"] is None:
            raise serializers.ValidationError(
                {"date_of_birth": ["Enter a date of birth, or give an existing person_id"]}
            )
        return attrs


class MembershipChangeSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=MemberRole.choices, required=False)
    end_date = serializers.DateField(
        required=False, help_text="The date they left the household: ends the membership"
    )
    reason = serializers.CharField(max_length=services.REASON_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("role" in attrs) == ("end_date" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": ["Give either a new role or the date they left"]}
            )
        return attrs


class PersonSerializer(serializers.ModelSerializer[Person]):
    class Meta:
        model = Person
        fields = [
            "id",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "upn",
            "nhs_number",
            "ni_number",
        ]


class PersonCorrectSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    given_name = serializers.CharField(max_length=services.NAME_MAX, required=False)
    family_name = serializers.CharField(max_length=services.NAME_MAX, required=False)
    date_of_birth = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    upn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    nhs_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ni_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    reason = serializers.CharField(
        max_length=services.REASON_MAX, help_text="Why the details were wrong: kept with the change"
    )


class FieldChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(source="label", help_text="What changed")
    old = serializers.CharField()
    new = serializers.CharField()
    withheld = serializers.BooleanField(
        help_text="True when the values are restricted and hidden from you"
    )


class RecordChangeSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    record_type = serializers.CharField()
    record_id = serializers.IntegerField()
    record = serializers.CharField()
    action = serializers.CharField()
    by = serializers.CharField()
    reason = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class FamilyAddressSerializer(serializers.Serializer[Any]):
    line_1 = serializers.CharField()
    line_2 = serializers.CharField()
    town = serializers.CharField()
    postcode = serializers.CharField()
    is_protected = serializers.BooleanField()
    restricted = serializers.BooleanField(
        help_text="True when the address is protected and hidden from you"
    )


class AddressWriteSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    line_1 = serializers.CharField(max_length=200)
    line_2 = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    town = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    postcode = serializers.CharField(max_length=10)
    reason = serializers.CharField(max_length=services.REASON_MAX)


class AddressMoveSerializer(AddressWriteSerializer):
    is_protected = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A refuge or safe address: protected from the start",
    )


class AddressProtectionSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    protected = serializers.BooleanField()
    reason = serializers.CharField(max_length=services.REASON_MAX)


# ---------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------


class _Household(viewsets.GenericViewSet[Any]):
    lookup_value_regex = r"[0-9]+"

    def _user(self) -> User:
        return request_user_or_403(self.request, can_view_families, NO_ACCESS)

    def _family(self) -> tuple[User, Family]:
        user = self._user()
        return user, family_get_for_user_or_404(user, self.kwargs["reference"])

    def _corrector(self) -> tuple[User, Family]:
        user, family = self._family()
        if not can_correct_household(user, family):
            raise PermissionDenied(CORRECT_DENIED)
        return user, family

    def _read(self, user: User, family: Family, what: str, object_id: int) -> None:
        access_event_record(
            user=user,
            action="api_read",
            object_type=what,
            object_id=str(object_id),
            family_id=family.pk,
            family_reference=family.reference,
            request=self.request,
        )


@extend_schema(parameters=[REFERENCE])
class HouseholdViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _Household):
    """Everyone who is or was in the family's household, current members first. The
    family's lead professional and its LCG's coordinators add people, change roles and
    record leaving, each with a reason."""

    access_rule = (
        "read: anyone who can see the family (404 otherwise); change: the lead professional "
        "and the LCG's coordinators (can_correct_household)"
    )
    serializer_class = HouseholdMemberSerializer
    queryset = HouseholdMembership.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    pagination_class = None

    def get_queryset(self) -> QuerySet[HouseholdMembership]:
        if getattr(self, "swagger_fake_view", False):
            return HouseholdMembership.objects.none()
        _user, family = self._family()
        return HouseholdMembership.objects.filter(family=family).select_related("person")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        self._read(user, family, "household", family.pk)
        members = selectors.household_members(family)
        return Response(HouseholdMemberSerializer(members, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        membership = selectors.membership_get_or_404(family, int(kwargs["pk"]))
        self._read(user, family, "person", membership.person_id)
        return _with_etag(
            HouseholdMemberSerializer(membership).data,
            _etag(f"membership{membership.pk}", services.membership_version(membership)),
        )

    @extend_schema(request=MemberAddSerializer, responses={201: HouseholdMemberSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._corrector()
        payload = MemberAddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        person = None
        details = None
        if data["person_id"] is not None:
            person = Person.objects.filter(pk=data["person_id"]).first()
            if person is None or not services.person_may_join(user, person):
                raise serializers.ValidationError({"person_id": ["Select a person you can see"]})
        else:
            details = services.PersonDetails(
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                upn=data["upn"],
                nhs_number=data["nhs_number"],
                ni_number=data["ni_number"],
            )
        membership = services.household_member_add(
            actor=user,
            family=family,
            role=data["role"],
            start_date=data["start_date"],
            reason=data["reason"],
            details=details,
            person=person,
        )
        return _with_etag(
            HouseholdMemberSerializer(membership).data,
            _etag(f"membership{membership.pk}", services.membership_version(membership)),
            status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=MembershipChangeSerializer,
        parameters=[IF_MATCH],
        responses={
            200: HouseholdMemberSerializer,
            412: _conflict_schema("HouseholdMemberConflict", HouseholdMemberSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change a member's role, or record the date they left, with the reason."""
        user, family = self._corrector()
        membership = selectors.membership_get_or_404(family, int(kwargs["pk"]))
        prefix = f"membership{membership.pk}"
        expected = _expected(request, prefix)
        payload = MembershipChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            if "role" in data:
                changed = services.household_membership_role_change(
                    actor=user,
                    family=family,
                    membership=membership,
                    role=data["role"],
                    reason=data["reason"],
                    expected_version=expected,
                )
            else:
                changed = services.household_membership_end(
                    actor=user,
                    family=family,
                    membership=membership,
                    end_date=data["end_date"],
                    reason=data["reason"],
                    expected_version=expected,
                )
        except services.RecordChanged as exc:
            current = selectors.membership_get_or_404(family, membership.pk)
            return _conflict(
                exc, HouseholdMemberSerializer(current).data, _etag(prefix, exc.current_version)
            )
        return _with_etag(
            HouseholdMemberSerializer(changed).data,
            _etag(prefix, services.membership_version(changed)),
        )


@extend_schema(parameters=[REFERENCE])
class HouseholdPersonViewSet(mixins.RetrieveModelMixin, _Household):
    """A person who is or was in the family's household: their details, corrections to
    them (with the reason) and the history of every change."""

    access_rule = (
        "read: anyone who can see the family (404 otherwise); correct: the lead "
        "professional and the LCG's coordinators (can_correct_household)"
    )
    serializer_class = PersonSerializer
    queryset = Person.objects.none()
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Person]:
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        _user, family = self._family()
        return Person.objects.filter(memberships__family=family).distinct()

    def _person(self, family: Family) -> Person:
        return selectors.person_get_or_404(family, int(self.kwargs["pk"]))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        person = self._person(family)
        self._read(user, family, "person", person.pk)
        return _with_etag(
            PersonSerializer(person).data,
            _etag(f"person{person.pk}", services.person_version(person)),
        )

    @extend_schema(
        request=PersonCorrectSerializer,
        parameters=[IF_MATCH],
        responses={
            200: PersonSerializer,
            412: _conflict_schema("PersonConflict", PersonSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct the person's details: send the fields that change and the reason."""
        user, family = self._corrector()
        person = self._person(family)
        prefix = f"person{person.pk}"
        expected = _expected(request, prefix)
        payload = PersonCorrectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        details = services.PersonDetails(
            given_name=data.get("given_name", person.given_name),
            family_name=data.get("family_name", person.family_name),
            date_of_birth=data.get("date_of_birth", person.date_of_birth),
            sex=data.get("sex", person.sex),
            upn=data.get("upn", person.upn),
            nhs_number=data.get("nhs_number", person.nhs_number),
            ni_number=data.get("ni_number", person.ni_number),
        )
        try:
            corrected = services.person_correct(
                actor=user,
                family=family,
                person=person,
                details=details,
                reason=data["reason"],
                expected_version=expected,
            )
        except services.RecordChanged as exc:
            return _conflict(exc, PersonSerializer(person).data, _etag(prefix, exc.current_version))
        return _with_etag(
            PersonSerializer(corrected).data, _etag(prefix, services.person_version(corrected))
        )

    @extend_schema(responses={200: RecordChangeSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def changes(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every recorded change to the person's details and their membership of this
        household, newest first: who, when, old and new values, and why."""
        user, family = self._family()
        person = self._person(family)
        self._read(user, family, "person_changes", person.pk)
        found = selectors.person_changes_for_user(user, family, person)
        return Response(RecordChangeSerializer(found.changes, many=True).data)


@extend_schema(parameters=[REFERENCE])
class FamilyChangesViewSet(mixins.ListModelMixin, _Household):
    """Every recorded change to the family's household records, newest first: its
    address, household members and their details. A protected address's values are
    withheld from those who may not see restricted information."""

    access_rule = "anyone who can see the family (404 otherwise); restricted values withheld"
    serializer_class = RecordChangeSerializer
    queryset = Family.objects.none()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        self._read(user, family, "family_changes", family.pk)
        changes = selectors.family_changes_for_user(user, family).changes
        page = self.paginate_queryset(changes)  # type: ignore[arg-type, unused-ignore]
        shown = list(page) if page is not None else changes
        data = RecordChangeSerializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


def _address_data(user: User, family: Family) -> dict[str, Any] | None:
    shown = address_for_viewer(user, family)
    if shown is None or family.address is None:
        return None
    address = family.address
    return {
        "line_1": "" if shown.withheld else address.line_1,
        "line_2": "" if shown.withheld else address.line_2,
        "town": "" if shown.withheld else address.town,
        "postcode": shown.postcode,
        "is_protected": shown.is_protected,
        "restricted": shown.withheld,
    }


@extend_schema(parameters=[REFERENCE])
class FamilyAddressViewSet(mixins.ListModelMixin, _Household):
    """The family's address (a protected one is withheld from those who may not see
    it), with its ETag. The lead professional and the LCG's coordinators record a new
    address when the family moves, correct it, and protect it (a refuge or safe
    address) or end its protection, each with a reason and the ETag in If-Match."""

    access_rule = (
        "read: anyone who can see the family (404 otherwise), a protected address withheld "
        "without the restricted permission; change: can_correct_household"
    )
    serializer_class = FamilyAddressSerializer
    queryset = Family.objects.none()
    schema = OneObjectSchema()
    pagination_class = None

    def _etag(self, family: Family) -> str:
        return _etag(f"address{family.pk}", services.address_version(family))

    def _fresh(self, user: User, family: Family) -> Family:
        return family_get_for_user_or_404(user, family.reference)

    @extend_schema(responses={200: FamilyAddressSerializer(allow_null=True)})
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user, family = self._family()
        self._read(user, family, "address", family.address_id or family.pk)
        return _with_etag(_address_data(user, family), self._etag(family))

    def _answer(self, user: User, family: Family, code: int = status.HTTP_200_OK) -> Response:
        fresh = self._fresh(user, family)
        return _with_etag(_address_data(user, fresh), self._etag(fresh), code)

    def _conflict(self, user: User, family: Family, exc: services.RecordChanged) -> Response:
        fresh = self._fresh(user, family)
        return _conflict(exc, _address_data(user, fresh), self._etag(fresh))

    @extend_schema(
        request=AddressMoveSerializer,
        parameters=[IF_MATCH],
        responses={
            201: FamilyAddressSerializer,
            412: _conflict_schema("FamilyAddressMoveConflict", FamilyAddressSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The family has moved: record its new address (protected from the start if it
        is a refuge). The old address stays in the family's changes."""
        user, family = self._corrector()
        expected = _expected(request, f"address{family.pk}")
        payload = AddressMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.family_address_change(
                actor=user,
                family=family,
                details=services.AddressDetails(
                    postcode=data["postcode"],
                    line_1=data["line_1"],
                    line_2=data["line_2"],
                    town=data["town"],
                ),
                is_protected=data["is_protected"],
                reason=data["reason"],
                expected_version=expected,
            )
        except services.RecordChanged as exc:
            return self._conflict(user, family, exc)
        return self._answer(user, family, status.HTTP_201_CREATED)

    @extend_schema(
        request=AddressWriteSerializer,
        parameters=[IF_MATCH],
        responses={
            200: FamilyAddressSerializer,
            412: _conflict_schema("FamilyAddressCorrectConflict", FamilyAddressSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    @action(detail=False, methods=["post"])
    def correct(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Correct the family's current address (recorded wrongly), with the reason."""
        user, family = self._corrector()
        expected = _expected(request, f"address{family.pk}")
        payload = AddressWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.family_address_correct(
                actor=user,
                family=family,
                details=services.AddressDetails(
                    postcode=data["postcode"],
                    line_1=data["line_1"],
                    line_2=data["line_2"],
                    town=data["town"],
                ),
                reason=data["reason"],
                expected_version=expected,
            )
        except services.RecordChanged as exc:
            return self._conflict(user, family, exc)
        return self._answer(user, family)

    @extend_schema(
        request=AddressProtectionSerializer,
        parameters=[IF_MATCH],
        responses={
            200: FamilyAddressSerializer,
            412: _conflict_schema("FamilyAddressProtectionConflict", FamilyAddressSerializer()),
            428: PRECONDITION_REQUIRED,
        },
    )
    @action(detail=False, methods=["post"])
    def protection(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Protect the family's address (a refuge or safe address) or end its
        protection, with the reason. It takes effect at once, everywhere."""
        user, family = self._corrector()
        expected = _expected(request, f"address{family.pk}")
        payload = AddressProtectionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            services.family_address_protect(
                actor=user,
                family=family,
                protected=data["protected"],
                reason=data["reason"],
                expected_version=expected,
            )
        except services.RecordChanged as exc:
            return self._conflict(user, family, exc)
        return self._answer(user, family)


def register(router: BaseRouter) -> None:
    """Add the household API to the project's router."""
    family = r"families/(?P<reference>[^/.]+)"
    router.register(f"{family}/household", HouseholdViewSet, basename="family-household")
    router.register(f"{family}/people", HouseholdPersonViewSet, basename="family-person")
    router.register(f"{family}/changes", FamilyChangesViewSet, basename="family-changes")
    router.register(f"{family}/address", FamilyAddressViewSet, basename="family-address")
