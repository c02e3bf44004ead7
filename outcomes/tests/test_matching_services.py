"""Matching agency records to people and households, and the decisions people make.

Given a few known families, when an agency's records arrive with the mistakes real data
has, then each links, waits for review or becomes a new person, as the rules say.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from agencies.models import Agency, User
from agencies.services import system_actor
from conftest import World
from families.models import Family, FamilyStatusChange, HouseholdMembership, MemberRole, Person
from families.services import AddressData, MemberData, family_create
from oneplan.errors import ApplicationError
from outcomes.matching import blocking
from outcomes.matching.pipeline import sources_match
from outcomes.matching.records import MatchSummary, SourceIdentity
from outcomes.matching.services import match_review_decide, source_link_undo
from outcomes.models import (
    AssessmentQueue,
    Evidence,
    FeedKind,
    FeedSubmission,
    FileFormat,
    HouseholdKey,
    MatchDecision,
    MatchDecisionKind,
    MatchMethod,
    MatchReview,
    MatchReviewStatus,
    SourcePerson,
)

AS_OF = datetime.date(2025, 9, 1)
ROBERT_BORN = datetime.date(1984, 3, 7)
OLIVER_BORN = datetime.date(2014, 5, 20)


def _family(
    members: list[MemberData], *, line_1: str = "10 Station Road", postcode: str = "SO23 8UG"
) -> Family:
    return family_create(
        actor=system_actor(),
        address=AddressData(postcode=postcode, line_1=line_1, town="Winchester"),
        members=members,
        reason="Added by hand",
        joined_on=datetime.date(2024, 1, 1),
    )


@pytest.fixture
def ashbys(world: World) -> Family:
    """Robert Ashby and his son Oliver at 10 Station Road, Winchester."""
    return _family(
        [
            MemberData(
                "Robert",
                "Ashby",
                ROBERT_BORN,
                MemberRole.PARENT_CARER,
                sex="M",
                nhs_number="9434765919",
            ),
            MemberData("Oliver", "Ashby", OLIVER_BORN, MemberRole.CHILD, sex="M"),
        ]
    )


def person(given: str, family: str = "Ashby") -> Person:
    return Person.objects.get(given_name=given, family_name=family)


def identity(source_id: str = "P1", **changes: object) -> SourceIdentity:
    values: dict[str, object] = {
        "source_person_id": source_id,
        "given_name": "Robert",
        "family_name": "Ashby",
        "date_of_birth": ROBERT_BORN,
        "sex": "M",
        "address_line_1": "10 Station Road",
        "postcode": "SO23 8UG",
    }
    values.update(changes)
    return SourceIdentity(**values)  # type: ignore[arg-type, unused-ignore]


def match(
    agency: Agency, *identities: SourceIdentity, as_of: datetime.date = AS_OF
) -> MatchSummary:
    return sources_match(
        actor=system_actor(), agency=agency, submission=None, identities=identities, as_of=as_of
    )


def current_family(who: Person) -> Family:
    return HouseholdMembership.objects.get(person=who, end_date__isnull=True).family


# -- linking ------------------------------------------------------------------------------


def test_the_same_record_links_to_the_known_person_and_says_why(
    world: World, ashbys: Family
) -> None:
    summary = match(world.police, identity())

    source = summary.sources["P1"]
    assert source.person == person("Robert")
    assert source.match_method == MatchMethod.SCORE
    assert source.match_score == 1.0
    assert source.match_fields["given_name"] == "agrees"
    assert (summary.matched, summary.sent_to_review, summary.created) == (1, 0, 0)
    decision = MatchDecision.objects.get(source=source)
    assert decision.kind == MatchDecisionKind.LINKED
    assert decision.fields == source.match_fields
    assert summary.family_ids == {ashbys.pk}


@pytest.mark.parametrize(
    ("changes", "field", "outcome"),
    [
        ({"given_name": "Bob"}, "given_name", "nickname"),
        ({"given_name": "Rob"}, "given_name", "nickname"),
        ({"family_name": "Ashbey"}, "family_name", "typo"),
        ({"family_name": "ASHBY"}, "family_name", "agrees"),
        ({"date_of_birth": datetime.date(1984, 7, 3)}, "date_of_birth", "day_month_swapped"),
        ({"date_of_birth": datetime.date(1984, 3, 8)}, "date_of_birth", "one_digit"),
        ({"address_line_1": "10 Station Rd."}, "address", "agrees"),
        ({"address_line_1": "3 Mill Lane", "postcode": "PO9 1AB"}, "address", "differs"),
    ],
)
def test_messy_records_still_link_automatically(
    world: World, ashbys: Family, changes: dict[str, object], field: str, outcome: str
) -> None:
    source = match(world.police, identity(**changes)).sources["P1"]

    assert source.person == person("Robert")
    assert source.match_fields[field] == outcome


def test_an_identifier_beats_the_names(world: World, ashbys: Family) -> None:
    # The school's record has Robert's NHS number but another name and birthday.
    summary = match(
        world.police,
        identity(
            given_name="Harry",
            family_name="Cole",
            date_of_birth=datetime.date(2001, 1, 1),
            nhs_number="9434765919",
        ),
    )

    source = summary.sources["P1"]
    assert source.person == person("Robert")
    assert source.match_method == MatchMethod.NHS_NUMBER


def test_twins_never_link_automatically(world: World, ashbys: Family) -> None:
    # Oliver's twin brother, unknown so far: same surname, birthday and address.
    summary = match(world.police, identity(given_name="Harry", date_of_birth=OLIVER_BORN))

    source = summary.sources["P1"]
    assert source.person is None
    assert summary.sent_to_review == 1
    review = MatchReview.objects.get(source=source)
    assert review.candidate == person("Oliver")
    assert review.status == MatchReviewStatus.PENDING
    assert review.field_agreement["given_name"] == "differs"
    assert review.field_agreement["date_of_birth"] == "agrees"
    assert MatchDecision.objects.get(source=source).kind == MatchDecisionKind.SENT_TO_REVIEW


def test_a_father_and_son_of_the_same_name_stay_two_people(world: World) -> None:
    father = _family(
        [MemberData("John", "Smith", datetime.date(1968, 2, 11), MemberRole.PARENT_CARER, sex="M")]
    )
    john = father.memberships.get().person

    summary = match(
        world.police,
        identity(given_name="John", family_name="Smith", date_of_birth=datetime.date(1994, 9, 30)),
    )

    source = summary.sources["P1"]
    assert summary.created == 1
    assert source.person is not None and source.person != john
    # The son lives at his father's address, so he joins that household.
    assert current_family(source.person) == father


def test_a_known_record_keeps_its_link_when_its_details_change(
    world: World, ashbys: Family
) -> None:
    match(world.police, identity())

    summary = match(world.police, identity(family_name="Ashby-Cole"))

    source = summary.sources["P1"]
    assert source.person == person("Robert")
    assert source.family_name == "Ashby-Cole"
    assert summary.matched == 1
    assert MatchDecision.objects.filter(source=source).count() == 1


# -- new people and households ----------------------------------------------------------


def test_someone_new_becomes_a_person_in_a_new_family_in_their_lcg(world: World) -> None:
    summary = match(
        world.police,
        identity(
            "N1",
            given_name="Casey",
            family_name="Brook",
            date_of_birth=datetime.date(1990, 4, 2),
            address_line_1="5 Mill Lane",
            postcode="PO9 2BB",
            ni_number="AB123456C",
        ),
        identity(
            "N2",
            given_name="Ava",
            family_name="Brook",
            date_of_birth=datetime.date(2016, 8, 9),
            address_line_1="5 Mill Lane",
            postcode="PO9 2BB",
        ),
    )

    casey, ava = (summary.sources[k].person for k in ("N1", "N2"))
    assert casey is not None and ava is not None
    assert casey.ni_number == "AB123456C"
    family = current_family(casey)
    assert current_family(ava) == family
    assert family.lcg == world.havant
    assert family.address is not None and family.address.postcode == "PO9 2BB"
    assert FamilyStatusChange.objects.filter(family=family, to_status="identified").exists()
    roles = {m.person_id: m.role for m in family.memberships.all()}
    assert roles == {casey.pk: MemberRole.PARENT_CARER, ava.pk: MemberRole.CHILD}
    assert HouseholdKey.objects.get(key="address:5 MILL LN|PO9 2BB").family == family
    assert summary.family_ids == {family.pk}
    assert summary.created == 2


def test_a_family_outside_every_lcg_waits_unassigned(world: World) -> None:
    summary = match(
        world.police,
        identity(
            "N1",
            given_name="Tia",
            family_name="Lowe",
            postcode="BH1 1AA",
            address_line_1="1 Sea Road",
        ),
    )
    person_ = summary.sources["N1"].person
    assert person_ is not None
    assert current_family(person_).lcg is None


def test_a_move_ends_one_membership_and_starts_another(world: World, ashbys: Family) -> None:
    robert = person("Robert")

    summary = match(world.police, identity(address_line_1="3 Mill Lane", postcode="PO9 1AB"))

    assert summary.sources["P1"].person == robert
    old = HouseholdMembership.objects.get(person=robert, family=ashbys)
    assert old.end_date == AS_OF
    new_family = current_family(robert)
    assert new_family != ashbys and new_family.lcg == world.havant
    assert summary.family_ids == {ashbys.pk, new_family.pk}


def test_older_data_never_moves_someone_back(world: World, ashbys: Family) -> None:
    match(world.police, identity(address_line_1="3 Mill Lane", postcode="PO9 1AB"))
    moved_to = current_family(person("Robert"))

    match(world.council, identity("C1"), as_of=datetime.date(2025, 1, 1))

    assert current_family(person("Robert")) == moved_to


def test_a_shared_household_id_groups_people_at_different_addresses(world: World) -> None:
    summary = match(
        world.police,
        identity(
            "N1",
            given_name="Ann",
            family_name="Rowe",
            household_id="H7",
            date_of_birth=datetime.date(1980, 1, 5),
        ),
        identity(
            "N2",
            given_name="Sid",
            family_name="Rowe",
            household_id="H7",
            date_of_birth=datetime.date(2010, 2, 6),
            address_line_1="Flat 1, Low Street",
        ),
    )

    ann, sid = (summary.sources[k].person for k in ("N1", "N2"))
    assert ann is not None and sid is not None
    assert current_family(ann) == current_family(sid)
    assert HouseholdKey.objects.get(key=f"household:{world.police.pk}:H7").family == current_family(
        ann
    )


def test_one_identifier_twice_in_a_file_is_one_new_person(world: World) -> None:
    summary = match(
        world.police,
        identity("N1", given_name="Kim", family_name="Hart", ni_number="AB123456C"),
        identity("N2", given_name="Kimberley", family_name="Hart", ni_number="AB123456C"),
    )

    first, second = summary.sources["N1"], summary.sources["N2"]
    assert first.person_id == second.person_id
    assert second.match_method == MatchMethod.NI_NUMBER
    assert Person.objects.filter(ni_number="AB123456C").count() == 1


def test_a_waiting_record_is_settled_when_an_identifier_arrives(
    world: World, ashbys: Family
) -> None:
    twin = identity(given_name="Harry", date_of_birth=OLIVER_BORN)
    source = match(world.police, twin).sources["P1"]
    evidence = _evidence(source, world.police)
    oliver = person("Oliver")
    Person.objects.filter(pk=oliver.pk).update(upn="A123456789012")

    again = match(
        world.police, identity(given_name="Harry", date_of_birth=OLIVER_BORN, upn="A123456789012")
    )

    assert again.sources["P1"].person == oliver
    assert not MatchReview.objects.filter(source=source, status="pending").exists()
    evidence.refresh_from_db()
    assert evidence.person == oliver


def test_history_is_kept_for_every_row_written_in_bulk(world: World) -> None:
    summary = match(world.police, identity("N1", given_name="Ruby", family_name="Vale"))

    ruby = summary.sources["N1"].person
    assert ruby is not None
    family = current_family(ruby)
    with connection.cursor() as cursor:
        for table, obj_id in (
            ("families_personevent", ruby.pk),
            ("outcomes_sourcepersonevent", summary.sources["N1"].pk),
            ("families_familyevent", family.pk),
            ("families_addressevent", family.address_id),
        ):
            cursor.execute(
                f"SELECT pgh_label FROM {table} WHERE pgh_obj_id = %s",  # noqa: S608
                [obj_id],
            )
            assert [row[0] for row in cursor.fetchall()] == ["insert"], table
        # The per-row history triggers are back on for whoever writes next.
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        assert cursor.fetchone()[0] in (None, "", "{}")
    Person.objects.filter(pk=ruby.pk).update(given_name="Rubie")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pgh_label FROM families_personevent WHERE pgh_obj_id = %s ORDER BY pgh_id",
            [ruby.pk],
        )
        assert [row[0] for row in cursor.fetchall()] == ["insert", "update"]


def test_progress_is_reported_up_to_the_total(world: World, ashbys: Family) -> None:
    seen: list[tuple[int, int]] = []
    sources_match(
        actor=system_actor(),
        agency=world.police,
        submission=None,
        identities=[identity(), identity("N1", given_name="Zed", family_name="Quinn")],
        as_of=AS_OF,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (2, 2)


def test_both_blocking_plans_find_the_same_candidates(world: World, ashbys: Family) -> None:
    _family([MemberData("Olive", "Ashbey", OLIVER_BORN, MemberRole.CHILD)], line_1="3 Mill Lane")
    inputs = [
        blocking.BlockingInput(0, "Oliver", "Ashby", OLIVER_BORN, "SO23 8UG"),
        blocking.BlockingInput(1, "Bob", "Ashby", datetime.date(1984, 7, 3), "PO9 1AB"),
        blocking.BlockingInput(2, "Robert", "Ashbie", datetime.date(1985, 3, 7), ""),
        blocking.BlockingInput(3, "Nobody", "Known", datetime.date(1999, 9, 9), "SO23 8UG"),
    ]

    def found(set_based: bool) -> dict[int, set[int]]:
        pairs: dict[int, set[int]] = {}
        for result in blocking.candidates_search(
            agency_id=world.police.pk, inputs=inputs, set_based=set_based
        ):
            for idx, candidates in result.candidates.items():
                pairs[idx] = {c.person_id for c in candidates}
        return pairs

    lookups, joins = found(False), found(True)
    assert lookups == joins
    assert person("Oliver").pk in lookups[0]
    assert person("Robert").pk in lookups[1] and person("Robert").pk in lookups[2]
    assert 3 not in lookups


# -- the review queue and undoing links -------------------------------------------------


def _evidence(source: SourcePerson, agency: Agency) -> Evidence:
    submission = FeedSubmission.objects.create(
        agency=agency,
        kind=FeedKind.ASB,
        extract_date=AS_OF,
        filename="asb.csv",
        file_format=FileFormat.CSV,
        content=b"",
        sha256="0" * 64,
        submitted_by=system_actor(),
        submitted_at=timezone.now(),
    )
    return Evidence.objects.create(
        source=source,
        person=source.person,
        agency=agency,
        kind=FeedKind.ASB,
        record_id=f"E-{source.pk}",
        date=datetime.date(2025, 6, 1),
        data={"intervention": "warning"},
        submission=submission,
        extract_date=AS_OF,
    )


@pytest.fixture
def waiting(world: World, ashbys: Family) -> SourcePerson:
    """A record of Oliver's twin brother waiting in the queue, with evidence."""
    source = match(world.police, identity(given_name="Harry", date_of_birth=OLIVER_BORN)).sources[
        "P1"
    ]
    _evidence(source, world.police)
    return source


def pm(world: World) -> User:
    return world.programme_manager.user


def test_deciding_same_person_links_moves_evidence_and_queues_assessment(
    world: World, waiting: SourcePerson, ashbys: Family
) -> None:
    review = MatchReview.objects.get(source=waiting)

    source = match_review_decide(
        actor=pm(world), review=review, same_person=True, note="Same school, same UPN"
    )

    oliver = person("Oliver")
    assert source.person == oliver
    assert source.match_method == MatchMethod.REVIEW
    assert source.linked_by == pm(world)
    review.refresh_from_db()
    assert review.status == MatchReviewStatus.LINKED
    assert review.decided_by == pm(world) and review.decision_note == "Same school, same UPN"
    assert Evidence.objects.get(source=source).person == oliver
    decision = MatchDecision.objects.filter(source=source).first()
    assert decision is not None and decision.kind == MatchDecisionKind.LINKED
    assert decision.method == MatchMethod.REVIEW and decision.actor == pm(world)
    assert AssessmentQueue.objects.filter(family=ashbys).exists()


def test_deciding_different_people_creates_a_person_in_the_household(
    world: World, waiting: SourcePerson, ashbys: Family
) -> None:
    review = MatchReview.objects.get(source=waiting)

    source = match_review_decide(actor=pm(world), review=review, same_person=False)

    harry = source.person
    assert harry is not None and harry.given_name == "Harry"
    assert harry != person("Oliver")
    assert current_family(harry) == ashbys
    review.refresh_from_db()
    assert review.status == MatchReviewStatus.NEW_PERSON
    assert Evidence.objects.get(source=source).person == harry
    assert MatchDecision.objects.filter(source=source, kind=MatchDecisionKind.CREATED).exists()


def test_a_decided_match_cannot_be_decided_again(world: World, waiting: SourcePerson) -> None:
    review = MatchReview.objects.get(source=waiting)
    match_review_decide(actor=pm(world), review=review, same_person=False)

    with pytest.raises(ApplicationError, match="already been decided"):
        match_review_decide(actor=pm(world), review=review, same_person=True)


def test_only_programme_managers_decide_and_a_refusal_changes_nothing(
    world: World, waiting: SourcePerson
) -> None:
    review = MatchReview.objects.get(source=waiting)
    for staff in (world.coordinator, world.keyworker, world.auditor, world.dpo):
        with pytest.raises(PermissionDenied):
            match_review_decide(actor=staff.user, review=review, same_person=True)
    waiting.refresh_from_db()
    review.refresh_from_db()
    assert waiting.person is None and review.status == MatchReviewStatus.PENDING
    assert MatchDecision.objects.filter(source=waiting).count() == 1


def test_undoing_a_link_separates_the_record_with_its_evidence(
    world: World, ashbys: Family
) -> None:
    match(world.council, identity("C1"))
    wrong = match(world.police, identity(given_name="Bob")).sources["P1"]
    evidence = _evidence(wrong, world.police)
    robert = person("Robert")

    source = source_link_undo(actor=pm(world), source=wrong, reason="Bob is Robert's brother")

    bob = source.person
    assert bob is not None and bob != robert and bob.given_name == "Bob"
    assert bob.nhs_number == ""
    assert source.match_method == MatchMethod.UNLINKED
    evidence.refresh_from_db()
    assert evidence.person == bob
    decision = MatchDecision.objects.filter(source=source).first()
    assert decision is not None
    assert (decision.kind, decision.previous_person, decision.person) == (
        MatchDecisionKind.UNLINKED,
        robert,
        bob,
    )
    assert decision.reason == "Bob is Robert's brother"
    assert current_family(bob) == ashbys
    assert AssessmentQueue.objects.filter(family=ashbys).exists()


def test_undoing_needs_a_reason_and_another_record_to_separate_from(
    world: World, ashbys: Family
) -> None:
    only = match(world.police, identity()).sources["P1"]

    with pytest.raises(ApplicationError, match="Enter why"):
        source_link_undo(actor=pm(world), source=only, reason="  ")
    with pytest.raises(ApplicationError, match="only record"):
        source_link_undo(actor=pm(world), source=only, reason="Wrong person")
    only.refresh_from_db()
    assert only.person == person("Robert")
    assert not MatchDecision.objects.filter(source=only, kind=MatchDecisionKind.UNLINKED).exists()
