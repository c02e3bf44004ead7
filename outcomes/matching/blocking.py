"""Finding the people an incoming record might be: candidate blocking in SQL.

Scoring every record against every person would be 100,000 x 200,000 comparisons, so
the database first picks the few people worth scoring for each record, in four passes:

1. the same date of birth, and a name that sounds alike (given or family name);
2. the date of birth with day and month swapped, and a name that sounds alike;
3. living at the same postcode, born within a year either side, and a name that sounds
   alike (a date of birth typed wrong at a known address);
4. a family name and a given name that sound alike, born within a year either side (a
   date of birth a digit out, and a move).

"Sounds alike" is PostgreSQL's double metaphone (``dmetaphone``, fuzzystrmatch) of the
upper-cased name. Two plans give the same pairs:

- a few records (fewer than ``SET_BASED_FROM``): per record index lookups (LATERAL),
  pass 4 on the index ``person_family_dmetaphone_dob`` (families migration 0005), in
  chunks of ``CHUNK_SIZE``;
- an import's worth: everyone's codes and address are read once into a temporary
  snapshot, and each pass is one hash join on it for up to ``SET_CHUNK_SIZE`` records
  at once (each chunk scans the snapshot again, so chunks are large). Lookups would
  cost about 0.1 ms a record; the snapshot costs about two seconds up front at 200,000
  people, and the joins little per record.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection

from outcomes.matching.bulk import copy_rows
from outcomes.matching.scoring import MatchRecord, match_record

CHUNK_SIZE = 2000
SET_BASED_FROM = 5000
SET_CHUNK_SIZE = 100_000
_INCOMING = "matching_incoming"
_PEOPLE = "matching_people"


class BlockingInput(NamedTuple):
    """An incoming record as blocking needs it, numbered by the caller."""

    position: int
    given_name: str
    family_name: str
    date_of_birth: datetime.date
    postcode: str


class CandidatePerson(NamedTuple):
    record: MatchRecord
    family_id: int | None
    address_protected: bool


class PersonCandidate(NamedTuple):
    person_id: int
    record: MatchRecord
    # The agency already has a record linked to this person (twins at one school...).
    other_record_from_agency: bool
    family_id: int | None
    address_protected: bool


@dataclass
class BlockingResult:
    """For one chunk of inputs: each input's phonetic codes and its candidates."""

    inputs: Sequence[BlockingInput]
    codes: dict[int, tuple[str, str]]
    candidates: dict[int, list[PersonCandidate]]


def _swapped(day: datetime.date) -> datetime.date | None:
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


_SOUNDS_ALIKE_LOOKUP = """(
    (t.family_code <> '' AND dmetaphone(UPPER(p.family_name)) IN (t.family_code, t.given_code))
    OR (t.given_code <> '' AND dmetaphone(UPPER(p.given_name)) IN (t.given_code, t.family_code))
)"""
_NEAR_YEARS_LOOKUP = (
    "p.date_of_birth BETWEEN make_date(t.year - 1, 1, 1) AND make_date(t.year + 1, 12, 31)"
)
_CHUNK = f"(SELECT * FROM {_INCOMING} WHERE idx >= %(low)s AND idx < %(high)s)"  # noqa: S608

# LATERAL makes each pass an index lookup per record.
_PAIRS_LOOKUP_SQL = f"""
SELECT DISTINCT t.idx, c.id
  FROM {_CHUNK} t
 CROSS JOIN LATERAL (
    SELECT p.id FROM families_person p
     WHERE p.date_of_birth = t.dob AND {_SOUNDS_ALIKE_LOOKUP}
    UNION ALL
    SELECT p.id FROM families_person p
     WHERE t.dob_swapped IS NOT NULL AND p.date_of_birth = t.dob_swapped
       AND {_SOUNDS_ALIKE_LOOKUP}
    UNION ALL
    SELECT p.id
      FROM families_address a
      JOIN families_family f ON f.address_id = a.id
      JOIN families_householdmembership m ON m.family_id = f.id AND m.end_date IS NULL
      JOIN families_person p ON p.id = m.person_id
     WHERE t.postcode <> '' AND a.postcode = t.postcode AND {_NEAR_YEARS_LOOKUP}
       AND {_SOUNDS_ALIKE_LOOKUP}
    UNION ALL
    SELECT p.id FROM families_person p
     WHERE t.family_code <> '' AND t.given_code <> ''
       AND dmetaphone(UPPER(p.family_name)) = t.family_code AND {_NEAR_YEARS_LOOKUP}
       AND dmetaphone(UPPER(p.given_name)) = t.given_code
 ) c
"""  # noqa: S608

_PEOPLE_LOOKUP_SQL = """
SELECT p.id, p.given_name, p.family_name, p.date_of_birth, p.sex,
       p.upn, p.nhs_number, p.ni_number,
       coalesce(dmetaphone(UPPER(p.given_name)), ''),
       coalesce(dmetaphone(UPPER(p.family_name)), ''),
       m.family_id, coalesce(a.line_1, ''), coalesce(a.postcode, ''), coalesce(a.uprn, ''),
       coalesce(a.is_protected, false)
  FROM families_person p
  LEFT JOIN families_householdmembership m ON m.person_id = p.id AND m.end_date IS NULL
  LEFT JOIN families_family f ON f.id = m.family_id
  LEFT JOIN families_address a ON a.id = f.address_id
 WHERE p.id = ANY(%s)
"""

# Everyone once, with what blocking and scoring need, so that each pass is a hash join
# on one table and the candidates' details are read from it too.
_PEOPLE_SNAPSHOT_SQL = f"""
CREATE TEMP TABLE {_PEOPLE} ON COMMIT DROP AS
SELECT p.id, p.given_name, p.family_name, p.date_of_birth AS dob, p.sex,
       p.upn, p.nhs_number, p.ni_number,
       coalesce(dmetaphone(UPPER(p.given_name)), '') AS given_code,
       coalesce(dmetaphone(UPPER(p.family_name)), '') AS family_code,
       m.family_id, coalesce(a.line_1, '') AS line_1, coalesce(a.postcode, '') AS postcode,
       coalesce(a.uprn, '') AS uprn, coalesce(a.is_protected, false) AS is_protected,
       extract(year FROM p.date_of_birth)::int AS year
  FROM families_person p
  LEFT JOIN families_householdmembership m ON m.person_id = p.id AND m.end_date IS NULL
  LEFT JOIN families_family f ON f.id = m.family_id
  LEFT JOIN families_address a ON a.id = f.address_id
"""  # noqa: S608

_SOUNDS_ALIKE_SET = """(
    (t.family_code <> '' AND p.family_code IN (t.family_code, t.given_code))
    OR (t.given_code <> '' AND p.given_code IN (t.given_code, t.family_code))
)"""

# The same passes as hash joins over the snapshot.
_PAIRS_SET_SQL = f"""
WITH t AS MATERIALIZED {_CHUNK}
SELECT t.idx, p.id FROM t JOIN {_PEOPLE} p ON p.dob = t.dob
 WHERE {_SOUNDS_ALIKE_SET}
UNION
SELECT t.idx, p.id FROM t JOIN {_PEOPLE} p ON p.dob = t.dob_swapped
 WHERE {_SOUNDS_ALIKE_SET}
UNION
SELECT t.idx, p.id FROM t JOIN {_PEOPLE} p ON p.postcode = t.postcode
 WHERE t.postcode <> '' AND p.year BETWEEN t.year - 1 AND t.year + 1 AND {_SOUNDS_ALIKE_SET}
UNION
SELECT t.idx, p.id
  FROM t
  JOIN (VALUES (-1), (0), (1)) AS near(years) ON true
  JOIN {_PEOPLE} p
    ON p.family_code = t.family_code AND p.given_code = t.given_code
   AND p.year = t.year + near.years
 WHERE t.family_code <> '' AND t.given_code <> ''
"""  # noqa: S608

_PEOPLE_SET_SQL = f"""
SELECT p.id, p.given_name, p.family_name, p.dob, p.sex, p.upn, p.nhs_number, p.ni_number,
       p.given_code, p.family_code, p.family_id, p.line_1, p.postcode, p.uprn, p.is_protected
  FROM {_PEOPLE} p JOIN unnest(%s::bigint[]) AS wanted(id) ON wanted.id = p.id
"""  # noqa: S608

_FROM_AGENCY_SQL = """
SELECT DISTINCT person_id FROM outcomes_sourceperson
 WHERE agency_id = %s AND person_id IS NOT NULL
"""


def _incoming_load(inputs: Sequence[BlockingInput]) -> dict[int, tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_INCOMING}")
        cursor.execute(
            f"CREATE TEMP TABLE {_INCOMING} ("
            " idx integer PRIMARY KEY, given_upper text NOT NULL, family_upper text NOT NULL,"
            " dob date NOT NULL, year integer NOT NULL,"
            " dob_swapped date, postcode text NOT NULL,"
            " given_code text, family_code text) ON COMMIT DROP"
        )
    columns = ["idx", "given_upper", "family_upper", "dob", "year", "dob_swapped", "postcode"]
    copy_rows(
        _INCOMING,
        columns,
        (
            (
                item.position,
                item.given_name.upper(),
                item.family_name.upper(),
                item.date_of_birth,
                item.date_of_birth.year,
                _swapped(item.date_of_birth),
                item.postcode,
            )
            for item in inputs
        ),
        not_null=[c for c in columns if c != "dob_swapped"],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_INCOMING} SET given_code = coalesce(dmetaphone(given_upper), ''),"  # noqa: S608
            " family_code = coalesce(dmetaphone(family_upper), '')"
            " RETURNING idx, given_code, family_code"
        )
        codes = {idx: (given, family) for idx, given, family in cursor.fetchall()}
        # A temporary table has no statistics until analysed; without them the planner
        # guesses a handful of rows and may choose badly.
        cursor.execute(f"ANALYZE {_INCOMING}")
    return codes


def _people_snapshot_load() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_PEOPLE}")
        cursor.execute(_PEOPLE_SNAPSHOT_SQL)
        cursor.execute(f"ANALYZE {_PEOPLE} (id, dob, year, postcode, given_code, family_code)")


def _people_read(sql: str, person_ids: list[int], people: dict[int, CandidatePerson]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [person_ids])
        for row in cursor.fetchall():
            (
                person_id,
                given,
                family,
                born,
                sex,
                upn,
                nhs,
                ni,
                given_code,
                family_code,
                family_id,
                line_1,
                postcode,
                uprn,
                protected,
            ) = row
            people[person_id] = CandidatePerson(
                match_record(
                    given_name=given,
                    family_name=family,
                    date_of_birth=born,
                    given_code=given_code,
                    family_code=family_code,
                    sex=sex,
                    address_line_1=line_1,
                    postcode=postcode,
                    uprn=uprn,
                    upn=upn,
                    nhs_number=nhs,
                    ni_number=ni,
                ),
                family_id,
                bool(protected),
            )


def candidates_search(
    *, agency_id: int, inputs: Sequence[BlockingInput], set_based: bool | None = None
) -> Iterator[BlockingResult]:
    """Candidates for ``inputs`` (numbered 0..n-1 in order), chunk by chunk.

    Runs in the caller's transaction and writes only temporary tables. ``set_based``
    forces one plan or the other (tests compare them); by default it follows the
    number of records.
    """
    if not inputs:
        return
    if [item.position for item in inputs] != list(range(len(inputs))):
        raise ValueError("Blocking inputs must be numbered 0, 1, 2... in order")
    if set_based is None:
        set_based = len(inputs) >= SET_BASED_FROM
    codes = _incoming_load(inputs)
    if set_based:
        _people_snapshot_load()
    pairs_sql = _PAIRS_SET_SQL if set_based else _PAIRS_LOOKUP_SQL
    people_sql = _PEOPLE_SET_SQL if set_based else _PEOPLE_LOOKUP_SQL
    size = SET_CHUNK_SIZE if set_based else CHUNK_SIZE
    with connection.cursor() as cursor:
        cursor.execute(_FROM_AGENCY_SQL, [agency_id])
        from_agency = {person_id for (person_id,) in cursor.fetchall()}
    people: dict[int, CandidatePerson] = {}
    for low in range(0, len(inputs), size):
        high = min(low + size, len(inputs))
        with connection.cursor() as cursor:
            cursor.execute(pairs_sql, {"low": low, "high": high})
            pairs = sorted(cursor.fetchall())
        wanted = sorted({person_id for _, person_id in pairs} - people.keys())
        if wanted:
            _people_read(people_sql, wanted, people)
        candidates: dict[int, list[PersonCandidate]] = {}
        for idx, person_id in pairs:
            person = people[person_id]
            candidates.setdefault(idx, []).append(
                PersonCandidate(
                    person_id,
                    person.record,
                    person_id in from_agency,
                    person.family_id,
                    person.address_protected,
                )
            )
        yield BlockingResult(
            inputs=inputs[low:high],
            codes={i: codes[i] for i in range(low, high)},
            candidates=candidates,
        )


def phonetic_codes(names: Sequence[str]) -> dict[str, str]:
    """``dmetaphone`` of each name upper-cased, as blocking computes it (for pages that
    compare one record with its candidates again)."""
    if not names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n, coalesce(dmetaphone(UPPER(n)), '') FROM unnest(%s::text[]) AS n",
            [list(set(names))],
        )
        return dict(cursor.fetchall())
