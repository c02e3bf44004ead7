"""The demo's agency evidence and case work, added after the caseload by ``seed_demo``.

For every demo family: what agencies know about its members (dated evidence, as if it
had come in through feeds and been matched), so assessments find the eligible ones; and
for families being worked with: consent, the team around the family, and a single family
plan with needs, goals, actions, reviews and an agreement. Deterministic for a seed and a
``today``, written with COPY like the caseload (see ``oneplan.demo.seed``).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import connection
from django.db.models import Model

from agencies.models import Agency
from families.grants_models import LawfulBasis, TeamMember
from outcomes.models import (
    RESTRICTED_FEED_KINDS,
    Evidence,
    FeedKind,
    FeedSubmission,
    HouseholdKey,
    MatchMethod,
    SourcePerson,
)
from plans.models import (
    Action,
    ActionProgressNote,
    Agreement,
    Goal,
    GoalRating,
    Need,
    Plan,
    Review,
)

CHUNK: Final = 5000
DAY: Final = datetime.timedelta(days=1)

# Which demo agency sends each kind of feed (codes from ``oneplan.demo.seed``).
FEED_AGENCY: Final[dict[FeedKind, str]] = {
    FeedKind.SCHOOL_ATTENDANCE: "SCH-BASINGSTOKE-VALE",
    FeedKind.EXCLUSIONS: "SCH-BASINGSTOKE-VALE",
    FeedKind.OFFENCES: "HCC-YOT",
    FeedKind.ASB: "GBC",
    FeedKind.POLICE_CALLOUTS: "HC-POLICE",
    FeedKind.BENEFITS: "DWP-JCP",
    FeedKind.EMPLOYMENT: "DWP-JCP",
    FeedKind.SOCIAL_CARE: "HCC-CS",
    FeedKind.DOMESTIC_ABUSE: "HC-POLICE",
    FeedKind.HEALTH: "SHFT",
    FeedKind.HOUSING: "HBC-HOUSING",
}

# Supporting Families headline needs (DOMAIN.md 4.3) and how often demo families have
# each; a family being worked with has three or more.
HEADLINES: Final[tuple[tuple[str, float], ...]] = (
    ("education", 0.45),
    ("early_years", 0.15),
    ("health", 0.40),
    ("substance_use", 0.15),
    ("family_relationships", 0.30),
    ("child_safety", 0.30),
    ("crime", 0.30),
    ("domestic_abuse", 0.25),
    ("housing", 0.30),
    ("financial_stability", 0.50),
)
WORKED_WITH: Final = frozenset({"engaged", "plan_active", "outcomes_met", "claimed"})
WITH_PLAN: Final = frozenset({"plan_active", "outcomes_met", "claimed"})

GOALS: Final[dict[str, tuple[str, ...]]] = {
    "education": ("{child} goes to school every day", "{child} stays in school"),
    "early_years": ("{child} is ready for nursery", "The baby's development checks are up to date"),
    "health": ("{adult} feels able to manage their mental health",),
    "substance_use": ("{adult} cuts down their drinking and keeps appointments",),
    "family_relationships": ("Fewer arguments at home and a calmer evening routine",),
    "child_safety": ("The children are safe and the plan can step down",),
    "crime": ("{child} stays out of trouble with the police",),
    "domestic_abuse": ("{adult} and the children feel safe at home",),
    "housing": ("The rent arrears are paid off and the tenancy is safe",),
    "financial_stability": ("{adult} finds work or training that fits around the children",),
}
ACTIONS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    # (agency kind or "family", what)
    "education": (
        ("school", "Meet {child} each morning for a check-in"),
        ("family", "Get {child} up and out of the door by 8:15"),
    ),
    "early_years": (
        ("health", "Home visit for the 2-year development review"),
        ("family", "Take up the free nursery place"),
    ),
    "health": (
        ("health", "Refer {adult} to talking therapies"),
        ("family", "Go to the GP appointment about sleep"),
    ),
    "substance_use": (("health", "Arrange an assessment with the recovery service"),),
    "family_relationships": (
        ("voluntary_sector", "Six family mediation sessions"),
        ("family", "Agree a bedtime routine and stick to it"),
    ),
    "child_safety": (("childrens_services", "Child in need review meeting"),),
    "crime": (
        ("youth_offending", "Weekly session with the youth justice worker"),
        ("police", "Visit to explain the acceptable behaviour contract"),
    ),
    "domestic_abuse": (("police", "Safety planning visit with the domestic abuse officer"),),
    "housing": (
        ("housing", "Set up an affordable repayment plan for the arrears"),
        ("family", "Pay the agreed amount each week"),
    ),
    "financial_stability": (
        ("dwp", "Work coach appointment about part-time work"),
        ("family", "Go to the jobs fair at the library"),
    ),
}
WORKING_WELL: Final = (
    "Mum is very proud of the children and wants the best for them.",
    "The family get on well with their neighbours and grandparents help out.",
    "The children enjoy football club and never miss it.",
)
WORRIES: Final = (
    "Mornings are chaotic and the children are often late or miss school.",
    "Money is very tight and the arrears letters are frightening.",
    "There have been arguments that upset the younger children.",
)
WANTS: Final = (
    "\u201cWe want a calmer house and for the kids to do well at school.\u201d",
    "\u201cI want to get back to work and stop worrying about the rent.\u201d",
    "\u201cWe just want to be left alone to get on with our lives.\u201d",
)
RATINGS: Final = ("no_change", "some_progress", "good_progress", "some_progress")


@dataclass
class _Member:
    person_id: int
    given_name: str
    family_name: str
    born: datetime.date
    sex: str
    upn: str
    nhs: str
    ni: str
    role: str


@dataclass
class _Family:
    pk: int
    status: str
    lead_agency_id: int | None
    lead_user_id: int | None
    attached_on: datetime.date | None
    engaged_on: datetime.date | None
    line_1: str
    postcode: str
    uprn: str
    members: list[_Member] = field(default_factory=list)


@dataclass
class _Rows:
    """Lines for COPY, per table, with ids reserved as they are made."""

    lines: dict[type[Model], list[str]] = field(default_factory=lambda: defaultdict(list))
    through: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _iso(day: datetime.date | None) -> str:
    return "\\N" if day is None else day.isoformat()


def _text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _age(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def terms_before(today: datetime.date, count: int) -> list[tuple[str, str, datetime.date]]:
    """The ``count`` most recent school terms that started on or before ``today``, newest
    first, as (academic year, term, start date), with FEEDS.md's term start dates."""
    terms: list[tuple[str, str, datetime.date]] = []
    year = today.year + 1
    while len(terms) < count:
        first = year - 1
        label = f"{first}/{str(year)[-2:]}"
        for term, start in (
            ("summer", datetime.date(year, 4, 1)),
            ("spring", datetime.date(year, 1, 1)),
            ("autumn", datetime.date(first, 9, 1)),
        ):
            if start <= today and len(terms) < count:
                terms.append((label, term, start))
        year -= 1
    return terms


class CaseworkGenerator:
    def __init__(self, *, rng: random.Random, today: datetime.date, actor_id: int) -> None:
        self.rng = rng
        self.today = today
        self.actor_id = actor_id
        self.now = datetime.datetime.combine(today, datetime.time(9), datetime.UTC).isoformat()
        codes = set(FEED_AGENCY.values())
        self.agency_ids = dict(Agency.objects.filter(code__in=codes).values_list("code", "pk"))
        self.kind_agency: dict[str, int] = dict(
            Agency.objects.filter(staff__roles__contains=["agency_practitioner"])
            .order_by("pk")
            .values_list("kind", "pk")
        )
        self.practitioner: dict[int, int] = dict(
            Agency.objects.filter(staff__roles__contains=["agency_practitioner"])
            .order_by("pk")
            .values_list("pk", "staff__pk")
        )
        self.terms = terms_before(today, 3)
        self.submissions: dict[tuple[int, str], int] = {}
        self.sources: dict[tuple[int, int], int] = {}
        self.counts: dict[str, int] = defaultdict(int)
        self.ids = _IdPool()

    # -- evidence ---------------------------------------------------------------

    def _submission(self, agency_id: int, kind: FeedKind) -> int:
        key = (agency_id, kind.value)
        if key not in self.submissions:
            submission = FeedSubmission.objects.create(
                agency_id=agency_id,
                kind=kind,
                extract_date=self.today,
                filename=f"demo-{kind.value}.csv",
                file_format="csv",
                content=b"",
                sha256=hashlib.sha256(b"").hexdigest(),
                submitted_by_id=self.actor_id,
                submitted_at=self.now,
                status="imported",
                finished_at=self.now,
            )
            self.submissions[key] = submission.pk
        return self.submissions[key]

    def _source(self, rows: _Rows, family: _Family, member: _Member, agency_id: int) -> int:
        key = (agency_id, member.person_id)
        if key not in self.sources:
            source_id = self.ids.next(SourcePerson)
            method, fields = MatchMethod.SCORE, {"given_name": "agrees", "date_of_birth": "agrees"}
            for value, identifier in (
                (member.upn, MatchMethod.UPN),
                (member.nhs, MatchMethod.NHS_NUMBER),
                (member.ni, MatchMethod.NI_NUMBER),
            ):
                if value:
                    method, fields = identifier, {identifier.value: "agrees"}
                    break
            rows.lines[SourcePerson].append(
                "\t".join(
                    (
                        str(source_id),
                        str(agency_id),
                        f"DEMO-{member.person_id}",
                        str(member.person_id),
                        _text(member.given_name),
                        _text(member.family_name),
                        member.born.isoformat(),
                        member.sex,
                        _text(family.line_1),
                        family.postcode,
                        family.uprn,
                        "",
                        member.upn,
                        member.nhs,
                        member.ni,
                        method.value,
                        "1.0" if method == MatchMethod.SCORE else "\\N",
                        _text(json.dumps(fields)),
                        self.now,
                        "\\N",
                        "\\N",
                        self.now,
                        self.now,
                    )
                )
            )
            self.sources[key] = source_id
        return self.sources[key]

    def _evidence(
        self,
        rows: _Rows,
        family: _Family,
        member: _Member,
        kind: FeedKind,
        date: datetime.date,
        end: datetime.date | None,
        data: dict[str, Any],
    ) -> None:
        agency_id = self.agency_ids[FEED_AGENCY[kind]]
        source_id = self._source(rows, family, member, agency_id)
        evidence_id = self.ids.next(Evidence)
        rows.lines[Evidence].append(
            "\t".join(
                (
                    str(evidence_id),
                    str(source_id),
                    str(member.person_id),
                    str(agency_id),
                    kind.value,
                    f"DEMO-{evidence_id}",
                    date.isoformat(),
                    _iso(end),
                    _text(json.dumps(data)),
                    "t" if kind in RESTRICTED_FEED_KINDS else "f",
                    str(self._submission(agency_id, kind)),
                    self.today.isoformat(),
                    self.now,
                    self.now,
                )
            )
        )

    def _ago(self, low: int, high: int) -> datetime.date:
        return self.today - self.rng.randint(low, high) * DAY

    def _problem_evidence(self, rows: _Rows, family: _Family, code: str) -> list[_Member]:
        """Evidence that shows the need ``code``; returns who it is about (empty when the
        household has nobody it could be about)."""
        rng, today = self.rng, self.today
        adults = [m for m in family.members if _age(m.born, today) >= 18]
        children = [m for m in family.members if _age(m.born, today) < 18]
        school_age = [m for m in children if 5 <= _age(m.born, today) <= 16]
        teens = [m for m in children if 10 <= _age(m.born, today) <= 17]
        under_fives = [m for m in children if _age(m.born, today) < 5]
        if code == "education" and school_age:
            child = rng.choice(school_age)
            for year, term, start in self.terms:
                possible = rng.randint(110, 140)
                unauthorised = int(possible * rng.uniform(0.16, 0.32))
                self._evidence(
                    rows,
                    family,
                    child,
                    FeedKind.SCHOOL_ATTENDANCE,
                    start,
                    term_end(term, start),
                    {
                        "academic_year": year,
                        "term": term,
                        "possible_sessions": possible,
                        "unauthorised_absence_sessions": unauthorised,
                        "authorised_absence_sessions": rng.randint(0, 8),
                    },
                )
            return [child]
        if code == "early_years" and under_fives and adults:
            child = rng.choice(under_fives)
            start = self._ago(30, 300)
            self._evidence(
                rows,
                family,
                child,
                FeedKind.SOCIAL_CARE,
                start,
                None,
                {"status": "early_help", "start_date": start.isoformat(), "end_date": None},
            )
            return [child]
        if code in ("health", "substance_use") and adults:
            adult = rng.choice(adults)
            start = self._ago(30, 330)
            need = "mental_health" if code == "health" else "substance_misuse"
            self._evidence(
                rows,
                family,
                adult,
                FeedKind.HEALTH,
                start,
                None,
                {"need": need, "start_date": start.isoformat(), "end_date": None, "engaged": False},
            )
            return [adult]
        if code == "family_relationships" and adults:
            adult = adults[0]
            for _ in range(rng.randint(2, 4)):
                day = self._ago(10, 330)
                category = rng.choice(("domestic_abuse", "welfare", "other"))
                self._evidence(
                    rows,
                    family,
                    adult,
                    FeedKind.POLICE_CALLOUTS,
                    day,
                    None,
                    {"callout_date": day.isoformat(), "category": category},
                )
            return [adult]
        if code == "child_safety" and children:
            child = rng.choice(children)
            start = self._ago(30, 330)
            status = rng.choice(("child_in_need", "child_protection", "section_47"))
            self._evidence(
                rows,
                family,
                child,
                FeedKind.SOCIAL_CARE,
                start,
                None,
                {"status": status, "start_date": start.isoformat(), "end_date": None},
            )
            return [child]
        if code == "crime" and (teens or adults):
            if teens:
                child = rng.choice(teens)
                day = self._ago(20, 330)
                outcome_day = min(today, day + rng.randint(20, 90) * DAY)
                self._evidence(
                    rows,
                    family,
                    child,
                    FeedKind.OFFENCES,
                    day,
                    None,
                    {
                        "offence_date": day.isoformat(),
                        "outcome_date": outcome_day.isoformat(),
                        "outcome": "proven",
                        "offence_type": rng.choice(("theft", "criminal damage", "assault")),
                    },
                )
                return [child]
            adult = rng.choice(adults)
            day = self._ago(20, 330)
            self._evidence(
                rows,
                family,
                adult,
                FeedKind.ASB,
                day,
                None,
                {"incident_date": day.isoformat(), "intervention": rng.choice(("abc", "warning"))},
            )
            return [adult]
        if code == "domestic_abuse" and adults:
            adult = adults[0]
            day = self._ago(10, 300)
            self._evidence(
                rows,
                family,
                adult,
                FeedKind.DOMESTIC_ABUSE,
                day,
                None,
                {"incident_date": day.isoformat(), "role": "victim", "marac": rng.random() < 0.3},
            )
            return [adult]
        if code == "housing" and adults:
            adult = adults[0]
            day = self._ago(10, 300)
            event = rng.choice(("rent_arrears", "rent_arrears", "notice_seeking_possession"))
            self._evidence(
                rows,
                family,
                adult,
                FeedKind.HOUSING,
                day,
                None,
                {"event_date": day.isoformat(), "event": event},
            )
            return [adult]
        if code == "financial_stability" and adults:
            adult = adults[0]
            start = self._ago(60, 900)
            benefit = rng.choice(("UC", "UC", "ESA", "JSA"))
            self._evidence(
                rows,
                family,
                adult,
                FeedKind.BENEFITS,
                start,
                None,
                {
                    "benefit": benefit,
                    "start_date": start.isoformat(),
                    "end_date": None,
                    "out_of_work": True,
                },
            )
            return [adult]
        return []

    def _everyday_evidence(self, rows: _Rows, family: _Family, needs: set[str]) -> None:
        """Ordinary records that show no problem: attendance for the other school-age
        children, and work for some adults."""
        for member in family.members:
            age = _age(member.born, self.today)
            if 5 <= age <= 16 and "education" not in needs and self.rng.random() < 0.7:
                for year, term, start in self.terms:
                    possible = self.rng.randint(110, 140)
                    self._evidence(
                        rows,
                        family,
                        member,
                        FeedKind.SCHOOL_ATTENDANCE,
                        start,
                        term_end(term, start),
                        {
                            "academic_year": year,
                            "term": term,
                            "possible_sessions": possible,
                            "unauthorised_absence_sessions": self.rng.randint(0, 6),
                            "authorised_absence_sessions": self.rng.randint(0, 8),
                        },
                    )
            elif age >= 18 and "financial_stability" not in needs and self.rng.random() < 0.3:
                start = self._ago(120, 1500)
                self._evidence(
                    rows,
                    family,
                    member,
                    FeedKind.EMPLOYMENT,
                    start,
                    None,
                    {
                        "start_date": start.isoformat(),
                        "end_date": None,
                        "hours_per_week": float(self.rng.choice((16, 20, 30, 37.5))),
                    },
                )

    # -- case work --------------------------------------------------------------

    def _team(self, rows: _Rows, family: _Family, needs: Sequence[str]) -> dict[str, int]:
        """Consent from the main carer and the agencies the plan needs on the team;
        returns the team's agencies by kind."""
        assert family.lead_user_id is not None
        carer = family.members[0]
        given_on = family.engaged_on or family.attached_on or self.today
        basis_id = self.ids.next(LawfulBasis)
        rows.lines[LawfulBasis].append(
            f"{basis_id}\t{family.pk}\t{carer.person_id}\tconsent\t\t{given_on.isoformat()}\t"
            f"{family.lead_user_id}\t{self.now}\t\\N\t\\N\t"
        )
        team: dict[str, int] = {}
        for code in needs:
            for kind, _ in ACTIONS.get(code, ()):
                agency_id = self.kind_agency.get(kind)
                if kind == "family" or agency_id is None or agency_id == family.lead_agency_id:
                    continue
                team.setdefault(kind, agency_id)
        for agency_id in team.values():
            member_id = self.ids.next(TeamMember)
            rows.lines[TeamMember].append(
                f"{member_id}\t{family.pk}\t{agency_id}\t{basis_id}\t{family.lead_user_id}\t"
                f"{self.now}\t\\N\t\\N\t"
            )
        return team

    def _plan(
        self,
        rows: _Rows,
        family: _Family,
        needs: dict[str, list[_Member]],
        labels: dict[str, str],
        team: dict[str, int],
    ) -> None:
        rng, today = self.rng, self.today
        lead = str(family.lead_user_id)
        started = family.engaged_on or family.attached_on or today - 60 * DAY
        agreed = family.status in WITH_PLAN and rng.random() < 0.85
        plan_id = self.ids.next(Plan)
        next_review = today + rng.randint(-10, 42) * DAY if agreed else None
        voice = [_text(rng.choice(pool)) for pool in (WORKING_WELL, WORRIES, WANTS)]
        rows.lines[Plan].append(
            f"{plan_id}\t{family.pk}\t{'agreed' if agreed else 'draft'}\t1\t"
            + "\t".join(voice)
            + f"\t{_iso(next_review)}\t{lead}\t{self.now}\t{lead}\t{self.now}"
        )
        self.counts["plans"] += 1
        adults = [m for m in family.members if _age(m.born, today) >= 18]
        children = [m for m in family.members if _age(m.born, today) < 18]
        goal_ids: list[int] = []
        # A draft plan may still have a need without a goal: the page points it out.
        skip = rng.choice(list(needs)) if not agreed and rng.random() < 0.5 else None
        for position, (code, members) in enumerate(needs.items()):
            need_id = self.ids.next(Need)
            rows.lines[Need].append(
                f"{need_id}\t{family.pk}\t{code}\t{_text(labels.get(code, code))}\t\t"
                f"assessment\tsf2022\t{started.isoformat()}\t\\N\t{self.actor_id}\t{self.now}"
            )
            for member in members:
                rows.through["plans_need_members"].append(f"{need_id}\t{member.person_id}")
            if code == skip:
                continue
            child = next((m for m in members if m in children), children[0] if children else None)
            adult = next((m for m in members if m in adults), adults[0] if adults else None)
            names = {
                "child": child.given_name if child else "the children",
                "adult": adult.given_name if adult else "the parents",
            }
            goal_id = self.ids.next(Goal)
            goal_ids.append(goal_id)
            title = rng.choice(GOALS[code]).format(**names)
            rows.lines[Goal].append(
                f"{goal_id}\t{plan_id}\t{_text(title)}\t\topen\t{position}\t1\t"
                f"{lead}\t{self.now}\t{lead}\t{self.now}"
            )
            rows.through["plans_goal_needs"].append(f"{goal_id}\t{need_id}")
            for member in members:
                rows.through["plans_goal_members"].append(f"{goal_id}\t{member.person_id}")
            for kind, what in ACTIONS[code]:
                agency_id = None if kind == "family" else team.get(kind) or family.lead_agency_id
                practitioner = self.practitioner.get(agency_id) if agency_id else None
                if practitioner is not None and rng.random() < 0.4:
                    practitioner = None
                due = today + rng.randint(-30, 45) * DAY
                status = rng.choices(
                    ("not_started", "in_progress", "done", "not_done"), weights=(3, 4, 3, 0.4)
                )[0]
                reason = "The family moved the appointment twice" if status == "not_done" else ""
                completed = _iso(min(due, today)) if status == "done" else "\\N"
                action_id = self.ids.next(Action)
                rows.lines[Action].append(
                    "\t".join(
                        (
                            str(action_id),
                            str(goal_id),
                            str(plan_id),
                            _text(what.format(**names)),
                            "family" if agency_id is None else "agency",
                            "\\N" if agency_id is None else str(agency_id),
                            "\\N" if practitioner is None else str(practitioner),
                            "\\N",
                            due.isoformat(),
                            status,
                            reason,
                            completed,
                            "\\N",
                            "1",
                            lead,
                            self.now,
                            lead,
                            self.now,
                        )
                    )
                )
                if status == "in_progress":
                    note_id = self.ids.next(ActionProgressNote)
                    rows.lines[ActionProgressNote].append(
                        f"{note_id}\t{action_id}\tFirst session held; the next is booked.\t"
                        f"{lead}\t{self.now}"
                    )
        if not agreed or not family.members:
            return
        agreed_on = min(today, started + rng.randint(7, 28) * DAY)
        agreement_id = self.ids.next(Agreement)
        rows.lines[Agreement].append(
            f"{agreement_id}\t{plan_id}\t1\t{agreed_on.isoformat()}\tsigned\t\t{lead}\t{self.now}"
        )
        rows.through["plans_agreement_signed_by"].append(
            f"{agreement_id}\t{family.members[0].person_id}"
        )
        held_on = agreed_on + rng.randint(35, 56) * DAY
        if held_on < today and next_review is not None and next_review > held_on:
            review_id = self.ids.next(Review)
            rows.lines[Review].append(
                f"{review_id}\t{plan_id}\t{held_on.isoformat()}\t\t"
                "Everyone agreed things are moving in the right direction.\t"
                "Keep going with the current actions.\t"
                f"{next_review.isoformat()}\t{lead}\t{self.now}"
            )
            rows.through["plans_review_attendee_members"].append(
                f"{review_id}\t{family.members[0].person_id}"
            )
            for agency_id in team.values():
                rows.through["plans_review_attendee_agencies"].append(f"{review_id}\t{agency_id}")
            for goal_id in goal_ids:
                rating_id = self.ids.next(GoalRating)
                rows.lines[GoalRating].append(
                    f"{rating_id}\t{review_id}\t{goal_id}\t{rng.choice(RATINGS)}\t"
                )

    # -- per chunk --------------------------------------------------------------

    def write(self, families: list[_Family], labels: dict[str, str]) -> list[int]:
        """Generate and copy one chunk; return the ids of plans made."""
        rows = _Rows()
        for family in families:
            if not family.members:
                continue
            worked_with = family.status in WORKED_WITH and family.lead_user_id is not None
            wanted = [code for code, share in HEADLINES if self.rng.random() < share]
            extra = [code for code, _ in HEADLINES if code not in wanted]
            self.rng.shuffle(extra)
            needs: dict[str, list[_Member]] = {}
            for code in wanted + extra:
                # Families taken on meet the Supporting Families test: three or more needs
                # (a need shows only where the household has someone it can be about).
                if code in extra and not (worked_with and len(needs) < 3):
                    break
                about = self._problem_evidence(rows, family, code)
                if about:
                    needs[code] = about
            self._everyday_evidence(rows, family, set(needs))
            if family.uprn:
                rows.lines[HouseholdKey].append(f"uprn:{family.uprn}\t{family.pk}\t{self.now}")
            if worked_with and needs:
                team = self._team(rows, family, list(needs))
                if family.status in WITH_PLAN or self.rng.random() < 0.5:
                    self._plan(rows, family, needs, labels, team)
        for model in COPY_ORDER:
            _copy(model, rows.lines.get(model, []))
            self.counts[model._meta.db_table] += len(rows.lines.get(model, []))
        for table, lines in rows.through.items():
            _copy_through(table, lines)
            self.counts[table] += len(lines)
        return [int(line.split("\t", 1)[0]) for line in rows.lines.get(Plan, [])]


def term_end(term: str, start: datetime.date) -> datetime.date:
    if term == "autumn":
        return datetime.date(start.year, 12, 31)
    if term == "spring":
        return datetime.date(start.year, 3, 31)
    return datetime.date(start.year, 8, 31)


def families_read(after_id: int, limit: int) -> list[_Family]:
    """A chunk of families with their current members, the main carer first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT f.id, f.status, f.lead_agency_id, s.user_id, f.attached_on,
                   (SELECT max(c.created_at)::date FROM families_familystatuschange c
                     WHERE c.family_id = f.id AND c.to_status = 'engaged'),
                   coalesce(a.line_1, ''), coalesce(a.postcode, ''), coalesce(a.uprn, '')
              FROM families_family f
              LEFT JOIN families_address a ON a.id = f.address_id
              LEFT JOIN agencies_staff s ON s.id = f.lead_professional_id
             WHERE f.id > %s ORDER BY f.id LIMIT %s
            """,
            [after_id, limit],
        )
        families = {row[0]: _Family(*row) for row in cursor.fetchall()}
        if not families:
            return []
        cursor.execute(
            """
            SELECT m.family_id, p.id, p.given_name, p.family_name, p.date_of_birth, p.sex,
                   p.upn, p.nhs_number, p.ni_number, m.role
              FROM families_householdmembership m
              JOIN families_person p ON p.id = m.person_id
             WHERE m.end_date IS NULL AND m.family_id = ANY(%s)
             ORDER BY m.family_id, m.role <> 'parent_carer', m.start_date, m.id
            """,
            [list(families)],
        )
        for family_id, *member in cursor.fetchall():
            families[family_id].members.append(_Member(*member))
    return list(families.values())


COPY_ORDER: Final[tuple[type[Model], ...]] = (
    SourcePerson,
    Evidence,
    HouseholdKey,
    LawfulBasis,
    TeamMember,
    Plan,
    Need,
    Goal,
    Review,
    Action,
    ActionProgressNote,
    Agreement,
    GoalRating,
)

# Column order of each COPY above, as the generator writes its lines.
COLUMNS: Final[dict[type[Model], tuple[str, ...]]] = {
    SourcePerson: (
        "id", "agency_id", "source_person_id", "person_id", "given_name", "family_name",
        "date_of_birth", "sex", "address_line_1", "postcode", "uprn", "household_id", "upn",
        "nhs_number", "ni_number", "match_method", "match_score", "match_fields", "linked_at",
        "linked_by_id", "last_submission_id", "created_at", "updated_at",
    ),
    Evidence: (
        "id", "source_id", "person_id", "agency_id", "kind", "record_id", "date", "end_date",
        "data", "is_restricted", "submission_id", "extract_date", "created_at", "updated_at",
    ),
    HouseholdKey: ("key", "family_id", "created_at"),
    LawfulBasis: (
        "id", "family_id", "person_id", "kind", "gateway", "given_on", "recorded_by_id",
        "recorded_at", "withdrawn_on", "withdrawn_by_id", "withdrawal_note",
    ),
    TeamMember: (
        "id", "family_id", "agency_id", "lawful_basis_id", "added_by_id", "added_at",
        "removed_at", "removed_by_id", "removal_reason",
    ),
    Plan: (
        "id", "family_id", "status", "version", "working_well", "worries", "family_wants",
        "next_review_on", "created_by_id", "created_at", "updated_by_id", "updated_at",
    ),
    Need: (
        "id", "family_id", "code", "label", "detail", "source", "framework", "identified_on",
        "closed_on", "created_by_id", "created_at",
    ),
    Goal: (
        "id", "plan_id", "title", "description", "status", "position", "version",
        "created_by_id", "created_at", "updated_by_id", "updated_at",
    ),
    Review: (
        "id", "plan_id", "held_on", "other_attendees", "summary", "decisions",
        "next_review_on", "created_by_id", "created_at",
    ),
    Action: (
        "id", "goal_id", "plan_id", "description", "owner", "agency_id", "practitioner_id",
        "family_member_id", "due_on", "status", "not_done_reason", "completed_on", "review_id",
        "version", "created_by_id", "created_at", "updated_by_id", "updated_at",
    ),
    ActionProgressNote: ("id", "action_id", "text", "author_id", "created_at"),
    Agreement: (
        "id", "plan_id", "plan_version", "agreed_on", "method", "note", "recorded_by_id",
        "recorded_at",
    ),
    GoalRating: ("id", "review_id", "goal_id", "rating", "comment"),
}  # fmt: skip

THROUGH_COLUMNS: Final[dict[str, tuple[str, str]]] = {
    "plans_need_members": ("need_id", "person_id"),
    "plans_goal_needs": ("goal_id", "need_id"),
    "plans_goal_members": ("goal_id", "person_id"),
    "plans_agreement_signed_by": ("agreement_id", "person_id"),
    "plans_review_attendee_members": ("review_id", "person_id"),
    "plans_review_attendee_agencies": ("review_id", "agency_id"),
}


class _IdPool:
    """Primary keys reserved from each table's sequence a block at a time, so rows can
    refer to each other before they are copied, without a query per row."""

    BLOCK: Final = 5000

    def __init__(self) -> None:
        self.free: dict[type[Model], list[int]] = defaultdict(list)

    def next(self, model: type[Model]) -> int:
        free = self.free[model]
        if not free:
            from oneplan.demo.seed import _next_ids

            free.extend(reversed(_next_ids(model, self.BLOCK)))
        return free.pop()


def _copy_lines(table: str, columns: Iterable[str], lines: Sequence[str]) -> None:
    if not lines:
        return
    buffer = io.StringIO("\n".join(lines) + "\n")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN", buffer
        )


def _copy(model: type[Model], lines: Sequence[str]) -> None:
    _copy_lines(model._meta.db_table, COLUMNS[model], lines)


def _copy_through(table: str, lines: Sequence[str]) -> None:
    _copy_lines(table, THROUGH_COLUMNS[table], lines)


def casework_tables() -> list[str]:
    """Tables this module writes: the seed switches their history triggers off too."""
    return [model._meta.db_table for model in COPY_ORDER] + list(THROUGH_COLUMNS)


def seed_casework(
    *, seed: int, today: datetime.date, actor_id: int, labels: dict[str, str]
) -> tuple[dict[str, int], list[int]]:
    """Write evidence and case work for every family; return rows per table and the
    ids of the plans made (their first version is recorded by the caller)."""
    generator = CaseworkGenerator(
        rng=random.Random(seed * 7919 + 1), today=today, actor_id=actor_id
    )
    plan_ids: list[int] = []
    after = 0
    while True:
        families = families_read(after, CHUNK)
        if not families:
            break
        plan_ids += generator.write(families, labels)
        after = families[-1].pk
    return dict(generator.counts), plan_ids
