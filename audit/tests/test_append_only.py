"""The access log is append-only in the database itself, whatever code path tries."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError

from audit.models import APPEND_ONLY_MESSAGE, AccessAction, AccessEvent
from audit.services import access_event_record
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> AccessEvent:
    return access_event_record(
        user=UserFactory(),
        action=AccessAction.VIEW,
        object_type="family",
        object_id="17",
        family_id=17,
        family_reference="F-000017",
        purpose="Preparing for the LCG meeting",
    )


def _refused(statement: Callable[[], object]) -> None:
    # The failing statement runs in a savepoint so the test's transaction carries on.
    with pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE), transaction.atomic():
        statement()


def _unchanged(event: AccessEvent) -> None:
    row = AccessEvent.objects.get(pk=event.pk)
    assert (row.purpose, row.family_reference, row.object_id) == (
        "Preparing for the LCG meeting",
        "F-000017",
        "17",
    )


def test_queryset_update_is_refused(event: AccessEvent) -> None:
    _refused(lambda: AccessEvent.objects.filter(pk=event.pk).update(purpose="tidied"))
    _unchanged(event)


def test_saving_a_changed_event_is_refused(event: AccessEvent) -> None:
    event.family_reference = "F-999999"
    _refused(event.save)
    _unchanged(event)


def test_queryset_delete_is_refused(event: AccessEvent) -> None:
    _refused(lambda: AccessEvent.objects.filter(pk=event.pk).delete())
    _unchanged(event)


def test_instance_delete_is_refused(event: AccessEvent) -> None:
    _refused(event.delete)
    _unchanged(event)


def test_raw_sql_update_is_refused(event: AccessEvent) -> None:
    def update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_accessevent SET purpose = %s WHERE id = %s", ["tidied", event.pk]
            )

    _refused(update)
    _unchanged(event)


def test_raw_sql_delete_is_refused(event: AccessEvent) -> None:
    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])

    _refused(delete)
    _unchanged(event)


def test_truncate_is_refused_while_events_exist(event: AccessEvent) -> None:
    def truncate() -> None:
        with connection.cursor() as cursor:
            # The insert's deferred foreign key check must run first, or PostgreSQL
            # refuses the TRUNCATE for that reason instead of the trigger's.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE audit_accessevent")

    _refused(truncate)
    _unchanged(event)


def test_truncating_an_empty_log_is_allowed() -> None:
    # Nothing is lost, and Django's test runner truncates every table between
    # transactional tests.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_accessevent")
    assert AccessEvent.objects.count() == 0


def test_deleting_a_user_who_read_case_data_is_refused(event: AccessEvent) -> None:
    assert event.user is not None
    with pytest.raises(ProtectedError), transaction.atomic():
        event.user.delete()
    assert AccessEvent.objects.filter(pk=event.pk, user__isnull=False).exists()


def test_inserting_more_events_still_works(event: AccessEvent) -> None:
    access_event_record(user=None, action="export", object_type="job", object_id="abc")
    assert AccessEvent.objects.count() == 2


def test_unknown_actions_are_refused_by_the_database() -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.create(action="peek", object_type="family", object_id="1")
    assert not AccessEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_that_wrote_events_can_still_be_torn_down() -> None:
    # Committed for real; the teardown hook in conftest.py lets Django's flush empty it.
    access_event_record(user=None, action="view", object_type="family", object_id="1")
    assert AccessEvent.objects.count() == 1
