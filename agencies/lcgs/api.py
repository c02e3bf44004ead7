"""Reference data about LCGs, for anyone signed in."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.routers import BaseRouter

from agencies.lcgs.selectors import lcg_list
from agencies.models import LCG


class LCGSerializer(serializers.ModelSerializer[LCG]):
    class Meta:
        model = LCG
        fields = ["id", "code", "name", "districts", "postcode_districts"]


class LCGViewSet(viewsets.ReadOnlyModelViewSet[LCG]):
    """Reference data: the Local Coordination Groups and the areas they cover."""

    access_rule = "any signed-in user (reference data, no case data)"
    queryset = lcg_list()
    serializer_class = LCGSerializer
    lookup_field = "code"


def register(router: BaseRouter) -> None:
    router.register("lcgs", LCGViewSet, basename="lcg")
