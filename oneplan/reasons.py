"""The written reasons people give for a decision (a removal, a claw-back, an outcome, an
equivalent claim): checked one way everywhere, with messages that say what to write."""

from __future__ import annotations

from oneplan.errors import ApplicationError


def reason_checked(
    reason: str, *, missing: str, minimum: int = 1, maximum: int, too_short: str = ""
) -> str:
    """``reason`` without surrounding space, or ``ApplicationError`` (on the ``reason``
    field) when it is empty (``missing`` says what to enter), shorter than ``minimum``
    (``too_short`` says what a full reason holds) or longer than ``maximum``."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(missing, field="reason")
    if len(reason) < minimum:
        raise ApplicationError(
            f"The reason must be at least {minimum} characters: {too_short}", field="reason"
        )
    if len(reason) > maximum:
        raise ApplicationError(
            f"The reason must be {maximum:,} characters or fewer", field="reason"
        )
    return reason
