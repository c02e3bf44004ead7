"""The outcomes app's authorisation tables, asked by tests/test_permission_matrix.py.

Agency feeds, the matching review queue and the Outcome Plan are one role's work: only
programme managers reach them (``outcomes.feeds.access``, ``outcomes.matching.access``,
``outcomes.assessment.access``); anyone else signed in gets 403, signed-out visitors are
sent to sign in (the API answers 403). A family's assessment is read by anyone with a
case role who sees the family (404 outside their scope, like a missing family).
Nominations and screening are the LCG's work: their table is in lcgs/tests/matrix.py.
Every denied request changes nothing (each table's ``snapshot``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agencies.services import system_actor
from audit.models import AccessAction, AccessEvent
from conftest import World, build_world
from families.models import HouseholdMembership, MemberRole, Person
from families.services import AddressData, MemberData, family_create
from oneplan.models import Job
from outcomes.assessment.editable import EDITABLE
from outcomes.assessment.forms import OutcomePlanForm
from outcomes.assessment.services import framework_versions_ensure
from outcomes.feeds.services import feed_submission_create, feed_submission_import
from outcomes.matching.pipeline import sources_match
from outcomes.matching.records import SourceIdentity
from outcomes.models import (
    Assessment,
    AssessmentQueue,
    Attachment,
    Claim,
    ClaimAudit,
    ClaimBatch,
    ClaimBatchChange,
    Evidence,
    FeedSubmission,
    FrameworkVersion,
    MatchDecision,
    MatchReview,
    SourcePerson,
)
from outcomes.results.services import family_attach
from tests.matrix import SIGNED_IN, RouteCase, Table
from tests.support.screening import assessment_add

SIGN_IN = 302


def _page(expect: dict[str, int]) -> dict[str, int]:
    """The form a post is made from: shown (200) to those whose post goes through."""
    answers = {persona: 200 if code == 302 else code for persona, code in expect.items()}
    return answers | {"anonymous": SIGN_IN}


def _api(expect: dict[str, int], ok: int) -> dict[str, int]:
    """The same rule in the API: ``ok`` where the page redirects, 403 to anonymous."""
    answers = {persona: ok if code == 302 else code for persona, code in expect.items()}
    return answers | {"anonymous": 403}


def _programme_managers_only(ok: int, *, anonymous: int = SIGN_IN) -> dict[str, int]:
    """Feeds, matching and the Outcome Plan: ``ok`` for the programme manager, 403 for
    everyone else signed in, whatever else they may do."""
    return {"anonymous": anonymous, **dict.fromkeys(SIGNED_IN, 403), "programme_manager": ok}


@dataclass
class OutcomesMatrixWorld:
    world: World


def _reads_recorded() -> int:
    """Access events of what someone was shown. A refusal of a family outside the
    user's access is recorded as refused (families.access.access_log), and stays."""
    return AccessEvent.objects.exclude(action=AccessAction.REFUSED).count()


def _ref(w: OutcomesMatrixWorld) -> str:
    return w.world.own_family.reference


# --- Agency feeds -------------------------------------------------------------------

EXTRACT_DATE = datetime.date(2025, 9, 1)
# One good anti-social behaviour row (FEEDS.md): an upload that goes through.
GOOD_FEED = (
    b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
    b"intervention\r\n"
    b"ASB-1,HSG-1,Dean,Ashby,1984-09-30,SO22 4BL,2025-02-11,warning\r\n"
)
# Two bad rows: the submission the pages and API read has row errors to list.
BAD_FEED = (
    b"record_id,person_id,given_name,family_name,date_of_birth,postcode,incident_date,"
    b"intervention\r\n"
    b"A1,P1,Dean,Ashby,31/02/2010,SO22 4BL,2025-01-01,warning\r\n"
    b"A2,P2,Kelly,Ashby,1986-04-12,,2025-01-01,warning\r\n"
)


@dataclass
class FeedsMatrixWorld:
    world: World
    submission: int


def _build_feeds() -> FeedsMatrixWorld:
    world = build_world()
    submission = feed_submission_create(
        actor=world.programme_manager.user,
        agency=world.police,
        kind="asb",
        extract_date=EXTRACT_DATE,
        filename="police-asb.csv",
        content=BAD_FEED,
        valid_rows_only=False,
    )
    feed_submission_import(submission=submission)
    return FeedsMatrixWorld(world, submission.pk)


def _feeds_snapshot(w: FeedsMatrixWorld) -> tuple[Any, ...]:
    # An allowed upload stores a submission and queues its job (on commit, so never in
    # these rolled-back cases); a refused one leaves no trace, not even a read.
    return (
        sorted(FeedSubmission.objects.values_list("pk", "status", "rows_accepted")),
        Job.objects.count(),
        SourcePerson.objects.count(),
        Evidence.objects.count(),
        LogEntry.objects.count(),
        _reads_recorded(),
    )


def _upload(w: FeedsMatrixWorld) -> dict[str, Any]:
    return {
        "agency": str(w.world.police.pk),
        "kind": "asb",
        "extract_date_day": str(EXTRACT_DATE.day),
        "extract_date_month": str(EXTRACT_DATE.month),
        "extract_date_year": str(EXTRACT_DATE.year),
        "file": SimpleUploadedFile("asb.csv", GOOD_FEED, content_type="text/csv"),
    }


def _api_upload(w: FeedsMatrixWorld) -> dict[str, Any]:
    return {
        "agency": w.world.police.code,
        "kind": "asb",
        "extract_date": EXTRACT_DATE.isoformat(),
        "file": SimpleUploadedFile("asb.csv", GOOD_FEED, content_type="text/csv"),
    }


def _submission_url(name: str) -> Any:
    def url(w: FeedsMatrixWorld) -> str:
        return reverse(f"outcomes:{name}", args=[w.submission])

    return url


FEEDS = Table(
    name="agency feeds",
    build=_build_feeds,
    snapshot=_feeds_snapshot,
    cases=[
        RouteCase(
            "feed-list",
            "get",
            lambda w: reverse("outcomes:feed-list"),
            _programme_managers_only(200),
        ),
        RouteCase(
            "feed-upload",
            "get",
            lambda w: reverse("outcomes:feed-upload"),
            _programme_managers_only(200),
        ),
        RouteCase(
            "feed-upload",
            "post",
            lambda w: reverse("outcomes:feed-upload"),
            _programme_managers_only(302),
            _upload,
        ),
        RouteCase(
            "feed-detail", "get", _submission_url("feed-detail"), _programme_managers_only(200)
        ),
        RouteCase(
            "feed-errors", "get", _submission_url("feed-errors"), _programme_managers_only(200)
        ),
        RouteCase(
            "api-feeds",
            "get",
            lambda w: "/api/feeds/",
            _programme_managers_only(200, anonymous=403),
        ),
        RouteCase(
            "api-feeds",
            "post",
            lambda w: "/api/feeds/",
            _programme_managers_only(202, anonymous=403),
            _api_upload,
        ),
        RouteCase(
            "api-feed-detail",
            "get",
            lambda w: f"/api/feeds/{w.submission}/",
            _programme_managers_only(200, anonymous=403),
        ),
        RouteCase(
            "api-feed-errors",
            "get",
            lambda w: f"/api/feeds/{w.submission}/errors/",
            _programme_managers_only(200, anonymous=403),
        ),
    ],
)


# --- The matching review queue, and where a person's records came from ----------------

ROBERT_BORN = datetime.date(1984, 3, 7)
OLIVER_BORN = datetime.date(2014, 5, 20)


@dataclass
class MatchingMatrixWorld:
    world: World
    waiting: int  # a police record of Oliver's twin brother, waiting for a decision
    review: int  # its pending review
    robert: int  # a person with a council record and a police record
    linked: int  # Robert's police record ("Bob"), which may be unlinked


def _identity(source_id: str, **changes: Any) -> SourceIdentity:
    values: dict[str, Any] = {
        "source_person_id": source_id,
        "given_name": "Robert",
        "family_name": "Ashby",
        "date_of_birth": ROBERT_BORN,
        "sex": "M",
        "address_line_1": "10 Station Road",
        "postcode": "SO23 8UG",
        **changes,
    }
    return SourceIdentity(**values)


def _build_matching() -> MatchingMatrixWorld:
    world = build_world()
    family_create(
        actor=system_actor(),
        address=AddressData(postcode="SO23 8UG", line_1="10 Station Road", town="Winchester"),
        members=[
            MemberData("Robert", "Ashby", ROBERT_BORN, MemberRole.PARENT_CARER, sex="M"),
            MemberData("Oliver", "Ashby", OLIVER_BORN, MemberRole.CHILD, sex="M"),
        ],
        reason="Added by hand",
        joined_on=datetime.date(2024, 1, 1),
    )

    def match(agency: Any, identity: SourceIdentity) -> SourcePerson:
        summary = sources_match(
            actor=system_actor(),
            agency=agency,
            submission=None,
            identities=[identity],
            as_of=EXTRACT_DATE,
        )
        return summary.sources[identity.source_person_id]

    # Twins never link automatically: Harry waits for a person to decide.
    waiting = match(world.police, _identity("P1", given_name="Harry", date_of_birth=OLIVER_BORN))
    match(world.council, _identity("C1"))
    linked = match(world.police, _identity("P2", given_name="Bob"))
    assert waiting.person_id is None and linked.person_id is not None
    review = MatchReview.objects.get(source=waiting)
    return MatchingMatrixWorld(world, waiting.pk, review.pk, linked.person_id, linked.pk)


def _matching_snapshot(w: MatchingMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(SourcePerson.objects.values_list("pk", "person_id", "match_method")),
        sorted(MatchReview.objects.values_list("pk", "status")),
        MatchDecision.objects.count(),
        Person.objects.count(),
        sorted(HouseholdMembership.objects.values_list("pk", "family_id", "end_date")),
        AssessmentQueue.objects.count(),
        _reads_recorded(),
    )


MATCHING = Table(
    name="match reviews",
    build=_build_matching,
    snapshot=_matching_snapshot,
    cases=[
        RouteCase(
            "match-review-list",
            "get",
            lambda w: reverse("outcomes:match-review-list"),
            _programme_managers_only(200),
        ),
        RouteCase(
            "match-review-detail",
            "get",
            lambda w: reverse("outcomes:match-review-detail", args=[w.waiting]),
            _programme_managers_only(200),
        ),
        RouteCase(
            "match-review-detail",
            "post",
            lambda w: reverse("outcomes:match-review-detail", args=[w.waiting]),
            _programme_managers_only(302),
            lambda w: {"decision": str(w.review), "note": "Same school"},
        ),
        RouteCase(
            "person-sources",
            "get",
            lambda w: reverse("outcomes:person-sources", args=[w.robert]),
            _programme_managers_only(200),
        ),
        RouteCase(
            "source-unlink",
            "get",
            lambda w: reverse("outcomes:source-unlink", args=[w.linked]),
            _programme_managers_only(200),
        ),
        RouteCase(
            "source-unlink",
            "post",
            lambda w: reverse("outcomes:source-unlink", args=[w.linked]),
            _programme_managers_only(302),
            lambda w: {"reason": "Bob is Robert's father"},
        ),
        RouteCase(
            "api-match-reviews",
            "get",
            lambda w: "/api/match-reviews/",
            _programme_managers_only(200, anonymous=403),
        ),
        RouteCase(
            "api-match-review-detail",
            "get",
            lambda w: f"/api/match-reviews/{w.waiting}/",
            _programme_managers_only(200, anonymous=403),
        ),
        RouteCase(
            "api-match-review-decide",
            "post",
            lambda w: f"/api/match-reviews/{w.waiting}/decide/",
            _programme_managers_only(200, anonymous=403),
            lambda w: {"review": w.review, "same_person": True, "note": "Same school"},
            json=True,
        ),
        RouteCase(
            "api-source-person-unlink",
            "post",
            lambda w: f"/api/source-people/{w.linked}/unlink/",
            _programme_managers_only(200, anonymous=403),
            lambda w: {"reason": "Bob is Robert's father"},
            json=True,
        ),
    ],
)


# --- The Outcome Plan, and a family's assessment --------------------------------------

# persona -> what reading own_family's assessment answers: every case role that sees the
# family (families.access.access.family_scope).
READ_ASSESSMENT = {
    "anonymous": 403,
    "keyworker": 200,  # the lead professional
    "coordinator": 200,  # its LCG's coordinator
    "programme_manager": 200,
    "auditor": 200,
    "senior_officer": 200,
    "dpo": 200,
    "other_keyworker": 404,  # same agency, not their family
    "practitioner": 404,  # police, not on the team
    "other_practitioner": 404,
    "other_coordinator": 404,  # another LCG's coordinator
    "sysadmin": 403,  # no case role
}


@dataclass
class AssessmentMatrixWorld:
    world: World
    # The latest version of each framework's local rules (the tf2 Outcome Plan, the
    # sf2022 outcomes framework), by framework code.
    outcome_plans: dict[str, int]


def _build_assessment() -> AssessmentMatrixWorld:
    world = build_world()
    # Seeded by a data migration; ensured here so that reading the plan writes nothing.
    framework_versions_ensure()
    assessment_add(world.own_family, met=["crime", "housing", "health"])
    # Taken onto the programme, so that its results can be read.
    family_attach(
        actor=system_actor(),
        family=world.own_family,
        framework="sf2022",
        attached_on=datetime.date(2025, 9, 1),
    )
    latest = {
        code: FrameworkVersion.objects.filter(framework=code).latest("version").version
        for code in EDITABLE
    }
    return AssessmentMatrixWorld(world, latest)


def _assessment_snapshot(w: AssessmentMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(FrameworkVersion.objects.values_list("pk", "framework", "version")),
        Job.objects.count(),
        sorted(Assessment.objects.values_list("pk", "is_current")),
        sorted(Attachment.objects.values_list("pk", "family_id", "attached_on")),
        AssessmentQueue.objects.count(),
        _reads_recorded(),
    )


def _posted(framework: str, action: str) -> Callable[[AssessmentMatrixWorld], dict[str, Any]]:
    """What the editor posts to preview (a background job) or save the latest version of
    ``framework``'s rules unchanged; a save without a preview is refused (400)."""

    def data_for(w: AssessmentMatrixWorld) -> dict[str, Any]:
        latest = FrameworkVersion.objects.get(
            framework=framework, version=w.outcome_plans[framework]
        )
        form = OutcomePlanForm(
            editor=EDITABLE[framework], parameters=latest.parameters, based_on=latest.version
        )
        data: dict[str, Any] = {"action": action, "change_note": "Matrix"}
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[name] = "on"
            elif value not in (False, None):
                data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
        return data

    return data_for


_PM_PAGE = _programme_managers_only(200)


def _outcome_plan_cases(framework: str) -> list[RouteCase]:
    """The pages of one framework's local rules: programme managers only."""

    def url(page: str, *, version: bool = False) -> Callable[[AssessmentMatrixWorld], str]:
        def url_for(w: AssessmentMatrixWorld) -> str:
            extra = [w.outcome_plans[framework]] if version else []
            return reverse(f"outcomes:outcome-plan-{page}", args=[framework, *extra])

        return url_for

    return [
        RouteCase(f"outcome-plan-detail-{framework}", "get", url("detail"), _PM_PAGE),
        RouteCase(f"outcome-plan-edit-{framework}", "get", url("edit"), _PM_PAGE),
        RouteCase(
            f"outcome-plan-edit-{framework}-preview",
            "post",
            url("edit"),
            _programme_managers_only(302),
            _posted(framework, "preview"),
        ),
        RouteCase(
            f"outcome-plan-edit-{framework}-save-unpreviewed",
            "post",
            url("edit"),
            _programme_managers_only(400),
            _posted(framework, "save"),
        ),
        RouteCase(f"outcome-plan-versions-{framework}", "get", url("versions"), _PM_PAGE),
        RouteCase(
            f"outcome-plan-version-{framework}", "get", url("version", version=True), _PM_PAGE
        ),
    ]


ASSESSMENT = Table(
    name="outcome plan and assessments",
    build=_build_assessment,
    snapshot=_assessment_snapshot,
    cases=[
        RouteCase(
            "outcome-plan",
            "get",
            lambda w: reverse("outcomes:outcome-plan"),
            _programme_managers_only(200),
        ),
        *(case for code in EDITABLE for case in _outcome_plan_cases(code)),
        RouteCase(
            "api-family-assessment",
            "get",
            lambda w: f"/api/family-assessments/{w.world.own_family.reference}/",
            READ_ASSESSMENT,
        ),
        # Its results and claim readiness: whoever may read its assessment.
        RouteCase(
            "api-family-results",
            "get",
            lambda w: f"/api/family-results/{w.world.own_family.reference}/",
            READ_ASSESSMENT,
        ),
    ],
)

# --- Claims ----------------------------------------------------------------------------

# Programme managers make and change claim batches; internal auditors read them.
_CLAIMS_READ = {
    "anonymous": SIGN_IN,
    **dict.fromkeys(SIGNED_IN, 403),
    "programme_manager": 200,
    "auditor": 200,
    "senior_officer": 200,  # reads claims, adds claims on equivalent progress
}

# Whoever reads claims exports a batch (outcomes.claims.access.can_export_claims): the
# page sends them on to the export's job.
_CLAIMS_EXPORT = {p: 302 if code == 200 else code for p, code in _CLAIMS_READ.items()}


_SENIOR_OFFICERS_ONLY = {"anonymous": SIGN_IN, **dict.fromkeys(SIGNED_IN, 403)}
EQUIVALENT_REASON = "Matrix: progress equivalent to the result, confirmed at the review"


def _auditors_only(ok: int) -> dict[str, int]:
    return {"anonymous": SIGN_IN, **dict.fromkeys(SIGNED_IN, 403), "auditor": ok}


@dataclass
class ClaimsMatrixWorld:
    world: World
    batch: int
    claim: int


def _build_claims() -> ClaimsMatrixWorld:
    from outcomes.claims.services import claim_batch_create
    from tests.support.assessment import evidence_add

    world = build_world()
    framework_versions_ensure()
    # Eligible at entry under tf1 (anti-social behaviour, out of work, domestic abuse), on
    # ESA at attachment, then 13 weeks in work: claimable (route R3).
    parent = world.own_family.memberships.get().person
    evidence_add(parent, "benefits", "2024-01-01", "2025-01-05", benefit="ESA")
    evidence_add(parent, "asb", "2024-06-01", intervention="abc")
    evidence_add(parent, "domestic_abuse", "2024-05-01", role="victim")
    evidence_add(parent, "employment", "2025-01-06", hours_per_week="30")
    family_attach(
        actor=system_actor(),
        family=world.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )
    made = claim_batch_create(
        actor=world.programme_manager.user,
        window_start=datetime.date(2025, 4, 1),
        window_end=datetime.date(2025, 9, 30),
    )
    claim = Claim.objects.get(batch=made.batch)
    # In the audit's sample, so that its audit page exists whatever the batch's state.
    ClaimAudit.objects.create(claim=claim, sampled_because="random")
    return ClaimsMatrixWorld(world, made.batch.pk, claim.pk)


def _claims_snapshot(w: ClaimsMatrixWorld) -> tuple[Any, ...]:
    return (
        sorted(ClaimBatch.objects.values_list("pk", "status")),
        sorted(Claim.objects.values_list("pk", "status", "status_reason")),
        sorted(ClaimAudit.objects.values_list("pk", "decision", "note")),
        sorted(ClaimBatch.objects.values_list("pk", "paid_amount", "paid_on")),
        ClaimBatchChange.objects.count(),
        # An export refused starts no job and records no read.
        Job.objects.count(),
        _reads_recorded(),
    )


def _batch_url(name: str) -> Callable[[ClaimsMatrixWorld], str]:
    return lambda w: reverse(f"outcomes:{name}", args=[w.batch])


def _claim_url(name: str) -> Callable[[ClaimsMatrixWorld], str]:
    return lambda w: reverse(f"outcomes:{name}", args=[w.batch, w.claim])


CLAIMS = Table(
    name="claims",
    build=_build_claims,
    snapshot=_claims_snapshot,
    cases=[
        RouteCase(
            "claim-batches", "get", lambda w: reverse("outcomes:claim-batches"), _CLAIMS_READ
        ),
        RouteCase(
            "claim-batch-new",
            "get",
            lambda w: reverse("outcomes:claim-batch-new"),
            _programme_managers_only(200),
        ),
        RouteCase(
            "claim-batch-new-post",
            "post",
            lambda w: reverse("outcomes:claim-batch-new"),
            _programme_managers_only(302),
            lambda w: {
                "window_start_day": "1",
                "window_start_month": "10",
                "window_start_year": "2025",
                "window_end_day": "31",
                "window_end_month": "12",
                "window_end_year": "2025",
                "sample_percent": "10",
            },
        ),
        RouteCase("claim-batch", "get", _batch_url("claim-batch"), _CLAIMS_READ),
        RouteCase("claim-remove", "get", _claim_url("claim-remove"), _programme_managers_only(200)),
        RouteCase(
            "claim-replay",
            "post",
            _claim_url("claim-replay"),
            {**_CLAIMS_READ, "programme_manager": 302, "auditor": 302, "senior_officer": 302},
        ),
        RouteCase(
            "claim-remove-post",
            "post",
            _claim_url("claim-remove"),
            _programme_managers_only(302),
            lambda w: {"reason": "Matrix: evidence being checked"},
        ),
        # The batch's journey: a refusal (no claims left, not in audit) is shown on the
        # batch page, so the programme manager is sent back there either way.
        RouteCase(
            "claim-batch-audit",
            "post",
            _batch_url("claim-batch-audit"),
            _programme_managers_only(302),
        ),
        RouteCase(
            "claim-batch-submit",
            "post",
            _batch_url("claim-batch-submit"),
            _programme_managers_only(302),
        ),
        RouteCase(
            "claim-batch-outcome",
            "get",
            _batch_url("claim-batch-outcome"),
            _programme_managers_only(200),
        ),
        RouteCase(
            "claim-batch-payment",
            "get",
            _batch_url("claim-batch-payment"),
            _programme_managers_only(200),
        ),
        # The batch is never accepted here: the payment and the claw-back are refused on
        # the form (400) for the programme manager, and changed nothing for anyone.
        RouteCase(
            "claim-batch-payment-post",
            "post",
            _batch_url("claim-batch-payment"),
            _programme_managers_only(400),
            lambda w: {
                "amount": "800.00",
                "paid_on_day": "1",
                "paid_on_month": "12",
                "paid_on_year": "2026",
            },
        ),
        RouteCase(
            "claim-claw-back", "get", _claim_url("claim-claw-back"), _programme_managers_only(200)
        ),
        RouteCase(
            "claim-claw-back-post",
            "post",
            _claim_url("claim-claw-back"),
            _programme_managers_only(400),
            lambda w: {"reason": "Matrix: found invalid"},
        ),
        # Claim readiness: whoever reads claims.
        RouteCase(
            "claim-readiness", "get", lambda w: reverse("outcomes:claim-readiness"), _CLAIMS_READ
        ),
        RouteCase(
            "api-claim-readiness", "get", lambda w: "/api/claim-readiness/", _api(_CLAIMS_READ, 200)
        ),
        # Exports: whoever reads claims starts one (a background job, then its page).
        RouteCase(
            "claim-batch-export",
            "post",
            _batch_url("claim-batch-export"),
            _CLAIMS_EXPORT,
            lambda w: {"format": "xlsx", "idempotency_key": "matrix"},
        ),
        RouteCase(
            "api-claim-batch-exports",
            "post",
            lambda w: f"/api/claim-batches/{w.batch}/exports/",
            _api(_CLAIMS_EXPORT, 202),
            lambda w: {"format": "csv"},
            json=True,
        ),
        # Equivalent progress: senior officers only. The world's family is claimed already,
        # so the senior officer's post is refused on the form (400) and changes nothing.
        RouteCase(
            "claim-equivalent-add",
            "get",
            _batch_url("claim-equivalent-add"),
            _SENIOR_OFFICERS_ONLY | {"senior_officer": 200},
        ),
        RouteCase(
            "claim-equivalent-add-post",
            "post",
            _batch_url("claim-equivalent-add"),
            _SENIOR_OFFICERS_ONLY | {"senior_officer": 400},
            lambda w: {"family": w.world.own_family.reference, "reason": EQUIVALENT_REASON},
        ),
        RouteCase(
            "api-claim-batch-equivalent-claims",
            "get",
            lambda w: f"/api/claim-batches/{w.batch}/equivalent-claims/",
            _api(_CLAIMS_READ, 200),
        ),
        RouteCase(
            "api-claim-batch-equivalent-claims-post",
            "post",
            lambda w: f"/api/claim-batches/{w.batch}/equivalent-claims/",
            {**_SENIOR_OFFICERS_ONLY, "anonymous": 403, "senior_officer": 400},
            lambda w: {"family": w.world.own_family.reference, "reason": EQUIVALENT_REASON},
            json=True,
        ),
        RouteCase("claim-audit", "get", _claim_url("claim-audit"), _auditors_only(200)),
        # Without a decision the form is shown again (400), whatever the batch's state.
        RouteCase("claim-audit-post", "post", _claim_url("claim-audit"), _auditors_only(400)),
    ],
)

# --- Money (outcomes.claims.access.can_see_money, can_change_payment_rates) ------------


@dataclass
class MoneyMatrixWorld:
    world: World
    fee: int


def _build_money() -> MoneyMatrixWorld:
    from django.utils import timezone

    from outcomes.models import AttachmentFee

    world = build_world()
    # Seeded by a data migration (ensured here: a browser test may have emptied the table).
    fee, _ = AttachmentFee.objects.get_or_create(
        framework="tf2",
        financial_year=2015,
        defaults={"amount": 1000, "source": "National default", "updated_at": timezone.now()},
    )
    return MoneyMatrixWorld(world, fee.pk)


def _money_snapshot(w: MoneyMatrixWorld) -> tuple[Any, ...]:
    from django.apps import apps

    from outcomes.models import AttachmentFee

    return (
        sorted(AttachmentFee.objects.values_list("pk", "amount", "source")),
        apps.get_model("outcomes", "AttachmentFeeEvent").objects.count(),
    )


def _fee_url(w: MoneyMatrixWorld) -> str:
    return reverse("outcomes:attachment-fee-change", args=[w.fee])


MONEY = Table(
    name="money",
    build=_build_money,
    snapshot=_money_snapshot,
    cases=[
        RouteCase("money", "get", lambda w: reverse("outcomes:money"), _PM_PAGE),
        RouteCase("money-csv", "get", lambda w: reverse("outcomes:money-csv"), _PM_PAGE),
        RouteCase("payment-rates", "get", lambda w: reverse("outcomes:payment-rates"), _PM_PAGE),
        RouteCase(
            "attachment-fee-new", "get", lambda w: reverse("outcomes:attachment-fee-new"), _PM_PAGE
        ),
        RouteCase(
            "attachment-fee-new-post",
            "post",
            lambda w: reverse("outcomes:attachment-fee-new"),
            _programme_managers_only(302),
            lambda w: {
                "framework": "sf2022",
                "financial_year": "2025",
                "amount": "650",
                "source": "Matrix",
            },
        ),
        RouteCase("attachment-fee-change", "get", _fee_url, _PM_PAGE),
        RouteCase(
            "attachment-fee-change-post",
            "post",
            _fee_url,
            _programme_managers_only(302),
            lambda w: {"amount": "1100", "source": "Matrix"},
        ),
        RouteCase(
            "api-money",
            "get",
            lambda w: "/api/money/",
            _programme_managers_only(200, anonymous=403),
        ),
    ],
)

# --- Outcomes recorded by the lead practitioner (outcomes.results.recorded_access) -------

# Only the family's lead professional records; those who see the family otherwise get 403
# on the page, those who do not see it 404.
RECORD_OUTCOME = {
    "anonymous": SIGN_IN,
    "keyworker": 302,
    "coordinator": 403,
    "programme_manager": 403,
    "auditor": 403,
    "senior_officer": 403,
    "dpo": 403,
    "other_keyworker": 404,
    "practitioner": 404,
    "other_practitioner": 404,
    "other_coordinator": 404,
    "sysadmin": 403,
}
RECORDED_REASON = "Matrix: the family eats together again, seen at the review"


def _build_recorded() -> OutcomesMatrixWorld:
    world = build_world()
    framework_versions_ensure()
    attachment, _ = family_attach(
        actor=system_actor(),
        family=world.own_family,
        framework="sf2022",
        attached_on=datetime.date(2025, 9, 1),
    )
    attachment.entry_criteria = {"family_relationships": {"met": True, "people": []}}
    attachment.save(update_fields=["entry_criteria"])
    return OutcomesMatrixWorld(world)


def _recorded_snapshot(w: OutcomesMatrixWorld) -> tuple[Any, ...]:
    from outcomes.models import RecordedOutcome

    return (
        sorted(RecordedOutcome.objects.values_list("pk", "is_current", "superseded_by_id")),
        _reads_recorded(),
    )


def _record_url(w: OutcomesMatrixWorld) -> str:
    return reverse("outcomes:recorded-outcome-record", args=[_ref(w)])


def _recorded_api(w: OutcomesMatrixWorld) -> str:
    return f"/api/families/{_ref(w)}/recorded-outcomes/"


RECORDED = Table(
    name="recorded outcomes",
    build=_build_recorded,
    snapshot=_recorded_snapshot,
    cases=[
        RouteCase("recorded-outcome-record", "get", _record_url, _page(RECORD_OUTCOME)),
        RouteCase(
            "recorded-outcome-record-post",
            "post",
            _record_url,
            RECORD_OUTCOME,
            lambda w: {
                "need": "family_relationships",
                "positive": "yes",
                "reason": RECORDED_REASON,
            },
        ),
        # Reading: whoever may read the family's assessment and results.
        RouteCase("api-recorded-outcomes", "get", _recorded_api, READ_ASSESSMENT),
        RouteCase(
            "api-recorded-outcomes-post",
            "post",
            _recorded_api,
            _api(RECORD_OUTCOME, 201),
            lambda w: {"need": "family_relationships", "positive": True, "reason": RECORDED_REASON},
            json=True,
        ),
    ],
)

TABLES = [FEEDS, MATCHING, ASSESSMENT, CLAIMS, MONEY, RECORDED]
