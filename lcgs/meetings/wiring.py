"""Hooks this area registers when Django starts: the meetings' grants, which
``families.access.grants.grants_sync`` asks about every family it syncs."""

from __future__ import annotations

from families.access.grants import register_grant_source


def ready() -> None:
    from lcgs.meetings.grants import meeting_grants

    register_grant_source("lcg_meetings", meeting_grants)
