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
import io
import math
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from agencies.models import Agency, AgencyKind, Staff, User
from agencies.roles import Role
from agencies.services import system_actor
from families.grants import grants_sync
from families.grants_models import Grant
from families.identifiers import nhs_number_with_check_digit, upn_with_check_letter
from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LeadAssignment,
    Person,
    Sex,
)
from families.services import family_references_next
from families.states import FamilyStatus
from lcgs.models import LCG, LCGMembership
from oneplan.demo.casework import casework_tables, seed_casework
from outcomes.assessment.services import assessment_families_run
from outcomes.frameworks.registry import CRITERIA

if TYPE_CHECKING:
    from faker import Faker

# One password for every demo sign-in: 12+ characters, as the password validators ask.
# Not a secret: the command prints it, and it only ever protects demo accounts.
DEMO_PASSWORD: Final = "oneplan-demo-2026"  # noqa: S105
DEFAULT_FAMILIES: Final = 1600
DEFAULT_SEED: Final = 2012
IDENTIFIED_REASON: Final = "Identified from demo data"

LONDON: Final = ZoneInfo("Europe/London")
# Families are generated and copied in chunks, so memory stays flat for large runs.
CHUNK_FAMILIES: Final = 10_000


# --------------------------------------------------------------------------
# Geography (DOMAIN.md section 3)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LCGSpec:
    code: str
    name: str
    districts: tuple[str, ...]
    postcode_districts: tuple[str, ...]
    # The district council whose officer coordinates the LCG.
    council_code: str
    # The intensive support provider serving the LCG (DOMAIN.md: 4 providers).
    provider_code: str
    # Relative share of the caseload (population, skewed towards deprived areas).
    weight: int


def _range(prefix: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{n}" for n in range(first, last + 1))


LCG_SPECS: Final[tuple[LCGSpec, ...]] = (
    LCGSpec(
        code="BASINGSTOKE",
        name="Basingstoke and Deane LCG",
        districts=("Basingstoke and Deane",),
        postcode_districts=_range("RG", 21, 26),
        council_code="BDBC",
        provider_code="ISP-FAMILIES-TOGETHER",
        weight=15,
    ),
    LCGSpec(
        code="EAST-HAMPSHIRE",
        name="East Hampshire LCG",
        districts=("East Hampshire",),
        postcode_districts=(*_range("GU", 30, 35), "PO8"),
        council_code="EHDC",
        provider_code="ISP-COMPASS",
        weight=8,
    ),
    # DOMAIN.md gives Eastleigh SO50-SO53 and Test Valley SO51. A postcode district must
    # belong to exactly one LCG (a family's LCG follows from it), so SO51 (Romsey) goes
    # to Test Valley only and Eastleigh keeps SO50, SO52 and SO53.
    LCGSpec(
        code="EASTLEIGH",
        name="Eastleigh LCG",
        districts=("Eastleigh",),
        postcode_districts=("SO50", "SO52", "SO53"),
        council_code="EBC",
        provider_code="ISP-BRIDGES",
        weight=9,
    ),
    LCGSpec(
        code="FAREHAM",
        name="Fareham LCG",
        districts=("Fareham",),
        postcode_districts=_range("PO", 14, 17),
        council_code="FBC",
        provider_code="ISP-SOLENT",
        weight=7,
    ),
    LCGSpec(
        code="GOSPORT",
        name="Gosport LCG",
        districts=("Gosport",),
        postcode_districts=_range("PO", 12, 13),
        council_code="GBC",
        provider_code="ISP-SOLENT",
        weight=10,
    ),
    LCGSpec(
        code="HART-RUSHMOOR",
        name="Hart and Rushmoor LCG",
        districts=("Hart", "Rushmoor"),
        postcode_districts=(*_range("GU", 11, 14), "GU51", "GU52", "RG27"),
        council_code="RBC",
        provider_code="ISP-FAMILIES-TOGETHER",
        weight=14,
    ),
    LCGSpec(
        code="HAVANT",
        name="Havant LCG",
        districts=("Havant",),
        postcode_districts=("PO7", *_range("PO", 9, 11)),
        council_code="HBC",
        provider_code="ISP-COMPASS",
        weight=12,
    ),
    LCGSpec(
        code="NEW-FOREST",
        name="New Forest LCG",
        districts=("New Forest",),
        postcode_districts=(*_range("SO", 40, 45), "BH24", "BH25"),
        council_code="NFDC",
        provider_code="ISP-BRIDGES",
        weight=11,
    ),
    LCGSpec(
        code="TEST-VALLEY",
        name="Test Valley LCG",
        districts=("Test Valley",),
        postcode_districts=("SP10", "SP11", "SO51"),
        council_code="TVBC",
        provider_code="ISP-BRIDGES",
        weight=8,
    ),
    LCGSpec(
        code="WINCHESTER",
        name="Winchester LCG",
        districts=("Winchester",),
        postcode_districts=("SO21", "SO22", "SO23", "SO32"),
        council_code="WCC",
        provider_code="ISP-COMPASS",
        weight=6,
    ),
)

# Post towns for the districts addresses are generated in. GU13 (retired in 2000 when
# Fleet became GU51/GU52) and SO44 (not in use) stay in their LCG's list, as DOMAIN.md
# gives it, but no address is generated there.
POST_TOWNS: Final[dict[str, str]] = {
    **dict.fromkeys(_range("RG", 21, 25), "Basingstoke"),
    "RG26": "Tadley",
    "GU30": "Liphook",
    "GU31": "Petersfield",
    "GU32": "Petersfield",
    "GU33": "Liss",
    "GU34": "Alton",
    "GU35": "Bordon",
    "PO8": "Waterlooville",
    "SO50": "Eastleigh",
    "SO52": "Southampton",
    "SO53": "Eastleigh",
    **dict.fromkeys(_range("PO", 14, 17), "Fareham"),
    "PO12": "Gosport",
    "PO13": "Gosport",
    "GU11": "Aldershot",
    "GU12": "Aldershot",
    "GU14": "Farnborough",
    "GU51": "Fleet",
    "GU52": "Fleet",
    "RG27": "Hook",
    "PO7": "Waterlooville",
    "PO9": "Havant",
    "PO10": "Emsworth",
    "PO11": "Hayling Island",
    "SO40": "Southampton",
    "SO41": "Lymington",
    "SO42": "Brockenhurst",
    "SO43": "Lyndhurst",
    "SO45": "Southampton",
    "BH24": "Ringwood",
    "BH25": "New Milton",
    "SP10": "Andover",
    "SP11": "Andover",
    "SO51": "Romsey",
    "SO21": "Winchester",
    "SO22": "Winchester",
    "SO23": "Winchester",
    "SO32": "Southampton",
    # Outside every LCG: the neighbouring unitary councils (the unassigned list).
    **dict.fromkeys(_range("SO", 14, 19), "Southampton"),
    "PO1": "Portsmouth",
    "PO2": "Portsmouth",
    "PO3": "Portsmouth",
    "PO4": "Southsea",
    "PO5": "Southsea",
    "PO6": "Portsmouth",
}
UNASSIGNED_DISTRICTS: Final[tuple[str, ...]] = (*_range("SO", 14, 19), *_range("PO", 1, 6))
UNASSIGNED_SHARE: Final = 0.03
PROTECTED_ADDRESS_SHARE: Final = 0.03
# Letters Royal Mail uses in the inward code (never C, I, K, M, O or V).
INWARD_LETTERS: Final = "ABDEFGHJLNPQRSTUWXYZ"


# --------------------------------------------------------------------------
# Agencies and staff
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    kind: AgencyKind


K = AgencyKind
SUPPORTING_FAMILIES_TEAM: Final = "HCC-SF"
EARLY_HELP: Final = "HCC-EH"
AGENCY_SPECS: Final[tuple[AgencySpec, ...]] = (
    AgencySpec("HC-POLICE", "Hampshire Constabulary", K.POLICE),
    AgencySpec("HCC-YOT", "Hampshire Youth Offending Team", K.YOUTH_OFFENDING),
    AgencySpec("SCH-ANDOVER-DOWN", "Andover Down Primary School", K.SCHOOL),
    AgencySpec("SCH-BASINGSTOKE-VALE", "Basingstoke Vale Academy", K.SCHOOL),
    AgencySpec("SCH-FLEET-COMMON", "Fleet Common Junior School", K.SCHOOL),
    AgencySpec("SCH-GOSPORT-HARBOUR", "Gosport Harbour School", K.SCHOOL),
    AgencySpec("SCH-HAVANT-MEADOW", "Havant Meadow Primary School", K.SCHOOL),
    AgencySpec("SCH-TOTTON-HEATH", "Totton Heath Academy", K.SCHOOL),
    AgencySpec("HCC-CS", "Hampshire Children's Services", K.CHILDRENS_SERVICES),
    AgencySpec(EARLY_HELP, "Hampshire County Council Early Help", K.CHILDRENS_SERVICES),
    AgencySpec(
        SUPPORTING_FAMILIES_TEAM,
        "Hampshire County Council Supporting Families Team",
        K.CHILDRENS_SERVICES,
    ),
    AgencySpec("DWP-JCP", "DWP Jobcentre Plus Hampshire", K.DWP),
    AgencySpec("BDBC-HOUSING", "Basingstoke and Deane Borough Council Housing", K.HOUSING),
    AgencySpec("GBC-HOUSING", "Gosport Borough Council Housing", K.HOUSING),
    AgencySpec("HBC-HOUSING", "Havant Borough Council Housing", K.HOUSING),
    AgencySpec("NFDC-HOUSING", "New Forest District Council Housing", K.HOUSING),
    AgencySpec("SHFT", "Southern Health NHS Foundation Trust", K.HEALTH),
    AgencySpec("HHFT", "Hampshire Hospitals NHS Foundation Trust", K.HEALTH),
    AgencySpec("PS-SOUTH-CENTRAL", "Probation Service South Central", K.PROBATION),
    AgencySpec("BDBC", "Basingstoke and Deane Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("EHDC", "East Hampshire District Council", K.DISTRICT_COUNCIL),
    AgencySpec("EBC", "Eastleigh Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("FBC", "Fareham Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("GBC", "Gosport Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("HDC", "Hart District Council", K.DISTRICT_COUNCIL),
    AgencySpec("RBC", "Rushmoor Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("HBC", "Havant Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("NFDC", "New Forest District Council", K.DISTRICT_COUNCIL),
    AgencySpec("TVBC", "Test Valley Borough Council", K.DISTRICT_COUNCIL),
    AgencySpec("WCC", "Winchester City Council", K.DISTRICT_COUNCIL),
    AgencySpec("VS-FAMILY-MEDIATION", "Hampshire Family Mediation Service", K.VOLUNTARY_SECTOR),
    AgencySpec("VS-DEBT-ADVICE", "Solent Debt Advice Centre", K.VOLUNTARY_SECTOR),
    AgencySpec("VS-YOUNG-CARERS", "Hampshire Young Carers Alliance", K.VOLUNTARY_SECTOR),
    # The 4 commissioned Intensive Family Support Service providers (DOMAIN.md 1).
    AgencySpec(
        "ISP-FAMILIES-TOGETHER", "Families Together Hampshire", K.INTENSIVE_SUPPORT_PROVIDER
    ),
    AgencySpec("ISP-BRIDGES", "Bridges Family Intensive Support", K.INTENSIVE_SUPPORT_PROVIDER),
    AgencySpec("ISP-SOLENT", "Solent Family Support Partnership", K.INTENSIVE_SUPPORT_PROVIDER),
    AgencySpec("ISP-COMPASS", "Compass Whole Family Service", K.INTENSIVE_SUPPORT_PROVIDER),
    AgencySpec("SIAP", "Southern Internal Audit Partnership", K.OTHER),
    AgencySpec("HIWFRS", "Hampshire and Isle of Wight Fire and Rescue Service", K.OTHER),
)

# Key workers per LCG: this many in council early help plus one at the LCG's intensive
# support provider (the twin track of DOMAIN.md section 1).
EARLY_HELP_KEYWORKERS_PER_LCG: Final = 2
INTENSIVE_TRACK_SHARE: Final = 0.25


@dataclass(frozen=True)
class StaffSpec:
    username: str
    agency_code: str
    role: Role
    job_title: str
    lcg_code: str = ""
    is_superuser: bool = False


PRACTITIONERS: Final[tuple[tuple[AgencyKind, str, str], ...]] = (
    (K.POLICE, "HC-POLICE", "Police Constable, Early Intervention Team"),
    (K.YOUTH_OFFENDING, "HCC-YOT", "Youth Justice Case Manager"),
    (K.SCHOOL, "SCH-BASINGSTOKE-VALE", "Designated Safeguarding Lead"),
    (K.CHILDRENS_SERVICES, "HCC-CS", "Social Worker"),
    (K.DWP, "DWP-JCP", "Supporting Families Employment Adviser"),
    (K.HOUSING, "HBC-HOUSING", "Tenancy Sustainment Officer"),
    (K.HEALTH, "SHFT", "Health Visitor"),
    (K.PROBATION, "PS-SOUTH-CENTRAL", "Probation Officer"),
    (K.DISTRICT_COUNCIL, "GBC", "Community Safety Officer"),
    (K.VOLUNTARY_SECTOR, "VS-FAMILY-MEDIATION", "Family Mediator"),
)


def staff_specs() -> list[StaffSpec]:
    """Every demo sign-in, in the order the sign-ins table prints them."""
    specs = [
        StaffSpec(
            "pm",
            SUPPORTING_FAMILIES_TEAM,
            Role.PROGRAMME_MANAGER,
            "Supporting Families Programme Manager",
        ),
        StaffSpec("auditor", "SIAP", Role.INTERNAL_AUDITOR, "Senior Internal Auditor"),
        StaffSpec(
            "dpo",
            SUPPORTING_FAMILIES_TEAM,
            Role.DATA_PROTECTION_OFFICER,
            "Data Protection Officer",
        ),
        StaffSpec(
            "sysadmin",
            SUPPORTING_FAMILIES_TEAM,
            Role.SYSTEM_ADMINISTRATOR,
            "Systems Administrator",
            is_superuser=True,
        ),
    ]
    specs += [
        StaffSpec(
            f"coordinator.{lcg.code.lower()}",
            lcg.council_code,
            Role.LCG_COORDINATOR,
            "LCG Coordinator",
            lcg_code=lcg.code,
        )
        for lcg in LCG_SPECS
    ]
    number = 0
    for lcg in LCG_SPECS:
        for _ in range(EARLY_HELP_KEYWORKERS_PER_LCG):
            number += 1
            title = "Senior Family Support Worker" if number % 3 == 1 else "Family Support Worker"
            specs.append(
                StaffSpec(
                    f"keyworker.{number}",
                    EARLY_HELP,
                    Role.FAMILY_SUPPORT_WORKER,
                    title,
                    lcg_code=lcg.code,
                )
            )
        number += 1
        specs.append(
            StaffSpec(
                f"keyworker.{number}",
                lcg.provider_code,
                Role.FAMILY_SUPPORT_WORKER,
                "Intensive Family Support Worker",
                lcg_code=lcg.code,
            )
        )
    specs += [
        StaffSpec(f"practitioner.{kind.value}", code, Role.AGENCY_PRACTITIONER, title)
        for kind, code, title in PRACTITIONERS
    ]
    return specs


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
    """Create the demo world in one transaction and return what was written.

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
        world = _World.build(lcgs, staff_by_username, actor.pk)
        generator = _CaseloadGenerator(rng, fake, day, world)
        people = 0
        remaining = families
        with _history_triggers_off():
            while remaining > 0:
                size = min(CHUNK_FAMILIES, remaining)
                people += generator.write_chunk(size, rows)
                remaining -= size
            # Then what agencies know about them, and the work with those taken on.
            casework_rows, plan_ids = seed_casework(
                seed=seed, today=day, actor_id=actor.pk, labels=dict(CRITERIA["sf2022"])
            )
            rows.update(casework_rows)
            rows["plans_planversion"] = _plan_versions_first(plan_ids, actor)
        # COPY bypasses the services, so open the grants (and guardian's permissions)
        # the allocations would have opened: the same function the services call.
        grants_sync(actor=actor, family_ids=Family.objects.values_list("pk", flat=True))
        rows["families_grant"] = Grant.objects.count()
        # Eligibility, as the nightly assessment would have found it.
        assessed = assessment_families_run(
            actor=actor,
            family_ids=Family.objects.values_list("pk", flat=True),
            as_of=day,
            plan_needs=False,
        )
        rows["outcomes_assessment"] = assessed.written
        if families:
            with connection.cursor() as cursor:
                # Fresh statistics, so the demo's first queries get sensible plans.
                tables = [*_case_tables(), Grant._meta.db_table]
                cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))
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


def _case_tables() -> list[str]:
    return [model._meta.db_table for model in _case_models()] + casework_tables()


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


def _count(rows: dict[str, int], model: type[Model], n: int) -> None:
    table = model._meta.db_table
    rows[table] = rows.get(table, 0) + n


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
    _count(rows, LCG, len(lcgs))
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
    _count(rows, Agency, len(agencies))
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
    _count(rows, User, len(users))
    _count(rows, Staff, len(staff))
    _count(rows, LCGMembership, len(memberships))
    return staff_by_username, sign_ins


# --------------------------------------------------------------------------
# Case data
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Keyworker:
    staff_id: int
    agency_id: int
    user_id: int


@dataclass(frozen=True)
class _Area:
    lcg_id: int | None
    districts: tuple[str, ...]
    coordinator_user_id: int | None
    early_help: tuple[_Keyworker, ...]
    intensive: tuple[_Keyworker, ...]


@dataclass(frozen=True)
class _Partner:
    """A partner agency's demo practitioner, who leads some families."""

    lead: _Keyworker
    # The LCG area a local agency serves (a school, a district's housing), else None.
    home: _Area | None


@dataclass(frozen=True)
class _World:
    areas: tuple[_Area, ...]
    weights: tuple[int, ...]
    unassigned: _Area
    system_user_id: int
    partners: dict[AgencyKind, _Partner]

    @classmethod
    def build(cls, lcgs: dict[str, LCG], staff: dict[str, Staff], system_user_id: int) -> _World:
        specs = staff_specs()
        areas = []
        for lcg in LCG_SPECS:
            keyworkers = [
                (spec, staff[spec.username])
                for spec in specs
                if spec.role == Role.FAMILY_SUPPORT_WORKER and spec.lcg_code == lcg.code
            ]
            areas.append(
                _Area(
                    lcg_id=lcgs[lcg.code].pk,
                    districts=tuple(d for d in lcg.postcode_districts if d in POST_TOWNS),
                    coordinator_user_id=staff[f"coordinator.{lcg.code.lower()}"].user_id,
                    early_help=tuple(
                        _Keyworker(s.pk, s.agency_id, s.user_id)
                        for spec, s in keyworkers
                        if spec.agency_code != lcg.provider_code
                    ),
                    intensive=tuple(
                        _Keyworker(s.pk, s.agency_id, s.user_id)
                        for spec, s in keyworkers
                        if spec.agency_code == lcg.provider_code
                    ),
                )
            )
        unassigned = _Area(None, UNASSIGNED_DISTRICTS, None, (), ())
        area_of = {lcg.code: area for lcg, area in zip(LCG_SPECS, areas, strict=True)}
        partners = {}
        for kind, code, _title in PRACTITIONERS:
            s = staff[f"practitioner.{kind.value}"]
            home = LOCAL_PARTNER_LCG.get(code)
            partners[kind] = _Partner(
                _Keyworker(s.pk, s.agency_id, s.user_id), None if home is None else area_of[home]
            )
        return cls(
            tuple(areas),
            tuple(s.weight for s in LCG_SPECS),
            unassigned,
            system_user_id,
            partners,
        )


S = FamilyStatus
# Where the caseload sits on the journey (DOMAIN.md 3): mostly open cases being worked.
STATUS_WEIGHTS: Final[tuple[tuple[FamilyStatus, int], ...]] = (
    (S.IDENTIFIED, 10),
    (S.SCREENED, 9),
    (S.ALLOCATED, 9),
    (S.ENGAGED, 9),
    (S.PLAN_ACTIVE, 24),
    (S.OUTCOMES_MET, 7),
    (S.CLAIMED, 7),
    (S.CLOSED, 10),
    (S.DECLINED, 5),
    (S.MOVED_AWAY, 4),
    (S.CLOSED_NO_OUTCOME, 6),
)
# Families outside every LCG wait on the unassigned list: nobody can allocate them yet.
UNASSIGNED_STATUS_WEIGHTS: Final[tuple[tuple[FamilyStatus, int], ...]] = (
    (S.IDENTIFIED, 7),
    (S.SCREENED, 3),
)
LED_STATUSES: Final = frozenset(
    {S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE, S.OUTCOMES_MET, S.CLAIMED, S.CLOSED}
)
# Side exits: about half of them happened after the LCG had allocated a lead.
SIDE_EXITS: Final = frozenset({S.DECLINED, S.MOVED_AWAY, S.CLOSED_NO_OUTCOME})
LED_SIDE_EXIT_SHARE: Final = 0.5

# -- the journey behind each status ------------------------------------------
#
# A family's history is the chain of allowed transitions (families.states.TRANSITIONS)
# from "identified" to where it is now, a status change per step. The test suite checks
# every chain with ``check_transition``.

# The main road, in order: the statuses after "identified" up to and including each one.
_MAIN_ROAD: Final = (S.SCREENED, S.ALLOCATED, S.ENGAGED, S.PLAN_ACTIVE, S.OUTCOMES_MET, S.CLAIMED)
MAIN_ROAD: Final[dict[FamilyStatus, tuple[FamilyStatus, ...]]] = {
    S.IDENTIFIED: (),
    **{status: _MAIN_ROAD[: n + 1] for n, status in enumerate(_MAIN_ROAD)},
}
# Statuses a family leaves before it has a lead: the LCG coordinator records those steps.
BEFORE_ALLOCATION: Final = frozenset({S.IDENTIFIED, S.SCREENED})
# How a closed case got there: after a results claim, stepped down from an active plan,
# or closed at the end of the sustainment period without a claim.
CLOSED_VIA: Final[tuple[tuple[FamilyStatus, int], ...]] = (
    (S.CLAIMED, 50),
    (S.PLAN_ACTIVE, 35),
    (S.OUTCOMES_MET, 15),
)
# Where on the road a family left by a side exit, with and without a lead by then.
# Families decline before a plan is agreed; they move away or stop engaging at any point.
EXIT_POINTS: Final[dict[tuple[FamilyStatus, bool], tuple[tuple[FamilyStatus, int], ...]]] = {
    (S.DECLINED, False): ((S.IDENTIFIED, 1), (S.SCREENED, 2)),
    (S.DECLINED, True): ((S.ALLOCATED, 3), (S.ENGAGED, 2)),
    (S.MOVED_AWAY, False): ((S.IDENTIFIED, 1), (S.SCREENED, 1)),
    (S.MOVED_AWAY, True): (
        (S.ALLOCATED, 2),
        (S.ENGAGED, 2),
        (S.PLAN_ACTIVE, 4),
        (S.OUTCOMES_MET, 1),
    ),
    (S.CLOSED_NO_OUTCOME, False): ((S.IDENTIFIED, 1), (S.SCREENED, 3)),
    (S.CLOSED_NO_OUTCOME, True): ((S.ALLOCATED, 2), (S.ENGAGED, 3), (S.PLAN_ACTIVE, 4)),
}
# Some families' outcomes are not sustained: back from "outcomes met" to an active plan
# once, before they got where they are.
NOT_SUSTAINED_SHARE: Final = 0.06
# Days a step takes after the one before, by (from, to). Side exits by where they lead.
STEP_DAYS: Final[dict[tuple[FamilyStatus, FamilyStatus], tuple[int, int]]] = {
    (S.IDENTIFIED, S.SCREENED): (3, 28),
    (S.SCREENED, S.ALLOCATED): (5, 35),  # the next LCG meeting, or the one after
    (S.ALLOCATED, S.ENGAGED): (5, 42),
    (S.ENGAGED, S.PLAN_ACTIVE): (10, 56),
    (S.PLAN_ACTIVE, S.OUTCOMES_MET): (60, 300),
    (S.OUTCOMES_MET, S.PLAN_ACTIVE): (20, 120),
    (S.OUTCOMES_MET, S.CLAIMED): (60, 240),  # outcomes sustained, then the next claim
    (S.CLAIMED, S.CLOSED): (7, 90),
    (S.PLAN_ACTIVE, S.CLOSED): (60, 300),
    (S.OUTCOMES_MET, S.CLOSED): (30, 200),
}
EXIT_DAYS: Final[dict[FamilyStatus, tuple[int, int]]] = {
    S.DECLINED: (3, 30),
    S.MOVED_AWAY: (10, 180),
    S.CLOSED_NO_OUTCOME: (20, 120),
}
# Days since the last change (always at least 1, so no history reaches today).
DWELL_DAYS: Final[dict[FamilyStatus, tuple[int, int]]] = {
    S.IDENTIFIED: (2, 60),
    S.SCREENED: (1, 60),  # waiting for allocation
    S.ALLOCATED: (1, 45),
    S.ENGAGED: (1, 56),
    S.PLAN_ACTIVE: (1, 300),
    S.OUTCOMES_MET: (1, 200),  # the sustainment period
    S.CLAIMED: (1, 150),
    S.CLOSED: (1, 500),
    S.DECLINED: (1, 400),
    S.MOVED_AWAY: (1, 400),
    S.CLOSED_NO_OUTCOME: (1, 400),
}
# What the person who moved the family on wrote, by (from, to); side exits by where they
# lead and whether the family had been allocated a lead by then.
STEP_REASONS: Final[dict[tuple[FamilyStatus, FamilyStatus], tuple[str, ...]]] = {
    (S.IDENTIFIED, S.SCREENED): (
        "Screened at the LCG meeting",
        "Screened against the programme's criteria",
        "Screened: meets two of the headline criteria",
        "Screened with the referrer's information and school attendance data",
    ),
    (S.SCREENED, S.ALLOCATED): (
        "Allocated at the LCG meeting",
        "Allocated by the LCG; lead professional agreed",
        "Allocated after a joint discussion at the LCG",
    ),
    (S.ALLOCATED, S.ENGAGED): (
        "Family agreed to work with us; consent to share recorded",
        "First home visit done; the family want support",
        "Consent to share signed at a joint visit",
    ),
    (S.ENGAGED, S.PLAN_ACTIVE): (
        "Family plan agreed with the family and agencies",
        "Team around the family meeting held; plan agreed",
        "Whole family assessment done and plan signed off",
    ),
    (S.PLAN_ACTIVE, S.OUTCOMES_MET): (
        "Outcomes met; sustainment period running",
        "Plan reviewed: every outcome achieved",
        "Outcomes evidenced at the closing review",
    ),
    (S.OUTCOMES_MET, S.PLAN_ACTIVE): (
        "Outcomes not sustained; back to active work",
        "School attendance fell again; plan reopened",
    ),
    (S.OUTCOMES_MET, S.CLAIMED): (
        "Results claim made",
        "Included in the quarterly results claim",
        "Sustained outcomes claimed for",
    ),
    (S.CLAIMED, S.CLOSED): (
        "Closed after the results claim",
        "Case closed: outcomes sustained, no further support needed",
    ),
    (S.PLAN_ACTIVE, S.CLOSED): (
        "Stepped down to universal services",
        "Plan ended; stepped down to school and health visitor support",
        "Stepped down to early help at the school",
    ),
    (S.OUTCOMES_MET, S.CLOSED): (
        "Closed at the end of the sustainment period",
        "Outcomes held; not eligible for a claim, so closed",
    ),
}
EXIT_REASONS: Final[dict[tuple[FamilyStatus, bool], tuple[str, ...]]] = {
    (S.DECLINED, False): (
        "Family declined support",
        "Family did not want to take part when contacted",
        "Parent declined the offer of early help",
    ),
    (S.DECLINED, True): (
        "Family declined support",
        "Family declined support after the first visit",
        "Family decided not to go ahead with a plan",
    ),
    (S.MOVED_AWAY, False): (
        "Family moved out of the area",
        "Family moved out of Hampshire",
        "Family moved to Southampton; referral passed on",
    ),
    (S.MOVED_AWAY, True): (
        "Family moved out of the area",
        "Family moved out of Hampshire; case transferred to the new area",
        "Family rehoused in Portsmouth; records shared with the city's team",
    ),
    (S.CLOSED_NO_OUTCOME, False): (
        "Closed without outcome: family could not be contacted",
        "Closed without outcome: needs met by another service",
    ),
    (S.CLOSED_NO_OUTCOME, True): (
        "Closed without outcome: no further engagement",
        "Family stopped engaging; closed after repeated attempts to contact",
        "Closed without outcome: case passed to children's social care",
    ),
}
LEAD_REASON: Final = "Lead agency and lead professional agreed at the LCG"
PARTNER_LEAD_REASON: Final = "Partner agency agreed at the LCG to lead: it knows the family best"

# About this share of the families with a lead are led by a partner agency's practitioner
# (a ``practitioner.<kind>`` sign-in), so those sign-ins see a caseload: the families
# they and their agency lead (families.access, through the grants a lead opens).
PARTNER_LEAD_SHARE: Final = 0.15
# Which partner leads: cards dealt in turn from a shuffled deck, reshuffled when empty,
# so every kind leads some families once 20 are partner-led, whatever the seed.
PARTNER_LEAD_DECK: Final[tuple[tuple[AgencyKind, int], ...]] = (
    (K.SCHOOL, 4),
    (K.HEALTH, 3),
    (K.HOUSING, 3),
    (K.POLICE, 2),
    (K.DWP, 2),
    (K.YOUTH_OFFENDING, 2),
    (K.CHILDRENS_SERVICES, 1),
    (K.PROBATION, 1),
    (K.DISTRICT_COUNCIL, 1),
    (K.VOLUNTARY_SECTOR, 1),
)
# Partner agencies that serve one LCG's area (the rest serve the county): the families
# they lead live there.
LOCAL_PARTNER_LCG: Final[dict[str, str]] = {
    "SCH-BASINGSTOKE-VALE": "BASINGSTOKE",
    "HBC-HOUSING": "HAVANT",
    "GBC": "GOSPORT",
}

CHILDREN_WEIGHTS: Final = (6, 22, 30, 22, 12, 8)  # 0..5 children
SECOND_PARENT_SHARE: Final = 0.55
OTHER_ADULT_SHARE: Final = 0.12
NHS_NUMBER_SHARE: Final = 0.9
NI_NUMBER_SHARE: Final = 0.88
STREET_SUFFIXES: Final = (
    "Road",
    "Close",
    "Avenue",
    "Lane",
    "Way",
    "Drive",
    "Gardens",
    "Crescent",
    "Street",
    "Place",
    "Grove",
    "Walk",
    "Court",
    "Rise",
    "Mead",
)
BUILDING_SUFFIXES: Final = ("House", "Court", "Lodge", "Mansions", "Point")
# Hampshire's local authority number: the first 3 digits of its pupils' UPNs.
HAMPSHIRE_LA: Final = "850"
NULL: Final = "\\N"


def _copy_text(value: str) -> str:
    """Escape a value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


class _Permutation:
    """Distinct numbers 0..size-1 in a scrambled but reproducible order.

    An affine map i -> (a*i + b) mod size with gcd(a, size) = 1 is a bijection, so
    identifiers drawn from it never collide however many are needed.
    """

    def __init__(self, rng: random.Random, size: int) -> None:
        self.size = size
        self.a = rng.randrange(size // 3, size)
        while math.gcd(self.a, size) != 1:
            self.a += 1
        self.b = rng.randrange(size)
        self.i = 0

    def next(self) -> int:
        if self.i >= self.size:
            raise RuntimeError("identifier space exhausted")
        value = (self.a * self.i + self.b) % self.size
        self.i += 1
        return value


def _ni_prefixes() -> list[str]:
    # HMRC NIM39110: D, F, I, Q, U, V never used; O never second; some pairs unallocated.
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    barred = set("DFIQUV")
    unallocated = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
    return [
        a + b
        for a in letters
        for b in letters
        if a not in barred and b not in barred and b != "O" and a + b not in unallocated
    ]


class _CaseloadGenerator:
    """Generates families chunk by chunk and copies them into the database."""

    def __init__(
        self, rng: random.Random, fake: Faker, today: datetime.date, world: _World
    ) -> None:
        self.rng = rng
        self.today = today
        self.world = world
        # Faker en_GB's own name lists, drawn from with ``rng``: the same names Faker
        # would give, at a fraction of the cost per call.
        person: Any = fake.provider("faker.providers.person")
        female = [_copy_text(n) for n in person.first_names_female]
        male = [_copy_text(n) for n in person.first_names_male]
        last_names = person.last_names
        self.female_names = female
        self.male_names = male
        self.surnames = [_copy_text(n) for n in last_names]
        self.surname_weights = list(
            last_names.values() if isinstance(last_names, dict) else [1] * len(last_names)
        )
        self.streets = [
            _copy_text(f"{fake.last_name()} {rng.choice(STREET_SUFFIXES)}") for _ in range(1200)
        ]
        self.buildings = [
            _copy_text(f"{fake.last_name()} {rng.choice(BUILDING_SUFFIXES)}") for _ in range(150)
        ]
        self.nhs = _Permutation(rng, 100_000_000)
        self.ni_prefixes = _ni_prefixes()
        self.ni = _Permutation(rng, len(self.ni_prefixes) * 1_000_000)
        self.uprn = _Permutation(rng, 100_000_000)
        # UPN: LA number, a school's DfE establishment number, year issued, serial.
        self.schools = [f"{n:04d}" for n in rng.sample(range(2000, 6000), 450)]
        self.upn_counters: dict[int, int] = {}
        statuses, weights = zip(*STATUS_WEIGHTS, strict=True)
        self.statuses: Sequence[FamilyStatus] = statuses
        self.status_cum = list(_cumulative(weights))
        u_statuses, u_weights = zip(*UNASSIGNED_STATUS_WEIGHTS, strict=True)
        self.unassigned_statuses: Sequence[FamilyStatus] = u_statuses
        self.unassigned_cum = list(_cumulative(u_weights))
        self.area_cum = list(_cumulative(_area_weights(world)))
        self.surname_cum = list(_cumulative(self.surname_weights))
        # The journeys. Step lengths as (from, to) -> (fewest days, how many possible), for
        # every step including the side exits; choices as rng.choices takes them.
        step_days = {
            **STEP_DAYS,
            **{(s, target): EXIT_DAYS[target] for s in S for target in EXIT_DAYS},
        }
        self.step_days = {key: (low, high - low + 1) for key, (low, high) in step_days.items()}
        self.closed_via = _options(CLOSED_VIA)
        self.exit_points = {key: _options(points) for key, points in EXIT_POINTS.items()}
        self.partner_deck: list[AgencyKind] = []

    # -- identifiers --------------------------------------------------------

    def _nhs_number(self) -> str:
        while True:
            number = nhs_number_with_check_digit(f"{400_000_000 + self.nhs.next():09d}")
            if number is not None:
                return number

    def _ni_number(self) -> str:
        value = self.ni.next()
        prefix = self.ni_prefixes[value // 1_000_000]
        return f"{prefix}{value % 1_000_000:06d}{self.rng.choice('ABCD')}"

    def _upn(self, born: datetime.date) -> str:
        # Issued when the child started school, at about 4 or 5.
        year = (born.year + 5) % 100
        count = self.upn_counters.get(year, 0)
        self.upn_counters[year] = count + 1
        school = self.schools[count % len(self.schools)]
        serial = count // len(self.schools) + 1
        return upn_with_check_letter(f"{HAMPSHIRE_LA}{school}{year:02d}{serial:03d}")

    # -- people -------------------------------------------------------------

    def _born(self, age: int) -> datetime.date:
        latest = _years_before(self.today, age)
        earliest = _years_before(self.today, age + 1) + datetime.timedelta(days=1)
        span = (latest - earliest).days
        return latest - datetime.timedelta(days=self.rng.randint(0, span))

    def _given_name(self, sex: str) -> str:
        if sex == Sex.FEMALE or (sex != Sex.MALE and self.rng.random() < 0.5):
            return self.rng.choice(self.female_names)
        return self.rng.choice(self.male_names)

    def _surname(self) -> str:
        return self.rng.choices(self.surnames, cum_weights=self.surname_cum)[0]

    def _person(self, surname: str, age: int, sex: str, created: str) -> tuple[str, datetime.date]:
        rng = self.rng
        born = self._born(age)
        upn = ""
        if 5 <= age <= 16:
            upn = self._upn(born) if rng.random() < 0.93 else ""
        elif age == 17:
            upn = self._upn(born) if rng.random() < 0.6 else ""
        nhs = self._nhs_number() if rng.random() < NHS_NUMBER_SHARE else ""
        ni = self._ni_number() if age >= 18 and rng.random() < NI_NUMBER_SHARE else ""
        row = (
            f"{self._given_name(sex)}\t{surname}\t{born.isoformat()}\t{sex}\t"
            f"{upn}\t{nhs}\t{ni}\t{created}\t{created}"
        )
        return row, born

    def _sex(self, female_share: float) -> str:
        draw = self.rng.random()
        if draw < 0.005:
            return Sex.OTHER.value
        return Sex.FEMALE.value if draw < female_share else Sex.MALE.value

    # -- the case journey ---------------------------------------------------

    def _journey(self, status: FamilyStatus, led: bool) -> list[FamilyStatus]:
        """The statuses a family passed through after "identified", ending at ``status``.

        Each step is an allowed transition. ``led``: the LCG allocated a lead on the way
        (for a side exit, whether it came before or after allocation).
        """
        rng = self.rng
        if status in SIDE_EXITS:
            points, cum = self.exit_points[status, led]
            return [*MAIN_ROAD[rng.choices(points, cum_weights=cum)[0]], status]
        if status == S.CLOSED:
            via, cum = self.closed_via
            steps = [*MAIN_ROAD[rng.choices(via, cum_weights=cum)[0]], S.CLOSED]
        else:
            steps = list(MAIN_ROAD[status])
        if S.PLAN_ACTIVE in steps and rng.random() < NOT_SUSTAINED_SHARE:
            # Outcomes met once already but not sustained: back to the plan.
            after = steps.index(S.PLAN_ACTIVE) + 1
            steps[after:after] = [S.OUTCOMES_MET, S.PLAN_ACTIVE]
        return steps

    def _partner_kind(self) -> AgencyKind:
        """The kind of partner agency that leads the next partner-led family."""
        if not self.partner_deck:
            self.partner_deck = [kind for kind, n in PARTNER_LEAD_DECK for _ in range(n)]
            self.rng.shuffle(self.partner_deck)
        return self.partner_deck.pop()

    # -- time ---------------------------------------------------------------

    def _at(self, day: datetime.date) -> datetime.datetime:
        """A time in office hours (08:30 to 17:30) on ``day``."""
        # random() rather than randint(): this runs for every status change.
        minutes = 8 * 60 + 30 + int(self.rng.random() * (9 * 60 + 1))
        return datetime.datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=LONDON
        )

    # -- a chunk ------------------------------------------------------------

    def write_chunk(self, size: int, counts: dict[str, int]) -> int:
        """Generate ``size`` families, copy them in, and return how many people."""
        rng = self.rng
        today = self.today
        day = datetime.timedelta(days=1)
        world = self.world
        addresses: list[str] = []
        people: list[str] = []
        families: list[tuple[str, ...]] = []
        memberships: list[tuple[int, int, str]] = []
        changes: list[tuple[int, str]] = []
        leads: list[tuple[int, str]] = []
        system = str(world.system_user_id)
        step_days = self.step_days

        for index in range(size):
            # Where the family lives, and where it is on the case journey.
            if rng.random() < UNASSIGNED_SHARE:
                area = world.unassigned
                status = rng.choices(self.unassigned_statuses, cum_weights=self.unassigned_cum)[0]
            else:
                area = rng.choices(world.areas, cum_weights=self.area_cum)[0]
                status = rng.choices(self.statuses, cum_weights=self.status_cum)[0]

            # Who leads: a key worker on one of the LCG's two tracks or, now and then, a
            # partner agency's practitioner (a local agency's families live in its area).
            lead: _Keyworker | None = None
            partner = False
            if area.lcg_id is not None and (
                status in LED_STATUSES
                or (status in SIDE_EXITS and rng.random() < LED_SIDE_EXIT_SHARE)
            ):
                if rng.random() < PARTNER_LEAD_SHARE:
                    chosen = world.partners[self._partner_kind()]
                    lead = chosen.lead
                    partner = True
                    area = chosen.home or area
                else:
                    track = (
                        area.intensive
                        if area.intensive and rng.random() < INTENSIVE_TRACK_SHARE
                        else area.early_help or area.intensive
                    )
                    if track:
                        lead = rng.choice(track)
            district = rng.choice(area.districts)
            postcode = (
                f"{district} {rng.randint(1, 9)}"
                f"{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
            )

            # The journey so far, and how many days after identification each step came.
            steps = self._journey(status, lead is not None)
            offsets = []
            elapsed = 0
            previous = S.IDENTIFIED
            for step in steps:
                low, span = step_days[previous, step]
                elapsed += low + int(rng.random() * span)
                offsets.append(elapsed)
                previous = step
            low, high = DWELL_DAYS[status]
            # Counted back from today, so every change is at least a day in the past.
            identified_on = today - (elapsed + rng.randint(low, high)) * day
            identified_at = self._at(identified_on)
            identified_iso = identified_at.isoformat()

            # The address.
            shape = rng.random()
            street = rng.choice(self.streets)
            if shape < 0.8:
                line_1, line_2 = f"{rng.randint(1, 160)} {street}", ""
            elif shape < 0.95:
                line_1 = f"Flat {rng.randint(1, 40)}, {rng.choice(self.buildings)}"
                line_2 = f"{rng.randint(1, 90)} {street}"
            else:
                line_1 = f"{rng.choice(('Rose', 'Ivy', 'Orchard', 'Mill', 'Yew Tree'))} Cottage"
                line_2 = street
            uprn = f"1000{self.uprn.next():08d}" if rng.random() < 0.9 else ""
            protected = "t" if rng.random() < PROTECTED_ADDRESS_SHARE else "f"
            addresses.append(
                f"{line_1}\t{line_2}\t{POST_TOWNS[district]}\t{postcode}\t{uprn}\t"
                f"{protected}\t{identified_iso}"
            )

            # The household.
            household_start = identified_on - rng.randint(60, 3650) * day
            surname = self._surname()
            parent_age = int(rng.triangular(19, 60, 33))
            parent_sex = self._sex(0.78)
            row, born = self._person(surname, parent_age, parent_sex, identified_iso)
            first_person = len(people)
            people.append(row)
            memberships.append(
                (index, first_person, f"parent_carer\t{self._start(born, 18, household_start)}")
            )
            if rng.random() < SECOND_PARENT_SHARE:
                age = min(60, max(19, parent_age + rng.randint(-4, 7)))
                other_sex = Sex.MALE.value if parent_sex == Sex.FEMALE else Sex.FEMALE.value
                second_surname = surname if rng.random() < 0.7 else self._surname()
                row, born = self._person(second_surname, age, other_sex, identified_iso)
                start = self._start(born, 18, household_start + rng.randint(0, 1500) * day)
                memberships.append((index, len(people), f"parent_carer\t{start}"))
                people.append(row)
            children = rng.choices(range(6), weights=CHILDREN_WEIGHTS)[0]
            oldest = min(17, parent_age - 16)
            for _ in range(children):
                child_surname = surname if rng.random() < 0.85 else self._surname()
                row, born = self._person(
                    child_surname, rng.randint(0, oldest), self._sex(0.5), identified_iso
                )
                memberships.append(
                    (index, len(people), f"child\t{self._start(born, 0, household_start)}")
                )
                people.append(row)
            if rng.random() < OTHER_ADULT_SHARE:
                if parent_age >= 37 and rng.random() < 0.5:
                    age = rng.randint(18, min(24, parent_age - 17))  # an older son or daughter
                    other_surname = surname
                else:
                    age = rng.randint(max(40, parent_age + 17), 78)  # a grandparent
                    other_surname = surname if rng.random() < 0.5 else self._surname()
                row, born = self._person(other_surname, age, self._sex(0.6), identified_iso)
                start = self._start(born, 18, household_start + rng.randint(0, 2000) * day)
                memberships.append((index, len(people), f"other_adult\t{start}"))
                people.append(row)

            # The status history: the coordinator screens and allocates (and closes a case
            # that ends before allocation); the lead professional, a key worker or a
            # partner's practitioner, records the work after.
            coordinator = str(area.coordinator_user_id or world.system_user_id)
            worker = coordinator if lead is None else str(lead.user_id)
            changes.append(
                (index, f"\tidentified\t{IDENTIFIED_REASON}\t{system}\t{identified_iso}")
            )
            changed_iso = identified_iso
            allocated_at: datetime.datetime | None = None
            previous = S.IDENTIFIED
            for step, offset in zip(steps, offsets, strict=True):
                at = self._at(identified_on + offset * day)
                changed_iso = at.isoformat()
                before_allocation = previous in BEFORE_ALLOCATION
                if step in SIDE_EXITS:
                    reason = rng.choice(EXIT_REASONS[step, not before_allocation])
                else:
                    reason = rng.choice(STEP_REASONS[previous, step])
                    if step == S.ALLOCATED:
                        allocated_at = at
                changes.append(
                    (
                        index,
                        f"{previous.value}\t{step.value}\t{reason}\t"
                        f"{coordinator if before_allocation else worker}\t{changed_iso}",
                    )
                )
                previous = step

            # The lead, from the day the LCG allocated the family.
            lead_agency = lead_professional = attached = NULL
            if lead is not None:
                assert allocated_at is not None  # every led journey passes "allocated"
                lead_agency = str(lead.agency_id)
                lead_professional = str(lead.staff_id)
                attached = allocated_at.date().isoformat()
                leads.append(
                    (
                        index,
                        f"{lead_agency}\t{lead_professional}\t"
                        f"{PARTNER_LEAD_REASON if partner else LEAD_REASON}\t{coordinator}\t"
                        f"{allocated_at.isoformat()}\t{NULL}",
                    )
                )
            lcg = NULL if area.lcg_id is None else str(area.lcg_id)
            families.append(
                (
                    lcg,
                    status.value,
                    changed_iso,
                    lead_agency,
                    lead_professional,
                    attached,
                    identified_iso,
                    changed_iso,
                )
            )

        # Ids and references from the database's own sequences, then COPY.
        address_ids = _next_ids(Address, len(addresses))
        person_ids = _next_ids(Person, len(people))
        family_ids = _next_ids(Family, size)
        references = family_references_next(size)
        _copy(counts, Address, (f"{i}\t{r}" for i, r in zip(address_ids, addresses, strict=True)))
        _copy(counts, Person, (f"{i}\t{r}" for i, r in zip(person_ids, people, strict=True)))
        _copy(
            counts,
            Family,
            (
                f"{family_ids[n]}\t{references[n]}\t{f[0]}\t{f[1]}\t{f[2]}\t{address_ids[n]}\t"
                f"{f[3]}\t{f[4]}\t{f[5]}\t{f[6]}\t{f[7]}"
                for n, f in enumerate(families)
            ),
        )
        membership_ids = _next_ids(HouseholdMembership, len(memberships))
        _copy(
            counts,
            HouseholdMembership,
            (
                f"{mid}\t{family_ids[f]}\t{person_ids[p]}\t{rest}\t{NULL}"
                for mid, (f, p, rest) in zip(membership_ids, memberships, strict=True)
            ),
        )
        change_ids = _next_ids(FamilyStatusChange, len(changes))
        _copy(
            counts,
            FamilyStatusChange,
            (
                f"{cid}\t{family_ids[f]}\t{rest}"
                for cid, (f, rest) in zip(change_ids, changes, strict=True)
            ),
        )
        lead_ids = _next_ids(LeadAssignment, len(leads))
        _copy(
            counts,
            LeadAssignment,
            (
                f"{lid}\t{family_ids[f]}\t{rest}"
                for lid, (f, rest) in zip(lead_ids, leads, strict=True)
            ),
        )
        return len(people)

    def _start(self, born: datetime.date, min_age: int, household_start: datetime.date) -> str:
        """A membership start date: when the household formed, or when they came of age."""
        earliest = _years_before(born, -min_age)
        start = max(earliest, household_start)
        return min(start, self.today).isoformat()


def _area_weights(world: _World) -> list[float]:
    """Weights to draw a family's LCG area with, before a local partner moves it.

    A family a local partner agency leads moves to that agency's area (see
    ``write_chunk``). Drawing the areas with these weights instead of ``world.weights``
    makes up for it, so each LCG's share of the caseload is still its ``LCGSpec.weight``.
    """
    total = sum(weight for _, weight in STATUS_WEIGHTS)
    led = sum(
        weight * (1.0 if status in LED_STATUSES else LED_SIDE_EXIT_SHARE)
        for status, weight in STATUS_WEIGHTS
        if status in LED_STATUSES or status in SIDE_EXITS
    )
    cards = sum(n for _, n in PARTNER_LEAD_DECK)
    # The share of families (in any area) a local partner moves into each area.
    moved_in = dict.fromkeys(world.areas, 0.0)
    for kind, n in PARTNER_LEAD_DECK:
        home = world.partners[kind].home
        if home is not None:
            moved_in[home] += led / total * PARTNER_LEAD_SHARE * n / cards
    moved = sum(moved_in.values())
    weights = sum(world.weights)
    return [
        (weight / weights - moved_in[area]) / (1 - moved)
        for area, weight in zip(world.areas, world.weights, strict=True)
    ]


def _options(
    weighted: Sequence[tuple[FamilyStatus, int]],
) -> tuple[tuple[FamilyStatus, ...], list[float]]:
    """Weighted options as ``rng.choices`` takes them: the options, cumulative weights."""
    options, weights = zip(*weighted, strict=True)
    return options, list(_cumulative(weights))


def _cumulative(weights: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for weight in weights:
        total += weight
        yield total


# The columns COPY writes, in order, per model (the tab-separated rows above follow it).
_COLUMNS: Final[dict[type[Model], tuple[str, ...]]] = {
    Address: ("id", "line_1", "line_2", "town", "postcode", "uprn", "is_protected", "created_at"),
    Person: (
        "id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "upn",
        "nhs_number",
        "ni_number",
        "created_at",
        "updated_at",
    ),
    Family: (
        "id",
        "reference",
        "lcg",
        "status",
        "status_changed_at",
        "address",
        "lead_agency",
        "lead_professional",
        "attached_on",
        "created_at",
        "updated_at",
    ),
    HouseholdMembership: ("id", "family", "person", "role", "start_date", "end_date"),
    FamilyStatusChange: (
        "id",
        "family",
        "from_status",
        "to_status",
        "reason",
        "actor",
        "created_at",
    ),
    LeadAssignment: (
        "id",
        "family",
        "lead_agency",
        "lead_professional",
        "reason",
        "actor",
        "started_at",
        "ended_at",
    ),
}


def _next_ids(model: type[Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys from the table's identity sequence.

    Like ``family_references_next``: a sequence read, so a concurrent insert elsewhere
    can never be handed the same id.
    """
    if count == 0:
        return []
    with connection.cursor() as cursor:
        # Look the sequence up once: calling pg_get_serial_sequence per row costs 6x.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
        (sequence,) = cursor.fetchone() or (None,)
        if sequence is None:
            raise RuntimeError(f"{model._meta.db_table}.id has no sequence")
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [row[0] for row in cursor.fetchall()]


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def _copy(counts: dict[str, int], model: type[Model], lines: Iterable[str]) -> None:
    buffer = io.StringIO()
    written = 0
    for line in lines:
        buffer.write(line)
        buffer.write("\n")
        written += 1
    if not written:
        return
    buffer.seek(0)
    opts = model._meta
    columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in _COLUMNS[model])
    sql = f"COPY {connection.ops.quote_name(opts.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)
    _count(counts, model, written)


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
        "Demo sign-ins:",
    ]
    width_user = max(len("Username"), *(len(s.username) for s in result.sign_ins))
    width_role = max(len("Role"), *(len(s.role) for s in result.sign_ins))
    lines.append(f"  {'Username':<{width_user}}  {'Role':<{width_role}}  Agency / LCG")
    for s in result.sign_ins:
        where = f"{s.agency} / {s.lcg}" if s.lcg else s.agency
        lines.append(f"  {s.username:<{width_user}}  {s.role:<{width_role}}  {where}")
    lines += ["", f"Password for every demo sign-in: {DEMO_PASSWORD}"]
    return "\n".join(lines)
