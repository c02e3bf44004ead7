"""Reading the seeded families for case work, and writing what the case-work generator
makes with ``COPY`` under ids taken in blocks."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Final

from django.db import connection
from django.db.models import Model

from families.grants_models import LawfulBasis, TeamMember
from oneplan.site.demo.casework_data import DemoFamily, DemoMember
from oneplan.site.demo.copying import next_ids
from outcomes.models import (
    Evidence,
    HouseholdKey,
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


def families_read(after_id: int, limit: int) -> list[DemoFamily]:
    """A chunk of families with their current members, the main carer first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT f.id, f.status, f.lead_agency_id, s.user_id, f.attached_on,
                   h.engaged_on, h.plan_active_on, f.status_changed_at::date,
                   coalesce(a.line_1, ''), coalesce(a.postcode, ''), coalesce(a.uprn, '')
              FROM families_family f
              LEFT JOIN families_address a ON a.id = f.address_id
              LEFT JOIN agencies_staff s ON s.id = f.lead_professional_id
              -- The first time the journey reached each step (a family whose outcomes
              -- were not sustained is "plan active" twice; the first is the agreement).
              CROSS JOIN LATERAL (
                  SELECT min(c.created_at) FILTER (WHERE c.to_status = 'engaged')::date,
                         min(c.created_at) FILTER (WHERE c.to_status = 'plan_active')::date
                    FROM families_familystatuschange c WHERE c.family_id = f.id
              ) AS h (engaged_on, plan_active_on)
             WHERE f.id > %s ORDER BY f.id LIMIT %s
            """,
            [after_id, limit],
        )
        families = {row[0]: DemoFamily(*row) for row in cursor.fetchall()}
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
            families[family_id].members.append(DemoMember(*member))
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


class IdPool:
    """Primary keys reserved from each table's sequence a block at a time, so rows can
    refer to each other before they are copied, without a query per row."""

    BLOCK: Final = 5000

    def __init__(self) -> None:
        self.free: dict[type[Model], list[int]] = defaultdict(list)

    def next(self, model: type[Model]) -> int:
        free = self.free[model]
        if not free:
            free.extend(reversed(next_ids(model, self.BLOCK)))
        return free.pop()


def copy_table_lines(table: str, columns: Iterable[str], lines: Sequence[str]) -> None:
    if not lines:
        return
    buffer = io.StringIO("\n".join(lines) + "\n")
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN", buffer
        )


def copy_model_lines(model: type[Model], lines: Sequence[str]) -> None:
    copy_table_lines(model._meta.db_table, COLUMNS[model], lines)


def copy_through_lines(table: str, lines: Sequence[str]) -> None:
    copy_table_lines(table, THROUGH_COLUMNS[table], lines)


def feed_counts_record(submission_ids: Sequence[int]) -> None:
    """Give the demo's feed submissions the counts an import would have recorded for the
    evidence they brought in: every row read and new, each person matched to someone
    already known, and their families to be re-assessed."""
    if not submission_ids:
        return
    with connection.cursor() as cursor:
        # One pass over the evidence; a person lives in one family at a time (the
        # membership's unique constraint), so the join adds no rows.
        cursor.execute(
            """
            UPDATE outcomes_feedsubmission s
               SET rows_read = c.rows, rows_accepted = c.rows, people_matched = c.people,
                   families_touched = c.families
              FROM (SELECT e.submission_id, count(*) AS rows,
                           count(DISTINCT e.person_id) AS people,
                           count(DISTINCT m.family_id) AS families
                      FROM outcomes_evidence e
                      LEFT JOIN families_householdmembership m
                        ON m.person_id = e.person_id AND m.end_date IS NULL
                     WHERE e.submission_id = ANY(%s)
                     GROUP BY e.submission_id) c
             WHERE s.id = c.submission_id
            """,
            [list(submission_ids)],
        )
