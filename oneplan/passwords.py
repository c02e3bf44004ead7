"""Password rules beyond Django's own: no repeated characters or simple sequences.

``RepeatOrSequenceValidator`` is in ``AUTH_PASSWORD_VALIDATORS``, so it applies wherever a
password is set: changing your own, an administrator setting one, ``changepassword``.
Django's validators already ask for 12 characters and refuse common passwords, but
"aaaaaaaaaaaa" and "123456789012" pass both and are among the first guesses any attacker
tries (NIST SP 800-63B 3.1.1.2 asks services to refuse "repetitive or sequential
characters").
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError

MESSAGE = (
    "Your password cannot be a repeated character or a simple sequence, "
    "like 111111111111 or abcdefghijkl"
)
HELP_TEXT = "Your password cannot be a repeated character or a simple sequence."

# Orders a person runs along without thinking. Letters and digits go round (…xyzab…,
# …7890123…); keyboard rows run into the next row, as fingers do (…op[]\asd…). The
# shifted rows are an order of their own: "!@#$%^&*()_+" is 1 to = with shift held.
_CYCLIC_ORDERS = ("abcdefghijklmnopqrstuvwxyz", "0123456789")
_LINEAR_ORDERS = (
    "`1234567890-=qwertyuiop[]\\asdfghjkl;'zxcvbnm,./",
    '~!@#$%^&*()_+qwertyuiop{}|asdfghjkl:"zxcvbnm<>?',
)

# A step from one character to the next: which order and which way, or a repeat.
_Step = tuple[int, int]
_REPEAT: _Step = (-1, 0)


def _neighbours() -> dict[tuple[str, str], frozenset[_Step]]:
    steps: dict[tuple[str, str], set[_Step]] = {}
    orders = [(order, True) for order in _CYCLIC_ORDERS] + [
        (order, False) for order in _LINEAR_ORDERS
    ]
    for index, (order, cyclic) in enumerate(orders):
        pairs = list(pairwise(order))
        if cyclic:
            pairs.append((order[-1], order[0]))
        for before, after in pairs:
            steps.setdefault((before, after), set()).add((index, 1))
            steps.setdefault((after, before), set()).add((index, -1))
    return {pair: frozenset(found) for pair, found in steps.items()}


_NEIGHBOURS = _neighbours()


def _step(before: str, after: str) -> frozenset[_Step]:
    if before == after:
        return frozenset({_REPEAT})
    return _NEIGHBOURS.get((before, after), frozenset())


def simple_runs(password: str) -> int:
    """How many runs the password splits into, reading left to right, ignoring case.

    A run is one character repeated ("aaaa") or a walk one step at a time, the same way,
    along the alphabet, the digits or a keyboard row ("abcd", "4321", "qwer"). A new run
    starts wherever the next character does not carry on the current one, so
    "abcdef123456" is 2 runs and "h4Xq9vTz2Lmw" is 12.
    """
    text = password.lower()
    runs = 0
    position = 0
    while position < len(text):
        runs += 1
        ways: frozenset[_Step] | None = None  # unknown until the run's second character
        end = position + 1
        while end < len(text):
            step = _step(text[end - 1], text[end])
            ways = step if ways is None else ways & step
            if not ways:
                break
            end += 1
        position = end
    return runs


def repeats_a_block(password: str) -> bool:
    """True if the password is one short block said at least three times, ignoring case:
    "abcabcabcabc", "121212121212", "Aa1!Aa1!Aa1!" (a last, partial block counts)."""
    text = password.lower()
    for period in range(1, len(text) // 3 + 1):
        if all(text[i] == text[i - period] for i in range(period, len(text))):
            return True
    return False


def is_repeat_or_sequence(password: str) -> bool:
    """The rule: at most two runs (so "aaaaaa123456" and "qwertyuiop12" too), or one block
    repeated. An empty password is left to the other rules."""
    if not password:
        return False
    return simple_runs(password) <= 2 or repeats_a_block(password)


class RepeatOrSequenceValidator:
    """Refuse a password made only of repeated characters or simple sequences."""

    def validate(self, password: str, user: Any = None) -> None:
        if is_repeat_or_sequence(password):
            raise ValidationError(MESSAGE, code="password_repeat_or_sequence")

    def get_help_text(self) -> str:
        return HELP_TEXT
