"""The site's own routes, the family access pages and the family and reference-data API:
authorisation tables asked by tests/test_permission_matrix.py.

Site pages (``oneplan.site``): the start page sends each signed-in role to its own
page; accessibility, privacy and the health checks are public; a background job's page,
download and API answer only the person who started it (404 for anyone else). The
Django admin is for system administrators (superusers) and keeps no case data; django-
allauth's account pages are each user's own, and the pages OnePlan does not offer
(sign-up, password reset by email) answer 404.

Family access pages (``families.access.access``): a family outside the user's scope
answers 404, the same as a missing one; the team and its lawful bases are managed by the
lead professional and the LCG's coordinators (403 for anyone else who sees the family);
the data protection officer reviews emergency access. System administrators see no case
data (403).

API: the same rules, with 403 for requests that are not signed in. Agencies and LCGs are
reference data for anyone signed in. API tokens are their owner's alone. Any other
address under /api/ is a JSON 404.

Every denied request changes nothing (``_snapshot``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from agencies.api_tokens import api_token_issue
from audit.models import AccessAction, AccessEvent
from conftest import World, build_world
from families.access.services import break_glass_open, lawful_basis_record, team_member_add
from families.grants_models import (
    BreakGlassAccess,
    Grant,
    LawfulBasis,
    LawfulBasisKind,
    TeamMember,
)
from families.jobs import CASELOAD_SUMMARY_EXPORT
from families.models import Family, FamilyStatusChange
from oneplan.jobs import job_run
from oneplan.models import ApiToken, Job
from tests.matrix import PERSONAS, SIGNED_IN, RouteCase, Table

SIGN_IN = 302
CASE_ROLES = [persona for persona in SIGNED_IN if persona != "sysadmin"]


def _everyone(code: int) -> dict[str, int]:
    return dict.fromkeys(PERSONAS, code)


def _signed_in(ok: int, *, anonymous: int = SIGN_IN) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, ok)}


def _case_roles(ok: int, *, anonymous: int = SIGN_IN) -> dict[str, int]:
    """Anyone with a case or oversight role; system administrators see no case data."""
    return {"anonymous": anonymous, **dict.fromkeys(CASE_ROLES, ok), "sysadmin": 403}


def _only(allowed: dict[str, int], *, refused: int, anonymous: int = SIGN_IN) -> dict[str, int]:
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, refused), **allowed}


# own_family: led by the keyworker (council) in Winchester, with the police on its team;
# other_lcg_family: in Havant, the school its lead agency with no named lead professional.
SEES_OWN = {
    "keyworker",
    "practitioner",
    "coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
}
SEES_OTHER = {
    "other_practitioner",
    "other_coordinator",
    "programme_manager",
    "auditor",
    "senior_officer",
    "dpo",
}


def _family_rule(
    sees: set[str], allowed: set[str], ok: int, *, anonymous: int = SIGN_IN
) -> dict[str, int]:
    """Not signed in: ``anonymous``; no case role: 403; outside scope: 404; sees the
    family but may not do this: 403; allowed: ``ok``."""
    answers = {"anonymous": anonymous, "sysadmin": 403}
    for persona in CASE_ROLES:
        answers[persona] = (ok if persona in allowed else 403) if persona in sees else 404
    return answers


@dataclass
class SiteMatrixWorld:
    world: World
    police_on_team: int
    consent: int
    break_glass: int
    job: str
    token: int


def _build() -> SiteMatrixWorld:
    """The personas' world with a little of everything the routes act on: the police on
    own_family's team (resting on a statutory gateway), a consent to withdraw, an
    emergency access waiting for review, a finished export of the programme manager's
    and an API token of the keyworker's."""
    world = build_world()
    family = world.own_family
    lead = world.keyworker.user
    today = timezone.localdate()
    lawful_basis_record(
        actor=lead,
        family=family,
        kind=LawfulBasisKind.STATUTORY_GATEWAY,
        gateway="Children Act 1989 section 17",
        given_on=today - datetime.timedelta(days=30),
    )
    member = team_member_add(actor=lead, family=family, agency=world.police)
    consent = lawful_basis_record(
        actor=lead,
        family=family,
        kind=LawfulBasisKind.CONSENT,
        person=family.memberships.get().person,
        given_on=today - datetime.timedelta(days=10),
    )
    # On the family no row here asks about, so it changes no one's scope that matters.
    glass = break_glass_open(
        actor=world.other_keyworker.user,
        reference=world.unassigned_family.reference,
        category="risk_to_child",
        reason="Police called about a child left alone at the address tonight",
    )
    job = Job.objects.create(kind=CASELOAD_SUMMARY_EXPORT, started_by=world.programme_manager.user)
    job_run(job_id=str(job.pk))
    api_token_issue(actor=lead, user=lead)
    return SiteMatrixWorld(
        world=world,
        police_on_team=member.pk,
        consent=consent.pk,
        break_glass=glass.access.pk,
        job=str(job.pk),
        token=ApiToken.objects.get(user=lead).pk,
    )


def _snapshot(w: SiteMatrixWorld) -> tuple[object, ...]:
    return (
        sorted(Family.objects.values_list("pk", "status", "lead_professional_id")),
        FamilyStatusChange.objects.count(),
        sorted(TeamMember.objects.values_list("pk", "removed_at", "lawful_basis_id")),
        sorted(LawfulBasis.objects.values_list("pk", "withdrawn_on")),
        sorted(Grant.objects.values_list("pk", "ended_at")),
        sorted(BreakGlassAccess.objects.values_list("pk", "reviewed_at", "review_outcome")),
        sorted(ApiToken.objects.values_list("pk", flat=True)),
        sorted(Job.objects.values_list("pk", "status")),
        # What someone was shown; a refusal of a family outside the user's access is
        # recorded as refused (families.access.access_log), and stays.
        AccessEvent.objects.exclude(action=AccessAction.REFUSED).count(),
    )


def _fixed(path: str) -> Any:
    return lambda w: path


def _named(name: str) -> Any:
    return lambda w: reverse(name)


def _ref(family: str, path: str = "") -> Any:
    def url(w: SiteMatrixWorld) -> str:
        return f"/api/families/{getattr(w.world, family).reference}/{path}"

    return url


# --- Site pages, the admin and the account pages ---------------------------------------

# The admin sends everyone it does not let in to its own sign-in address, which sends
# those not signed in on to the site's and refuses the rest. Anonymous is asked only
# there ("admin-sign-in"): the matrix expects a signed-out 302 to reach the site's
# sign-in page at once, and the admin's other pages take the extra step.
ADMIN_REDIRECT = dict.fromkeys(SIGNED_IN, 302)

SITE_PAGES = Table(
    name="site pages",
    build=_build,
    snapshot=_snapshot,
    cases=[
        # Signed in, each role is sent on to its own start page.
        RouteCase("home", "get", _named("home"), _signed_in(302)),
        RouteCase(
            "sign-in",
            "get",
            _named("login"),
            {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)},
        ),
        RouteCase(
            "sign-out", "get", _named("logout"), {"anonymous": 302, **dict.fromkeys(SIGNED_IN, 200)}
        ),
        RouteCase("sign-out", "post", _named("logout"), _everyone(302)),
        # The page itself answers 403: the account has no role to start from.
        RouteCase("account-not-set-up", "get", _named("account-not-set-up"), _signed_in(403)),
        RouteCase("accessibility", "get", _named("accessibility"), _everyone(200)),
        RouteCase("privacy", "get", _named("privacy"), _everyone(200)),
        RouteCase(
            "data-protection", "get", _named("data-protection"), _only({"dpo": 200}, refused=403)
        ),
        RouteCase("healthz", "get", _named("healthz"), _everyone(200)),
        RouteCase("healthz", "post", _named("healthz"), _everyone(405)),
        RouteCase("readyz", "get", _named("readyz"), _everyone(200)),
        RouteCase(
            "job",
            "get",
            lambda w: reverse("jobs:detail", args=[w.job]),
            _only({"programme_manager": 200}, refused=404),
        ),
        RouteCase(
            "job-download",
            "get",
            lambda w: reverse("jobs:download", args=[w.job]),
            _only({"programme_manager": 200}, refused=404),
        ),
        RouteCase("admin-index", "get", _named("admin:index"), {**ADMIN_REDIRECT, "sysadmin": 200}),
        RouteCase(
            "admin-sign-in",
            "get",
            _named("admin:login"),
            _only({"sysadmin": 302}, refused=403),
        ),
        RouteCase(
            "admin-agencies",
            "get",
            _named("admin:agencies_agency_changelist"),
            {**ADMIN_REDIRECT, "sysadmin": 200},
        ),
        # Families are case data: not even the system administrator sees them there.
        RouteCase(
            "admin-families",
            "get",
            _named("admin:families_family_changelist"),
            {**ADMIN_REDIRECT, "sysadmin": 403},
        ),
        RouteCase(
            "admin-family-delete",
            "post",
            lambda w: reverse("admin:families_family_delete", args=[w.world.own_family.pk]),
            {**ADMIN_REDIRECT, "sysadmin": 403},
            lambda w: {"post": "yes"},
        ),
        RouteCase("two-step-verification", "get", _named("mfa_index"), _signed_in(200)),
        RouteCase("change-password", "get", _named("account_change_password"), _signed_in(200)),
        RouteCase("sign-up", "get", _named("account_signup"), _everyone(404)),
        RouteCase("password-reset", "get", _named("account_reset_password"), _everyone(404)),
    ],
)


# --- Family access pages and search -----------------------------------------------------

MANAGES_OWN = {"keyworker", "coordinator"}


def _team_remove(w: SiteMatrixWorld) -> str:
    return reverse("families:team-remove", args=[w.world.own_family.reference, w.police_on_team])


def _consent_withdraw(w: SiteMatrixWorld) -> str:
    return reverse("families:consent-withdraw", args=[w.world.own_family.reference, w.consent])


def _withdrawal(w: SiteMatrixWorld) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "withdrawn_on_day": today.day,
        "withdrawn_on_month": today.month,
        "withdrawn_on_year": today.year,
        "note": "Mum phoned to say the family no longer agree to share",
    }


def _review(w: SiteMatrixWorld) -> str:
    return reverse("families:break-glass-review", args=[w.break_glass])


FAMILY_ACCESS_PAGES = Table(
    name="family access pages",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase(
            "search", "get", lambda w: reverse("families:search") + "?q=Ashby", _case_roles(200)
        ),
        RouteCase("team-remove", "get", _team_remove, _family_rule(SEES_OWN, MANAGES_OWN, 200)),
        RouteCase(
            "team-remove",
            "post",
            _team_remove,
            _family_rule(SEES_OWN, MANAGES_OWN, 302),
            lambda w: {"reason": "The police work with the family has finished"},
        ),
        RouteCase(
            "consent-withdraw", "get", _consent_withdraw, _family_rule(SEES_OWN, MANAGES_OWN, 200)
        ),
        RouteCase(
            "consent-withdraw",
            "post",
            _consent_withdraw,
            _family_rule(SEES_OWN, MANAGES_OWN, 302),
            _withdrawal,
        ),
        RouteCase("break-glass-review", "get", _review, _only({"dpo": 200}, refused=403)),
        RouteCase(
            "break-glass-review",
            "post",
            _review,
            _only({"dpo": 302}, refused=403),
            lambda w: {"outcome": "justified", "note": ""},
        ),
    ],
)


# --- The API: families, search, reference data, tokens, jobs and the rest ---------------

CHANGES_OWN = {"keyworker", "coordinator", "programme_manager"}
CHANGES_OTHER = {"other_coordinator", "programme_manager"}


def _transition(w: SiteMatrixWorld) -> dict[str, str]:
    return {"to_status": "declined", "reason": "The family said no at the first visit"}


API_ROUTES = Table(
    name="site api",
    build=_build,
    snapshot=_snapshot,
    cases=[
        RouteCase("api-root", "get", _fixed("/api/"), _signed_in(200, anonymous=403)),
        # Schema generation takes a second a request: asked of one persona either side.
        RouteCase(
            "api-schema",
            "get",
            _fixed("/api/schema/"),
            {"anonymous": 403, "keyworker": 200, "sysadmin": 200},
        ),
        RouteCase("api-docs", "get", _fixed("/api/docs/"), _signed_in(200, anonymous=403)),
        RouteCase("api-not-found", "get", _fixed("/api/no-such-thing/"), _everyone(404)),
        RouteCase("api-not-found", "post", _fixed("/api/no-such-thing/"), _everyone(404)),
        # A method a route does not offer: 405, once signed in.
        RouteCase("families", "delete", _fixed("/api/families/"), _signed_in(405, anonymous=403)),
        # An address missing only its final slash is sent to the one with it.
        RouteCase("api-without-slash", "get", _fixed("/api/agencies"), _everyone(301)),
        RouteCase("families", "get", _fixed("/api/families/"), _case_roles(200, anonymous=403)),
        RouteCase(
            "family",
            "get",
            _ref("own_family"),
            _family_rule(SEES_OWN, SEES_OWN, 200, anonymous=403),
        ),
        RouteCase(
            "other-lcg-family",
            "get",
            _ref("other_lcg_family"),
            _family_rule(SEES_OTHER, SEES_OTHER, 200, anonymous=403),
        ),
        RouteCase(
            "family-transition",
            "post",
            _ref("own_family", "transition/"),
            # The lead professional's own grant ends as the family leaves the journey.
            {**_family_rule(SEES_OWN, CHANGES_OWN, 200, anonymous=403), "keyworker": 204},
            _transition,
            json=True,
        ),
        RouteCase(
            "other-lcg-family-transition",
            "post",
            _ref("other_lcg_family", "transition/"),
            _family_rule(SEES_OTHER, CHANGES_OTHER, 200, anonymous=403),
            _transition,
            json=True,
        ),
        RouteCase(
            "family-chronology",
            "get",
            _ref("own_family", "chronology/"),
            _family_rule(SEES_OWN, SEES_OWN, 200, anonymous=403),
        ),
        RouteCase("search", "get", _fixed("/api/search/?q=Ashby"), _case_roles(200, anonymous=403)),
        RouteCase("agencies", "get", _fixed("/api/agencies/"), _signed_in(200, anonymous=403)),
        RouteCase("agency", "get", _fixed("/api/agencies/POLICE/"), _signed_in(200, anonymous=403)),
        RouteCase("lcgs", "get", _fixed("/api/lcgs/"), _signed_in(200, anonymous=403)),
        RouteCase("lcg", "get", _fixed("/api/lcgs/HAVANT/"), _signed_in(200, anonymous=403)),
        # The keyworker's own token: anyone else's answers 404, the data protection
        # officer's too (they revoke others' tokens on their own pages).
        RouteCase(
            "api-token-revoke",
            "delete",
            lambda w: f"/api/auth/tokens/{w.token}/",
            _only({"keyworker": 204}, refused=404, anonymous=403),
        ),
        RouteCase(
            "job",
            "get",
            lambda w: f"/api/jobs/{w.job}/",
            _only({"programme_manager": 200}, refused=404, anonymous=403),
        ),
        # Public: only a correct username and password gives a token, whoever asks.
        RouteCase(
            "api-token-wrong-password",
            "post",
            _fixed("/api/auth/token/"),
            _everyone(400),
            lambda w: {"username": "keyworker", "password": "not-the-password"},
            json=True,
        ),
        RouteCase(
            "api-token",
            "post",
            _fixed("/api/auth/token/"),
            {"keyworker": 200},
            lambda w: {"username": "keyworker", "password": "correct-horse-battery"},
            json=True,
        ),
    ],
)

TABLES = [SITE_PAGES, FAMILY_ACCESS_PAGES, API_ROUTES]
