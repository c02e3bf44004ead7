"""Tests for families.identifiers: pure functions, so no database is needed."""

from __future__ import annotations

import string
from collections.abc import Callable

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from families.identifiers import (
    NHS_NUMBER_EMPTY_ERROR,
    NHS_NUMBER_FORMAT_ERROR,
    NHS_NUMBER_INVALID_ERROR,
    NI_NUMBER_EMPTY_ERROR,
    NI_NUMBER_FORMAT_ERROR,
    NI_NUMBER_INVALID_ERROR,
    POSTCODE_EMPTY_ERROR,
    POSTCODE_FORMAT_ERROR,
    UPN_CHECK_LETTER_ERROR,
    UPN_CHECK_LETTERS,
    UPN_EMPTY_ERROR,
    UPN_FORMAT_ERROR,
    UPN_TEMPORARY_ERROR,
    nhs_number_error,
    nhs_number_with_check_digit,
    ni_number_error,
    normalise_nhs_number,
    normalise_ni_number,
    normalise_postcode,
    normalise_upn,
    postcode_district,
    postcode_error,
    upn_error,
    upn_with_check_letter,
)

digits = st.sampled_from(string.digits)
twelve_digits = st.text(alphabet=string.digits, min_size=12, max_size=12)
nine_digits = st.text(alphabet=string.digits, min_size=9, max_size=9)


def _valid_nhs_number(digits9: str) -> str:
    number = nhs_number_with_check_digit(digits9)
    # About one in eleven prefixes has no valid check digit; skip those here
    # and cover them in their own test.
    assume(number is not None)
    assert number is not None
    return number


def _replace(value: str, index: int, char: str) -> str:
    return value[:index] + char + value[index + 1 :]


def _swap(value: str, index: int) -> str:
    return value[:index] + value[index + 1] + value[index] + value[index + 2 :]


# --------------------------------------------------------------------------
# UPN
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        # The example used in our own error message.
        "A123456789012",
        # Published as valid in the python-stdnum documentation; worked by
        # hand: sum 93, 93 mod 23 = 1 -> B.
        "B801200005001",
        # A worked example on a supplier's help page (census error 1510) adds
        # its products to 267 instead of 266 and so gives Q; 266 mod 23 = 13,
        # which is P.
        "P207000016049",
        "a123456789012",
        " A123456789012 ",
        "A1234 5678 9012",
        "A123456789012\u00a0",
    ],
)
def test_valid_upns(value: str) -> None:
    assert upn_error(value) is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", UPN_EMPTY_ERROR),
        ("   ", UPN_EMPTY_ERROR),
        ("B123456789012", UPN_CHECK_LETTER_ERROR),
        ("A801200005001", UPN_CHECK_LETTER_ERROR),
        ("Q207000016049", UPN_CHECK_LETTER_ERROR),
        # I, O and S are never check letters.
        ("I123456789012", UPN_CHECK_LETTER_ERROR),
        ("O123456789012", UPN_CHECK_LETTER_ERROR),
        ("S123456789012", UPN_CHECK_LETTER_ERROR),
        ("A12345678901A", UPN_TEMPORARY_ERROR),
        ("a12345678901b", UPN_TEMPORARY_ERROR),
        ("A12345678901", UPN_FORMAT_ERROR),
        ("A1234567890123", UPN_FORMAT_ERROR),
        ("1234567890123", UPN_FORMAT_ERROR),
        ("X80120000A001", UPN_FORMAT_ERROR),
        ("A123456789-012", UPN_FORMAT_ERROR),
        # Arabic-Indic digits: str.isdigit() and int() accept them, we must not.
        (
            "A\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",
            UPN_FORMAT_ERROR,
        ),
    ],
)
def test_invalid_upns(value: str, error: str) -> None:
    assert upn_error(value) == error


def test_normalise_upn() -> None:
    assert normalise_upn(" a1234 5678 9012\n") == "A123456789012"


@pytest.mark.parametrize("value", ["", "12345678901", "1234567890123", "12345678901A"])
def test_upn_with_check_letter_rejects_bad_input(value: str) -> None:
    with pytest.raises(ValueError, match="12 digits"):
        upn_with_check_letter(value)


def test_upn_with_check_letter_matches_known_example() -> None:
    assert upn_with_check_letter("801200005001") == "B801200005001"


@given(twelve_digits)
def test_generated_upns_validate(digits12: str) -> None:
    upn = upn_with_check_letter(digits12)
    assert upn[1:] == digits12
    assert upn[0] in UPN_CHECK_LETTERS
    assert upn_error(upn) is None


@given(twelve_digits)
def test_exactly_one_letter_completes_any_twelve_digits(digits12: str) -> None:
    fitting = [letter for letter in string.ascii_uppercase if upn_error(letter + digits12) is None]
    assert fitting == [upn_with_check_letter(digits12)[0]]


@given(twelve_digits, st.integers(min_value=1, max_value=12), digits)
def test_upn_single_digit_change_is_always_detected(
    digits12: str, position: int, replacement: str
) -> None:
    # This holds for every change, not just most: altering the digit weighted
    # w by d (1 <= |d| <= 9) shifts the sum by w*d, and since 23 is prime and
    # both 2 <= w <= 13 and |d| are below 23, w*d is never a multiple of 23.
    upn = upn_with_check_letter(digits12)
    assume(upn[position] != replacement)
    assert upn_error(_replace(upn, position, replacement)) == UPN_CHECK_LETTER_ERROR


@given(twelve_digits, st.integers(min_value=1, max_value=11))
def test_upn_adjacent_transposition_is_always_detected(digits12: str, position: int) -> None:
    # Neighbouring weights differ by 1, so swapping digits a and b shifts the
    # sum by +/-(a - b), which is between 1 and 9 and never a multiple of 23.
    upn = upn_with_check_letter(digits12)
    assume(upn[position] != upn[position + 1])
    assert upn_error(_swap(upn, position)) == UPN_CHECK_LETTER_ERROR


@given(twelve_digits, st.sampled_from(string.ascii_uppercase))
def test_upn_wrong_check_letter_is_detected(digits12: str, letter: str) -> None:
    upn = upn_with_check_letter(digits12)
    assume(letter != upn[0])
    assert upn_error(letter + digits12) == UPN_CHECK_LETTER_ERROR


# --------------------------------------------------------------------------
# NHS number
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        # Both published widely as example NHS numbers; checked by hand:
        # 9434765919: sum 299, 299 mod 11 = 2, 11 - 2 = 9.
        # 4010232137: sum 92, 92 mod 11 = 4, 11 - 4 = 7.
        "9434765919",
        "4010232137",
        "943 476 5919",
        "943-476-5919",
        " 401 023 2137 ",
        "401 - 023 - 2137",
        # Check value 11 is written as 0: 3 * 3 + 1 * 2 = 11, 11 mod 11 = 0.
        "0000000310",
    ],
)
def test_valid_nhs_numbers(value: str) -> None:
    assert nhs_number_error(value) is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", NHS_NUMBER_EMPTY_ERROR),
        (" - ", NHS_NUMBER_EMPTY_ERROR),
        ("9434765918", NHS_NUMBER_INVALID_ERROR),
        ("4010232138", NHS_NUMBER_INVALID_ERROR),
        # First nine digits give check value 10 (sum 1), so no tenth digit works.
        ("0000000060", NHS_NUMBER_INVALID_ERROR),
        ("0000000061", NHS_NUMBER_INVALID_ERROR),
        ("943476591", NHS_NUMBER_FORMAT_ERROR),
        ("94347659190", NHS_NUMBER_FORMAT_ERROR),
        ("943.476.5919", NHS_NUMBER_FORMAT_ERROR),
        ("943476591O", NHS_NUMBER_FORMAT_ERROR),
        (
            "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",
            NHS_NUMBER_FORMAT_ERROR,
        ),
    ],
)
def test_invalid_nhs_numbers(value: str, error: str) -> None:
    assert nhs_number_error(value) == error


def test_check_value_ten_prefix_really_has_no_check_digit() -> None:
    # 000000006 gives 6 * 2 = 12, 12 mod 11 = 1, 11 - 1 = 10.
    assert nhs_number_with_check_digit("000000006") is None


def test_normalise_nhs_number() -> None:
    assert normalise_nhs_number(" 943 476-5919\t") == "9434765919"


@pytest.mark.parametrize("value", ["", "12345678", "1234567890", "12345678X"])
def test_nhs_number_with_check_digit_rejects_bad_input(value: str) -> None:
    with pytest.raises(ValueError, match="9 digits"):
        nhs_number_with_check_digit(value)


def test_nhs_number_with_check_digit_matches_known_examples() -> None:
    assert nhs_number_with_check_digit("943476591") == "9434765919"
    assert nhs_number_with_check_digit("401023213") == "4010232137"


@given(nine_digits)
def test_check_digit_helper_agrees_with_validator(digits9: str) -> None:
    fitting = [d for d in string.digits if nhs_number_error(digits9 + d) is None]
    number = nhs_number_with_check_digit(digits9)
    if number is None:
        assert fitting == []
    else:
        assert fitting == [number[9]]


@given(nine_digits)
def test_generated_nhs_numbers_validate(digits9: str) -> None:
    number = _valid_nhs_number(digits9)
    assert nhs_number_error(number) is None
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert nhs_number_error(spaced) is None


@given(nine_digits, st.integers(min_value=0, max_value=9), digits)
def test_nhs_single_digit_change_is_always_detected(
    digits9: str, position: int, replacement: str
) -> None:
    # A valid number satisfies sum(w_i * d_i) = 0 (mod 11) with weights 10..2
    # and weight 1 on the check digit. Changing the digit weighted w by d
    # adds w*d; 11 is prime and 1 <= w <= 10, 1 <= |d| <= 9, so the sum can
    # never return to 0. (If the new prefix gives check value 10 the number
    # is rejected on that ground instead, with the same message.)
    number = _valid_nhs_number(digits9)
    assume(number[position] != replacement)
    changed = _replace(number, position, replacement)
    assert nhs_number_error(changed) == NHS_NUMBER_INVALID_ERROR


@given(nine_digits, st.integers(min_value=0, max_value=8))
def test_nhs_adjacent_transposition_is_always_detected(digits9: str, position: int) -> None:
    # Neighbouring weights (including 2 and the check digit's 1) differ by 1,
    # so a swap shifts the sum by +/-(a - b), never a multiple of 11.
    number = _valid_nhs_number(digits9)
    assume(number[position] != number[position + 1])
    assert nhs_number_error(_swap(number, position)) == NHS_NUMBER_INVALID_ERROR


# --------------------------------------------------------------------------
# National Insurance number
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "AB123456C",
        "AB 12 34 56 C",
        "ab123456d",
        " JG 10 37 59 A ",
        "ZY000000B",
        # O is barred only in second place.
        "OA123456A",
        "NA123456A",
        "TA123456A",
    ],
)
def test_valid_ni_numbers(value: str) -> None:
    assert ni_number_error(value) is None


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", NI_NUMBER_EMPTY_ERROR),
        ("  ", NI_NUMBER_EMPTY_ERROR),
        # The FEEDS contract requires the suffix.
        ("AB123456", NI_NUMBER_FORMAT_ERROR),
        ("AB123456E", NI_NUMBER_FORMAT_ERROR),
        ("AB12345C", NI_NUMBER_FORMAT_ERROR),
        ("AB1234567C", NI_NUMBER_FORMAT_ERROR),
        ("A1123456C", NI_NUMBER_FORMAT_ERROR),
        ("AB-12-34-56-C", NI_NUMBER_FORMAT_ERROR),
        # Barred first letters.
        ("DA123456A", NI_NUMBER_INVALID_ERROR),
        ("FA123456A", NI_NUMBER_INVALID_ERROR),
        ("IA123456A", NI_NUMBER_INVALID_ERROR),
        ("QA123456A", NI_NUMBER_INVALID_ERROR),
        ("UA123456A", NI_NUMBER_INVALID_ERROR),
        ("VA123456A", NI_NUMBER_INVALID_ERROR),
        # Barred second letters.
        ("AD123456A", NI_NUMBER_INVALID_ERROR),
        ("AF123456A", NI_NUMBER_INVALID_ERROR),
        ("AI123456A", NI_NUMBER_INVALID_ERROR),
        ("AO123456A", NI_NUMBER_INVALID_ERROR),
        ("AQ123456A", NI_NUMBER_INVALID_ERROR),
        ("AU123456A", NI_NUMBER_INVALID_ERROR),
        ("AV123456A", NI_NUMBER_INVALID_ERROR),
        # Unallocated prefixes.
        ("BG123456A", NI_NUMBER_INVALID_ERROR),
        ("GB123456A", NI_NUMBER_INVALID_ERROR),
        ("KN123456A", NI_NUMBER_INVALID_ERROR),
        ("NK123456A", NI_NUMBER_INVALID_ERROR),
        ("NT123456A", NI_NUMBER_INVALID_ERROR),
        ("TN123456A", NI_NUMBER_INVALID_ERROR),
        ("ZZ123456A", NI_NUMBER_INVALID_ERROR),
        # HMRC's own example is deliberately unallocatable, which is why it is
        # safe to show in our error message.
        ("QQ 12 34 56 C", NI_NUMBER_INVALID_ERROR),
    ],
)
def test_invalid_ni_numbers(value: str, error: str) -> None:
    assert ni_number_error(value) == error


def test_normalise_ni_number() -> None:
    assert normalise_ni_number(" qq 12 34 56 c ") == "QQ123456C"


def test_number_of_allowed_ni_prefixes() -> None:
    # 20 allowed first letters x 19 allowed second letters, less the 7
    # unallocated prefixes (all of which are otherwise well formed).
    allowed = [
        a + b
        for a in string.ascii_uppercase
        for b in string.ascii_uppercase
        if ni_number_error(f"{a}{b}123456A") is None
    ]
    assert len(allowed) == 20 * 19 - 7


@given(
    st.text(alphabet=string.digits, min_size=6, max_size=6),
    st.sampled_from("ABCD"),
)
def test_ni_suffix_and_digits_do_not_affect_validity(six_digits: str, suffix: str) -> None:
    assert ni_number_error(f"AB{six_digits}{suffix}") is None
    assert ni_number_error(f"ZZ{six_digits}{suffix}") == NI_NUMBER_INVALID_ERROR


# --------------------------------------------------------------------------
# Postcode
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "normalised", "district"),
    [
        ("SO23 8UG", "SO23 8UG", "SO23"),
        ("so23 8ug", "SO23 8UG", "SO23"),
        ("SO238UG", "SO23 8UG", "SO23"),
        ("  so 23 8ug ", "SO23 8UG", "SO23"),
        ("SO23\u00a08UG", "SO23 8UG", "SO23"),
        ("M1 1AE", "M1 1AE", "M1"),  # A9 9AA
        ("B33 8TH", "B33 8TH", "B33"),  # A99 9AA
        ("CR2 6XH", "CR2 6XH", "CR2"),  # AA9 9AA
        ("DN55 1PT", "DN55 1PT", "DN55"),  # AA99 9AA
        ("W1A 1HQ", "W1A 1HQ", "W1A"),  # A9A 9AA
        ("EC1A 1BB", "EC1A 1BB", "EC1A"),  # AA9A 9AA
        ("SW1A 2AA", "SW1A 2AA", "SW1A"),
        ("N1C 4AG", "N1C 4AG", "N1C"),
        ("gir0aa", "GIR 0AA", "GIR"),
    ],
)
def test_valid_postcodes(value: str, normalised: str, district: str) -> None:
    assert postcode_error(value) is None
    assert normalise_postcode(value) == normalised
    assert postcode_district(value) == district


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", POSTCODE_EMPTY_ERROR),
        (" ", POSTCODE_EMPTY_ERROR),
        ("SO23", POSTCODE_FORMAT_ERROR),
        ("SO23 8U", POSTCODE_FORMAT_ERROR),
        ("SO23 8UGX", POSTCODE_FORMAT_ERROR),
        ("SO2338UG", POSTCODE_FORMAT_ERROR),
        ("S0238UG", POSTCODE_FORMAT_ERROR),  # zero typed for O
        ("SO23 8IG", POSTCODE_FORMAT_ERROR),  # I never in the inward code
        ("SO23 8UC", POSTCODE_FORMAT_ERROR),  # nor C
        ("QO23 8UG", POSTCODE_FORMAT_ERROR),  # Q never first
        ("VA1 1AA", POSTCODE_FORMAT_ERROR),  # V never first
        ("XA1 1AA", POSTCODE_FORMAT_ERROR),  # X never first
        ("AI1 1AA", POSTCODE_FORMAT_ERROR),  # I never second
        ("AZ1 1AA", POSTCODE_FORMAT_ERROR),  # Z never second
        ("W1I 1AA", POSTCODE_FORMAT_ERROR),  # I not allowed as A9A's third
        ("EC1C 1AA", POSTCODE_FORMAT_ERROR),  # C not allowed as AA9A's fourth
        ("GIR 0AB", POSTCODE_FORMAT_ERROR),
        ("SO23-8UG", POSTCODE_FORMAT_ERROR),
        ("12345", POSTCODE_FORMAT_ERROR),
    ],
)
def test_invalid_postcodes(value: str, error: str) -> None:
    assert postcode_error(value) == error


@pytest.mark.parametrize("value", ["", "SO23", "not a postcode", "SO23 8IG"])
def test_postcode_district_rejects_invalid_postcodes(value: str) -> None:
    with pytest.raises(ValueError, match="postcode"):
        postcode_district(value)


@given(
    st.sampled_from(["SO23 8UG", "M1 1AE", "DN55 1PT", "EC1A 1BB", "GIR 0AA"]),
    st.data(),
)
def test_postcode_spacing_and_case_do_not_matter(postcode: str, data: st.DataObject) -> None:
    compact = postcode.replace(" ", "")
    cut = data.draw(st.integers(min_value=0, max_value=len(compact)))
    spaces = data.draw(st.text(alphabet=" \t", max_size=3))
    typed = data.draw(st.sampled_from([str.lower, str.upper]))(
        compact[:cut] + spaces + compact[cut:]
    )
    assert normalise_postcode(typed) == postcode
    assert postcode_error(typed) is None
    assert f"{postcode_district(typed)} {postcode[-3:]}" == postcode


# --------------------------------------------------------------------------
# Properties shared by every identifier
# --------------------------------------------------------------------------

NORMALISERS: list[Callable[[str], str]] = [
    normalise_upn,
    normalise_nhs_number,
    normalise_ni_number,
    normalise_postcode,
]
ERROR_CHECKS: list[tuple[Callable[[str], str], Callable[[str], str | None]]] = [
    (normalise_upn, upn_error),
    (normalise_nhs_number, nhs_number_error),
    (normalise_ni_number, ni_number_error),
    (normalise_postcode, postcode_error),
]
# Mostly characters that matter to these formats, plus arbitrary text so
# Unicode case and whitespace oddities get exercised too.
identifier_like_text = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + " -\t\u00a0", max_size=16),
    st.text(max_size=16),
)


@pytest.mark.parametrize("normalise", NORMALISERS, ids=lambda f: f.__name__)
@given(value=identifier_like_text)
def test_normalisation_is_idempotent(normalise: Callable[[str], str], value: str) -> None:
    once = normalise(value)
    assert normalise(once) == once


@pytest.mark.parametrize(("normalise", "error"), ERROR_CHECKS, ids=lambda f: f.__name__)
@given(value=identifier_like_text)
def test_errors_are_the_same_before_and_after_normalising(
    normalise: Callable[[str], str],
    error: Callable[[str], str | None],
    value: str,
) -> None:
    assert error(value) == error(normalise(value))


@pytest.mark.parametrize(
    ("error", "example"),
    [
        (upn_error, "A123456789012"),
        (nhs_number_error, "943 476 5919"),
        (postcode_error, "SO23 8UG"),
    ],
    ids=["upn", "nhs_number", "postcode"],
)
def test_examples_in_error_messages_are_valid(
    error: Callable[[str], str | None], example: str
) -> None:
    assert error(example) is None
