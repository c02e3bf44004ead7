"""Pure rules of subject access: deadlines and the request's states. No ORM, no clock."""

from __future__ import annotations

import calendar
import datetime
from typing import Final

# UK GDPR Article 12(3): one month from receipt, extendable "by two further months"
# where requests are complex or numerous.
MAX_EXTENSION_MONTHS: Final = 2
SOON_DAYS: Final = 7


def add_calendar_months(day: datetime.date, months: int) -> datetime.date:
    """The same day of the month ``months`` later; the last day of that month when it is
    shorter (31 January + 1 month = 28 February, or 29 in a leap year). This is the
    ICO's reading of "one calendar month": the corresponding calendar date."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received_on: datetime.date, *, extension_months: int = 0) -> datetime.date:
    """When the response is due: one calendar month after ``received_on``, plus any
    extension (up to two further months, counted from receipt like the first).

    The ICO allows the next working day when the date falls on a weekend or bank
    holiday; OnePlan shows the calendar date, which is never later than the law allows.
    """
    if not 0 <= extension_months <= MAX_EXTENSION_MONTHS:
        raise ValueError(f"An extension is 0 to {MAX_EXTENSION_MONTHS} months")
    return add_calendar_months(received_on, 1 + extension_months)


def deadline_state(due_on: datetime.date, *, today: datetime.date, is_open: bool) -> str:
    """ "overdue" (past the due date and still open), "soon" (due within 7 days,
    today included) or "" for the dashboard's tags."""
    if not is_open:
        return ""
    if today > due_on:
        return "overdue"
    if (due_on - today).days <= SOON_DAYS:
        return "soon"
    return ""


RECEIVED: Final = "received"
ASSEMBLING: Final = "assembling"
READY: Final = "ready_for_redaction"
REDACTED: Final = "redacted"
SENT: Final = "sent"
CLOSED: Final = "closed"

# Who may move where. Assembling again (after a failed job, or new records) starts the
# redaction again; closing is possible at any time (a request withdrawn or refused).
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    RECEIVED: frozenset({ASSEMBLING, CLOSED}),
    ASSEMBLING: frozenset({ASSEMBLING, READY, CLOSED}),
    READY: frozenset({ASSEMBLING, REDACTED, CLOSED}),
    REDACTED: frozenset({ASSEMBLING, READY, SENT, CLOSED}),
    SENT: frozenset({CLOSED}),
    CLOSED: frozenset(),
}
OPEN_STATES: Final = frozenset({RECEIVED, ASSEMBLING, READY, REDACTED})


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
