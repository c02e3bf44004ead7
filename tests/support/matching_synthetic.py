"""Made-up records whose true match is known, for measuring matching quality.

Used by the quality test (``outcomes/tests/test_matching_quality.py``) and the benchmark
(``benchmarks/matching_quality.py``). Records are variants of known people with the
mistakes agencies' data really has (nicknames, typing errors, day and month swapped, a
digit out, a move, a missing address), and new people, some of them deliberately hard:
twins of a known child, a parent's namesake son, a brother or sister.
"""

from __future__ import annotations

import datetime
import functools
import random
import string
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.db import connection
from faker.providers.person.en_GB import Provider as PersonProvider

from outcomes.matching.normalise import name_normalise, nickname_groups, nickname_table
from outcomes.matching.records import SourceIdentity

MALE_NAMES: tuple[str, ...] = tuple(PersonProvider.first_names_male)
FEMALE_NAMES: tuple[str, ...] = tuple(PersonProvider.first_names_female)
SURNAMES: tuple[str, ...] = tuple(PersonProvider.last_names)
STREETS = ("Station", "Church", "Victoria", "Mill", "Park", "Queens", "Kings", "Manor", "Hill")
STREET_KINDS = ("Road", "Street", "Lane", "Close", "Avenue", "Drive", "Gardens", "Crescent")
DISTRICTS = ("SO21", "SO22", "SO23", "PO9", "PO10", "RG21", "GU14", "SO50", "PO14", "SP10")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


@dataclass(frozen=True)
class KnownPerson:
    person_id: int
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    sex: str
    address_line_1: str
    postcode: str
    upn: str
    nhs_number: str
    ni_number: str


@dataclass(frozen=True)
class TruthRecord:
    """An incoming record and who it really is (None: nobody OnePlan knows yet)."""

    identity: SourceIdentity
    person_id: int | None
    variant: str


def known_people_load(limit: int | None = None, *, seed: int = 0) -> list[KnownPerson]:
    """People with their current family's address (a sample of ``limit`` if given)."""
    sql = """
        SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.sex,
               coalesce(a.line_1, ''), coalesce(a.postcode, ''), p.upn, p.nhs_number,
               p.ni_number
          FROM families_person p
          LEFT JOIN families_householdmembership m ON m.person_id = p.id AND m.end_date IS NULL
          LEFT JOIN families_family f ON f.id = m.family_id
          LEFT JOIN families_address a ON a.id = f.address_id
         ORDER BY p.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        people = [KnownPerson(*row) for row in cursor.fetchall()]
    if limit is not None and limit < len(people):
        people = random.Random(seed).sample(people, limit)
    return people


def postcode_make(rng: random.Random) -> str:
    district = rng.choice(DISTRICTS)
    return (
        f"{district} {rng.randint(1, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
    )


def street_make(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"


def typo(name: str, rng: random.Random) -> str:
    """One slip of the keyboard, never in the first letter: a letter wrong, missing,
    doubled or two letters swapped."""
    if len(name) < 4:
        return name + name[-1]
    for _ in range(20):
        i = rng.randint(1, len(name) - 2)
        kind = rng.choice(("substitute", "delete", "insert", "transpose"))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "substitute":
            out = name[:i] + letter + name[i + 1 :]
        elif kind == "delete":
            out = name[:i] + name[i + 1 :]
        elif kind == "insert":
            out = name[:i] + letter + name[i:]
        else:
            out = name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        if out.lower() != name.lower():
            return out
    return name + "e"


@functools.cache
def _names_by_group() -> dict[int, tuple[str, ...]]:
    groups: dict[int, list[str]] = {}
    for name, numbers in nickname_table().items():
        for number in numbers:
            groups.setdefault(number, []).append(name)
    return {number: tuple(sorted(names)) for number, names in groups.items()}


def nickname(name: str, rng: random.Random) -> str | None:
    """Another form of ``name`` from the nickname table (Bob for Robert), if it has one."""
    normal = name_normalise(name)
    by_group = _names_by_group()
    others = sorted(
        {other for group in nickname_groups(normal) for other in by_group[group]} - {normal}
    )
    return rng.choice(others).title() if others else None


def digit_off(day: datetime.date, rng: random.Random) -> datetime.date:
    """The date with one digit of the day, month or the year's last digit changed."""
    text = day.strftime("%Y%m%d")
    for _ in range(50):
        i = rng.choice((3, 5, 6, 7, 7))
        out = text[:i] + str(rng.randint(0, 9)) + text[i + 1 :]
        try:
            changed = datetime.datetime.strptime(out, "%Y%m%d").date()
        except ValueError:
            continue
        if changed != day:
            return changed
    return day + datetime.timedelta(days=1)


def _abbreviate(line: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return line
    return line.replace("Road", "Rd").replace("Street", "St").replace("Avenue", "Ave").upper()


# Variants of a known person and how often each occurs among true matches.
VARIANTS: tuple[tuple[str, float], ...] = (
    ("exact", 0.16),
    ("nickname", 0.10),
    ("given_typo", 0.10),
    ("family_typo", 0.10),
    ("dob_swapped", 0.07),
    ("dob_digit", 0.08),
    ("moved", 0.12),
    ("moved_nickname", 0.05),
    ("moved_typo", 0.05),
    ("typo_dob_digit", 0.04),
    ("no_address", 0.05),
    ("identifier_beats_names", 0.08),
)


def _variant_of(
    person: KnownPerson, variant: str, record_id: str, postcodes: Sequence[str], rng: random.Random
) -> SourceIdentity:
    given, family, born = person.given_name, person.family_name, person.date_of_birth
    line, postcode = _abbreviate(person.address_line_1, rng), person.postcode
    identifiers = {"upn": "", "nhs_number": "", "ni_number": ""}
    parts = set(variant.split("_"))
    if "nickname" in parts:
        given = nickname(given, rng) or typo(given, rng)
    if variant in ("given_typo", "moved_typo"):
        given = typo(given, rng)
    if variant in ("family_typo", "typo_dob_digit"):
        family = typo(family, rng)
    if variant == "dob_swapped":
        born = (
            born.replace(month=born.day, day=born.month)
            if born.day <= 12 and born.day != born.month
            else digit_off(born, rng)
        )
    if "digit" in parts:
        born = digit_off(born, rng)
    if "moved" in parts:
        line, postcode = street_make(rng), rng.choice(postcodes)
    if variant == "no_address":
        line = ""
    if variant == "identifier_beats_names":
        given, family = rng.choice(MALE_NAMES + FEMALE_NAMES), rng.choice(SURNAMES)
        identifiers = {
            "upn": person.upn,
            "nhs_number": person.nhs_number,
            "ni_number": person.ni_number,
        }
        if not any(identifiers.values()):
            given, family = person.given_name, person.family_name
    if rng.random() < 0.2:
        family = family.upper()
    return SourceIdentity(
        source_person_id=record_id,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=person.sex if rng.random() < 0.8 else "",
        address_line_1=line,
        postcode=postcode,
        **identifiers,
    )


def _new_person(record_id: str, postcodes: Sequence[str], rng: random.Random) -> SourceIdentity:
    sex = rng.choice("FM")
    born = datetime.date(2025, 1, 1) - datetime.timedelta(days=rng.randint(0, 80 * 365))
    return SourceIdentity(
        source_person_id=record_id,
        given_name=rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES),
        family_name=rng.choice(SURNAMES),
        date_of_birth=born,
        sex=sex,
        address_line_1=street_make(rng),
        postcode=postcode_make(rng) if rng.random() < 0.7 else rng.choice(postcodes),
    )


def _relative(
    person: KnownPerson, record_id: str, rng: random.Random
) -> tuple[SourceIdentity, str]:
    """Someone who lives with ``person`` and is easily mistaken for them."""
    kinds = ["twin", "sibling"]
    if person.date_of_birth.year < 1990:
        kinds.append("namesake_child")
    kind = rng.choice(kinds)
    names = FEMALE_NAMES if person.sex == "F" else MALE_NAMES
    base = SourceIdentity(
        source_person_id=record_id,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        address_line_1=person.address_line_1,
        postcode=person.postcode,
    )
    if kind == "twin":
        other = rng.choice([n for n in names if n[0] != person.given_name[0]])
        return replace(base, given_name=other), "twin"
    if kind == "namesake_child":
        years = rng.randint(22, 38)
        born = person.date_of_birth + datetime.timedelta(days=365 * years + rng.randint(1, 300))
        return replace(base, date_of_birth=born, sex="M"), "namesake_child"
    other = rng.choice([n for n in names if n[0] != person.given_name[0]])
    born = person.date_of_birth + datetime.timedelta(
        days=rng.choice((-1, 1)) * rng.randint(400, 3000)
    )
    return replace(base, given_name=other, date_of_birth=born), "sibling"


def records_generate(
    people: Sequence[KnownPerson],
    *,
    records: int,
    new_share: float = 0.3,
    hard_share: float = 0.25,
    seed: int = 2012,
    prefix: str = "R",
) -> list[TruthRecord]:
    """``records`` incoming records: variants of distinct known people, and new people
    (``new_share`` of all), a ``hard_share`` of whom are relatives of known people."""
    rng = random.Random(seed)
    postcodes = sorted({p.postcode for p in people if p.postcode}) or [postcode_make(rng)]
    new_count = round(records * new_share)
    known_count = min(records - new_count, len(people))
    chosen = rng.sample(list(people), known_count)
    names, weights = zip(*VARIANTS, strict=True)
    out: list[TruthRecord] = []
    for number, person in enumerate(chosen):
        variant = rng.choices(names, weights)[0]
        record_id = f"{prefix}{number:07d}"
        out.append(
            TruthRecord(
                _variant_of(person, variant, record_id, postcodes, rng), person.person_id, variant
            )
        )
    adults = [p for p in people if p.address_line_1]
    for number in range(known_count, known_count + new_count):
        record_id = f"{prefix}{number:07d}"
        if adults and rng.random() < hard_share:
            identity, variant = _relative(rng.choice(adults), record_id, rng)
            out.append(TruthRecord(identity, None, variant))
        else:
            out.append(TruthRecord(_new_person(record_id, postcodes, rng), None, "new"))
    rng.shuffle(out)
    return out


def population_generate(count: int, *, seed: int = 1, prefix: str = "P") -> list[SourceIdentity]:
    """``count`` people in households of one to five at made-up addresses, with the
    identifiers agencies hold (for building a known population through matching)."""
    from families.identifiers import nhs_number_with_check_digit

    rng = random.Random(seed)
    out: list[SourceIdentity] = []
    serial = 0
    while len(out) < count:
        surname, line, postcode = rng.choice(SURNAMES), street_make(rng), postcode_make(rng)
        parent_born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randint(0, 25 * 365))
        for member in range(min(rng.randint(1, 5), count - len(out))):
            serial += 1
            sex = rng.choice("FM")
            born = (
                parent_born + datetime.timedelta(days=rng.randint(-900, 900))
                if member < 2
                else parent_born + datetime.timedelta(days=rng.randint(20 * 365, 34 * 365))
            )
            nhs = nhs_number_with_check_digit(f"{700_000_000 + serial:09d}") or ""
            out.append(
                SourceIdentity(
                    source_person_id=f"{prefix}{serial:07d}",
                    given_name=rng.choice(FEMALE_NAMES if sex == "F" else MALE_NAMES),
                    family_name=surname,
                    date_of_birth=born,
                    sex=sex,
                    address_line_1=line,
                    postcode=postcode,
                    nhs_number=nhs if rng.random() < 0.5 else "",
                )
            )
    return out


@dataclass(frozen=True)
class QualityReport:
    records: int
    true_matches: int
    auto_links: int
    correct_auto_links: int
    reviews: int
    truth_in_review: int
    created: int

    @property
    def precision(self) -> float:
        return self.correct_auto_links / self.auto_links if self.auto_links else 1.0

    @property
    def recall_auto(self) -> float:
        return self.correct_auto_links / self.true_matches if self.true_matches else 1.0

    @property
    def recall_with_review(self) -> float:
        found = self.correct_auto_links + self.truth_in_review
        return found / self.true_matches if self.true_matches else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall_auto
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def review_rate(self) -> float:
        return self.reviews / self.records if self.records else 0.0


def quality_measure(agency_id: int, truth: Sequence[TruthRecord]) -> QualityReport:
    """Compare what matching decided for ``truth``'s records with who they really are."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.source_person_id, s.person_id, s.match_method,"
            " array_remove(array_agg(r.candidate_id), NULL)"
            " FROM outcomes_sourceperson s"
            " LEFT JOIN outcomes_matchreview r ON r.source_id = s.id AND r.status = 'pending'"
            " WHERE s.agency_id = %s GROUP BY s.id",
            [agency_id],
        )
        decided = {spid: (person, method, set(c)) for spid, person, method, c in cursor.fetchall()}
    auto_methods = {"score", "upn", "nhs_number", "ni_number", "source_id"}
    auto = correct = reviews = in_review = created = true_matches = 0
    for item in truth:
        person, method, candidates = decided[item.identity.source_person_id]
        if item.person_id is not None:
            true_matches += 1
        if method in auto_methods:
            auto += 1
            correct += person == item.person_id
        elif person is None:
            reviews += 1
            in_review += item.person_id in candidates
        else:
            created += 1
    return QualityReport(
        records=len(truth),
        true_matches=true_matches,
        auto_links=auto,
        correct_auto_links=correct,
        reviews=reviews,
        truth_in_review=in_review,
        created=created,
    )
