"""What every plan API view shares: the signed-in user, the family in scope, the access
log, ETags and If-Match, and answering a stale save with 412."""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404
from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework import status
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from agencies.models import User
from audit.services import access_event_record
from families.access.access import can_view_families, family_scope
from families.models import Family
from plans.plan import services

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag from your last GET of this object. Required: without it the "
    "answer is 428; if someone else saved since, 412 with the current version.",
)
FAMILY_PARAM = OpenApiParameter(
    "family", str, required=True, description="The family's reference, like F-000123"
)


class PreconditionRequired(APIException):
    status_code = 428
    default_detail = (
        "Send the ETag you read in an If-Match header, so that nobody's changes are lost"
    )
    default_code = "precondition_required"


def api_user(request: Request) -> User:
    user = request.user
    assert isinstance(user, User)
    if not can_view_families(user):
        raise PermissionDenied("Your account does not give access to families")
    return user


def scoped_family(user: User, reference: str) -> Family:
    family = Family.objects.filter(family_scope(user), reference=reference).first()
    if family is None:
        raise Http404("No family found")
    return family


def access_record(request: Request, user: User, family: Family, what: str, object_id: Any) -> None:
    access_event_record(
        user=user,
        action="api_read",
        object_type=what,
        object_id=str(object_id),
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
    )


def etag_for(prefix: str, version: int) -> str:
    return f'"{prefix}{version}"'


def expected_version_from(request: Request, prefix: str) -> int:
    """The version the caller read, from If-Match. A tag of another object, or of no
    version we recognise, can never match: -1 makes the service answer with a conflict."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        raise PreconditionRequired()
    match = re.fullmatch(r'(?:W/)?"' + re.escape(prefix) + r'(\d+)"', header)
    return int(match.group(1)) if match else -1


def plan_conflict_response(
    exc: services.PlanConflict, current: dict[str, Any], etag: str
) -> Response:
    response = Response(
        {
            "detail": exc.message,
            "changed_by": exc.changed_by.get_full_name() if exc.changed_by else "",
            "changed_at": exc.changed_at,
            "current": current,
        },
        status=status.HTTP_412_PRECONDITION_FAILED,
    )
    response["ETag"] = etag
    return response


class AnswersConflicts:
    """A PATCH from a stale version answers 412 with the object as it is now and its
    ETag. The service raises ``PlanConflict``; the project's exception handler
    (``oneplan.api_errors``) asks the view for this answer."""

    def conflict_response(self, exc: Exception) -> Response | None:
        if not isinstance(exc, services.PlanConflict):
            return None
        if getattr(self, "action", None) != "partial_update":
            return None
        current, etag = self._conflict_current()
        return plan_conflict_response(exc, current, etag)

    def _conflict_current(self) -> tuple[Any, str]:
        raise NotImplementedError


def with_etag(data: Any, etag: str, code: int = status.HTTP_200_OK) -> Response:
    response = Response(data, status=code)
    response["ETag"] = etag
    return response
