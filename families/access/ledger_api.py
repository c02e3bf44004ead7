"""REST API of the grant ledger: ``GET /api/families/{reference}/grant-ledger/``.

Every grant ever opened on the family, newest first, paged: to whom, why, what opened
it, from and until when, and how it ended. The same rule, selector and words as the
page (``families.access.ledger``): the data protection officer, and the coordinators
of the family's LCG; 404 for a family outside the caller's scope, 403 for one they see
but may not read the ledger of. Reading it writes an access event. Who has viewed the
family is on the page (``/families/{reference}/grant-ledger/?show=viewers``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from agencies.request_user import request_user_or_403
from families import selectors
from families.access import access
from families.access.ledger import (
    STATE_LABELS,
    grant_ledger_for_family,
    grant_ledger_view_record,
    ledger_entries,
)
from families.grants_models import Grant, GrantReason

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The family's reference"
)


class GrantLedgerEntrySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="grant.pk")
    grantee = serializers.CharField(help_text="The member of staff's name, or the agency's")
    grantee_kind = serializers.ChoiceField(
        choices=["user", "agency"],
        help_text="user: one member of staff; agency: the staff who do case work there",
    )
    grantee_username = serializers.CharField(
        source="grant.user.username", allow_null=True, default=None
    )
    grantee_agency = serializers.CharField(help_text="The agency the grantee works for, or is")
    reason = serializers.ChoiceField(source="grant.reason", choices=GrantReason.choices)
    reason_label = serializers.CharField(source="reason")
    opened_by_event = serializers.CharField(
        help_text="What opened the grant: the allocation or handover, the team membership, "
        "the emergency access or the LCG meeting, in words"
    )
    opened_by = serializers.CharField(help_text="The person whose action opened it")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(
        allow_null=True, help_text="When it lapses by itself (emergency access, a meeting)"
    )
    ended_at = serializers.DateTimeField(allow_null=True)
    ended_why = serializers.CharField(help_text="Why it ended; empty while it has not")
    state = serializers.ChoiceField(choices=list(STATE_LABELS.items()))


class GrantLedgerViewSet(viewsets.GenericViewSet[Any]):
    """Every grant ever opened on one family, newest first (docs/grant-ledger.md)."""

    access_rule = "data protection officer, and coordinators of the family's LCG"
    serializer_class = GrantLedgerEntrySerializer
    queryset = Grant.objects.none()
    filter_backends: list[Any] = []

    @extend_schema(operation_id="family_grant_ledger_list", parameters=[REFERENCE])
    def list(self, request: Request, reference: str) -> Response:
        user = request_user_or_403(
            request, access.can_view_families, "Your account does not give access to families"
        )
        family = selectors.family_get_for_user_or_404(user, reference)
        if not access.can_view_family_viewers(user, family):
            raise PermissionDenied("You cannot see the grant ledger of this family")
        page = self.paginate_queryset(grant_ledger_for_family(family))
        grants = list(page) if page is not None else list(grant_ledger_for_family(family))
        grant_ledger_view_record(
            user=user,
            family=family,
            request=request,
            action="api_read",
            detail={"page": request.query_params.get("page", "1")},
        )
        data = GrantLedgerEntrySerializer(ledger_entries(family, grants), many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


def register(router: BaseRouter) -> None:
    router.register(
        r"families/(?P<reference>[^/.]+)/grant-ledger",
        GrantLedgerViewSet,
        basename="family-grant-ledger",
    )
