"""Reference data about agencies and LCGs, for anyone signed in."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.routers import BaseRouter

from agencies.models import Agency


class AgencySerializer(serializers.ModelSerializer[Agency]):
    class Meta:
        model = Agency
        fields = ["code", "name", "kind", "is_active"]


class AgencyViewSet(viewsets.ReadOnlyModelViewSet[Agency]):
    """Reference data: the agencies in the programme."""

    access_rule = "any signed-in user (reference data, no case data)"
    queryset = Agency.objects.order_by("name")
    serializer_class = AgencySerializer
    lookup_field = "code"
    filterset_fields = ["kind", "is_active"]


def register(router: BaseRouter) -> None:
    """Agencies and LCGs (reference data) and staff administration."""
    from agencies.lcgs import api as lcgs_api
    from agencies.staff import api as staff_api

    router.register("agencies", AgencyViewSet, basename="agency")
    lcgs_api.register(router)
    staff_api.register(router)
