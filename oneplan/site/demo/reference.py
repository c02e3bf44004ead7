"""The demo's reference data: Hampshire's LCGs and their postcode districts, the agencies
and the demo sign-ins in every role (DOMAIN.md sections 2 and 3), and the constants every
part of the seeder shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from agencies.models import AgencyKind
from agencies.roles import Role

if TYPE_CHECKING:
    pass


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


def _postcode_districts(text: str) -> tuple[str, ...]:
    """ "GU30-GU35, PO8" as ("GU30", ..., "GU35", "PO8")."""
    districts: list[str] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if not last:
            districts.append(first)
            continue
        prefix = first.rstrip("0123456789")
        districts.extend(_range(prefix, int(first[len(prefix) :]), int(last[len(prefix) :])))
    return tuple(districts)


# One LCG a row: code | districts (";" between; the LCG is named after them) | postcode
# districts | district council whose officer coordinates it | intensive support provider
# (DOMAIN.md: 4 providers) | relative share of the caseload (population, skewed towards
# deprived areas). DOMAIN.md gives Eastleigh SO50-SO53 and Test Valley SO51. A postcode
# district must belong to exactly one LCG (a family's LCG follows from it), so SO51
# (Romsey) goes to Test Valley only and Eastleigh keeps SO50, SO52 and SO53.
_LCG_TABLE = """
BASINGSTOKE    | Basingstoke and Deane | RG21-RG26                   | BDBC | FAMILIES-TOGETHER | 15
EAST-HAMPSHIRE | East Hampshire        | GU30-GU35, PO8              | EHDC | COMPASS           | 8
EASTLEIGH      | Eastleigh             | SO50, SO52, SO53            | EBC  | BRIDGES           | 9
FAREHAM        | Fareham               | PO14-PO17                   | FBC  | SOLENT            | 7
GOSPORT        | Gosport               | PO12-PO13                   | GBC  | SOLENT            | 10
HART-RUSHMOOR  | Hart; Rushmoor        | GU11-GU14, GU51, GU52, RG27 | RBC  | FAMILIES-TOGETHER | 14
HAVANT         | Havant                | PO7, PO9-PO11               | HBC  | COMPASS           | 12
NEW-FOREST     | New Forest            | SO40-SO45, BH24, BH25       | NFDC | BRIDGES           | 11
TEST-VALLEY    | Test Valley           | SP10, SP11, SO51            | TVBC | BRIDGES           | 8
WINCHESTER     | Winchester            | SO21, SO22, SO23, SO32      | WCC  | COMPASS           | 6
"""


def _lcg(row: str) -> LCGSpec:
    code, district_names, postcodes, council, provider, weight = (
        cell.strip() for cell in row.split("|")
    )
    districts = tuple(d.strip() for d in district_names.split(";"))
    return LCGSpec(
        code=code,
        name=" and ".join(districts) + " LCG",
        districts=districts,
        postcode_districts=_postcode_districts(postcodes),
        council_code=council,
        provider_code="ISP-" + provider,
        weight=int(weight),
    )


LCG_SPECS: Final[tuple[LCGSpec, ...]] = tuple(_lcg(row) for row in _LCG_TABLE.strip().splitlines())

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
            "senior.officer",
            SUPPORTING_FAMILIES_TEAM,
            Role.SENIOR_OFFICER,
            "Head of Early Help (senior officer)",
        ),
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
