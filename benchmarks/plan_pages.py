"""Benchmark the plan pages at 50,000 demo families: my families, my actions, the plan.

Run from the repository root:

    python benchmarks/plan_pages.py [--families 50000] [--repeat 20] [--replan]

It uses a scratch database (``oneplan_bench_plans`` unless ``--database`` says otherwise;
never the one DATABASE_URL names) on the same server. When that database does not hold
``--families`` demo families it seeds them with ``seed_demo`` (which also writes plans
for the families being worked with). With ``--replan`` (or when there are no plans) it
replaces them: every family with a lead professional gets a plan with needs, goals,
actions, progress notes, reviews and agreements, written with bulk inserts, and the
police practitioner's families get police actions. Either way one family of the busiest
key worker gets a large plan (12 goals of 8 actions), and the database is analysed.
Then it signs in through Django's test client and times whole requests:

- my families (page and API) for the busiest key worker, and for a coordinator;
- my actions (page and API) for the police practitioner (thousands of open actions);
- the plan page for the family with the large plan, as its lead professional.

It prints the median and 95th percentile milliseconds and the number of queries of
each, and how many rows each user's list holds.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scratch import scratch_database_use

PLAN_TABLES = [
    "plans_plan",
    "plans_planversion",
    "plans_need",
    "plans_need_members",
    "plans_goal",
    "plans_goal_needs",
    "plans_action",
    "plans_actionprogressnote",
    "plans_review",
    "plans_agreement",
]
CHUNK = 2000
NEED_CODES = ["education", "crime_asb", "work", "children_in_need", "housing", "finance"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--replan", action="store_true", help="delete and regenerate plans")
    parser.add_argument("--database", default="oneplan_bench_plans")
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args(argv)
    scratch_database_use(args.database)

    from families.models import Family
    from oneplan.site.demo.seed import seed_demo
    from plans.models import Plan

    if Family.objects.count() != args.families:
        print(f"Seeding {args.families:,} families...", flush=True)
        started = time.perf_counter()
        seed_demo(families=args.families, seed=args.seed, replace=True)
        print(f"  {time.perf_counter() - started:.1f} s", flush=True)
    if args.replan or not Plan.objects.exists():
        print("Writing plans...", flush=True)
        started = time.perf_counter()
        counts = write_plans(random.Random(args.seed))
        print(f"  {time.perf_counter() - started:.1f} s", flush=True)
        for table, n in counts.items():
            print(f"  {table:<28}{n:>10,}")
    ensure_large_plan()
    # Fresh statistics everywhere (the scratch database only), as autovacuum would
    # have them in a running service.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measure(args.repeat)
    return 0


def write_plans(rng: random.Random) -> dict[str, int]:
    """Plans for every family with a lead professional, in bulk, in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    from agencies.models import Agency
    from agencies.services import system_actor
    from families.access.access import family_scope
    from families.models import Family, HouseholdMembership
    from plans import models as plan_models

    actor = system_actor()
    now = timezone.now()
    today = timezone.localdate()
    counts = dict.fromkeys(PLAN_TABLES, 0)
    agency_ids = list(Agency.objects.values_list("pk", flat=True))
    practitioner = _user("practitioner.police")
    police_id = practitioner.staff.agency_id
    police_staff_id = practitioner.staff.pk
    # Families the police practitioner sees get police actions, so "my actions" is busy.
    police_visible = set(
        Family.objects.filter(family_scope(practitioner)).values_list("pk", flat=True)
    )
    busiest_family = _busiest_keyworker_family()

    def when(days_ago_max: int) -> datetime.datetime:
        return now - datetime.timedelta(
            days=rng.randint(0, days_ago_max), minutes=rng.randint(0, 1440)
        )

    def day(lo: int, hi: int) -> datetime.date:
        return today + datetime.timedelta(days=rng.randint(lo, hi))

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE " + ", ".join(PLAN_TABLES) + " CASCADE")
            # Made-up rows are not case history: no history triggers while writing them.
            for table in PLAN_TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        led = list(
            Family.objects.filter(lead_professional__isnull=False)
            .order_by("pk")
            .values_list("pk", "lead_agency_id")
        )
        for start in range(0, len(led), CHUNK):
            chunk = led[start : start + CHUNK]
            members: dict[int, list[int]] = {}
            for family_id, person_id in HouseholdMembership.objects.filter(
                family_id__in=[f for f, _ in chunk], end_date__isnull=True
            ).values_list("family_id", "person_id"):
                members.setdefault(family_id, []).append(person_id)
            plans = []
            for family_id, _lead_agency in chunk:
                updated = when(120)
                version = rng.randint(1, 12)
                plans.append(
                    plan_models.Plan(
                        family_id=family_id,
                        status=plan_models.PlanStatus.AGREED
                        if rng.random() < 0.6
                        else plan_models.PlanStatus.DRAFT,
                        version=version,
                        working_well="Grandparents help with school runs.",
                        worries="Attendance and rent arrears.",
                        family_wants="Children at school every day; a stable home.",
                        next_review_on=day(-20, 70) if rng.random() < 0.9 else None,
                        created_by=actor,
                        created_at=updated - datetime.timedelta(days=30),
                        updated_by=actor,
                        updated_at=updated,
                    )
                )
            plan_models.Plan.objects.bulk_create(plans, batch_size=5000)
            versions, needs, agreements, reviews = [], [], [], []
            for plan in plans:
                for number in range(max(1, plan.version - 2), plan.version + 1):
                    versions.append(
                        plan_models.PlanVersion(
                            plan_id=plan.pk,
                            number=number,
                            snapshot={},
                            summary="Changed the plan",
                            created_by=actor,
                            created_at=plan.updated_at,
                        )
                    )
                if plan.status == plan_models.PlanStatus.AGREED:
                    agreements.append(
                        plan_models.Agreement(
                            plan_id=plan.pk,
                            # One agreement in five is of an earlier version.
                            plan_version=max(1, plan.version - (rng.random() < 0.2)),
                            agreed_on=plan.updated_at.date(),
                            method=plan_models.AgreementMethod.SIGNED,
                            recorded_by=actor,
                            recorded_at=plan.updated_at,
                        )
                    )
                if rng.random() < 0.5:
                    held = day(-90, -1)
                    reviews.append(
                        plan_models.Review(
                            plan_id=plan.pk,
                            held_on=held,
                            next_review_on=held + datetime.timedelta(days=42),
                            summary="Reviewed the plan with the family.",
                            created_by=actor,
                            created_at=when(90),
                        )
                    )
                for code in rng.sample(NEED_CODES, rng.randint(1, 3)):
                    needs.append(
                        plan_models.Need(
                            family_id=plan.family_id,
                            code=code,
                            label=code.replace("_", " ").capitalize(),
                            source=plan_models.NeedSource.ASSESSMENT,
                            framework="sf2022",
                            identified_on=day(-400, -30),
                            created_by=actor,
                            created_at=plan.created_at,
                        )
                    )
            plan_models.PlanVersion.objects.bulk_create(versions, batch_size=5000)
            plan_models.Agreement.objects.bulk_create(agreements, batch_size=5000)
            plan_models.Review.objects.bulk_create(reviews, batch_size=5000)
            plan_models.Need.objects.bulk_create(needs, batch_size=5000)
            need_members = [
                plan_models.Need.members.through(need_id=need.pk, person_id=person)
                for need in needs
                for person in members.get(need.family_id, [])[:2]
            ]
            plan_models.Need.members.through.objects.bulk_create(need_members, batch_size=10000)
            needs_by_family: dict[int, list[Any]] = {}
            for need in needs:
                needs_by_family.setdefault(need.family_id, []).append(need)
            goals = []
            for plan in plans:
                big = plan.family_id == busiest_family
                for position in range(12 if big else rng.randint(1, 4)):
                    goals.append(
                        plan_models.Goal(
                            plan_id=plan.pk,
                            title=f"Goal {position + 1}: things getting better at home",
                            status=plan_models.GoalStatus.OPEN
                            if rng.random() < 0.85
                            else plan_models.GoalStatus.ACHIEVED,
                            position=position,
                            created_by=actor,
                            created_at=plan.created_at,
                            updated_by=actor,
                            updated_at=plan.updated_at,
                        )
                    )
            plan_models.Goal.objects.bulk_create(goals, batch_size=5000)
            plan_family = {plan.pk: plan.family_id for plan in plans}
            lead_agency = dict(chunk)
            goal_needs = []
            actions = []
            for goal in goals:
                family_id = plan_family[goal.plan_id]
                family_needs = needs_by_family.get(family_id, [])
                # Most needs get a goal; about one family in seven has one left without.
                if family_needs and rng.random() < 0.85:
                    goal_needs.append(
                        plan_models.Goal.needs.through(
                            goal_id=goal.pk, need_id=rng.choice(family_needs).pk
                        )
                    )
                big = family_id == busiest_family
                for _ in range(8 if big else rng.randint(1, 4)):
                    roll = rng.random()
                    practitioner_id = None
                    if roll < 0.15:
                        owner, agency = plan_models.ActionOwner.FAMILY, None
                    elif family_id in police_visible and roll < 0.7:
                        owner, agency = plan_models.ActionOwner.AGENCY, police_id
                        practitioner_id = police_staff_id if rng.random() < 0.4 else None
                    elif roll < 0.6:
                        owner, agency = plan_models.ActionOwner.AGENCY, lead_agency[family_id]
                    else:
                        owner, agency = plan_models.ActionOwner.AGENCY, rng.choice(agency_ids)
                    status = rng.choices(
                        [
                            plan_models.ActionStatus.NOT_STARTED,
                            plan_models.ActionStatus.IN_PROGRESS,
                            plan_models.ActionStatus.DONE,
                            plan_models.ActionStatus.NOT_DONE,
                        ],
                        [35, 30, 30, 5],
                    )[0]
                    due = day(-60, 90)
                    closed = status in (
                        plan_models.ActionStatus.DONE,
                        plan_models.ActionStatus.NOT_DONE,
                    )
                    actions.append(
                        plan_models.Action(
                            goal_id=goal.pk,
                            plan_id=goal.plan_id,
                            description="Meet the family and the school to agree next steps",
                            owner=owner,
                            agency_id=agency,
                            practitioner_id=practitioner_id,
                            due_on=due,
                            status=status,
                            not_done_reason="The family moved" if status == "not_done" else "",
                            completed_on=min(due, today) if closed else None,
                            created_by=actor,
                            created_at=goal.created_at,
                            updated_by=actor,
                            updated_at=when(100),
                        )
                    )
            plan_models.Goal.needs.through.objects.bulk_create(goal_needs, batch_size=10000)
            plan_models.Action.objects.bulk_create(actions, batch_size=5000)
            notes = [
                plan_models.ActionProgressNote(
                    action_id=action.pk,
                    text="Spoke to the family.",
                    author=actor,
                    created_at=when(80),
                )
                for action in actions
                if rng.random() < 0.3
            ]
            plan_models.ActionProgressNote.objects.bulk_create(notes, batch_size=5000)
            for table, n in (
                ("plans_plan", len(plans)),
                ("plans_planversion", len(versions)),
                ("plans_need", len(needs)),
                ("plans_need_members", len(need_members)),
                ("plans_goal", len(goals)),
                ("plans_goal_needs", len(goal_needs)),
                ("plans_action", len(actions)),
                ("plans_actionprogressnote", len(notes)),
                ("plans_review", len(reviews)),
                ("plans_agreement", len(agreements)),
            ):
                counts[table] += n
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in PLAN_TABLES:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("ANALYZE " + ", ".join(PLAN_TABLES))
    return counts


def ensure_large_plan(goals: int = 12, actions_per_goal: int = 8) -> None:
    """Give one family of the busiest key worker a plan of ``goals`` goals with
    ``actions_per_goal`` actions each (when the plans came from the demo seeder)."""
    from django.utils import timezone

    from agencies.services import system_actor
    from families.models import Family
    from plans.models import Action, ActionOwner, Goal, Plan

    family = Family.objects.get(pk=_busiest_keyworker_family())
    actor = system_actor()
    now = timezone.now()
    plan = Plan.objects.filter(family=family).first() or Plan.objects.create(
        family=family,
        created_by=actor,
        created_at=now,
        updated_by=actor,
        updated_at=now,
        next_review_on=timezone.localdate() + datetime.timedelta(days=20),
    )
    missing = goals - plan.goals.count()
    if missing <= 0:
        return
    made = Goal.objects.bulk_create(
        [
            Goal(
                plan=plan,
                title=f"Goal {n}: things getting better at home",
                position=n,
                created_by=actor,
                created_at=now,
                updated_by=actor,
                updated_at=now,
            )
            for n in range(missing)
        ]
    )
    Action.objects.bulk_create(
        [
            Action(
                goal=goal,
                plan=plan,
                description="Meet the family and the school to agree next steps",
                owner=ActionOwner.AGENCY,
                agency_id=family.lead_agency_id,
                due_on=timezone.localdate() + datetime.timedelta(days=n * 7 - 20),
                created_by=actor,
                created_at=now,
                updated_by=actor,
                updated_at=now,
            )
            for goal in made
            for n in range(actions_per_goal)
        ]
    )
    print(f"Large plan for {family.reference}: {missing} goals added", flush=True)


def _user(username: str) -> Any:
    from agencies.models import User

    return User.objects.select_related("staff").get(username=username)


def _busiest_keyworker() -> Any:
    from django.db.models import Count

    from agencies.models import Staff
    from agencies.roles import Role

    return (
        Staff.objects.filter(roles__contains=[Role.FAMILY_SUPPORT_WORKER.value])
        .annotate(led=Count("led_families"))
        .select_related("user")
        .order_by("-led", "pk")
        .first()
    )


def _busiest_keyworker_family() -> int:
    from families.models import Family

    keyworker = _busiest_keyworker()
    family = Family.objects.filter(lead_professional=keyworker).order_by("pk").first()
    assert family is not None
    return int(family.pk)


def measure(repeat: int) -> None:
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from families.models import Family
    from families.states import OPEN_STATES
    from plans.models import Action, Plan
    from plans.work.selectors import (
        ActionShow,
        attention_family_list_for_user,
        owned_action_list_for_user,
    )

    keyworker = _busiest_keyworker().user
    practitioner = _user("practitioner.police")
    coordinator = (
        _user("coordinator.basingstoke")
        if Family.objects.filter(lcg__code="BASINGSTOKE").exists()
        else None
    )
    # An open case's plan: the demo seeds plans for closed families too, which their key
    # worker no longer sees.
    big_plan = (
        Plan.objects.filter(family__status__in=OPEN_STATES)
        .annotate(n=Count("actions"))
        .select_related("family")
        .order_by("-n")
        .first()
    )
    today, now = timezone.localdate(), timezone.now()
    print(
        f"families: {Family.objects.count():,}  plans: {Plan.objects.count():,}  "
        f"actions: {Action.objects.count():,}"
    )

    cases: list[tuple[str, Any, str, int]] = []
    kw_rows = attention_family_list_for_user(keyworker, today=today, now=now).count()
    cases.append((f"my families ({keyworker.username})", keyworker, "/my-families/", kw_rows))
    cases.append((f"  API ({keyworker.username})", keyworker, "/api/my-families/", kw_rows))
    if coordinator is not None:
        co_rows = attention_family_list_for_user(coordinator, today=today, now=now).count()
        cases.append(
            (f"my families ({coordinator.username})", coordinator, "/my-families/", co_rows)
        )
        cases.append(("  attention only", coordinator, "/my-families/?attention=on", co_rows))
    open_rows = owned_action_list_for_user(practitioner, show=ActionShow.OPEN, today=today).count()
    cases.append((f"my actions ({practitioner.username})", practitioner, "/my-actions/", open_rows))
    overdue_rows = owned_action_list_for_user(
        practitioner, show=ActionShow.OVERDUE, today=today
    ).count()
    cases.append(("  overdue", practitioner, "/my-actions/?show=overdue", overdue_rows))
    cases.append(("  API", practitioner, "/api/my-actions/", open_rows))
    if big_plan is not None:
        lead = big_plan.family.lead_professional
        viewer = lead.user if lead is not None else _user("pm")
        plan_path = reverse("plans:plan", args=[big_plan.family.reference])
        cases.append((f"plan page ({viewer.username})", viewer, plan_path, big_plan.n))

    print(f"{'page':<44}{'rows':>8}{'median':>10}{'p95':>10}{'queries':>9}")
    for label, user, path, rows in cases:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(path)  # warm
        assert response.status_code == 200, (path, response.status_code)
        timings: list[float] = []
        queries = 0
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
            queries = len(captured.captured_queries)
        p95 = sorted(timings)[max(0, int(len(timings) * 0.95) - 1)]
        print(f"{label:<44}{rows:>8,}{statistics.median(timings):>8.0f}ms{p95:>8.0f}ms{queries:>9}")


if __name__ == "__main__":
    raise SystemExit(main())
