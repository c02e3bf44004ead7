"""Shared pytest fixtures: a small world of agencies, LCGs, staff in every role, families.

Personas (after healthchecks' test personas): each fixture is a logged-in client for one
role, so authorisation tests read as who-does-what.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest
from django.db import transaction
from django.test import Client
from pytest_django import DjangoDbBlocker

from agencies.models import LCG, Agency, AgencyKind, Staff
from agencies.roles import Role
from agencies.services import system_actor
from families.access.grants import grants_sync
from families.models import Family
from tests.factories import (
    AgencyFactory,
    FamilyFactory,
    LCGFactory,
    MembershipFactory,
    StaffFactory,
    coordinator_of,
)

# Lets transactional tests empty the append-only access log at teardown (and only then).
pytest_plugins = ["audit.tests.plugin", "tests.browser_fixtures"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class World:
    winchester: LCG
    havant: LCG
    council: Agency
    police: Agency
    keyworker: Staff
    other_keyworker: Staff
    practitioner: Staff
    other_practitioner: Staff
    coordinator: Staff
    other_coordinator: Staff
    programme_manager: Staff
    auditor: Staff
    dpo: Staff
    sysadmin: Staff
    own_family: Family
    other_lcg_family: Family
    unassigned_family: Family
    # Approves "equivalent progress" claims (a programme-wide role that reads families).
    senior_officer: Staff


def build_world() -> World:
    """Two LCGs, agencies, one member of staff per role, and three families."""
    winchester = LCGFactory(
        code="WINCHESTER", name="Winchester LCG", postcode_districts=["SO21", "SO22", "SO23"]
    )
    havant = LCGFactory(code="HAVANT", name="Havant LCG", postcode_districts=["PO9", "PO10"])
    council = AgencyFactory(
        code="HCC-EH", name="Early Help Hampshire", kind=AgencyKind.CHILDRENS_SERVICES
    )
    police = AgencyFactory(code="POLICE", name="Hampshire Constabulary", kind=AgencyKind.POLICE)
    school = AgencyFactory(code="SCHOOL1", name="Winchester School", kind=AgencyKind.SCHOOL)
    keyworker = StaffFactory(user__username="keyworker", agency=council)
    other_keyworker = StaffFactory(user__username="other-keyworker", agency=council)
    practitioner = StaffFactory(
        user__username="practitioner", agency=police, roles=[Role.AGENCY_PRACTITIONER.value]
    )
    other_practitioner = StaffFactory(
        user__username="other-practitioner", agency=school, roles=[Role.AGENCY_PRACTITIONER.value]
    )
    coordinator = coordinator_of(winchester, user__username="coordinator", agency=council)
    other_coordinator = coordinator_of(havant, user__username="other-coordinator", agency=council)
    programme_manager = StaffFactory(
        user__username="pm", agency=council, roles=[Role.PROGRAMME_MANAGER.value]
    )
    auditor = StaffFactory(
        user__username="auditor", agency=council, roles=[Role.INTERNAL_AUDITOR.value]
    )
    dpo = StaffFactory(
        user__username="dpo", agency=council, roles=[Role.DATA_PROTECTION_OFFICER.value]
    )
    senior_officer = StaffFactory(
        user__username="senior-officer", agency=council, roles=[Role.SENIOR_OFFICER.value]
    )
    sysadmin = StaffFactory(
        user__username="sysadmin",
        agency=council,
        user__is_staff=True,
        user__is_superuser=True,
        roles=[Role.SYSTEM_ADMINISTRATOR.value],
    )
    own_family = FamilyFactory(lcg=winchester, lead_agency=council, lead_professional=keyworker)
    MembershipFactory(family=own_family, person__given_name="Jordan", person__family_name="Ashby")
    other_lcg_family = FamilyFactory(
        lcg=havant, address__postcode="PO9 1AB", address__town="Havant", lead_agency=school
    )
    MembershipFactory(
        family=other_lcg_family, person__given_name="Casey", person__family_name="Brook"
    )
    unassigned_family = FamilyFactory(
        lcg=None, address__postcode="SO14 2AA", address__town="Southampton"
    )
    MembershipFactory(
        family=unassigned_family, person__given_name="Riley", person__family_name="Cole"
    )
    # Factories write rows directly; open the grants the domain events would have opened.
    grants_sync(
        actor=system_actor(),
        family_ids=[own_family.pk, other_lcg_family.pk, unassigned_family.pk],
    )
    return World(
        winchester=winchester,
        havant=havant,
        council=council,
        police=police,
        keyworker=keyworker,
        other_keyworker=other_keyworker,
        practitioner=practitioner,
        other_practitioner=other_practitioner,
        coordinator=coordinator,
        other_coordinator=other_coordinator,
        programme_manager=programme_manager,
        auditor=auditor,
        dpo=dpo,
        sysadmin=sysadmin,
        own_family=own_family,
        other_lcg_family=other_lcg_family,
        unassigned_family=unassigned_family,
        senior_officer=senior_officer,
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def client_for(staff: Staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


T = TypeVar("T")


def built_once(django_db_blocker: DjangoDbBlocker, build: Callable[[], T]) -> Iterator[T]:
    """Build data once for many tests, inside a transaction rolled back after the last.

    For a module- or class-scoped fixture (``yield from built_once(...)``). Each test that
    uses the data must also use ``db``: its own transaction is then a savepoint inside this
    one, rolled back when the test ends, so a test that writes leaves the data as it found
    it. Transactional tests (``transactional_db``) cannot share it: see ``shared_data``.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Like the test case's own blocks: code under test may open a durable block.
        outer._from_testcase = True
        outer.__enter__()
        try:
            value = build()
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def shared_data(request: pytest.FixtureRequest, value: T) -> T:
    """Hand built-once data to one test; the fixture calling this also asks for ``db``."""
    from audit.tests.plugin import is_transactional

    if is_transactional(request.node):
        # Its teardown would empty every table, inside the shared transaction.
        pytest.fail("data built once for many tests cannot be used by a transactional test")
    return value


@pytest.fixture
def eager_tasks() -> Iterator[None]:
    """Background tasks run in the test's thread when queued (a worker runs them in
    production). Celery reads Django's settings under the CELERY_ namespace, so that is
    the key."""
    from oneplan.celery import app as celery_app

    before = celery_app.conf.get("CELERY_TASK_ALWAYS_EAGER", False)
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    try:
        yield
    finally:
        celery_app.conf.CELERY_TASK_ALWAYS_EAGER = before


@pytest.fixture
def celery_worker_thread() -> Iterator[None]:
    """A real Celery worker consuming this run's queue from Redis, in a thread of this
    process (tests marked ``celery``)."""
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from oneplan.celery import app as celery_app

    def close_connections(**kwargs: object) -> None:
        # The worker thread's own connections, so the test database can be dropped at the end.
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=[celery_app.conf.task_default_queue],
        ):
            yield
    finally:
        task_postrun.disconnect(close_connections)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The size of the permission matrix, for the closing note of an issue.
    from tests.test_permission_matrix import matrix_size

    cases, routes = matrix_size()
    terminalreporter.write_line(f"permission matrix: {cases} cases over {routes} routes")
