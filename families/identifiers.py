"""Validation and normalisation of UK identifiers held against people and families.

Pure functions with no Django dependency, so the same rules can back form
validation, API serialisers, data imports (FEEDS) and test-data generators.

Each identifier has a ``normalise_*`` function, which turns what a person typed
into the stored form, and a ``*_error`` function, which normalises first and
then returns a GOV.UK-style error message, or ``None`` when the value is valid.
An empty value is always an error: whether a field is optional is the caller's
decision, not this module's.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "nhs_number_error",
    "nhs_number_with_check_digit",
    "ni_number_error",
    "normalise_nhs_number",
    "normalise_ni_number",
    "normalise_postcode",
    "normalise_upn",
    "postcode_district",
    "postcode_error",
    "upn_error",
    "upn_with_check_letter",
]


def _without_whitespace(value: str) -> str:
    # str.split() with no argument splits on every Unicode whitespace
    # character, which catches the non-breaking spaces that arrive when
    # identifiers are pasted from emails and PDFs.
    return "".join(value.split())


# --------------------------------------------------------------------------
# Unique Pupil Number (UPN)
# --------------------------------------------------------------------------

# I, O and S are left out because they are easily misread as 1, 0 and 5.
UPN_CHECK_LETTERS: Final = "ABCDEFGHJKLMNPQRTUVWXYZ"

# Explicit [0-9] rather than \d: \d also matches non-ASCII digits such as
# Arabic-Indic numerals, which int() would then happily accept.
_PERMANENT_UPN: Final = re.compile(r"[A-Z][0-9]{12}")
# A temporary UPN has a letter in place of the last serial digit.
_TEMPORARY_UPN: Final = re.compile(r"[A-Z][0-9]{11}[A-Z]")
_TWELVE_DIGITS: Final = re.compile(r"[0-9]{12}")

UPN_FORMAT_ERROR: Final = "Enter a UPN in the correct format, like A123456789012"
UPN_EMPTY_ERROR: Final = "Enter a UPN"
UPN_TEMPORARY_ERROR: Final = (
    "Enter the pupil's permanent UPN: temporary UPNs, which end in a letter, are not accepted"
)
UPN_CHECK_LETTER_ERROR: Final = "The UPN check letter is wrong: check the number and try again"


def _upn_check_letter(digits12: str) -> str:
    # The digits occupy characters 2 to 13 of the UPN, and each is weighted by
    # its own character position, so the weights run 2..13.
    total = sum(int(digit) * weight for weight, digit in enumerate(digits12, start=2))
    return UPN_CHECK_LETTERS[total % len(UPN_CHECK_LETTERS)]


def normalise_upn(value: str) -> str:
    """Return ``value`` as a UPN would be stored: no whitespace, upper case.

    Format from DfE "Unique pupil numbers (UPNs): a guide for schools and local
    authorities" (v1.2, June 2019), Annex A: a check letter then 12 characters.
    """
    return _without_whitespace(value).upper()


def upn_error(value: str) -> str | None:
    """Return an error message for ``value`` as a UPN, or ``None`` if it is valid.

    Rule source: DfE "Unique pupil numbers (UPNs): a guide for schools and local
    authorities" (v1.2, June 2019), Annex A "The national UPN formula", also
    applied as school census validation rule 1510. The 12
    digits in characters 2..13 are multiplied by weights 2..13, and the sum
    modulo 23 indexes the alphabet A-Z without I, O and S.
    """
    upn = normalise_upn(value)
    if not upn:
        return UPN_EMPTY_ERROR
    # Temporary UPNs are issued while a permanent one is being traced and are
    # later replaced, so storing one would leave a record that stops matching
    # DfE and school data. This system therefore accepts permanent UPNs only.
    if _TEMPORARY_UPN.fullmatch(upn):
        return UPN_TEMPORARY_ERROR
    if not _PERMANENT_UPN.fullmatch(upn):
        return UPN_FORMAT_ERROR
    if upn[0] != _upn_check_letter(upn[1:]):
        return UPN_CHECK_LETTER_ERROR
    return None


def upn_with_check_letter(digits12: str) -> str:
    """Return a permanent UPN made from ``digits12`` with the correct check letter.

    Uses the check letter calculation in DfE UPN guidance, Annex A.
    Raises ``ValueError`` unless ``digits12`` is exactly 12 ASCII digits.
    """
    if not _TWELVE_DIGITS.fullmatch(digits12):
        raise ValueError(f"expected 12 digits, got {digits12!r}")
    return _upn_check_letter(digits12) + digits12


# --------------------------------------------------------------------------
# NHS number
# --------------------------------------------------------------------------

_TEN_DIGITS: Final = re.compile(r"[0-9]{10}")
_NINE_DIGITS: Final = re.compile(r"[0-9]{9}")
# Hyphens as well as spaces, because NHS numbers are commonly written 3-3-4
# with either separator.
_NHS_SEPARATORS: Final = re.compile(r"[\s\-]+")

NHS_NUMBER_EMPTY_ERROR: Final = "Enter an NHS number"
NHS_NUMBER_FORMAT_ERROR: Final = "Enter an NHS number with 10 digits, like 943 476 5919"
NHS_NUMBER_INVALID_ERROR: Final = "The NHS number is not valid: check the number and try again"


def _nhs_check_digit(digits9: str) -> int | None:
    weights = range(10, 1, -1)
    total = sum(int(digit) * weight for weight, digit in zip(weights, digits9, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    # No single digit can represent 10, so the NHS never issues a number whose
    # first nine digits produce it.
    if check == 10:
        return None
    return check


def normalise_nhs_number(value: str) -> str:
    """Return ``value`` as an NHS number would be stored: digits only, no separators.

    Format from the NHS Data Dictionary, "NHS Number": 10 digits.
    """
    return _NHS_SEPARATORS.sub("", value)


def nhs_number_error(value: str) -> str | None:
    """Return an error message for ``value`` as an NHS number, or ``None`` if valid.

    Rule source: NHS Data Dictionary, "NHS Number" (Modulus 11 check). The first
    nine digits are weighted 10 down to 2; the check digit is 11 minus the sum
    modulo 11, with 11 read as 0 and 10 meaning the number is invalid.
    """
    number = normalise_nhs_number(value)
    if not number:
        return NHS_NUMBER_EMPTY_ERROR
    if not _TEN_DIGITS.fullmatch(number):
        return NHS_NUMBER_FORMAT_ERROR
    check = _nhs_check_digit(number[:9])
    if check is None or check != int(number[9]):
        return NHS_NUMBER_INVALID_ERROR
    return None


def nhs_number_with_check_digit(digits9: str) -> str | None:
    """Return a valid NHS number made from ``digits9``, or ``None`` if there is none.

    Uses the NHS Data Dictionary Modulus 11 check. ``None`` means the nine
    digits give a check value of 10, so no valid NHS number starts with them.
    Raises ``ValueError`` unless ``digits9`` is exactly 9 ASCII digits.
    """
    if not _NINE_DIGITS.fullmatch(digits9):
        raise ValueError(f"expected 9 digits, got {digits9!r}")
    check = _nhs_check_digit(digits9)
    if check is None:
        return None
    return f"{digits9}{check}"


# --------------------------------------------------------------------------
# National Insurance number (NINO)
# --------------------------------------------------------------------------

_NI_NUMBER: Final = re.compile(r"[A-Z]{2}[0-9]{6}[A-D]")
_NI_NOT_FIRST: Final = frozenset("DFIQUV")
# O is additionally barred from second place because it reads as zero.
_NI_NOT_SECOND: Final = frozenset("DFIOQUV")
_NI_UNALLOCATED_PREFIXES: Final = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

NI_NUMBER_EMPTY_ERROR: Final = "Enter a National Insurance number"
NI_NUMBER_FORMAT_ERROR: Final = (
    "Enter a National Insurance number in the correct format, like QQ 12 34 56 C"
)
NI_NUMBER_INVALID_ERROR: Final = (
    "The National Insurance number is not valid: check the number and try again"
)


def normalise_ni_number(value: str) -> str:
    """Return ``value`` as a National Insurance number would be stored.

    Removes whitespace and upper-cases, so "qq 12 34 56 c" becomes "QQ123456C".
    Format from HMRC National Insurance Manual NIM39110.
    """
    return _without_whitespace(value).upper()


def ni_number_error(value: str) -> str | None:
    """Return an error message for ``value`` as a NINO, or ``None`` if it is valid.

    Rule source: HMRC National Insurance Manual NIM39110. Two prefix letters,
    six digits and a suffix of A, B, C or D. D, F, I, Q, U and V are never used
    in the prefix, O is never the second letter, and the prefixes BG, GB, KN,
    NK, NT, TN and ZZ are not allocated.
    """
    nino = normalise_ni_number(value)
    if not nino:
        return NI_NUMBER_EMPTY_ERROR
    # The suffix is required, even though HMRC says a NINO is unique without
    # it, because the FEEDS contract defines the field as two letters, six
    # digits and A-D.
    if not _NI_NUMBER.fullmatch(nino):
        return NI_NUMBER_FORMAT_ERROR
    prefix = nino[:2]
    if (
        prefix[0] in _NI_NOT_FIRST
        or prefix[1] in _NI_NOT_SECOND
        or prefix in _NI_UNALLOCATED_PREFIXES
    ):
        return NI_NUMBER_INVALID_ERROR
    return None


# --------------------------------------------------------------------------
# Postcode
# --------------------------------------------------------------------------

# Letter restrictions by position follow the Royal Mail Postcode Address File
# rules: they let us reject common typos (an I or O for a 1 or 0) without
# looking the postcode up.
_FIRST: Final = "[A-PR-UWYZ]"  # never Q, V or X
_SECOND: Final = "[A-HK-Y]"  # never I, J or Z
_THIRD_A9A: Final = "[ABCDEFGHJKPSTUW]"
_FOURTH_AA9A: Final = "[ABEHMNPRVWXY]"
_INWARD: Final = "[0-9][ABD-HJLNP-UW-Z]{2}"  # never C, I, K, M, O or V
_OUTWARD: Final = (
    f"(?:{_FIRST}[0-9]{{1,2}}"
    f"|{_FIRST}{_SECOND}[0-9]{{1,2}}"
    f"|{_FIRST}[0-9]{_THIRD_A9A}"
    f"|{_FIRST}{_SECOND}[0-9]{_FOURTH_AA9A})"
)
# GIR 0AA (historically Girobank) predates the current scheme and breaks
# every positional rule, so it is listed explicitly.
_POSTCODE: Final = re.compile(rf"{_OUTWARD} {_INWARD}|GIR 0AA")
_INWARD_LENGTH: Final = 3
# The shortest real postcode, such as "M1 1AE", has five characters.
_SHORTEST_POSTCODE: Final = 5

POSTCODE_EMPTY_ERROR: Final = "Enter a postcode"
POSTCODE_FORMAT_ERROR: Final = "Enter a real postcode, like SO23 8UG"


def normalise_postcode(value: str) -> str:
    """Return ``value`` as a postcode would be stored, for example "SO23 8UG".

    Upper-cases and puts exactly one space before the three-character inward
    code, wherever (or whether) the person typed one. Values too short to be a
    postcode are returned upper-cased without whitespace. Format from the Royal
    Mail Postcode Address File programmers' guide.
    """
    compact = _without_whitespace(value).upper()
    if len(compact) < _SHORTEST_POSTCODE:
        return compact
    return f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"


def postcode_error(value: str) -> str | None:
    """Return an error message for ``value`` as a UK postcode, or ``None`` if valid.

    Rule source: Royal Mail Postcode Address File programmers' guide (postcode
    format and letters allowed in each position), plus the special GIR 0AA.
    Checks the format only; it cannot tell whether the postcode is in use.
    """
    postcode = normalise_postcode(value)
    if not postcode:
        return POSTCODE_EMPTY_ERROR
    if not _POSTCODE.fullmatch(postcode):
        return POSTCODE_FORMAT_ERROR
    return None


def postcode_district(value: str) -> str:
    """Return the postcode district (outward code), so "SO23 8UG" gives "SO23".

    Raises ``ValueError`` if ``value`` is not a valid postcode, because the
    split into outward and inward codes is meaningless otherwise.
    """
    error = postcode_error(value)
    if error is not None:
        raise ValueError(error)
    return normalise_postcode(value).split(" ", 1)[0]
