"""The grant ledger of a family: every grant ever opened on it, to whom, why, by what
event, from and until when, and how it ended (issue 14, docs/grant-ledger.md).

"Why can I see this family?" answers for the viewer's own access today; the ledger
answers for everyone's, past and present, beside "who has viewed this family". Who may
read it is the rule for the family's access history, ``access.can_view_family_viewers``
(the data protection officer, and the coordinators of the family's LCG): both halves of
the page, and the API, ask that one function.

Grants are never deleted, only ended (``families.access.grants``), so the ledger is the
family's ``Grant`` rows. What opened each grant is read from the record its ``source``
names: the lead assignment (allocation or handover), the team membership, the emergency
access, or the words an app above families left on the grant (an LCG meeting).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from agencies.models import User
from audit.services import access_event_record
from families.access.rules import BreakGlassCategory
from families.grants_models import BreakGlassAccess, Grant, GrantReason, TeamMember
from families.models import Family, LeadAssignment

LEDGER_OBJECT_TYPE = "grant_ledger"


def grant_ledger_for_family(family: Family) -> QuerySet[Grant]:
    """Every grant ever opened on ``family``, newest first, ready for a Paginator.

    The caller has decided the viewer may read the ledger (``can_view_family_viewers``).
    """
    return (
        Grant.objects.filter(family=family)
        .select_related("user__staff__agency", "agency", "created_by")
        .order_by("-starts_at", "-pk")
    )


@dataclass(frozen=True)
class LedgerEntry:
    """One grant in words: to whom, why, what opened it, and where it stands."""

    grant: Grant
    grantee: str
    grantee_kind: str  # "user" or "agency"
    grantee_agency: str
    reason: str
    opened_by_event: str
    opened_by: str
    state: str  # "in_force", "ended", "lapsed" or "not_started"
    state_label: str
    ended_why: str

    @property
    def starts_at(self) -> datetime.datetime:
        return self.grant.starts_at

    @property
    def ends_at(self) -> datetime.datetime | None:
        return self.grant.ends_at

    @property
    def ended_at(self) -> datetime.datetime | None:
        return self.grant.ended_at


STATE_LABELS = {
    "in_force": "In force",
    "ended": "Ended",
    "lapsed": "Time limit reached",
    "not_started": "Not started yet",
}


def _name(user: User | None) -> str:
    if user is None:
        return "The system"
    return user.get_full_name() or user.username


def _state(grant: Grant, now: datetime.datetime) -> str:
    if grant.ended_at is not None:
        return "ended"
    if grant.ends_at is not None and grant.ends_at <= now:
        return "lapsed"  # the expiry job ends it; it already allows nothing
    if grant.starts_at > now:
        return "not_started"
    return "in_force"


def _source_key(source: str) -> tuple[str, str]:
    kind, _, rest = source.partition(":")
    return kind, rest


def _latest_before(
    rows: Sequence[LeadAssignment],
    moment: datetime.datetime,
    *,
    user_id: int | None,
    agency_id: int | None,
) -> tuple[LeadAssignment | None, bool]:
    """The lead assignment that opened a lead grant (the newest started by the grant's
    start, naming its lead), and whether an earlier one existed (a handover)."""
    for index, row in enumerate(rows):  # newest first
        if row.started_at > moment:
            continue
        if user_id is not None:
            staff = row.lead_professional
            if staff is None or staff.user_id != user_id:
                continue
        elif agency_id is not None and (
            row.lead_agency_id != agency_id or row.lead_professional_id is not None
        ):
            continue
        return row, index + 1 < len(rows)
    return None, False


def _lead_words(row: LeadAssignment | None, handover: bool, *, professional: bool) -> str:
    if row is None:
        return (
            "Named lead professional (no lead history recorded)"
            if professional
            else "Named lead agency (no lead history recorded)"
        )
    kind = "Handover" if handover else "Allocation"
    lead = row.lead_agency.name
    if row.lead_professional is not None:
        lead = f"{row.lead_professional.display_name}, {lead}"
    where = f" ({row.source})" if row.source else ""
    return f"{kind} to {lead} by {_name(row.actor)}{where}: {row.reason}"


def _team_words(member: TeamMember | None) -> str:
    if member is None:
        return "Added to the team around the family"
    return (
        f"{member.agency.name} added to the team around the family by "
        f"{_name(member.added_by)}, under {member.lawful_basis}"
    )


def _glass_words(access: BreakGlassAccess | None) -> str:
    if access is None:
        return "Emergency access"
    category = BreakGlassCategory(access.category).label if access.category else "Emergency"
    review = (
        f"Reviewed by {_name(access.reviewed_by)}: {access.get_review_outcome_display().lower()}"
        if access.reviewed_at is not None
        else "Waiting for review by the data protection officer"
    )
    asked = f"Emergency access asked for by {_name(access.user)}: {category}"
    return f"{asked}. {access.reason} ({review})"


def ledger_entries(family: Family, grants: Sequence[Grant]) -> list[LedgerEntry]:
    """``grants`` (a page of the family's ledger) in words. Four queries for any number
    of grants: the family's lead history, its team memberships and the emergency
    accesses the page names."""
    now = timezone.now()
    kinds = [_source_key(g.source) for g in grants]
    leads: list[LeadAssignment] = []
    if any(kind in ("lead", "lead_agency") for kind, _ in kinds):
        leads = list(
            LeadAssignment.objects.filter(family=family)
            .select_related("lead_agency", "lead_professional__user", "actor")
            .order_by("-started_at", "-pk")
        )
    team: list[TeamMember] = []
    if any(kind == "team" for kind, _ in kinds):
        team = list(
            TeamMember.objects.filter(family=family)
            .select_related("agency", "added_by", "lawful_basis__person")
            .order_by("-added_at", "-pk")
        )
    glass_ids = [int(rest) for kind, rest in kinds if kind == "break_glass" and rest.isdigit()]
    glass = (
        BreakGlassAccess.objects.select_related("user", "reviewed_by").in_bulk(glass_ids)
        if glass_ids
        else {}
    )
    entries = []
    for grant, (kind, rest) in zip(grants, kinds, strict=True):
        if kind == "lead":
            row, handover = _latest_before(
                leads, grant.starts_at, user_id=grant.user_id, agency_id=None
            )
            event = _lead_words(row, handover, professional=True)
        elif kind == "lead_agency":
            row, handover = _latest_before(
                leads, grant.starts_at, user_id=None, agency_id=grant.agency_id
            )
            event = _lead_words(row, handover, professional=False)
        elif kind == "team":
            member = next(
                (
                    m
                    for m in team
                    if m.agency_id == grant.agency_id and m.added_at <= grant.starts_at
                ),
                None,
            )
            event = _team_words(member)
        elif kind == "break_glass":
            event = _glass_words(glass.get(int(rest)) if rest.isdigit() else None)
        else:
            # A grant from an app above families (an LCG meeting) says in words what it
            # rests on; the words are the attendee's ("You are invited..."), so they are
            # told about the grantee here.
            event = grant.about.replace("You are invited", "Invited", 1) or grant.source
        state = _state(grant, now)
        if grant.user_id is not None:
            user = grant.user
            staff = user.staff_or_none if user is not None else None
            grantee = _name(user)
            agency = staff.agency.name if staff is not None else ""
            grantee_kind = "user"
        else:
            grantee = grant.agency.name if grant.agency is not None else ""
            agency = grantee
            grantee_kind = "agency"
        entries.append(
            LedgerEntry(
                grant=grant,
                grantee=grantee,
                grantee_kind=grantee_kind,
                grantee_agency=agency,
                reason=GrantReason(grant.reason).label,
                opened_by_event=event,
                opened_by=_name(grant.created_by),
                state=state,
                state_label=STATE_LABELS[state],
                ended_why=grant.end_reason if state == "ended" else "",
            )
        )
    return entries


def grant_ledger_view_record(
    *, user: User, family: Family, request: HttpRequest, action: str, detail: dict[str, object]
) -> None:
    """Reading a family's ledger is a read of the family's case: recorded before it is
    shown, like every other page about the family."""
    access_event_record(
        user=user,
        action=action,
        object_type=LEDGER_OBJECT_TYPE,
        object_id=family.pk,
        family_id=family.pk,
        family_reference=family.reference,
        request=request,
        detail=detail,
    )
