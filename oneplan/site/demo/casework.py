"""The demo's agency evidence and case work, added after the caseload by ``seed_demo``.

For every demo family: what agencies know about its members (dated evidence, as if it
had come in through feeds and been matched), so assessments find the eligible ones; and
for families being worked with: consent, the team around the family, and a single family
plan with needs, goals, actions, reviews and an agreement. Deterministic for a seed and a
``today``, written with COPY like the caseload (see ``oneplan.site.demo.seed``).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from agencies.models import Agency
from families.grants_models import LawfulBasis, TeamMember
from oneplan.site.demo.casework_data import (
    ACTIONS,
    DAY,
    DEMO_FEED_NOTE,
    FEED_AGENCY,
    GOALS,
    HEADLINES,
    RATINGS,
    WANTS,
    WORKING_WELL,
    WORRIES,
    DemoFamily,
    DemoMember,
    DemoRows,
    action_due,
    age_on,
    iso_text,
    term_end,
    terms_before,
)
from oneplan.site.demo.casework_store import (
    COPY_ORDER,
    IdPool,
    copy_model_lines,
    copy_through_lines,
)
from oneplan.site.demo.copying import copy_field
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
        self.ids = IdPool()

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
                warnings=[DEMO_FEED_NOTE],
            )
            self.submissions[key] = submission.pk
        return self.submissions[key]

    def _source(
        self, rows: DemoRows, family: DemoFamily, member: DemoMember, agency_id: int
    ) -> int:
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
                        copy_field(member.given_name),
                        copy_field(member.family_name),
                        member.born.isoformat(),
                        member.sex,
                        copy_field(family.line_1),
                        family.postcode,
                        family.uprn,
                        "",
                        member.upn,
                        member.nhs,
                        member.ni,
                        method.value,
                        "1.0" if method == MatchMethod.SCORE else "\\N",
                        copy_field(json.dumps(fields)),
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
        rows: DemoRows,
        family: DemoFamily,
        member: DemoMember,
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
                    iso_text(end),
                    copy_field(json.dumps(data)),
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

    def _problem_evidence(self, rows: DemoRows, family: DemoFamily, code: str) -> list[DemoMember]:
        """Evidence that shows the need ``code``; returns who it is about (empty when the
        household has nobody it could be about)."""
        rng, today = self.rng, self.today
        adults = [m for m in family.members if m.age >= 18]
        children = [m for m in family.members if m.age < 18]
        school_age = [m for m in children if 5 <= m.age <= 16]
        teens = [m for m in children if 10 <= m.age <= 17]
        under_fives = [m for m in children if m.age < 5]
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

    def _everyday_evidence(self, rows: DemoRows, family: DemoFamily, needs: set[str]) -> None:
        """Ordinary records that show no problem: attendance for the other school-age
        children, and work for some adults."""
        for member in family.members:
            age = member.age
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

    def _team(self, rows: DemoRows, family: DemoFamily, needs: Sequence[str]) -> dict[str, int]:
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
        rows: DemoRows,
        family: DemoFamily,
        needs: dict[str, list[DemoMember]],
        labels: dict[str, str],
        team: dict[str, int],
    ) -> None:
        rng, today = self.rng, self.today
        lead = str(family.lead_user_id)
        started = family.engaged_on or family.attached_on or today - 60 * DAY
        # A plan is active once the family agrees it (DOMAIN.md 4.4): every family whose
        # journey reached "plan active" agreed its plan that day; one still engaged (or
        # that left while engaged) has a draft.
        agreed_on = family.plan_active_on
        agreed = agreed_on is not None
        left_on = family.left_on
        plan_id = self.ids.next(Plan)
        # A family that has left has no review to come.
        next_review = today + rng.randint(-10, 42) * DAY if agreed and not left_on else None
        voice = [copy_field(rng.choice(pool)) for pool in (WORKING_WELL, WORRIES, WANTS)]
        rows.lines[Plan].append(
            f"{plan_id}\t{family.pk}\t{'agreed' if agreed else 'draft'}\t1\t"
            + "\t".join(voice)
            + f"\t{iso_text(next_review)}\t{lead}\t{self.now}\t{lead}\t{self.now}"
        )
        self.counts["plans"] += 1
        adults = [m for m in family.members if m.age >= 18]
        children = [m for m in family.members if m.age < 18]
        goal_ids: list[int] = []
        # A draft plan may still have a need without a goal: the page points it out.
        skip = rng.choice(list(needs)) if needs and not agreed and rng.random() < 0.5 else None
        for position, (code, members) in enumerate(needs.items()):
            need_id = self.ids.next(Need)
            rows.lines[Need].append(
                f"{need_id}\t{family.pk}\t{code}\t{copy_field(labels.get(code, code))}\t\t"
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
                f"{goal_id}\t{plan_id}\t{copy_field(title)}\t\topen\t{position}\t1\t"
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
                due, status = action_due(rng, today, family, started)
                reason = "The family moved the appointment twice" if status == "not_done" else ""
                completed = iso_text(min(due, today)) if status == "done" else "\\N"
                action_id = self.ids.next(Action)
                rows.lines[Action].append(
                    "\t".join(
                        (
                            str(action_id),
                            str(goal_id),
                            str(plan_id),
                            copy_field(what.format(**names)),
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
        if agreed_on is None or not family.members:
            return
        agreement_id = self.ids.next(Agreement)
        rows.lines[Agreement].append(
            f"{agreement_id}\t{plan_id}\t1\t{agreed_on.isoformat()}\tsigned\t\t{lead}\t{self.now}"
        )
        rows.through["plans_agreement_signed_by"].append(
            f"{agreement_id}\t{family.members[0].person_id}"
        )
        held_on = agreed_on + rng.randint(35, 56) * DAY
        # The review a family that has left had before it left planned one more.
        after = next_review or held_on + 42 * DAY
        if held_on < (left_on or today) and after > held_on:
            review_id = self.ids.next(Review)
            rows.lines[Review].append(
                f"{review_id}\t{plan_id}\t{held_on.isoformat()}\t\t"
                "Everyone agreed things are moving in the right direction.\t"
                "Keep going with the current actions.\t"
                f"{after.isoformat()}\t{lead}\t{self.now}"
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

    def write(self, families: list[DemoFamily], labels: dict[str, str]) -> list[int]:
        """Generate and copy one chunk; return the ids of plans made."""
        rows = DemoRows()
        for family in families:
            if not family.members:
                continue
            for member in family.members:
                member.age = age_on(member.born, self.today)
            # Taken on: the journey reached "engaged" (the family may have left since).
            worked_with = family.engaged_on is not None and family.lead_user_id is not None
            wanted = [code for code, share in HEADLINES if self.rng.random() < share]
            extra = [code for code, _ in HEADLINES if code not in wanted]
            self.rng.shuffle(extra)
            needs: dict[str, list[DemoMember]] = {}
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
            if worked_with:
                # Engaged: the family's consent to share is recorded (families.journey).
                team = self._team(rows, family, list(needs))
                if family.plan_active_on is not None or (needs and self.rng.random() < 0.5):
                    self._plan(rows, family, needs, labels, team)
        for model in COPY_ORDER:
            copy_model_lines(model, rows.lines.get(model, []))
            self.counts[model._meta.db_table] += len(rows.lines.get(model, []))
        for table, lines in rows.through.items():
            copy_through_lines(table, lines)
            self.counts[table] += len(lines)
        return [int(line.split("\t", 1)[0]) for line in rows.lines.get(Plan, [])]
