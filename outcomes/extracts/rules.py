"""The evaluation extract's pure parts (docs/evaluation-extract.md): the fields an
evaluation partner may be given, age bands, dates to the month, and the keyed hashes
that stand for families and people. No ORM, no clock, no settings: the key and the
reference date are arguments.

Pseudonyms are HMAC-SHA256 over "family:<id>" or "person:<id>" with a key of the
partner's own, itself derived from the council's extract key and the partner's code
(HMAC-SHA256 of "partner:<code>"). So the same key and partner give the same pseudonyms
in every extract, a partner cannot link its pseudonyms to another partner's, and
nobody without the key can turn a pseudonym back into a record (the ids are small
numbers: without the key they could be guessed).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from typing import Final

# (code, label) of every field a partner may be given, in the file's column order.
# Nothing else can be chosen: no names, addresses, dates of birth, identifiers, free
# text or restricted information (DOMAIN.md 7).
FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("family", "Family pseudonym"),
    ("person", "Person pseudonym"),
    ("age_band", "Age band at the reference date"),
    ("sex", "Sex"),
    ("role", "Role in the household"),
    ("lcg", "LCG"),
    ("track", "Track"),
    ("status", "Case status"),
    ("framework", "Framework"),
    ("attached_month", "Month attached"),
    ("needs_at_entry", "Needs at entry"),
    ("results", "Results"),
    ("claims", "Claims"),
    ("claim_month", "Month of the first claim"),
)
FIELD_LABELS: Final = dict(FIELDS)
FIELD_CODES: Final = tuple(code for code, _ in FIELDS)

# (lowest age, label), youngest first.
AGE_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "0-4"),
    (5, "5-10"),
    (11, "11-15"),
    (16, "16-17"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-49"),
    (50, "50-64"),
    (65, "65+"),
)


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Whole years old on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(born: datetime.date, on: datetime.date) -> str:
    """The band of the age in whole years on ``on``; "" for someone not yet born."""
    age = age_on(born, on)
    if age < 0:
        return ""
    label = AGE_BANDS[0][1]
    for lowest, band in AGE_BANDS:
        if age >= lowest:
            label = band
    return label


def month_of(day: datetime.date | None) -> str:
    """A date to the month only ("2025-03"); "" for none."""
    return "" if day is None else f"{day.year:04d}-{day.month:02d}"


def partner_code_of(partner: str) -> str:
    """A partner's name as a stable code: lower case letters, digits and dashes."""
    code = re.sub(r"[^a-z0-9]+", "-", partner.lower()).strip("-")
    return code[:40]


def partner_key(master: bytes, partner_code: str) -> bytes:
    """The partner's own key, derived from the council's extract key."""
    return hmac.new(master, f"partner:{partner_code}".encode(), hashlib.sha256).digest()


def key_id(master: bytes, partner_code: str) -> str:
    """Names the key an extract used without revealing it: the partner's code and a
    short fingerprint of the key. Two extracts with the same key id share pseudonyms."""
    fingerprint = hmac.new(master, b"key-id", hashlib.sha256).hexdigest()[:12]
    return f"{partner_code}:{fingerprint}"


def pseudonym(key: bytes, what: str, record_id: int) -> str:
    """The keyed hash standing for one family or person (``what``: family or person)."""
    return hmac.new(key, f"{what}:{record_id}".encode(), hashlib.sha256).hexdigest()
