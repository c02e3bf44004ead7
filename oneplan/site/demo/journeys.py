"""How demo families move along the journey (DOMAIN.md section 3, families.states):
where the caseload sits, the steps and side exits, how long each takes and what the
person who moved the family on wrote; and who leads which families."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from agencies.models import AgencyKind
from families.states import FamilyStatus

if TYPE_CHECKING:
    pass

from oneplan.site.demo.reference import K

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
# they and their agency lead (families.access.access, through the grants a lead opens).
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
