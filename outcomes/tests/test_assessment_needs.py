"""Identified needs flow one way: the assessment opens them, set-based and in the run's
actor's name, whether or not the family has a plan; a plan started later begins from
them."""

from __future__ import annotations

import datetime
import importlib
from types import SimpleNamespace

from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.services import system_actor
from conftest import World
from families.models import Family
from outcomes.assessment import services
from plans.models import Need, NeedEvent, NeedSource, Plan, PlanVersion
from plans.plan.services import plan_get_or_create
from plans.tests.test_plan_support import lawful_basis_for
from tests.factories import FamilyFactory, MembershipFactory
from tests.support.assessment import evidence_add

AS_OF = datetime.date(2025, 8, 15)


def _family_with_problems(family: Family | None = None) -> Family:
    """Out of work and a mental health need (financial stability and health under
    sf2022), and a child excluded from school (education)."""
    if family is None:
        family = Family.objects.get(pk=FamilyFactory().pk)
    parent = MembershipFactory(family=family, person__given_name="Alex").person
    child = MembershipFactory(
        family=family,
        person__given_name="Jordan",
        person__date_of_birth=datetime.date(2011, 1, 10),
        role="child",
    ).person
    evidence_add(parent, "benefits", "2024-03-01", benefit="JSA", start_date="2024-03-01")
    evidence_add(parent, "health", "2025-01-01", need="mental_health", engaged=False)
    # In spring 2025, the last complete term on AS_OF (DOMAIN.md 4.0).
    evidence_add(child, "exclusions", "2025-03-01", exclusion_type="permanent", sessions=0)
    return family


def _open_codes(family: Family) -> set[str]:
    return set(
        Need.objects.filter(family=family, closed_on__isnull=True).values_list("code", flat=True)
    )


def test_the_assessment_opens_needs_before_any_plan_and_the_plan_starts_from_them(
    world: World,
) -> None:
    family = _family_with_problems(world.own_family)
    run_by = system_actor()

    services.assessment_families_run(actor=run_by, family_ids=[family.pk], as_of=AS_OF)

    opened = Need.objects.filter(family=family)
    assert {"financial_stability", "health", "education"} <= _open_codes(family)
    assert {(n.source, n.framework, n.created_by_id) for n in opened} == {
        (NeedSource.ASSESSMENT, "sf2022", run_by.pk)
    }
    # The write history names the run's actor, as a page's write names its user.
    events = NeedEvent.objects.filter(pgh_obj__in=opened, pgh_label="insert")
    assert events.count() == opened.count()
    assert {e.pgh_context.metadata["user"] for e in events} == {run_by.pk}

    lawful_basis_for(world)
    plan = plan_get_or_create(actor=world.keyworker.user, family=family)

    (first,) = PlanVersion.objects.filter(plan=plan)
    assert {n["code"] for n in first.snapshot["needs"]} == _open_codes(family)


def test_a_need_names_only_people_in_the_family_now(db: None) -> None:
    family = _family_with_problems()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)

    education = Need.objects.get(family=family, code="education")

    assert [p.given_name for p in education.members.all()] == ["Jordan"]


def test_a_new_problem_joins_an_existing_plan_as_a_version(world: World) -> None:
    family = world.own_family
    lawful_basis_for(world)
    plan = plan_get_or_create(actor=world.keyworker.user, family=family)
    _family_with_problems(family)

    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)

    plan.refresh_from_db()
    latest = PlanVersion.objects.get(plan=plan, number=plan.version)
    assert latest.summary.startswith("Needs identified: ")
    assert latest.created_by == system_actor()
    assert {n["code"] for n in latest.snapshot["needs"]} == _open_codes(family)


def test_running_again_opens_nothing_and_a_closed_need_stays_closed_until_a_new_result(
    db: None,
) -> None:
    family = _family_with_problems()
    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    before = Need.objects.count()

    services.assessment_families_run(actor=system_actor(), family_ids=[family.pk], as_of=AS_OF)
    services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=AS_OF + datetime.timedelta(days=1)
    )

    assert Need.objects.count() == before
    assert Plan.objects.count() == 0


def test_open_needs_false_leaves_needs_alone(db: None) -> None:
    family = _family_with_problems()

    services.assessment_families_run(
        actor=system_actor(), family_ids=[family.pk], as_of=AS_OF, open_needs=False
    )

    assert not Need.objects.filter(family=family).exists()


def test_opening_needs_costs_the_same_statements_for_two_families_or_eight(db: None) -> None:
    few = [_family_with_problems().pk for _ in range(2)]
    many = [_family_with_problems().pk for _ in range(8)]
    services.framework_versions_current()  # warm the ORM's content caches

    with CaptureQueriesContext(connection) as small:
        services.assessment_families_run(actor=system_actor(), family_ids=few, as_of=AS_OF)
    with CaptureQueriesContext(connection) as large:
        services.assessment_families_run(actor=system_actor(), family_ids=many, as_of=AS_OF)

    assert Need.objects.filter(family_id__in=many).count() == 8 * len(
        _open_codes(Family.objects.get(pk=many[0]))
    )
    assert len(small) == len(large)


def test_the_backfill_opens_needs_for_assessed_families_without_a_plan_only(
    world: World,
) -> None:
    backfill = importlib.import_module("outcomes.migrations.0004_needs_from_current_assessments")
    without_plan = _family_with_problems()
    with_plan = _family_with_problems(world.own_family)
    lawful_basis_for(world)
    plan_get_or_create(actor=world.keyworker.user, family=with_plan)
    # As before needs flowed one way: assessed, and no needs opened.
    services.assessment_families_run(
        actor=system_actor(),
        family_ids=[without_plan.pk, with_plan.pk],
        as_of=AS_OF,
        open_needs=False,
    )
    versions_before = PlanVersion.objects.count()

    backfill.open_needs(django_apps, SimpleNamespace(connection=connection))
    backfill.open_needs(django_apps, SimpleNamespace(connection=connection))  # idempotent

    assert _open_codes(without_plan) == {"financial_stability", "health", "education"}
    education = Need.objects.get(family=without_plan, code="education")
    assert education.label == "Getting a good education"
    assert [p.given_name for p in education.members.all()] == ["Jordan"]
    assert education.created_by == system_actor()
    # The family with a plan keeps the needs its key worker has.
    assert _open_codes(with_plan) == set()
    assert PlanVersion.objects.count() == versions_before
