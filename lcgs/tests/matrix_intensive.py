"""Intensive support's authorisation table, asked by tests/test_permission_matrix.py.

In this table's world ``other_keyworker`` works for an intensive support provider
(the provider's staff). The LCG's pages (waiting list, nominating, withdrawing) answer
the coordinators of the family's LCG and programme managers; the provider's pages
(its list, accepting, declining) answer its staff; contracted places are set by
programme managers. A nomination outside one's scope answers 404; one seen but not
one's to act on 403. Every denied request changes nothing (``snapshot``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.urls import reverse

from agencies.models import Agency, AgencyKind
from conftest import World, build_world
from families.models import Family
from families.states import FamilyStatus
from lcgs.intensive.models import IntensiveNomination
from lcgs.intensive.services import intensive_nominate
from lcgs.tests.intensive_support import places, screened, snapshot, this_year
from lcgs.tests.matrix_allocation import ALLOCATES_OWN, SEES_OWN, _rule
from tests.factories import AgencyFactory
from tests.matrix import PERSONAS, RouteCase, Table

SIGN_IN = 302
PROVIDER = "other_keyworker"
LCG_SIDE = {"coordinator", "other_coordinator", "programme_manager"}


@dataclass
class IntensiveMatrixWorld:
    world: World
    # Waiting for the provider: a Winchester family.
    nomination: IntensiveNomination


def _build() -> IntensiveMatrixWorld:
    world = build_world()
    provider = cast(
        Agency,
        AgencyFactory(
            code="IFSS",
            name="Intensive Family Support",
            kind=AgencyKind.INTENSIVE_SUPPORT_PROVIDER,
        ),
    )
    world.other_keyworker.agency = provider
    world.other_keyworker.save()
    places(provider, 5)
    Family.objects.filter(pk__in=[world.own_family.pk, world.other_lcg_family.pk]).update(
        status=FamilyStatus.SCREENED
    )
    nomination = intensive_nominate(
        actor=world.coordinator.user,
        family=screened(world),
        provider=provider,
        reason="Canarywhy",
    )
    return IntensiveMatrixWorld(world=world, nomination=nomination)


def _only(allowed: set[str], ok: int, *, anonymous: int) -> dict[str, int]:
    return {"anonymous": anonymous} | {
        persona: ok if persona in allowed else 403 for persona in PERSONAS[1:]
    }


def _nomination_rule(allowed: set[str], ok: int, *, anonymous: int) -> dict[str, int]:
    """The Winchester nomination: the other LCG's coordinator does not see it (404);
    the LCG side and the provider see it; ``allowed`` act on it; the rest 403."""
    answers = _only(allowed, ok, anonymous=anonymous)
    answers["other_coordinator"] = 404
    return answers


def _page(name: str) -> Any:
    return lambda w: reverse(f"lcgs:{name}", args=[w.nomination.pk])


def _api(action: str = "") -> Any:
    return lambda w: f"/api/intensive-nominations/{w.nomination.pk}/" + (
        f"{action}/" if action else ""
    )


def _reason(w: IntensiveMatrixWorld) -> dict[str, Any]:
    return {"reason": "Agreed at the LCG meeting"}


def _accept(w: IntensiveMatrixWorld) -> dict[str, Any]:
    return {"lead_professional": str(w.world.other_keyworker.pk), "note": ""}


def _places(w: IntensiveMatrixWorld) -> dict[str, Any]:
    provider = w.nomination.provider
    return {"provider": str(provider.pk), "financial_year": str(this_year()), "places": "7"}


def _nominate(w: IntensiveMatrixWorld) -> dict[str, Any]:
    return {"provider": str(w.nomination.provider_id), "reason": "Needs daily support"}


SEES_NOMINATION = {"coordinator", "programme_manager", PROVIDER}

INTENSIVE = Table(
    name="intensive support",
    build=_build,
    snapshot=lambda w: snapshot(),
    cases=[
        RouteCase(
            "intensive-overview",
            "get",
            lambda w: reverse("lcgs:intensive-overview"),
            _only(LCG_SIDE, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "intensive-places",
            "get",
            lambda w: reverse("lcgs:intensive-places"),
            _only({"programme_manager"}, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "intensive-places",
            "post",
            lambda w: reverse("lcgs:intensive-places"),
            _only({"programme_manager"}, 302, anonymous=SIGN_IN),
            _places,
        ),
        RouteCase(
            "intensive-provider-list",
            "get",
            lambda w: reverse("lcgs:intensive-provider-list"),
            _only({PROVIDER}, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "intensive-nominate",
            "get",
            lambda w: reverse("lcgs:intensive-nominate", args=[w.world.own_family.reference]),
            _rule(SEES_OWN, ALLOCATES_OWN, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "intensive-nominate",
            "post",
            lambda w: reverse("lcgs:intensive-nominate", args=[w.world.own_family.reference]),
            _rule(SEES_OWN, ALLOCATES_OWN, 302, anonymous=SIGN_IN),
            _nominate,
        ),
        RouteCase(
            "intensive-nomination-detail",
            "get",
            _page("intensive-nomination-detail"),
            _nomination_rule(SEES_NOMINATION, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "intensive-nomination-accept",
            "get",
            _page("intensive-nomination-accept"),
            _nomination_rule({PROVIDER}, 200, anonymous=SIGN_IN),
        ),
        RouteCase(
            "intensive-nomination-accept",
            "post",
            _page("intensive-nomination-accept"),
            _nomination_rule({PROVIDER}, 302, anonymous=SIGN_IN),
            _accept,
        ),
        RouteCase(
            "intensive-nomination-decline",
            "post",
            _page("intensive-nomination-decline"),
            _nomination_rule({PROVIDER}, 302, anonymous=SIGN_IN),
            _reason,
        ),
        RouteCase(
            "intensive-nomination-withdraw",
            "post",
            _page("intensive-nomination-withdraw"),
            _nomination_rule({"coordinator", "programme_manager"}, 302, anonymous=SIGN_IN),
            _reason,
        ),
        # The API: 403 to anonymous requests.
        RouteCase(
            "api-intensive-places",
            "get",
            lambda w: "/api/intensive-places/",
            _only(LCG_SIDE | {PROVIDER}, 200, anonymous=403),
        ),
        RouteCase(
            "api-intensive-places",
            "post",
            lambda w: "/api/intensive-places/",
            _only({"programme_manager"}, 200, anonymous=403),
            lambda w: {"provider": "IFSS", "financial_year": this_year(), "places": 7},
            json=True,
        ),
        RouteCase(
            "api-intensive-nominations",
            "get",
            lambda w: "/api/intensive-nominations/",
            _only(LCG_SIDE | {PROVIDER}, 200, anonymous=403),
        ),
        RouteCase(
            "api-intensive-nominations",
            "post",
            lambda w: "/api/intensive-nominations/",
            _only({"coordinator", "programme_manager"}, 201, anonymous=403)
            | {"other_coordinator": 404},
            lambda w: {
                "family": w.world.own_family.reference,
                "provider": "IFSS",
                "reason": "Needs daily support",
            },
            json=True,
        ),
        RouteCase(
            "api-intensive-nomination",
            "get",
            _api(),
            _nomination_rule(SEES_NOMINATION, 200, anonymous=403),
        ),
        RouteCase(
            "api-intensive-nomination-accept",
            "post",
            _api("accept"),
            _nomination_rule({PROVIDER}, 200, anonymous=403),
            lambda w: {"lead_professional": w.world.other_keyworker.user.username},
            json=True,
        ),
        RouteCase(
            "api-intensive-nomination-decline",
            "post",
            _api("decline"),
            _nomination_rule({PROVIDER}, 200, anonymous=403),
            _reason,
            json=True,
        ),
        RouteCase(
            "api-intensive-nomination-withdraw",
            "post",
            _api("withdraw"),
            _nomination_rule({"coordinator", "programme_manager"}, 200, anonymous=403),
            _reason,
            json=True,
        ),
        RouteCase(
            "api-intensive-track-shares",
            "get",
            lambda w: "/api/intensive-track-shares/",
            _only(LCG_SIDE, 200, anonymous=403),
        ),
    ],
)

TABLES = [INTENSIVE]
