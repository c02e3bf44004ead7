"""Shared by the plan services: conflicts, refusals, locking and naming."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from agencies.models import User
from families.access.perms import MANAGE_TEAM
from families.models import Family
from oneplan.dates import govuk_date, govuk_time
from oneplan.errors import ApplicationError
from plans.models import (
    ActionStatus,
    Plan,
)
from plans.plan.access import can_edit_plan

SUMMARY_MAX = 300
ACTION_EDIT_FIELDS = frozenset(
    {
        "description",
        "owner",
        "agency",
        "practitioner",
        "family_member",
        "due_on",
        "goal",
        "status",
        "not_done_reason",
    }
)
# What a practitioner who does not run the plan may change on their own agency's action.
ACTION_PROGRESS_FIELDS = frozenset({"status", "not_done_reason"})
CLOSED_ACTION_STATUSES = frozenset({ActionStatus.DONE, ActionStatus.NOT_DONE})


class PlanConflict(ApplicationError):
    """Someone else saved this object after the editor loaded it.

    Carries the object as it is now (``current``), who saved it (``changed_by``) and
    when (``changed_at``), so the page can show both versions side by side.
    """

    def __init__(
        self,
        *,
        current: models.Model,
        changed_by: User | None,
        changed_at: datetime.datetime,
        what: str,
    ) -> None:
        when = timezone.localtime(changed_at)
        who = _name(changed_by) if changed_by is not None else "Someone"
        super().__init__(
            f"{who} changed {what} at {govuk_time(when)} on {govuk_date(when)} "
            "while you were editing"
        )
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at


class NoLawfulBasis(ApplicationError):
    """Adding an agency to the plan adds it to the team, which needs a lawful basis."""


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def clip(text: str, size: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def plan_lock(plan_id: int) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("family").get(pk=plan_id)


def require_edit(
    actor: User, family: Family, permissions: frozenset[str] | None, message: str
) -> None:
    """``can_edit_plan``: from the actor's permissions on the family when the caller's
    fetch-with-check already worked them out in this request, otherwise asked now."""
    allowed = (
        MANAGE_TEAM in permissions if permissions is not None else can_edit_plan(actor, family)
    )
    require(allowed, message)
