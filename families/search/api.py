"""REST API for search: the same selector and rules as the search page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.models import User
from audit.services import access_events_record_many
from families.access import access
from families.filters import query_parameters
from families.models import HouseholdMembership
from families.search.filters import PersonSearchParameters, person_search
from families.search.selectors import person_search_for_user
from families.states import FamilyStatus


class SearchFamilySerializer(serializers.Serializer[Any]):
    reference = serializers.CharField()
    lcg = serializers.CharField(source="lcg.code", allow_null=True, default=None)
    lcg_name = serializers.CharField(source="lcg.name", allow_null=True, default=None)
    status = serializers.ChoiceField(choices=FamilyStatus.choices)


class SearchResultSerializer(serializers.Serializer[Any]):
    person_id = serializers.IntegerField()
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    date_of_birth = serializers.DateField(source="person.date_of_birth")
    role_in_family = serializers.CharField(
        source="role", help_text="parent_carer, child or other_adult"
    )
    family = SearchFamilySerializer()
    score = serializers.FloatField(
        allow_null=True,
        default=None,
        help_text="How closely the name matched (higher is closer); null without a name",
    )


class PersonSearchViewSet(viewsets.GenericViewSet[HouseholdMembership]):
    """Find people, and their current family, among the families you may see."""

    access_rule = "case and oversight roles; finds only people in families in the user's scope"
    serializer_class = SearchResultSerializer
    queryset = HouseholdMembership.objects.none()
    filterset_class = PersonSearchParameters

    def _user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        if not access.can_view_families(user):
            raise PermissionDenied("Your account does not give access to families")
        return user

    @extend_schema(
        description=(
            "Give at least one of q, date_of_birth and postcode; every one given must "
            "match. Best matches first. Only people whose current family you may see."
        ),
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self._user()
        search = person_search(query_parameters(self))
        rows = person_search_for_user(user, search)
        page = self.paginate_queryset(rows)
        shown = list(page if page is not None else rows)
        access_events_record_many(
            user=user,
            family_ids=sorted({row.family_id for row in shown}),
            family_references=sorted({row.family.reference for row in shown}),
            object_type="person",
            filters=search.as_filters(),
            request=request,
            detail={"search": True, "api": True, "people": [row.person_id for row in shown]},
        )
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data)


def register(router: BaseRouter) -> None:
    router.register("search", PersonSearchViewSet, basename="search")
