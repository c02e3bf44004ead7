"""The grant ledger's authorisation table, asked by tests/test_permission_matrix.py.

The rule (``families.access.access.can_view_family_viewers``, the family's access
history): the data protection officer reads every family's ledger, an LCG's coordinators
their own LCG's families' (another LCG's family is outside their scope: 404); anyone
else who sees the family 403, a family outside their scope 404; system administrators
see no case data (403). The API answers the same, with 403 to requests not signed in.
Every denied request changes nothing: no grant, and no access event but a refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from audit.models import AccessAction, AccessEvent
from conftest import World, build_world
from families.grants_models import Grant
from tests.matrix import SIGNED_IN, RouteCase, Table

SIGN_IN = 302
# Who sees which family (conftest.build_world): own_family is led by the keyworker in
# Winchester; other_lcg_family is in Havant with the school its lead agency.
SEES_OWN = {"keyworker", "coordinator", "programme_manager", "auditor", "senior_officer", "dpo"}
SEES_OTHER = {
    "other_practitioner",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
}


def _ledger_rule(sees: set[str], reads: set[str], *, anonymous: int) -> dict[str, int]:
    answers = {"anonymous": anonymous}
    for persona in SIGNED_IN:
        if persona == "sysadmin":
            answers[persona] = 403
        elif persona not in sees:
            answers[persona] = 404
        else:
            answers[persona] = 200 if persona in reads else 403
    return answers


@dataclass
class LedgerMatrixWorld:
    world: World


def _build() -> LedgerMatrixWorld:
    return LedgerMatrixWorld(world=build_world())


def _snapshot(w: LedgerMatrixWorld) -> tuple[object, ...]:
    return (
        sorted(Grant.objects.values_list("pk", "ended_at")),
        AccessEvent.objects.exclude(action=AccessAction.REFUSED).count(),
    )


def _page(family: str) -> Callable[[LedgerMatrixWorld], str]:
    return lambda w: f"/families/{getattr(w.world, family).reference}/grant-ledger/"


def _api(family: str) -> Callable[[LedgerMatrixWorld], str]:
    return lambda w: f"/api/families/{getattr(w.world, family).reference}/grant-ledger/"


LEDGER = Table(
    name="grant ledger",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "grant-ledger",
            "get",
            _page("own_family"),
            _ledger_rule(SEES_OWN, {"coordinator", "dpo"}, anonymous=SIGN_IN),
        ),
        RouteCase(
            "grant-ledger-other-lcg",
            "get",
            _page("other_lcg_family"),
            _ledger_rule(SEES_OTHER, {"other_coordinator", "dpo"}, anonymous=SIGN_IN),
        ),
        RouteCase(
            "grant-ledger-viewers",
            "get",
            lambda w: f"/families/{w.world.own_family.reference}/grant-ledger/?show=viewers",
            _ledger_rule(SEES_OWN, {"coordinator", "dpo"}, anonymous=SIGN_IN),
        ),
        RouteCase(
            "api-grant-ledger",
            "get",
            _api("own_family"),
            _ledger_rule(SEES_OWN, {"coordinator", "dpo"}, anonymous=403),
        ),
        RouteCase(
            "api-grant-ledger-other-lcg",
            "get",
            _api("other_lcg_family"),
            _ledger_rule(SEES_OTHER, {"other_coordinator", "dpo"}, anonymous=403),
        ),
        # The ledger is read-only: any other method is refused and changes nothing.
        RouteCase(
            "api-grant-ledger",
            "post",
            _api("own_family"),
            {"anonymous": 403, "dpo": 405, "coordinator": 405},
            json=True,
        ),
    ],
)

TABLES = [LEDGER]
