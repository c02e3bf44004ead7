"""One mapping from what the code raises to what the API answers, and the schema that says so.

- ``ApplicationError`` (a service refused): 400, ``{field or "non_field_errors": [message]}``;
  ``NotFoundOrNoAccess``: 404, like a missing object.
- Django's ``PermissionDenied``: 403; ``Http404``: 404 (DRF's own mapping, message kept).
- A view may answer some refusals itself, with more than a message (a stale ``If-Match``
  answers 412 with the current version): it defines ``conflict_response(exc)``, which
  returns a response for the errors it knows and None for the rest.

``ErrorSchema`` adds the answers every operation can give to the OpenAPI schema, so a
client (and the contract test) knows them without each view listing them.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from oneplan.errors import ApplicationError, NotFoundOrNoAccess

CONFLICT_HOOK = "conflict_response"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: see the module docstring."""
    hook = getattr(context.get("view"), CONFLICT_HOOK, None)
    if hook is not None:
        answer: Response | None = hook(exc)
        if answer is not None:
            return answer
    if isinstance(exc, NotFoundOrNoAccess):
        exc = NotFound(exc.message)
    elif isinstance(exc, ApplicationError):
        exc = ValidationError({exc.field or "non_field_errors": [exc.message]})
    return exception_handler(exc, context)


# ---------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer[Any]):
    detail = serializers.CharField(help_text="What went wrong, in words")


VALIDATION_ERRORS = "ValidationErrors"
VALIDATION_ERRORS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        'Each field that is wrong, with its messages: {"field": ["message"]}. Nested '
        "input names the place (an object or list of them, like the input). "
        '"non_field_errors" is about the request as a whole; "detail" says the request '
        "could not be read."
    ),
    "additionalProperties": {},
    "example": {"due_on": ["Enter a due date"]},
}

NOT_SIGNED_IN = "Not signed in, or your role may not do this"
NOT_FOUND = "No such object, or it is outside your scope (the same answer for both)"
INVALID = "The request was refused: see which field and why"


class ErrorSchema(AutoSchema):
    """drf-spectacular's AutoSchema, plus the error answers every operation can give:

    - 400 when the operation reads a request body or query parameters;
    - 403 for every operation (anonymous callers, and roles the endpoint is not for);
    - 404 when the path names an object, the list is paged (a page past the end) or the
      operation takes a family reference.

    An operation's own ``extend_schema(responses=...)`` for a code wins.
    """

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation: dict[str, Any] | None = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        query = {p["name"] for p in parameters if p["in"] == "query"}
        by_path = any(p["in"] == "path" for p in parameters)
        responses: dict[str, Any] = operation["responses"]
        if "requestBody" in operation or query:
            self._add(responses, "400", self._validation_errors(), INVALID)
        self._add(responses, "403", ErrorDetailSerializer, NOT_SIGNED_IN)
        if by_path or "page" in query or "family" in query:
            self._add(responses, "404", ErrorDetailSerializer, NOT_FOUND)
        return operation

    def _add(self, responses: dict[str, Any], code: str, body: Any, description: str) -> None:
        if code not in responses:
            responses[code] = self._get_response_for_code(OpenApiResponse(body, description), code)

    def _validation_errors(self) -> dict[str, Any]:
        component = ResolvedComponent(
            name=VALIDATION_ERRORS,
            type=ResolvedComponent.SCHEMA,
            schema=VALIDATION_ERRORS_SCHEMA,
            object=VALIDATION_ERRORS,
        )
        self.registry.register_on_missing(component)
        return dict(component.ref)


class OneObjectSchema(ErrorSchema):
    """For an endpoint that answers one object (a statement, a summary) although the
    router serves it as ``list``: the schema says an object, not an array of them."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False
