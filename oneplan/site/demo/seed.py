"""Seed a reproducible Hampshire demo: LCGs, agencies, staff in every role, and families.

``seed_demo(families=N, seed=S, today=D)`` gives the same people, addresses and case
histories for the same ``S`` and ``D`` every time. Only ids and family references (which
come from database sequences) differ between runs; nothing reads the wall clock.

Reference data (LCGs, agencies, demo users) is upserted by code and username, so seeding
again updates it in place. Case data (addresses, people, families and their histories)
is written with PostgreSQL ``COPY`` in one transaction: 50,000 families take seconds
(see benchmarks/README.md), and a failure leaves nothing half-written. Rows are not
``full_clean``-ed one by one; they are valid by construction, and the tests check a
sample with ``full_clean``.
"""

from __future__ import annotations

import contextlib
import datetime
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from agencies.models import LCG, Agency, LCGMembership, Staff, User
from agencies.roles import Role
from agencies.services import system_actor
from families.access.grants import grants_sync
from families.grants_models import Grant
from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LeadAssignment,
    Person,
)
from lcgs.meetings.models import Meeting
from oneplan.site.demo.casework_seed import (
    casework_copied_tables,
    casework_tables,
    seed_casework,
)
from outcomes.assessment.needs import identified_needs_open
from outcomes.assessment.services import assessment_families_run
from outcomes.frameworks.registry import CRITERIA
from outcomes.models import Attachment
from outcomes.results.evaluation import results_families_run
from outcomes.results.services import attachments_record

if TYPE_CHECKING:
    from faker import Faker

from oneplan.site.demo.caseload import CaseloadGenerator, World
from oneplan.site.demo.copying import checked_after_loading, count_rows
from oneplan.site.demo.lcg_work import seed_lcg_work
from oneplan.site.demo.reference import (
    AGENCY_SPECS,
    CHUNK_FAMILIES,
    DEFAULT_FAMILIES,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    LCG_SPECS,
    staff_specs,
)

GRANTS_CHUNK = 2000

# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    username: str
    role: str
    agency: str
    lcg: str


@dataclass
class SeedResult:
    lcgs: int
    agencies: int
    users: int
    families: int
    people: int
    seconds: float
    sign_ins: list[SignIn]
    # Rows written per database table (reference data upserted, case data inserted).
    rows: dict[str, int] = field(default_factory=dict)
    replaced_families: int = 0


class DemoDataExists(Exception):
    """The database already holds case data and ``replace`` was not asked for."""


# --------------------------------------------------------------------------
# Seeding
# --------------------------------------------------------------------------


def seed_demo(
    *,
    families: int = DEFAULT_FAMILIES,
    seed: int = DEFAULT_SEED,
    today: datetime.date | None = None,
    replace: bool = False,
) -> SeedResult:
    """Create the demo world and return what was written.

    The case data is copied in one transaction; the grants, eligibility and needs the
    services and jobs would have written follow a chunk of families at a time, each
    chunk committing on its own, so any size seeds with the same locks (a failure after
    the copy leaves a demo to seed again with ``replace``).

    ``today`` is the reference date every date of birth, age and case date is
    measured from (default: the local date). Raises ``DemoDataExists`` when families
    or people already exist, unless ``replace``, which first deletes all case data.
    """
    if families < 0:
        raise ValueError("families must be 0 or more")
    # Faker is a development dependency: imported here so the module loads without it.
    from faker import Faker

    started = time.perf_counter()
    day = today or timezone.localdate()
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rows: dict[str, int] = {}
    replaced = 0
    with transaction.atomic():
        existing = Family.objects.count()
        if existing or Person.objects.exists():
            if not replace:
                raise DemoDataExists(
                    f"The database already holds case data ({existing} families). "
                    "Run seed_demo --replace to delete all case data (families, people, "
                    "addresses and everything attached to them) and seed again, or "
                    "--if-empty to leave a database that has families alone."
                )
            _delete_case_data()
            replaced = existing
        lcgs = _upsert_lcgs(rows)
        agencies = _upsert_agencies(rows)
        staff_by_username, sign_ins = _upsert_staff(fake, lcgs, agencies, rows)
        actor = system_actor()
        world = World.build(lcgs, staff_by_username, actor.pk)
        generator = CaseloadGenerator(rng, fake, day, world)
        people = 0
        remaining = families
        with _history_triggers_off():
            with checked_after_loading(_tables(_case_models())):
                while remaining > 0:
                    size = min(CHUNK_FAMILIES, remaining)
                    people += generator.write_chunk(size, rows)
                    remaining -= size
            # Then what agencies know about them, and the work with those taken on (which
            # reads the families back, so their indexes are in place again).
            with checked_after_loading(casework_copied_tables()):
                casework_rows, plan_ids = seed_casework(
                    seed=seed, today=day, actor_id=actor.pk, labels=dict(CRITERIA["sf2022"])
                )
            rows.update(casework_rows)
            # Statistics for what was just copied in, before reading it back: on tables
            # the planner still thinks empty, each plan's snapshot query scans every
            # need's members (100,000 families took over ten minutes here without it).
            _analyze(_case_tables())
            rows["plans_planversion"] = _plan_versions_first(plan_ids, actor)
    # What the services and the nightly jobs would have written after those events, a
    # chunk of families at a time, each chunk committing on its own: the locks and the
    # transaction of a chunk are the same size at 400,000 families as at 2,000.
    family_ids = list(Family.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(family_ids), GRANTS_CHUNK):
        # COPY bypasses the services, so open the grants the allocations would have
        # opened: the same function the services call.
        with transaction.atomic():
            grants_sync(actor=actor, family_ids=family_ids[start : start + GRANTS_CHUNK])
    rows["families_grant"] = Grant.objects.count()
    # Eligibility, as the nightly assessment would have found it.
    assessed = assessment_families_run(
        actor=actor, family_ids=family_ids, as_of=day, open_needs=False
    )
    rows["outcomes_assessment"] = assessed.written
    # Families taken on are attached to the programme on the day they were allocated,
    # with their entry assessment, and their results stored as the nightly evaluation
    # works them out (it would also move families whose results are met along the
    # journey: the seeded histories stop short of that, and the first night does it).
    rows["outcomes_attachment"] = attachments_record(actor=actor, family_ids=family_ids)
    attached = Attachment.objects.order_by("family_id").values_list("family_id", flat=True)
    rows["outcomes_result"] = results_families_run(
        actor=actor, family_ids=list(attached), as_of=day, follow_journey=False
    ).written
    # The problems found become needs, as the assessment opens them; a seeded plan
    # already holds the needs its key worker worked with, so only families without a
    # plan get theirs here.
    rows["plans_need"] = rows.get("plans_need", 0) + identified_needs_open(
        Family.objects.filter(plan__isnull=True).values_list("pk", flat=True), actor=actor
    )
    # The LCGs' work: places, targets, nominations waiting and each LCG's next meeting.
    rows.update(seed_lcg_work(programme_manager=staff_by_username["pm"].user, today=day, rng=rng))
    if families:
        # Fresh statistics, so the demo's first queries get sensible plans.
        _analyze([*_case_tables(), Grant._meta.db_table])
    return SeedResult(
        lcgs=len(lcgs),
        agencies=len(agencies),
        users=len(sign_ins),
        families=families,
        people=people,
        seconds=time.perf_counter() - started,
        sign_ins=sign_ins,
        rows=rows,
        replaced_families=replaced,
    )


def _analyze(tables: list[str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


def _plan_versions_first(plan_ids: list[int], actor: User) -> int:
    """Each demo plan's first version: the plan as seeded, so its history and "compare
    versions" start from it (the same snapshot every later change stores)."""
    from plans.models import Plan, PlanVersion
    from plans.plan.services import plan_snapshots

    created = 0
    for start in range(0, len(plan_ids), 1000):
        plans = list(Plan.objects.filter(pk__in=plan_ids[start : start + 1000]))
        snapshots = plan_snapshots(plans)
        PlanVersion.objects.bulk_create(
            PlanVersion(
                plan=plan,
                number=plan.version,
                snapshot=snapshots[plan.pk],
                summary="Plan written with the family",
                created_by_id=plan.created_by_id,
                created_at=plan.created_at,
            )
            for plan in plans
        )
        created += len(plans)
    return created


def _case_models() -> tuple[type[Model], ...]:
    return (Address, Person, Family, HouseholdMembership, FamilyStatusChange, LeadAssignment)


@contextlib.contextmanager
def _history_triggers_off() -> Iterator[None]:
    """Made-up demo rows are not case history: switch the history triggers off while
    copying them in (inside the seeding transaction, so they are back on at commit and
    nobody else ever sees them off). Foreign-key checks stay on."""
    tables = [connection.ops.quote_name(t) for t in _case_tables()]
    with connection.cursor() as cursor:
        # ALTER TABLE refuses while deferred foreign-key checks are pending: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _tables(models: Iterable[type[Model]]) -> list[str]:
    return [model._meta.db_table for model in models]


def _case_tables() -> list[str]:
    # Meetings hang off LCGs, not families, but their agendas and minutes are case data.
    return _tables(_case_models()) + casework_tables() + _tables([Meeting])


def _delete_case_data() -> None:
    """Delete every family, person and address, and everything that refers to them.

    TRUNCATE ... CASCADE rather than ORM deletes: it takes a moment for 50,000 families
    (the ORM would collect every row first) and also empties the other apps' tables that
    hang off families (plans, outcomes...), which are case data too. It is transactional,
    so a failed seed puts everything back.
    """
    with connection.cursor() as cursor:
        # TRUNCATE refuses while deferred foreign key checks are pending (writes earlier
        # in an enclosing transaction): run them now, then defer again as Django expects.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "TRUNCATE "
            + ", ".join(connection.ops.quote_name(t) for t in _case_tables())
            + " CASCADE"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _upsert_lcgs(rows: dict[str, int]) -> dict[str, LCG]:
    # INSERT ... ON CONFLICT DO UPDATE: one query, and PostgreSQL returns every pk.
    lcgs = LCG.objects.bulk_create(
        [
            LCG(
                code=spec.code,
                name=spec.name,
                districts=list(spec.districts),
                postcode_districts=list(spec.postcode_districts),
            )
            for spec in LCG_SPECS
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "districts", "postcode_districts", "updated_at"],
    )
    count_rows(rows, LCG, len(lcgs))
    return {lcg.code: lcg for lcg in lcgs}


def _upsert_agencies(rows: dict[str, int]) -> dict[str, Agency]:
    agencies = Agency.objects.bulk_create(
        [
            Agency(code=spec.code, name=spec.name, kind=spec.kind.value, is_active=True)
            for spec in AGENCY_SPECS
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "kind", "is_active", "updated_at"],
    )
    count_rows(rows, Agency, len(agencies))
    return {agency.code: agency for agency in agencies}


def _upsert_staff(
    fake: Faker,
    lcgs: dict[str, LCG],
    agencies: dict[str, Agency],
    rows: dict[str, int],
) -> tuple[dict[str, Staff], list[SignIn]]:
    specs = staff_specs()
    # Hashing is deliberately slow; one hash serves every demo account.
    password_hash = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=spec.username,
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                email=f"{spec.username}@hants-demo.example",
                password=password_hash,
                is_active=True,
                is_staff=spec.is_superuser,
                is_superuser=spec.is_superuser,
            )
            for spec in specs
        ],
        update_conflicts=True,
        unique_fields=["username"],
        update_fields=[
            "first_name",
            "last_name",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
        ],
    )
    staff = Staff.objects.bulk_create(
        [
            Staff(
                user=user,
                agency=agencies[spec.agency_code],
                job_title=spec.job_title,
                roles=[spec.role.value],
                phone=f"0300 555 {n + 100:04d}",
            )
            for n, (spec, user) in enumerate(zip(specs, users, strict=True))
        ],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["agency", "job_title", "roles", "phone", "updated_at"],
    )
    staff_by_username = {spec.username: member for spec, member in zip(specs, staff, strict=True)}
    # Coordinators coordinate their LCG (and lead it as SRO); key workers sit on theirs.
    memberships = LCGMembership.objects.bulk_create(
        [
            LCGMembership(
                lcg=lcgs[spec.lcg_code],
                staff=staff_by_username[spec.username],
                is_coordinator=spec.role == Role.LCG_COORDINATOR,
            )
            for spec in specs
            if spec.lcg_code
        ],
        update_conflicts=True,
        unique_fields=["lcg", "staff"],
        update_fields=["is_coordinator"],
    )
    led = []
    for spec in specs:
        if spec.role == Role.LCG_COORDINATOR:
            lcg = lcgs[spec.lcg_code]
            lcg.sro = staff_by_username[spec.username]
            led.append(lcg)
    LCG.objects.bulk_update(led, ["sro"])
    sign_ins = [
        SignIn(
            spec.username,
            spec.role.label,
            agencies[spec.agency_code].name,
            lcgs[spec.lcg_code].name if spec.lcg_code else "",
        )
        for spec in specs
    ]
    count_rows(rows, User, len(users))
    count_rows(rows, Staff, len(staff))
    count_rows(rows, LCGMembership, len(memberships))
    return staff_by_username, sign_ins


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


def format_summary(result: SeedResult) -> str:
    """The command's report: what was created, and how to sign in."""
    lines = []
    if result.replaced_families:
        lines.append(f"Deleted the existing case data ({result.replaced_families} families).")
    lines += [
        f"Created the Hampshire demo in {result.seconds:.1f} seconds:",
        f"  {result.lcgs} LCGs, {result.agencies} agencies, {result.users} users,",
        f"  {result.families} families, {result.people} people.",
        "",
        format_sign_ins(result.sign_ins),
    ]
    return "\n".join(lines)


def format_sign_ins(sign_ins: list[SignIn]) -> str:
    """The table of demo sign-ins and their password (also printed when seeding is skipped)."""
    lines = ["Demo sign-ins:"]
    width_user = max(len("Username"), *(len(s.username) for s in sign_ins))
    width_role = max(len("Role"), *(len(s.role) for s in sign_ins))
    lines.append(f"  {'Username':<{width_user}}  {'Role':<{width_role}}  Agency / LCG")
    for s in sign_ins:
        where = f"{s.agency} / {s.lcg}" if s.lcg else s.agency
        lines.append(f"  {s.username:<{width_user}}  {s.role:<{width_role}}  {where}")
    lines += ["", f"Password for every demo sign-in: {DEMO_PASSWORD}"]
    return "\n".join(lines)
