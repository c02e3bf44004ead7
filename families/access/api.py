"""REST API for break glass: the same policy and services as the page."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from families.access import access, rules, services
from oneplan.api_errors import ErrorDetailSerializer
from oneplan.text_limits import TextLimitsMixin


class BreakGlassRequestSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    reference = serializers.CharField(
        max_length=12,
        error_messages={
            "required": "Enter the family reference",
            "blank": "Enter the family reference",
            "max_length": "Family reference must be 12 characters or fewer",
        },
    )
    category = serializers.ChoiceField(
        choices=rules.BreakGlassCategory.choices,
        error_messages={
            "required": rules.CATEGORY_MISSING,
            "invalid_choice": rules.CATEGORY_MISSING,
        },
    )
    reason = serializers.CharField(
        max_length=rules.REASON_MAX_CHARACTERS,
        error_messages={
            "required": rules.REASON_MISSING,
            "blank": rules.REASON_MISSING,
            "max_length": rules.REASON_TOO_LONG,
        },
    )

    def validate_reason(self, value: str) -> str:
        # The reason's own rules, whatever the category, so both fields' errors show.
        for problem in rules.break_glass_reason_problems(
            category=rules.BreakGlassCategory.OTHER, reason=value
        ):
            raise ValidationError(problem.message)
        return value


class BreakGlassAccessSerializer(serializers.Serializer[Any]):
    reference = serializers.CharField(source="access.family.reference")
    category = serializers.CharField(source="access.category")
    started_at = serializers.DateTimeField(source="access.started_at")
    expires_at = serializers.DateTimeField(source="access.expires_at")
    already_open = serializers.SerializerMethodField()

    def get_already_open(self, result: services.BreakGlassResult) -> bool:
        return not result.opened


class BreakGlassAPIView(APIView):
    """Emergency access to a family outside your scope, with the kind of emergency and a
    reason. 201 when opened; 200 when you already have it (not extended); 429 past the
    daily limit. A reference that names no family is refused only after every other
    check, so refusals do not tell whether a family exists."""

    access_rule = "case workers and LCG coordinators, with a reason; logged and reviewed"

    @extend_schema(
        request=BreakGlassRequestSerializer,
        responses={
            200: BreakGlassAccessSerializer,
            201: BreakGlassAccessSerializer,
            429: OpenApiResponse(ErrorDetailSerializer, "Past the daily limit of emergency access"),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        assert isinstance(user, User)
        if not access.can_break_glass(user):
            raise PermissionDenied("Your role already sees every family, or cannot break glass")
        payload = BreakGlassRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = services.break_glass_open(
                actor=user,
                reference=payload.validated_data["reference"],
                category=payload.validated_data["category"],
                reason=payload.validated_data["reason"],
            )
        except services.BreakGlassLimitReached as exc:
            return Response({"detail": exc.message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
        if result.opened:
            services.break_glass_opened_record(
                request=request, user=user, access=result.access, via_api=True
            )
        return Response(
            BreakGlassAccessSerializer(result).data,
            status=status.HTTP_201_CREATED if result.opened else status.HTTP_200_OK,
        )
