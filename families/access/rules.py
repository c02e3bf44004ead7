"""Pure rules for access to families: no ORM, no clock.

Break glass (DOMAIN.md section 7): emergency access outside a user's scope "needs a
reason and is reviewed". A reason the data protection officer can review names what kind
of emergency it is and says, in words, what happened; "aaaaaaaaaa" says nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models.enums import TextChoices


class BreakGlassCategory(TextChoices):
    """What kind of emergency justifies opening a family outside your scope."""

    RISK_TO_CHILD = "risk_to_child", "Immediate risk to a child"
    RISK_TO_ADULT = "risk_to_adult", "Immediate risk to an adult"
    POLICE_EMERGENCY = "police_emergency", "Police emergency"
    HEALTH_EMERGENCY = "health_emergency", "Health emergency"
    OTHER = "other", "Other"


REASON_MIN_CHARACTERS = 20
REASON_MAX_CHARACTERS = 2000
REASON_MIN_WORDS = 3
# Fewer different letters and digits than this is keyboard noise, not a sentence.
REASON_MIN_DISTINCT_CHARACTERS = 6

CATEGORY_MISSING = "Select the kind of emergency"
REASON_MISSING = "Enter the reason you need to see this family"
REASON_TOO_SHORT = f"Reason must be {REASON_MIN_CHARACTERS} characters or more"
REASON_TOO_LONG = f"Reason must be {REASON_MAX_CHARACTERS:,} characters or fewer"
REASON_REPEATED = "Reason must describe the emergency in words, not repeated characters"
REASON_TOO_FEW_WORDS = f"Reason must be at least {REASON_MIN_WORDS} words, saying what has happened"

_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class ReasonProblem:
    field: str
    message: str


def _is_repetition(text: str) -> bool:
    """True when ``text`` is one short piece said again and again ("abcabcabc")."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def break_glass_reason_problems(*, category: str, reason: str) -> list[ReasonProblem]:
    """Why a break-glass request's category and reason cannot be accepted (empty if fine).

    One problem per field, the first that applies, so each field shows one clear GOV.UK
    error message.
    """
    problems: list[ReasonProblem] = []
    if category not in BreakGlassCategory.values:
        problems.append(ReasonProblem("category", CATEGORY_MISSING))

    text = " ".join(reason.split())
    letters = "".join(ch for ch in text.lower() if ch.isalnum())
    message = ""
    if not text:
        message = REASON_MISSING
    elif len(text) > REASON_MAX_CHARACTERS:
        message = REASON_TOO_LONG
    elif len(set(letters)) <= 2 or _is_repetition(letters):
        message = REASON_REPEATED
    elif len(text) < REASON_MIN_CHARACTERS:
        message = REASON_TOO_SHORT
    elif len(set(letters)) < REASON_MIN_DISTINCT_CHARACTERS:
        message = REASON_REPEATED
    elif len(_WORD.findall(text)) < REASON_MIN_WORDS:
        message = REASON_TOO_FEW_WORDS
    if message:
        problems.append(ReasonProblem("reason", message))
    return problems


def break_glass_reason_clean(reason: str) -> str:
    """The reason as stored: surrounding space removed, line breaks kept."""
    return reason.strip()
