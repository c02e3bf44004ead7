"""Subject access (docs/subject-access.md): recording a request, assembling everything
held about the person from the registry, redaction, and the bundle."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from audit.personal_data import registry
from audit.services import access_event_record
from audit.subject_access import services
from audit.subject_access.assembly import OTHER_PEOPLE
from audit.subject_access.bundle import WITHHELD, bundle_csv, bundle_items
from audit.subject_access.models import SubjectAccessRequest
from conftest import World, client_for
from oneplan.errors import ApplicationError
from oneplan.jobs import job_run
from tests.support.subject_access import (
    CANARY_NOTE,
    FAMILY_NOTE,
    SIBLING_NOTE,
    Person,
    seed_person_with_records,
)


def _request_for(
    world: World, person: Person, *, received: datetime.date | None = None
) -> SubjectAccessRequest:
    return services.subject_access_request_create(
        actor=world.dpo.user,
        person_id=person.pk,
        requester="self",
        requester_name=person.full_name,
        requester_contact="1 High Street, Winchester",
        received_on=received or timezone.localdate(),
        today=timezone.localdate(),
    )


def _assembled(world: World, person: Person) -> SubjectAccessRequest:
    request = _request_for(world, person)
    job = services.subject_access_assemble_start(actor=world.dpo.user, request=request)
    job_run(job_id=str(job.pk))
    request.refresh_from_db()
    return request


def test_a_request_is_due_one_calendar_month_after_receipt(world: World) -> None:
    person = world.own_family.memberships.get().person
    request = _request_for(world, person, received=datetime.date(2024, 1, 31))
    assert request.due_on == datetime.date(2024, 2, 29)
    assert request.person_name == person.full_name

    services.subject_access_request_extend(
        actor=world.dpo.user, request=request, months=2, reason="Records held by many agencies"
    )

    request.refresh_from_db()
    assert request.due_on == datetime.date(2024, 4, 30)
    assert request.extension_months == 2


def test_only_the_dpo_may_record_a_request(world: World) -> None:
    person = world.own_family.memberships.get().person
    for staff in (world.programme_manager, world.auditor, world.sysadmin, world.keyworker):
        with pytest.raises(ApplicationError):
            services.subject_access_request_create(
                actor=staff.user,
                person_id=person.pk,
                requester="self",
                requester_name="X",
                requester_contact="Y",
                received_on=timezone.localdate(),
                today=timezone.localdate(),
            )
    assert not SubjectAccessRequest.objects.exists()


def test_assembly_finds_the_persons_rows_in_every_registered_table(world: World) -> None:
    """For every table the registry puts in subject access, every row about the person
    (by its person path) is an item; and the seeded person has rows in the tables
    listed, history included."""
    jordan, _sibling = seed_person_with_records(world)

    request = _assembled(world, jordan)

    assert request.status == "ready_for_redaction"
    items = set(request.items.values_list("source_model", "row_id"))
    for table in registry():
        if not table.in_subject_access or not table.person_path:
            continue
        model = table.model_class()
        if table.model == "audit.AccessEvent":
            continue
        about = model._base_manager.filter(Q(**{table.person_path: jordan.pk})).distinct()
        for pk in about.values_list("pk", flat=True):
            assert (table.model, str(pk)) in items, table.model
    found_tables = {source for source, _ in items}
    for expected in (
        "families.Person",
        "families.PersonEvent",
        "families.Family",
        "families.HouseholdMembership",
        "families.HouseholdMembershipEvent",
        "families.Address",
        "families.Grant",
        "families.LawfulBasis",
        "plans.Plan",
        "plans.Need",
        "plans.Goal",
        "plans.Action",
        "plans.ActionEvent",
        "plans.CaseNote",
        "outcomes.SourcePerson",
        "outcomes.Evidence",
        "audit.AccessEvent",
    ):
        assert expected in found_tables, expected


def test_rows_about_another_member_are_left_out_and_family_rows_are_flagged(world: World) -> None:
    jordan, _sibling = seed_person_with_records(world)

    request = _assembled(world, jordan)

    notes = {
        item.values[[v["field"] for v in item.values].index("text")]["value"]: item
        for item in request.items.filter(source_model="plans.CaseNote")
    }
    assert CANARY_NOTE in notes and FAMILY_NOTE in notes
    assert SIBLING_NOTE not in notes
    assert notes[FAMILY_NOTE].needs_redaction
    assert notes[FAMILY_NOTE].redaction_hint == OTHER_PEOPLE
    plan = request.items.get(source_model="plans.Plan")
    assert plan.needs_redaction
    person = request.items.get(source_model="families.Person")
    assert not person.needs_redaction


def test_access_events_about_the_person_and_their_family_are_included(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    unrelated = access_event_record(
        user=world.keyworker.user, action="view", object_type="family", object_id=0, family_id=0
    )

    request = _assembled(world, jordan)

    event_ids = set(
        request.items.filter(source_model="audit.AccessEvent").values_list("row_id", flat=True)
    )
    person_event = AccessEvent.objects.get(object_type="person", object_id=str(jordan.pk))
    assert str(person_event.pk) in event_ids
    assert str(unrelated.pk) not in event_ids


def test_assembling_twice_has_one_effect(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    request = _request_for(world, jordan)
    job = services.subject_access_assemble_start(actor=world.dpo.user, request=request)
    job_run(job_id=str(job.pk))
    first = sorted(request.items.values_list("source_model", "row_id"))

    job_run(job_id=str(job.pk))  # a redelivered task runs nothing
    assert sorted(request.items.values_list("source_model", "row_id")) == first

    again = services.subject_access_assemble_start(actor=world.dpo.user, request=request)
    job_run(job_id=str(again.pk))
    second = list(request.items.values_list("source_model", "row_id"))
    # Gathered afresh, never twice; the only new rows are the record of the first
    # assembly in the family's access log.
    assert len(second) == len(set(second))
    assert set(first) <= set(second)
    assert {source for source, _ in set(second) - set(first)} <= {"audit.AccessEvent"}


def test_the_bundle_leaves_out_what_was_withheld(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    request = _assembled(world, jordan)
    family_note = next(
        item
        for item in request.items.filter(source_model="plans.CaseNote")
        if any(v["value"] == FAMILY_NOTE for v in item.values)
    )
    person = request.items.get(source_model="families.Person")

    services.subject_access_item_decide(
        actor=world.dpo.user,
        item=family_note,
        decision="withhold",
        reason="About other members of the household",
    )
    services.subject_access_item_decide(
        actor=world.dpo.user,
        item=person,
        decision="fields",
        fields=["nhs_number"],
        reason="Test of a field withheld",
    )
    items = list(request.items.order_by("position"))
    history = request.items.get(
        source_row=family_note.source_row, source_model="plans.CaseNoteEvent"
    )
    assert history.redacted  # the decision covers the record's change history

    content = bundle_csv(items).decode()

    assert FAMILY_NOTE not in content
    assert CANARY_NOTE in content
    assert jordan.nhs_number and jordan.nhs_number not in content
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert ["NHS number", WITHHELD] in [row[3:5] for row in rows]
    family_note.refresh_from_db()
    assert list(bundle_items([family_note])) == []


def test_redaction_cannot_finish_with_flagged_records_undecided(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    request = _assembled(world, jordan)

    with pytest.raises(ApplicationError, match="still to review"):
        services.subject_access_redaction_finish(actor=world.dpo.user, request=request)

    for item in request.items.filter(needs_redaction=True):
        services.subject_access_item_decide(actor=world.dpo.user, item=item, decision="keep")
    services.subject_access_redaction_finish(actor=world.dpo.user, request=request)
    request.refresh_from_db()
    assert request.status == "redacted"


def test_withholding_needs_a_reason(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    request = _assembled(world, jordan)
    item = request.items.filter(needs_redaction=True).first()
    assert item is not None

    with pytest.raises(ApplicationError, match="why"):
        services.subject_access_item_decide(actor=world.dpo.user, item=item, decision="withhold")

    item.refresh_from_db()
    assert not item.redacted and not item.is_decided


def test_downloading_the_bundle_is_recorded(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    request = _assembled(world, jordan)
    for item in request.items.filter(needs_redaction=True):
        services.subject_access_item_decide(actor=world.dpo.user, item=item, decision="keep")
    services.subject_access_redaction_finish(actor=world.dpo.user, request=request)
    client = client_for(world.dpo)

    for file_format, magic in (("pdf", b"%PDF"), ("csv", b"")):
        response = client.get(
            reverse("audit:subject-access-bundle", args=[request.pk, file_format])
        )
        assert response.status_code == 200
        assert response.content.startswith(magic)
        assert AccessEvent.objects.filter(
            user=world.dpo.user,
            action="download",
            object_type="subject_access_request",
            object_id=str(request.pk),
            detail__format=file_format,
        ).exists()


def test_the_bundle_cannot_be_downloaded_before_redaction(world: World) -> None:
    jordan, _ = seed_person_with_records(world)
    request = _assembled(world, jordan)
    client = client_for(world.dpo)

    response = client.get(reverse("audit:subject-access-bundle", args=[request.pk, "csv"]))

    assert response.status_code == 302
    assert not AccessEvent.objects.filter(action="download").exists()


def test_the_dashboard_tags_overdue_and_soon_requests(world: World) -> None:
    person = world.own_family.memberships.get().person
    today = timezone.localdate()
    _request_for(world, person, received=today - datetime.timedelta(days=40))
    _request_for(world, person, received=today - datetime.timedelta(days=27))
    client = client_for(world.dpo)

    response = client.get(reverse("audit:subject-access"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'govuk-tag--red">Overdue' in body
    assert "Due within 7 days" in body


def test_recording_a_request_through_the_page(world: World) -> None:
    person = world.own_family.memberships.get().person
    client = client_for(world.dpo)
    url = reverse("audit:subject-access-new", args=[person.pk])

    bad = client.post(url, {"requester": "self"})
    assert bad.status_code == 400
    assert "Enter the name of the person who made the request" in bad.content.decode()
    assert not SubjectAccessRequest.objects.exists()

    response = client.post(
        url,
        {
            "requester": "self",
            "requester_name": "Jordan",
            "requester_contact": "jordan@example.com",
            "received_on_day": "31",
            "received_on_month": "1",
            "received_on_year": "2024",
        },
    )
    request = SubjectAccessRequest.objects.get()
    assert response.status_code == 302
    assert request.due_on == datetime.date(2024, 2, 29)


def test_searching_for_a_person_is_recorded(world: World) -> None:
    person = world.own_family.memberships.get().person
    client = client_for(world.dpo)

    response = client.get(reverse("audit:subject-access-find"), {"family_name": person.family_name})

    assert person.full_name in response.content.decode()
    event = AccessEvent.objects.get(user=world.dpo.user, object_type="person", action="list")
    assert person.pk in event.detail["people"]


def test_the_api_pages_through_every_request_soonest_due_first(world: World) -> None:
    from tests.factories import PersonFactory

    made = [
        _request_for(
            world,
            PersonFactory(),
            received=timezone.localdate() - datetime.timedelta(days=days),
        )
        for days in (3, 1, 2)
    ]
    client = client_for(world.dpo)

    first = client.get("/api/subject-access-requests/", {"page_size": 2}).json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert ids == [made[0].pk, made[2].pk, made[1].pk]
    # Each page's read is recorded, naming the requests it showed.
    events = AccessEvent.objects.filter(user=world.dpo.user, object_type="subject_access_request")
    assert [e.detail["requests"] for e in events.order_by("occurred_at", "pk")][-2:] == [
        ids[:2],
        ids[2:],
    ]
