"""``POST /api/auth/sign-out-everywhere/``: end your other sessions and API tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import User
from agencies.services import user_sign_out_everywhere
from oneplan.models import ApiToken


class SignedOutEverywhereSerializer(serializers.Serializer[dict[str, Any]]):
    sessions_ended = serializers.IntegerField(
        read_only=True, help_text="Signed-in sessions in browsers that ended"
    )
    tokens_revoked = serializers.IntegerField(
        read_only=True, help_text="API tokens that stopped working"
    )


class SignOutEverywhereAPIView(APIView):
    """Sign out everywhere: every signed-in session and API token of yours ends, but the
    one this request was made with (a session or a token)."""

    access_rule = "any signed-in user: their own sessions and tokens only"

    @extend_schema(
        operation_id="auth_sign_out_everywhere",
        summary="Sign out everywhere else",
        request=None,
        responses={200: SignedOutEverywhereSerializer},
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        session = getattr(request._request, "session", None)
        signed_out = user_sign_out_everywhere(
            actor=request.user,
            keep_session_key=session.session_key if token is None and session else None,
            keep_token_id=token.pk if token is not None else None,
        )
        body = {"sessions_ended": signed_out.sessions, "tokens_revoked": signed_out.tokens}
        return Response(SignedOutEverywhereSerializer(body).data)
