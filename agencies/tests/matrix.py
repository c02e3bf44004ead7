"""The agencies app's authorisation tables, asked by tests/test_permission_matrix.py.

Staff pages and API (``agencies.staff``): system administrators only. Anyone else
signed in gets 403, whatever else they may do; signed-out visitors are sent to sign in
(the API answers 403). The set-up page is for someone holding a link and not signed in:
every signed-in persona is refused there.

Your account (``oneplan.site.your_account``, ``/api/auth/sign-out-everywhere/``): every
signed-in persona, for their own account only.

Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.urls import reverse

from agencies.models import AccountSetUpLink, Staff, User
from agencies.roles import Role
from agencies.staff.selectors import staff_memberships
from agencies.staff.services import Invited, StaffAccess, staff_invite
from conftest import World, build_world
from oneplan.models import ApiToken
from tests.matrix import SIGNED_IN, RouteCase, Table


def _only_sysadmin(ok: int, *, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, 403), "sysadmin": ok}


def _everyone_signed_in(ok: int, *, anonymous: int = 302) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, ok)}


@dataclass
class StaffMatrixWorld:
    world: World
    invited: Invited


def _build() -> StaffMatrixWorld:
    world = build_world()
    invited = staff_invite(
        actor=world.sysadmin.user,
        username="newstarter",
        first_name="Nia",
        last_name="Starter",
        access=StaffAccess(agency=world.police, roles=[Role.AGENCY_PRACTITIONER.value]),
    )
    return StaffMatrixWorld(world, invited)


def _snapshot(w: StaffMatrixWorld) -> tuple[object, ...]:
    staff = list(Staff.objects.order_by("pk"))
    return (
        list(
            User.objects.order_by("pk").values_list(
                "pk", "is_active", "is_staff", "is_superuser", "first_name", "password"
            )
        ),
        [(s.pk, s.agency_id, s.job_title, sorted(s.roles)) for s in staff],
        staff_memberships(staff),
        Authenticator.objects.count(),
        ApiToken.objects.count(),
        list(AccountSetUpLink.objects.order_by("pk").values_list("pk", "used_at", "ended_at")),
    )


def _staff_url(name: str) -> Any:
    def url(w: StaffMatrixWorld) -> str:
        return reverse(f"staff:{name}", args=[w.world.keyworker.pk])

    return url


def _invited_url(name: str) -> Any:
    def url(w: StaffMatrixWorld) -> str:
        return reverse(f"staff:{name}", args=[w.invited.staff.pk])

    return url


def _details(w: StaffMatrixWorld) -> dict[str, Any]:
    return {
        "first_name": "Kim",
        "last_name": "Worker",
        "email": "",
        "agency": w.world.council.pk,
        "job_title": "Senior family support worker",
        "roles": [Role.FAMILY_SUPPORT_WORKER.value, Role.LCG_COORDINATOR.value],
        "lcgs": [w.world.winchester.code],
    }


def _invite(w: StaffMatrixWorld) -> dict[str, Any]:
    return {**_details(w), "username": "matrix-invite", "agency": w.world.police.pk}


def _api_details(w: StaffMatrixWorld) -> dict[str, Any]:
    return {**_details(w), "agency": w.world.council.code}


def _api_invite(w: StaffMatrixWorld) -> dict[str, Any]:
    return {**_api_details(w), "username": "matrix-invite"}


def _reason(w: StaffMatrixWorld) -> dict[str, str]:
    return {"reason": "Left the council"}


def _api_staff(suffix: str = "") -> Any:
    def url(w: StaffMatrixWorld) -> str:
        return f"/api/staff/{w.world.keyworker.pk}/{suffix}"

    return url


def _set_up_url(w: StaffMatrixWorld) -> str:
    return reverse("account-set-up", args=[w.invited.set_up.token])


STAFF_PAGES = Table(
    name="staff pages",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("list", "get", lambda w: reverse("staff:list"), _only_sysadmin(200)),
        RouteCase("detail", "get", _staff_url("detail"), _only_sysadmin(200)),
        RouteCase("invite", "get", lambda w: reverse("staff:invite"), _only_sysadmin(200)),
        # A successful invitation answers with the set-up link (shown once), not a redirect.
        RouteCase(
            "invite", "post", lambda w: reverse("staff:invite"), _only_sysadmin(200), _invite
        ),
        RouteCase("change", "get", _staff_url("change"), _only_sysadmin(200)),
        RouteCase("change", "post", _staff_url("change"), _only_sysadmin(302), _details),
        RouteCase("deactivate", "get", _staff_url("deactivate"), _only_sysadmin(200)),
        RouteCase("deactivate", "post", _staff_url("deactivate"), _only_sysadmin(302), _reason),
        RouteCase("mfa-reset", "get", _staff_url("mfa-reset"), _only_sysadmin(200)),
        RouteCase("mfa-reset", "post", _staff_url("mfa-reset"), _only_sysadmin(302), _reason),
        RouteCase("set-up-link", "post", _invited_url("set-up-link"), _only_sysadmin(200)),
        # The set-up page: the link's holder, signed out; anyone signed in is refused.
        RouteCase(
            "account-set-up",
            "get",
            _set_up_url,
            {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 403)},
        ),
        RouteCase(
            "account-set-up",
            "post",
            _set_up_url,
            dict.fromkeys(SIGNED_IN, 403),
            lambda w: {"password1": "a long new passphrase", "password2": "a long new passphrase"},
        ),
    ],
)

STAFF_API = Table(
    name="staff api",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("staff-list", "get", lambda w: "/api/staff/", _only_sysadmin(200, anonymous=403)),
        RouteCase("staff-detail", "get", _api_staff(), _only_sysadmin(200, anonymous=403)),
        RouteCase(
            "staff-create",
            "post",
            lambda w: "/api/staff/",
            _only_sysadmin(201, anonymous=403),
            _api_invite,
            json=True,
        ),
        RouteCase(
            "staff-update",
            "put",
            _api_staff(),
            _only_sysadmin(200, anonymous=403),
            _api_details,
            json=True,
        ),
        RouteCase(
            "staff-deactivate",
            "post",
            _api_staff("deactivate/"),
            _only_sysadmin(200, anonymous=403),
            _reason,
            json=True,
        ),
        RouteCase(
            "staff-mfa-reset",
            "post",
            _api_staff("reset-two-step-verification/"),
            _only_sysadmin(200, anonymous=403),
            _reason,
            json=True,
        ),
        RouteCase(
            "staff-set-up-link",
            "post",
            lambda w: f"/api/staff/{w.invited.staff.pk}/set-up-link/",
            _only_sysadmin(201, anonymous=403),
            json=True,
        ),
    ],
)

YOUR_ACCOUNT = Table(
    name="your account",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "your-account", "get", lambda w: reverse("your-account"), _everyone_signed_in(200)
        ),
        RouteCase(
            "keep-alive", "get", lambda w: reverse("session-keep-alive"), _everyone_signed_in(204)
        ),
        # Allowed: ends the persona's other sessions and tokens (none here), so nothing
        # in the snapshot changes either way.
        RouteCase(
            "sign-out-everywhere",
            "post",
            lambda w: reverse("sign-out-everywhere"),
            _everyone_signed_in(302),
        ),
        RouteCase(
            "api-sign-out-everywhere",
            "post",
            lambda w: "/api/auth/sign-out-everywhere/",
            _everyone_signed_in(200, anonymous=403),
            json=True,
        ),
    ],
)

TABLES = [STAFF_PAGES, STAFF_API, YOUR_ACCOUNT]
