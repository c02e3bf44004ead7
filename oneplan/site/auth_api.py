"""``POST /api/auth/token/``: swap a username and password (and code) for an API token.

It replaces DRF's ``obtain_auth_token`` so that sign-in through the API obeys the same
rules as the sign-in page:

- the password is checked by ``django.contrib.auth.authenticate`` with the Django
  request, so axes counts failures and refuses a locked-out username and IP address
  (429 with JSON saying when to try again);
- a user with two-step verification must also send ``code`` (from their authenticator
  app, or a recovery code); a wrong code counts as a failed sign-in too;
- with ``ONEPLAN_REQUIRE_MFA``, a user who has not set up an authenticator app gets 403
  and no token.

Each call issues a new token (``agencies.api_tokens``): it ends 12 hours later, or after
30 minutes without a request, and only its digest is stored.
"""

from __future__ import annotations

import datetime
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import authenticate, user_login_failed
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.api_tokens import (
    RevokeReason,
    api_token_expires_at,
    api_token_get_for_user_or_404,
    api_token_issue,
    api_token_list_for_user,
    api_token_revoke,
)
from agencies.models import User
from oneplan.access_rules import PUBLIC
from oneplan.models import ApiToken
from oneplan.site.lockout import lockout_response
from oneplan.site.mfa import API_MESSAGE, has_authenticator_app
from oneplan.text_limits import TextLimitsMixin, model_max_length

BAD_CREDENTIALS = "Enter a correct username and password"
CODE_NEEDED = "Enter the code from your authenticator app, or a recovery code, as 'code'"
BAD_CODE = "The code is not correct"


class AuthTokenCredentialsSerializer(TextLimitsMixin, serializers.Serializer[dict[str, str]]):
    # Generous limits: nothing longer can be right, so it is refused before any checking.
    username = serializers.CharField(write_only=True, max_length=model_max_length(User, "username"))
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}, max_length=4096
    )
    code = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=(
            "The 6-digit code from your authenticator app, or one of your recovery codes. "
            "Needed once you have set up two-step verification."
        ),
    )


class AuthTokenSerializer(serializers.Serializer[dict[str, Any]]):
    token = serializers.CharField(
        read_only=True,
        help_text="Send as 'Authorization: Token …'. Shown only now: OnePlan keeps a hash.",
    )
    expires_at = serializers.DateTimeField(
        read_only=True, help_text="The token ends then, however much it is used"
    )
    idle_timeout_seconds = serializers.IntegerField(
        read_only=True, help_text="The token also ends after this long without a request"
    )


class AuthTokenErrorSerializer(serializers.Serializer[dict[str, str]]):
    detail = serializers.CharField(read_only=True)


def _second_step_passes(user: Any, code: str) -> bool:
    for authenticator in Authenticator.objects.filter(user_id=user.pk).exclude(
        type=Authenticator.Type.WEBAUTHN
    ):
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            return True
    return False


def _refused(http_request: HttpRequest, message: str, code: int) -> HttpResponseBase:
    if getattr(http_request, "axes_locked_out", False):
        return lockout_response(http_request)
    return Response({"detail": message}, status=code)


class ObtainAuthTokenView(APIView):
    """Get your API token. Send it as ``Authorization: Token <token>``."""

    access_rule = PUBLIC + " (gives a token only for a correct username, password and code)"
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token",
        request=AuthTokenCredentialsSerializer,
        responses={
            200: AuthTokenSerializer,
            400: OpenApiResponse(AuthTokenErrorSerializer, "Wrong username, password or code"),
            403: OpenApiResponse(AuthTokenErrorSerializer, API_MESSAGE),
            429: OpenApiResponse(
                AuthTokenErrorSerializer, "Locked out after 5 failed attempts: try again later"
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> HttpResponseBase:
        credentials = AuthTokenCredentialsSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        data = credentials.validated_data
        # The Django request, not DRF's wrapper: axes marks a lockout on it, and its
        # middleware reads the mark from it.
        http_request = request._request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if user is None:
            return _refused(http_request, BAD_CREDENTIALS, status.HTTP_400_BAD_REQUEST)
        if settings.ONEPLAN_REQUIRE_MFA and not has_authenticator_app(user):
            return Response({"detail": API_MESSAGE}, status=status.HTTP_403_FORBIDDEN)
        if is_mfa_enabled(user):
            code = data.get("code", "").strip()
            if not code:
                return Response({"detail": CODE_NEEDED}, status=status.HTTP_400_BAD_REQUEST)
            if not _second_step_passes(user, code):
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": user.get_username()},
                    request=http_request,
                )
                return _refused(http_request, BAD_CODE, status.HTTP_400_BAD_REQUEST)
        issued = api_token_issue(actor=user, user=user)
        answer = AuthTokenSerializer(
            {
                "token": issued.secret,
                "expires_at": issued.token.expiry,
                "idle_timeout_seconds": int(settings.ONEPLAN_API_TOKEN_IDLE.total_seconds()),
            }
        )
        return Response(answer.data)


obtain_auth_token = ObtainAuthTokenView.as_view()


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    expires_at = serializers.SerializerMethodField(
        help_text="When the token stops working if it is not used again"
    )
    current = serializers.SerializerMethodField(
        help_text="True for the token this request was made with"
    )

    class Meta:
        model = ApiToken
        fields = ["id", "created", "last_used_at", "expires_at", "current"]
        read_only_fields = fields

    def get_expires_at(self, token: ApiToken) -> datetime.datetime:
        return api_token_expires_at(token)

    def get_current(self, token: ApiToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet[ApiToken]
):
    """Your own API tokens that work now; delete one to revoke it at once."""

    access_rule = "any signed-in user: their own tokens only (someone else's answers 404)"
    serializer_class = ApiTokenSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ApiToken]:
        return api_token_list_for_user(self.request.user)

    def get_object(self) -> ApiToken:
        return api_token_get_for_user_or_404(self.request.user, int(self.kwargs["pk"]))

    def perform_destroy(self, instance: ApiToken) -> None:
        actor = self.request.user
        assert isinstance(actor, User)
        api_token_revoke(actor=actor, token=instance, reason=RevokeReason.BY_USER)
