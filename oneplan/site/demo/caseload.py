"""Generating the demo caseload: households, people with valid identifiers, families and
their whole histories, reproducible for a seed and a date."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agencies.models import LCG, AgencyKind, Staff
from agencies.roles import Role
from families.identifiers import nhs_number_with_check_digit, upn_with_check_letter
from families.models import (
    Address,
    Family,
    FamilyStatusChange,
    HouseholdMembership,
    LeadAssignment,
    Person,
    Sex,
    Track,
)
from families.services import family_references_next
from families.states import FamilyStatus

if TYPE_CHECKING:
    from faker import Faker

from oneplan.site.demo.copying import copy_field, copy_lines, next_ids
from oneplan.site.demo.identities import Permutation, ni_prefixes, years_before
from oneplan.site.demo.journeys import (
    BEFORE_ALLOCATION,
    BUILDING_SUFFIXES,
    CHILDREN_WEIGHTS,
    CLOSED_VIA,
    DWELL_DAYS,
    EXIT_DAYS,
    EXIT_POINTS,
    EXIT_REASONS,
    HAMPSHIRE_LA,
    LEAD_REASON,
    LED_SIDE_EXIT_SHARE,
    LED_STATUSES,
    LOCAL_PARTNER_LCG,
    MAIN_ROAD,
    NHS_NUMBER_SHARE,
    NI_NUMBER_SHARE,
    NOT_SUSTAINED_SHARE,
    NULL,
    OTHER_ADULT_SHARE,
    PARTNER_LEAD_DECK,
    PARTNER_LEAD_REASON,
    PARTNER_LEAD_SHARE,
    SECOND_PARENT_SHARE,
    SIDE_EXITS,
    STATUS_WEIGHTS,
    STEP_DAYS,
    STEP_REASONS,
    STREET_SUFFIXES,
    UNASSIGNED_STATUS_WEIGHTS,
    S,
)
from oneplan.site.demo.reference import (
    IDENTIFIED_REASON,
    INTENSIVE_TRACK_SHARE,
    INWARD_LETTERS,
    LCG_SPECS,
    LONDON,
    POST_TOWNS,
    PRACTITIONERS,
    PROTECTED_ADDRESS_SHARE,
    UNASSIGNED_DISTRICTS,
    UNASSIGNED_SHARE,
    staff_specs,
)

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
class World:
    areas: tuple[_Area, ...]
    weights: tuple[int, ...]
    unassigned: _Area
    system_user_id: int
    partners: dict[AgencyKind, _Partner]

    @classmethod
    def build(cls, lcgs: dict[str, LCG], staff: dict[str, Staff], system_user_id: int) -> World:
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


class CaseloadGenerator:
    """Generates families chunk by chunk and copies them into the database."""

    def __init__(self, rng: random.Random, fake: Faker, today: datetime.date, world: World) -> None:
        self.rng = rng
        self.today = today
        self.world = world
        # Faker en_GB's own name lists, drawn from with ``rng``: the same names Faker
        # would give, at a fraction of the cost per call.
        person: Any = fake.provider("faker.providers.person")
        female = [copy_field(n) for n in person.first_names_female]
        male = [copy_field(n) for n in person.first_names_male]
        last_names = person.last_names
        self.female_names = female
        self.male_names = male
        self.surnames = [copy_field(n) for n in last_names]
        self.surname_weights = list(
            last_names.values() if isinstance(last_names, dict) else [1] * len(last_names)
        )
        self.streets = [
            copy_field(f"{fake.last_name()} {rng.choice(STREET_SUFFIXES)}") for _ in range(1200)
        ]
        self.buildings = [
            copy_field(f"{fake.last_name()} {rng.choice(BUILDING_SUFFIXES)}") for _ in range(150)
        ]
        self.nhs = Permutation(rng, 100_000_000)
        self.ni_prefixes = ni_prefixes()
        self.ni = Permutation(rng, len(self.ni_prefixes) * 1_000_000)
        self.uprn = Permutation(rng, 100_000_000)
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
        latest = years_before(self.today, age)
        earliest = years_before(self.today, age + 1) + datetime.timedelta(days=1)
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
            # The track the LCG allocated it to: a provider's key worker leads on the
            # intensive track, everyone else on the local one.
            track_code = ""
            if area.lcg_id is not None and (
                status in LED_STATUSES
                or (status in SIDE_EXITS and rng.random() < LED_SIDE_EXIT_SHARE)
            ):
                if rng.random() < PARTNER_LEAD_SHARE:
                    chosen = world.partners[self._partner_kind()]
                    lead = chosen.lead
                    partner = True
                    track_code = Track.LOCAL.value
                    area = chosen.home or area
                else:
                    track = (
                        area.intensive
                        if area.intensive and rng.random() < INTENSIVE_TRACK_SHARE
                        else area.early_help or area.intensive
                    )
                    if track:
                        lead = rng.choice(track)
                        track_code = (
                            Track.INTENSIVE.value if track is area.intensive else Track.LOCAL.value
                        )
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
            lead_agency = lead_professional = attached = first_local = NULL
            if lead is not None:
                assert allocated_at is not None  # every led journey passes "allocated"
                lead_agency = str(lead.agency_id)
                lead_professional = str(lead.staff_id)
                attached = allocated_at.date().isoformat()
                # Its one lead assignment is its first: on the local track, it was
                # taken on then (Family.first_local_lead_at).
                if track_code == Track.LOCAL.value:
                    first_local = allocated_at.isoformat()
                leads.append(
                    (
                        index,
                        f"{lead_agency}\t{lead_professional}\t"
                        f"{PARTNER_LEAD_REASON if partner else LEAD_REASON}\t{coordinator}\t"
                        f"{allocated_at.isoformat()}\t{NULL}\t{track_code}",
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
                    track_code,
                    first_local,
                )
            )

        # Ids and references from the database's own sequences, then COPY.
        address_ids = next_ids(Address, len(addresses))
        person_ids = next_ids(Person, len(people))
        family_ids = next_ids(Family, size)
        references = family_references_next(size)
        copy_lines(
            counts, Address, (f"{i}\t{r}" for i, r in zip(address_ids, addresses, strict=True))
        )
        copy_lines(counts, Person, (f"{i}\t{r}" for i, r in zip(person_ids, people, strict=True)))
        copy_lines(
            counts,
            Family,
            (
                f"{family_ids[n]}\t{references[n]}\t{f[0]}\t{f[1]}\t{f[2]}\t{address_ids[n]}\t"
                f"{f[3]}\t{f[4]}\t{f[5]}\t{f[6]}\t{f[7]}\t{f[8]}\t{f[9]}"
                for n, f in enumerate(families)
            ),
        )
        membership_ids = next_ids(HouseholdMembership, len(memberships))
        copy_lines(
            counts,
            HouseholdMembership,
            (
                f"{mid}\t{family_ids[f]}\t{person_ids[p]}\t{rest}\t{NULL}"
                for mid, (f, p, rest) in zip(membership_ids, memberships, strict=True)
            ),
        )
        change_ids = next_ids(FamilyStatusChange, len(changes))
        copy_lines(
            counts,
            FamilyStatusChange,
            (
                f"{cid}\t{family_ids[f]}\t{rest}"
                for cid, (f, rest) in zip(change_ids, changes, strict=True)
            ),
        )
        lead_ids = next_ids(LeadAssignment, len(leads))
        copy_lines(
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
        earliest = years_before(born, -min_age)
        start = max(earliest, household_start)
        return min(start, self.today).isoformat()


def _area_weights(world: World) -> list[float]:
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
