"""The retention pages as the DPO uses them: errors re-show what was typed, every page
that names families writes an access event, and a batch approved on its page runs."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.services import system_actor
from audit.models import AccessEvent
from conftest import World, client_for
from lcgs.retention import services
from lcgs.retention.models import BatchStatus, LegalHold, RetentionBatch, RetentionPolicy
from lcgs.tests.retention_support import family_ended, policies_seeded
from oneplan.jobs import job_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _periods() -> None:
    # A transactional test run before this one may have emptied the seeded table.
    policies_seeded()


def test_the_review_page_lists_due_families_and_records_that_they_were_seen(world: World) -> None:
    family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=timezone.localdate())

    response = client_for(world.dpo).get(reverse("lcgs:retention"))

    assert response.status_code == 200
    assert f"Family {family.reference}" in response.content.decode()
    event = AccessEvent.objects.filter(user=world.dpo.user, action="list").latest("occurred_at")
    assert event.detail["families"] == [family.pk]


def test_a_batch_approved_on_its_page_runs(world: World) -> None:
    family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=timezone.localdate())
    client = client_for(world.dpo)

    started = client.post(reverse("lcgs:retention-batch-start"), {"record_class": "closed_case"})
    batch = RetentionBatch.objects.get()
    assert started["Location"] == reverse("lcgs:retention-batch", args=[batch.pk])
    refused = client.post(reverse("lcgs:retention-batch", args=[batch.pk]), {})
    assert refused.status_code == 400
    assert "Confirm that you have checked the records" in refused.content.decode()
    approved = client.post(reverse("lcgs:retention-batch", args=[batch.pk]), {"confirm": "on"})
    assert approved.status_code == 302
    batch.refresh_from_db()
    assert batch.job is not None
    job_run(job_id=str(batch.job.pk))

    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    assert family.memberships.get().person.family_name == "Anonymised"
    page = client.get(reverse("lcgs:retention-batch", args=[batch.pk])).content.decode()
    assert "1 record anonymised, 0 skipped for a legal hold" in page


def test_a_hold_form_reshows_what_was_typed(world: World) -> None:
    client = client_for(world.dpo)
    url = reverse("lcgs:retention-hold-new", args=[world.own_family.reference])

    response = client.post(
        url,
        {"on": "family", "reason": "", "until_day": "31", "until_month": "2", "until_year": "2030"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Enter the reason for the hold" in page
    assert "must be a real date" in page
    assert 'value="2030"' in page
    assert not LegalHold.objects.exists()


def test_an_unknown_reference_is_an_error_on_the_form(world: World) -> None:
    response = client_for(world.dpo).post(
        reverse("lcgs:retention-hold-find"), {"reference": "F-999999"}
    )

    assert response.status_code == 400
    assert "No family has this reference" in response.content.decode()
    assert 'value="F-999999"' in response.content.decode()


def test_a_hold_on_a_member_is_placed_from_the_family(world: World) -> None:
    person = world.own_family.memberships.get().person
    client = client_for(world.dpo)

    response = client.post(
        reverse("lcgs:retention-hold-new", args=[world.own_family.reference]),
        {
            "on": f"person-{person.pk}",
            "reason": "Court order",
            "until_day": "",
            "until_month": "",
            "until_year": "",
        },
    )

    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.person, hold.family) == (person, None)
    assert AccessEvent.objects.filter(
        user=world.dpo.user, action="view", family_id=world.own_family.pk
    ).exists()


def test_a_period_out_of_range_is_refused(world: World) -> None:
    policy = RetentionPolicy.objects.get(record_class="closed_case")

    response = client_for(world.dpo).post(
        reverse("lcgs:retention-period-change", args=[policy.pk]),
        {"years": "0", "action": "anonymise", "source": "Schedule"},
    )

    assert response.status_code == 400
    assert "Enter a number of years from 1 to 100" in response.content.decode()
    policy.refresh_from_db()
    assert policy.years == 6


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_review_and_batch_pages_ask_the_same_queries_for_more_families(world: World) -> None:
    today = timezone.localdate()
    client = client_for(world.dpo)
    client.get(reverse("lcgs:retention"))  # the session's first request writes more
    # A batch listed from the start (with none, the paginator reads no page at all).
    RetentionBatch.objects.create(
        record_class="closed_case",
        action="anonymise",
        status=BatchStatus.CANCELLED,
        created_by=world.dpo.user,
        created_at=timezone.now(),
    )
    family_ended(world, closed_on=datetime.date(2018, 5, 1))
    services.retention_reviews_list(actor=system_actor(), today=today)
    one_due = _queries(client, reverse("lcgs:retention"))
    small = services.retention_batch_create(
        actor=world.dpo.user, record_class="closed_case", today=today
    )
    for day in (2, 3, 4, 5, 6):
        family_ended(world, closed_on=datetime.date(2018, 5, day))
    services.retention_reviews_list(actor=system_actor(), today=today)

    five_due = _queries(client, reverse("lcgs:retention"))
    large = services.retention_batch_create(
        actor=world.dpo.user, record_class="closed_case", today=today
    )

    assert (small.items.count(), large.items.count()) == (1, 5)
    assert five_due == one_due
    assert _queries(client, reverse("lcgs:retention-batch", args=[large.pk])) == _queries(
        client, reverse("lcgs:retention-batch", args=[small.pk])
    )


@pytest.mark.parametrize(
    ("route", "size_name", "build"),
    [
        ("lcgs:retention", "BATCHES_PAGE_SIZE", "batch"),
        ("lcgs:retention-holds", "HOLDS_PAGE_SIZE", "hold"),
    ],
)
def test_every_batch_and_hold_is_reachable_page_by_page(
    world: World, monkeypatch: pytest.MonkeyPatch, route: str, size_name: str, build: str
) -> None:
    from lcgs.retention import views

    monkeypatch.setattr(views, size_name, 2)
    now = timezone.now()
    made = []
    for n in range(5):
        if build == "batch":
            made.append(
                RetentionBatch.objects.create(
                    record_class="closed_case",
                    action="anonymise",
                    created_by=world.dpo.user,
                    created_at=now - datetime.timedelta(days=n),
                )
            )
        else:
            family = family_ended(world, closed_on=datetime.date(2018, 5, 1))
            made.append(
                LegalHold.objects.create(
                    family=family,
                    reason="Litigation",
                    placed_by=world.dpo.user,
                    placed_at=now - datetime.timedelta(days=n),
                )
            )
    client = client_for(world.dpo)
    path = reverse(
        "lcgs:retention-batch" if build == "batch" else "lcgs:retention-hold-lift", args=[0]
    )
    link = path.rsplit("/0/", 1)[0] + "/{}/"

    pages = [client.get(reverse(route), {"page": n}).content.decode() for n in (1, 2, 3)]

    # Newest first, two a page, the oldest on the last page, and the pages link onward.
    for index, item in enumerate(made):
        page = pages[index // 2]
        assert link.format(item.pk) in page, (index, item.pk)
        assert all(link.format(item.pk) not in other for other in pages if other is not page)
    assert '?page=2"' in pages[0]
    assert '?page=3"' in pages[1]


def test_the_lift_page_of_a_hold_on_a_person_records_that_they_were_seen(world: World) -> None:
    from tests.factories import PersonFactory

    person = PersonFactory(given_name="Robin", family_name="Vale")
    hold = LegalHold.objects.create(
        person=person, reason="Inquest", placed_by=world.dpo.user, placed_at=timezone.now()
    )

    page = client_for(world.dpo).get(reverse("lcgs:retention-hold-lift", args=[hold.pk]))

    assert page.status_code == 200
    assert "Robin Vale" in page.content.decode()
    assert AccessEvent.objects.filter(
        user=world.dpo.user, object_type="person", object_id=str(person.pk)
    ).exists()


def test_records_held_for_years_do_not_push_a_due_one_off_the_list(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lcgs.retention import selectors
    from lcgs.retention.models import RetentionReview, ReviewStatus

    monkeypatch.setattr(selectors, "LIST_MAX", 2)
    for day in (1, 2):
        RetentionReview.objects.create(
            record_class="closed_case",
            family=family_ended(world, closed_on=datetime.date(2018, 5, day)),
            due_on=datetime.date(2020, 1, day),
            status=ReviewStatus.HELD,
            listed_at=timezone.now(),
        )
    due = RetentionReview.objects.create(
        record_class="closed_case",
        family=family_ended(world, closed_on=datetime.date(2019, 5, 1)),
        due_on=datetime.date(2025, 1, 1),
        listed_at=timezone.now(),
    )

    listed = selectors.reviews_waiting(world.dpo.user)

    assert [review.pk for review in listed] == [due.pk, listed[1].pk]
    assert listed[1].status == ReviewStatus.HELD
