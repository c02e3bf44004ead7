"""The claim pages: a programme manager makes a batch for a window, takes a family out
with a reason and replays a claim; an internal auditor reads them; the forms re-show what
was typed with a clear message."""

from __future__ import annotations

from html import unescape

from django.urls import reverse

from conftest import World, client_for
from outcomes.models import Claim, ClaimBatch, ClaimStatus
from outcomes.tests.test_results_command import _run, tf1_family  # noqa: F401 (fixture)

WINDOW = {
    "window_start_day": "1",
    "window_start_month": "4",
    "window_start_year": "2025",
    "window_end_day": "30",
    "window_end_month": "9",
    "window_end_year": "2025",
    "sample_percent": "10",
}


def test_a_programme_manager_makes_a_batch_removes_a_family_and_replays(
    tf1_family: World,  # noqa: F811
) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    client = client_for(tf1_family.programme_manager)
    listing = client.get(reverse("outcomes:claim-batches")).content.decode()
    assert "No claim batches yet." in listing and "Make a claim batch" in listing

    # A window that ends before it starts: the form says so and keeps what was typed.
    bad = client.post(reverse("outcomes:claim-batch-new"), {**WINDOW, "window_end_year": "2024"})
    html = unescape(bad.content.decode())
    assert bad.status_code == 400
    assert "The window must end on or after the day it starts" in html
    assert 'value="2024"' in html
    assert not ClaimBatch.objects.exists()

    made = client.post(reverse("outcomes:claim-batch-new"), WINDOW, follow=True)
    html = unescape(made.content.decode())
    assert "Claim batch made: 1 family proposed" in html
    assert tf1_family.own_family.reference in html
    assert "Troubled Families phase 1 (2012), R3" in html
    assert "£800.00" in html
    claim = Claim.objects.get()

    replayed = client.post(
        reverse("outcomes:claim-replay", args=[claim.batch_id, claim.pk]), follow=True
    )
    assert "the rules give the same decision (route R3)" in unescape(replayed.content.decode())

    remove = reverse("outcomes:claim-remove", args=[claim.batch_id, claim.pk])
    empty = client.post(remove, {"reason": ""})
    assert empty.status_code == 400
    assert "Enter why the family is removed from the batch" in unescape(empty.content.decode())
    done = client.post(remove, {"reason": "Evidence being checked"}, follow=True)
    assert f"{tf1_family.own_family.reference} removed from the batch" in done.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.status_reason) == (ClaimStatus.REMOVED, "Evidence being checked")


def test_an_auditor_reads_batches_but_cannot_make_or_change_them(
    tf1_family: World,  # noqa: F811
) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    client_for(tf1_family.programme_manager).post(reverse("outcomes:claim-batch-new"), WINDOW)
    claim = Claim.objects.get()
    auditor = client_for(tf1_family.auditor)
    listing = auditor.get(reverse("outcomes:claim-batches")).content.decode()
    assert "Make a claim batch" not in listing
    detail = auditor.get(reverse("outcomes:claim-batch", args=[claim.batch_id])).content.decode()
    assert tf1_family.own_family.reference in detail
    assert "Remove" not in detail
    assert auditor.post(reverse("outcomes:claim-batch-new"), WINDOW).status_code == 403
    assert ClaimBatch.objects.count() == 1


def test_the_batch_goes_through_audit_submission_and_acceptance_on_its_pages(
    tf1_family: World,  # noqa: F811
) -> None:
    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    manager = client_for(tf1_family.programme_manager)
    manager.post(reverse("outcomes:claim-batch-new"), WINDOW)
    claim = Claim.objects.get()
    batch_page = reverse("outcomes:claim-batch", args=[claim.batch_id])
    sent = manager.post(reverse("outcomes:claim-batch-audit", args=[claim.batch_id]), follow=True)
    html = unescape(sent.content.decode())
    assert "Sent to internal audit: the sample is drawn" in html
    assert "Random sample: to do" in html
    # Not yet: the sample is not done.
    early = manager.post(reverse("outcomes:claim-batch-submit", args=[claim.batch_id]), follow=True)
    assert "The internal audit is not finished" in unescape(early.content.decode())

    auditor = client_for(tf1_family.auditor)
    assert "Audit" in auditor.get(batch_page).content.decode()
    audit_page = reverse("outcomes:claim-audit", args=[claim.batch_id, claim.pk])
    # Passing with an item not confirmed is refused, and what was chosen is kept.
    refused = auditor.post(
        audit_page,
        {"confirmed": ["eligible_at_entry", "family_plan"], "decision": "pass"},
    )
    html = unescape(refused.content.decode())
    assert refused.status_code == 400
    assert "not confirmed: Whole-family assessment, Key worker, Outcome evidence" in html
    every = [
        "eligible_at_entry",
        "whole_family_assessment",
        "family_plan",
        "key_worker",
        "outcome_evidence",
    ]
    passed = auditor.post(audit_page, {"confirmed": every, "decision": "pass"}, follow=True)
    assert "audit decision recorded" in passed.content.decode()

    submitted = manager.post(
        reverse("outcomes:claim-batch-submit", args=[claim.batch_id]), follow=True
    )
    assert "Batch submitted" in submitted.content.decode()
    outcome = reverse("outcomes:claim-batch-outcome", args=[claim.batch_id])
    assert manager.post(outcome, {"note": "x"}).status_code == 400
    done = manager.post(outcome, {"accepted": "yes", "note": "Paid"}, follow=True)
    assert "Recorded: accepted" in done.content.decode()
    assert ClaimBatch.objects.get().status == "accepted"
    # Then the payment, and a claim found invalid later.
    payment = reverse("outcomes:claim-batch-payment", args=[claim.batch_id])
    bad = manager.post(
        payment,
        {"amount": "-5", "paid_on_day": "31", "paid_on_month": "12", "paid_on_year": "2099"},
    )
    assert bad.status_code == 400
    assert "The amount paid cannot be negative" in unescape(bad.content.decode())
    paid = manager.post(
        payment,
        {"amount": "800", "paid_on_day": "31", "paid_on_month": "12", "paid_on_year": "2099"},
        follow=True,
    )
    html = unescape(paid.content.decode())
    assert "Payment recorded" in html and "£800.00 on 31 December 2099" in html
    claw_back = reverse("outcomes:claim-claw-back", args=[claim.batch_id, claim.pk])
    assert manager.post(claw_back, {"reason": ""}).status_code == 400
    done = manager.post(claw_back, {"reason": "The job was a placement"}, follow=True)
    html = unescape(done.content.decode())
    assert "is clawed back" in html and "(£800.00 clawed back)" in html


def test_a_batch_of_more_than_fifty_claims_is_shown_fifty_a_page_with_its_totals(
    tf1_family: World,  # noqa: F811
) -> None:
    from tests.factories import FamilyFactory

    _run("attach", "--person", "DWP:D-1", "--framework", "tf1", "--on", "2024-09-01")
    client = client_for(tf1_family.programme_manager)
    client.post(reverse("outcomes:claim-batch-new"), WINDOW)
    first = Claim.objects.get()
    # 59 more claims in the batch, each for a family of its own (copies of the first).
    extra = []
    for _ in range(59):
        claim = Claim.objects.get(pk=first.pk)
        claim.pk = None
        claim.family_id = FamilyFactory(lcg=tf1_family.own_family.lcg).pk
        extra.append(claim)
    Claim.objects.bulk_create(extra)
    url = reverse("outcomes:claim-batch", args=[first.batch_id])

    page_one = unescape(client.get(url).content.decode())
    page_two = unescape(client.get(url, {"page": "2"}).content.decode())
    references = [c.family.reference for c in Claim.objects.order_by("family__reference")]
    on_one = [r for r in references if f">{r}<" in page_one]
    on_two = [r for r in references if f">{r}<" in page_two]
    assert (len(on_one), len(on_two)) == (50, 10)
    assert not set(on_one) & set(on_two)
    # The totals are the whole batch's on every page.
    for html in (page_one, page_two):
        assert "£48,000.00" in html
    assert 'rel="next"' in page_one and 'rel="prev"' in page_two
