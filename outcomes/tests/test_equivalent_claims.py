"""Claims on "equivalent progress" (DOMAIN.md 4.2, 5): only a senior officer adds one,
with a written reason, to a draft batch, for an attached family eligible at entry whose
results are not met; paid as the framework's full result, with an evidence snapshot;
always in the internal audit's sample; still once per programme. On real PostgreSQL."""

from __future__ import annotations

import datetime
import html
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from conftest import World, client_for
from oneplan.errors import ApplicationError
from outcomes.claims.audit import batch_audit_start
from outcomes.claims.equivalent import REASON_MIN, claim_equivalent_add
from outcomes.claims.services import claim_batch_create, claim_replay
from outcomes.frameworks.payments import full_result
from outcomes.frameworks.snapshots import snapshot_hash
from outcomes.models import (
    Claim,
    ClaimAudit,
    ClaimBatch,
    ClaimBatchStatus,
    ClaimKind,
    SampledBecause,
)
from outcomes.results.services import family_attach
from outcomes.tests.test_results_command import tf1_family  # noqa: F401 (fixture)
from tests.support.assessment import evidence_add

# R3 is not reached by 31 March 2025 (13 weeks in work from 6 January is 7 April), and
# the anti-social behaviour in February voids R1: not claimable in this window.
START, END = datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)
REASON = "ASB has stopped since February and Jordan is in work; the review confirms it"


@pytest.fixture
def progressing(tf1_family: World) -> World:  # noqa: F811
    parent = tf1_family.own_family.memberships.get().person
    evidence_add(parent, "asb", "2025-02-01", agency_code="POLICE", intervention="abc")
    family_attach(
        actor=tf1_family.programme_manager.user,
        family=tf1_family.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )
    return tf1_family


def _draft(world: World, end: datetime.date = END, percent: int = 10) -> ClaimBatch:
    return claim_batch_create(
        actor=world.programme_manager.user,
        window_start=START,
        window_end=end,
        sample_percent=percent,
    ).batch


def _add(world: World, batch: ClaimBatch, persona: str = "senior_officer", reason: str = REASON):
    return claim_equivalent_add(
        actor=getattr(world, persona).user, batch=batch, family=world.own_family, reason=reason
    )


def _claims() -> list[tuple[Any, ...]]:
    return sorted(Claim.objects.values_list("pk", "family_id", "status", "kind"))


def test_a_senior_officer_adds_a_family_on_equivalent_progress(progressing: World) -> None:
    batch = _draft(progressing)
    assert not Claim.objects.filter(batch=batch).exists()  # not claimable on its results

    claim = _add(progressing, batch)

    assert (claim.kind, claim.equivalent_reason, claim.framework) == (
        ClaimKind.EQUIVALENT,
        REASON,
        "tf1",
    )
    # The full result: the highest tf1 payment (R1+R2 and R3 both pay £800; the first).
    assert (claim.route, claim.amount) == ("R1+R2", Decimal("800.00"))
    assert claim.claim_date == END
    assert claim.snapshot["decision"]["route"] is None
    assert claim.snapshot["as_of"] == END.isoformat()
    assert claim.snapshot_sha256 == snapshot_hash(claim.snapshot)
    assert claim_replay(claim).same


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        ({}, ("R1+R2", Decimal("800.00"))),
        ({"payments": {"R3": 900}}, ("R3", Decimal("900.00"))),
        ({"payments": {"R1": 1000}}, ("R1", Decimal("1000.00"))),
    ],
)
def test_the_full_result_is_the_highest_payment_of_the_version(
    parameters: dict[str, Any], expected: tuple[str, Decimal]
) -> None:
    assert full_result("tf1", parameters) == expected
    assert full_result("tf2", {}) == ("progress", Decimal("800.00"))
    assert full_result("sf2022", {"payments": {"outcomes": "850"}}) == (
        "outcomes",
        Decimal("850.00"),
    )


@pytest.mark.parametrize(
    "persona", ["programme_manager", "auditor", "keyworker", "coordinator", "dpo", "sysadmin"]
)
def test_only_a_senior_officer_may_and_a_denial_changes_nothing(
    progressing: World, persona: str
) -> None:
    batch = _draft(progressing)
    before = _claims()

    with pytest.raises(ApplicationError, match="Only a senior officer"):
        _add(progressing, batch, persona)
    response = client_for(getattr(progressing, persona)).post(
        reverse("outcomes:claim-equivalent-add", args=[batch.pk]),
        {"family": progressing.own_family.reference, "reason": REASON},
    )
    api = client_for(getattr(progressing, persona)).post(
        f"/api/claim-batches/{batch.pk}/equivalent-claims/",
        {"family": progressing.own_family.reference, "reason": REASON},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert api.status_code == 403
    assert _claims() == before


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why the family's progress is equivalent"),
        ("   ", "Enter why the family's progress is equivalent"),
        ("x" * (REASON_MIN - 1), f"at least {REASON_MIN} characters"),
        ("x" * 2001, "2,000 characters or fewer"),
    ],
)
def test_a_written_reason_is_needed(progressing: World, reason: str, message: str) -> None:
    batch = _draft(progressing)
    with pytest.raises(ApplicationError, match=message):
        _add(progressing, batch, reason=reason)
    response = client_for(progressing.senior_officer).post(
        reverse("outcomes:claim-equivalent-add", args=[batch.pk]),
        {"family": progressing.own_family.reference, "reason": reason},
    )
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Claim.objects.exists()
    assert _add(progressing, batch, reason="y" * REASON_MIN).equivalent_reason == "y" * REASON_MIN


def test_a_claimable_family_is_claimed_on_its_results_not_on_equivalent_progress(
    tf1_family: World,  # noqa: F811
) -> None:
    family_attach(
        actor=tf1_family.programme_manager.user,
        family=tf1_family.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )
    batch = _draft(tf1_family, end=datetime.date(2025, 9, 30), percent=0)
    Claim.objects.filter(batch=batch).delete()
    with pytest.raises(ApplicationError, match="claimable on its results"):
        _add(tf1_family, batch)
    assert not Claim.objects.exists()


def test_a_family_not_eligible_at_entry_or_not_attached_is_refused(world: World) -> None:
    batch = _draft(world)
    with pytest.raises(ApplicationError, match="not attached to the programme"):
        _add(world, batch)
    # No evidence: not eligible when attached.
    family_attach(
        actor=world.programme_manager.user,
        family=world.own_family,
        framework="tf1",
        attached_on=datetime.date(2024, 9, 1),
    )
    with pytest.raises(ApplicationError, match="was not eligible when it was attached"):
        _add(world, batch)
    assert not Claim.objects.exists()


def test_only_a_draft_batch_takes_a_claim(progressing: World) -> None:
    batch = _draft(progressing)
    ClaimBatch.objects.filter(pk=batch.pk).update(status=ClaimBatchStatus.IN_AUDIT)
    with pytest.raises(ApplicationError, match="only while the batch is a draft"):
        _add(progressing, batch)
    page = client_for(progressing.senior_officer).get(
        reverse("outcomes:claim-equivalent-add", args=[batch.pk])
    )
    assert "Families can be added only while a batch is a draft" in page.content.decode()
    assert not Claim.objects.exists()


def test_a_family_is_still_claimed_once_per_programme(progressing: World) -> None:
    batch = _draft(progressing)
    claim = _add(progressing, batch)
    other = _draft(progressing)

    with pytest.raises(ApplicationError, match="already claimed under this programme"):
        _add(progressing, other, reason=REASON + " again")
    # The database refuses a second standing claim whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            **{
                f.attname: getattr(claim, f.attname)
                for f in Claim._meta.concrete_fields
                if f.name not in {"id"}
            }
            | {"batch_id": other.pk}
        )
    assert Claim.objects.filter(family=progressing.own_family).count() == 1


def test_every_equivalent_claim_is_in_the_audit_sample(progressing: World) -> None:
    batch = _draft(progressing, percent=0)
    claim = _add(progressing, batch)

    batch_audit_start(actor=progressing.programme_manager.user, batch=batch, seed=7)

    audit = ClaimAudit.objects.get(claim=claim)
    assert audit.sampled_because == SampledBecause.EQUIVALENT


def test_the_batch_page_and_the_checklist_show_the_kind_and_the_reason(
    progressing: World,
) -> None:
    batch = _draft(progressing, percent=0)
    senior = client_for(progressing.senior_officer)
    form = senior.get(reverse("outcomes:claim-batch", args=[batch.pk])).content.decode()
    assert "Add a claim on equivalent progress" in form

    response = senior.post(
        reverse("outcomes:claim-equivalent-add", args=[batch.pk]),
        {"family": progressing.own_family.reference.lower(), "reason": REASON},
        follow=True,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "added on equivalent progress" in page
    assert "Equivalent progress" in page and REASON in page
    manager_page = client_for(progressing.programme_manager).get(
        reverse("outcomes:claim-batch", args=[batch.pk])
    )
    assert "Add a claim on equivalent progress" not in manager_page.content.decode()

    claim = Claim.objects.get(batch=batch)
    batch_audit_start(actor=progressing.programme_manager.user, batch=batch, seed=1)
    checklist = client_for(progressing.auditor).get(
        reverse("outcomes:claim-audit", args=[batch.pk, claim.pk])
    )
    assert checklist.status_code == 200
    text = html.unescape(checklist.content.decode())
    assert "Senior officer's reason" in text and REASON in text
    assert "equivalent progress" in text


def test_an_unknown_reference_gets_a_message_on_the_form(progressing: World) -> None:
    batch = _draft(progressing)
    response = client_for(progressing.senior_officer).post(
        reverse("outcomes:claim-equivalent-add", args=[batch.pk]),
        {"family": "F-999999", "reason": REASON},
    )
    assert response.status_code == 400
    assert "There is no family with the reference F-999999" in response.content.decode()
    assert REASON in response.content.decode()
    assert not Claim.objects.exists()


def test_the_api_adds_and_lists_equivalent_claims(progressing: World) -> None:
    batch = _draft(progressing)
    url = f"/api/claim-batches/{batch.pk}/equivalent-claims/"
    senior = client_for(progressing.senior_officer)

    short = senior.post(
        url,
        {"family": progressing.own_family.reference, "reason": "short"},
        content_type="application/json",
    )
    made = senior.post(
        url,
        {"family": progressing.own_family.reference, "reason": REASON},
        content_type="application/json",
    )
    listed = client_for(progressing.auditor).get(url)

    assert short.status_code == 400 and "reason" in short.json()
    assert made.status_code == 201, made.content
    assert made.json()["kind"] == "equivalent" and made.json()["amount"] == "800.00"
    assert [row["family"] for row in listed.json()] == [progressing.own_family.reference]
