"""REST API for claims on "equivalent progress" in a claim batch (DOMAIN.md 4.2, 5): the
same policy and service as the page (``outcomes.claims.equivalent``). Reading: whoever
sees claims; adding: senior officers only (403, nothing changed, for anyone else)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from families.selectors import family_get_for_user_or_404
from oneplan.text_limits import TextLimitsMixin
from outcomes.claims.access import can_claim_equivalent_progress, can_see_claims
from outcomes.claims.equivalent import REASON_MAX, REASON_MIN, claim_equivalent_add
from outcomes.models import Claim, ClaimBatch, ClaimKind

BATCH = OpenApiParameter("batch_id", int, OpenApiParameter.PATH, description="The batch")


class EquivalentClaimSerializer(serializers.ModelSerializer[Claim]):
    family = serializers.CharField(source="family.reference")

    class Meta:
        model = Claim
        fields = [
            "id",
            "family",
            "framework",
            "route",
            "kind",
            "equivalent_reason",
            "claim_date",
            "amount",
            "status",
            "snapshot_sha256",
            "created_at",
        ]


class EquivalentClaimInputSerializer(TextLimitsMixin, serializers.Serializer[Any]):
    family = serializers.CharField(max_length=40, help_text="The family's reference")
    reason = serializers.CharField(
        min_length=REASON_MIN,
        max_length=REASON_MAX,
        help_text="Why the family's progress is equivalent to the result",
    )


@extend_schema(parameters=[BATCH])
class EquivalentClaimViewSet(viewsets.GenericViewSet[Claim]):
    """The batch's claims on equivalent progress; a senior officer adds one to a draft
    batch with a written reason."""

    access_rule = (
        "read: programme managers, internal auditors and senior officers; add: senior "
        "officers (a draft batch; the family attached and not claimable)"
    )
    serializer_class = EquivalentClaimSerializer
    queryset = Claim.objects.none()
    pagination_class = None

    @extend_schema(responses=EquivalentClaimSerializer(many=True))
    def list(self, request: Request, batch_id: str) -> Response:
        request_user_or_403(request, can_see_claims, "You cannot see claims")
        batch = get_object_or_404(ClaimBatch, pk=int(batch_id))
        claims = (
            Claim.objects.filter(batch=batch, kind=ClaimKind.EQUIVALENT)
            .select_related("family")
            .order_by("family__reference", "pk")
        )
        return Response(EquivalentClaimSerializer(claims, many=True).data)

    @extend_schema(
        request=EquivalentClaimInputSerializer, responses={201: EquivalentClaimSerializer}
    )
    def create(self, request: Request, batch_id: str) -> Response:
        user = request_user_or_403(
            request,
            can_claim_equivalent_progress,
            "Only a senior officer approves claims on equivalent progress",
        )
        batch = get_object_or_404(ClaimBatch, pk=int(batch_id))
        payload = EquivalentClaimInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reference = payload.validated_data["family"].strip().upper()
        try:
            family = family_get_for_user_or_404(user, reference)
        except Http404:
            raise ValidationError(
                {"family": [f"There is no family with the reference {reference}"]}
            ) from None
        claim = claim_equivalent_add(
            actor=user, batch=batch, family=family, reason=payload.validated_data["reason"]
        )
        return Response(EquivalentClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


def register(router: BaseRouter) -> None:
    """Add this area's viewsets to the project's API router."""
    router.register(
        r"claim-batches/(?P<batch_id>[0-9]+)/equivalent-claims",
        EquivalentClaimViewSet,
        basename="claim-batch-equivalent-claim",
    )
