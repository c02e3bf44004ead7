"""The deadline rules of subject access (audit.subject_access.rules), table-driven."""

from __future__ import annotations

import datetime

import pytest

from audit.subject_access import rules

D = datetime.date


@pytest.mark.parametrize(
    ("received", "extension", "due"),
    [
        (D(2025, 3, 3), 0, D(2025, 4, 3)),  # the corresponding date
        (D(2025, 1, 31), 0, D(2025, 2, 28)),  # no 31 February: the month's last day
        (D(2024, 1, 31), 0, D(2024, 2, 29)),  # a leap year
        (D(2024, 1, 30), 0, D(2024, 2, 29)),
        (D(2025, 1, 28), 0, D(2025, 2, 28)),
        (D(2025, 3, 31), 0, D(2025, 4, 30)),
        (D(2025, 8, 31), 0, D(2025, 9, 30)),
        (D(2025, 12, 15), 0, D(2026, 1, 15)),  # across the year end
        (D(2025, 12, 31), 0, D(2026, 1, 31)),
        (D(2025, 3, 3), 1, D(2025, 5, 3)),  # extended: counted from receipt
        (D(2025, 3, 3), 2, D(2025, 6, 3)),
        (D(2024, 11, 30), 2, D(2025, 2, 28)),  # extended into a short February
        (D(2023, 11, 30), 2, D(2024, 2, 29)),
        (D(2025, 11, 30), 2, D(2026, 2, 28)),
    ],
)
def test_due_date(received: datetime.date, extension: int, due: datetime.date) -> None:
    assert rules.due_date(received, extension_months=extension) == due


@pytest.mark.parametrize("extension", [-1, 3])
def test_an_extension_is_at_most_two_months(extension: int) -> None:
    with pytest.raises(ValueError, match="0 to 2 months"):
        rules.due_date(D(2025, 1, 1), extension_months=extension)


@pytest.mark.parametrize(
    ("due", "today", "is_open", "state"),
    [
        (D(2025, 3, 10), D(2025, 3, 11), True, "overdue"),
        (D(2025, 3, 10), D(2025, 3, 10), True, "soon"),  # due today is not yet overdue
        (D(2025, 3, 10), D(2025, 3, 3), True, "soon"),  # exactly 7 days
        (D(2025, 3, 10), D(2025, 3, 2), True, ""),  # 8 days
        (D(2025, 3, 10), D(2025, 3, 20), False, ""),  # answered: no tag
    ],
)
def test_deadline_state(
    due: datetime.date, today: datetime.date, is_open: bool, state: str
) -> None:
    assert rules.deadline_state(due, today=today, is_open=is_open) == state


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [
        (rules.RECEIVED, rules.ASSEMBLING, True),
        (rules.RECEIVED, rules.REDACTED, False),
        (rules.ASSEMBLING, rules.READY, True),
        (rules.READY, rules.REDACTED, True),
        (rules.READY, rules.SENT, False),  # never sent unredacted
        (rules.REDACTED, rules.SENT, True),
        (rules.SENT, rules.ASSEMBLING, False),
        (rules.SENT, rules.CLOSED, True),
        (rules.CLOSED, rules.RECEIVED, False),
    ],
)
def test_transitions(from_status: str, to_status: str, allowed: bool) -> None:
    assert rules.can_move(from_status, to_status) is allowed
