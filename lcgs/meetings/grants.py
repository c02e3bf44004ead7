"""Meeting access: the grants an LCG meeting gives its attendees (DOMAIN.md 7).

An attendee whose agency is not otherwise involved with a family on the agenda (neither
its lead agency nor on the team around it) may see that family, and only that family,
from the meeting's start until it is closed, and never for more than 24 hours after
its start. The access is a grant to the attendee with the meeting as its reason, so the
"why can I see this family?" page names the meeting.

``families.access.grants.grants_sync`` asks ``meeting_grants`` (registered when Django
starts) which grants the families it syncs should have: the meeting services re-sync the
agenda's families whenever the agenda, the attendees, the time or the status change,
and the grant's end time lets it lapse by itself (the grant expiry job then ends it).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from families.access.grants import SourcedGrant
from families.grants_models import GrantReason, TeamMember
from families.models import Family
from lcgs.meetings.models import AgendaItem, MeetingAttendee, MeetingStatus
from oneplan.dates import govuk_datetime

# An attendee's access lasts at most this long after the meeting's start.
MEETING_ACCESS_HOURS = 24


def meeting_access_ends(starts_at: datetime.datetime) -> datetime.datetime:
    """When an attendee's access to the agenda's families ends if the meeting is not
    closed before."""
    return starts_at + datetime.timedelta(hours=MEETING_ACCESS_HOURS)


def meeting_grant_source(meeting_id: int, user_id: int) -> str:
    return f"meeting:{meeting_id}:{user_id}"


def meeting_grants(family_ids: list[int], now: datetime.datetime) -> Iterable[SourcedGrant]:
    """The meeting grants ``family_ids`` should have at ``now``: for every open meeting
    whose 24 hours have not run out, each agenda family, to each attendee from an agency
    not otherwise involved with it. Three queries for any number of families."""
    if not family_ids:
        return []
    items = list(
        AgendaItem.objects.filter(
            family_id__in=family_ids,
            meeting__status=MeetingStatus.SCHEDULED,
            meeting__starts_at__gt=now - datetime.timedelta(hours=MEETING_ACCESS_HOURS),
        ).select_related("meeting__lcg")
    )
    if not items:
        return []
    attendees: dict[int, list[tuple[int, int]]] = {}
    for meeting_id, user_id, agency_id in MeetingAttendee.objects.filter(
        meeting_id__in={item.meeting_id for item in items}
    ).values_list("meeting_id", "staff__user_id", "staff__agency_id"):
        attendees.setdefault(meeting_id, []).append((user_id, agency_id))
    involved: dict[int, set[int]] = {}
    agenda_ids = {item.family_id for item in items}
    for pk, lead_agency_id in Family.objects.filter(pk__in=agenda_ids).values_list(
        "pk", "lead_agency_id"
    ):
        involved[pk] = {lead_agency_id} if lead_agency_id else set()
    for family_id, agency_id in TeamMember.objects.filter(
        family_id__in=agenda_ids, removed_at__isnull=True
    ).values_list("family_id", "agency_id"):
        involved.setdefault(family_id, set()).add(agency_id)
    grants = []
    for item in items:
        meeting = item.meeting
        about = (
            f"You are invited to the {meeting.lcg.name} meeting on "
            f"{govuk_datetime(meeting.starts_at)}, which discusses this family"
        )
        for user_id, agency_id in attendees.get(meeting.pk, []):
            if agency_id in involved.get(item.family_id, set()):
                continue
            grants.append(
                SourcedGrant(
                    family_id=item.family_id,
                    source=meeting_grant_source(meeting.pk, user_id),
                    reason=GrantReason.MEETING,
                    user_id=user_id,
                    starts_at=meeting.starts_at,
                    ends_at=meeting_access_ends(meeting.starts_at),
                    about=about,
                )
            )
    return grants
