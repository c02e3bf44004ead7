"""No repeated characters or simple sequences (oneplan/passwords.py), on top of Django's
length and common-password rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from agencies.models import User
from conftest import World
from oneplan.passwords import MESSAGE, RepeatOrSequenceValidator, is_repeat_or_sequence

PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        # One character, any case.
        ("aaaaaaaaaaaa", True),
        ("AAAAAAAAAAAA", True),
        ("AaAaAaAaAaAa", True),  # the same letter, whatever its case
        ("111111111111", True),
        ("            ", True),  # 12 spaces
        # Walks along the alphabet or the digits, either way, going round the end.
        ("abcdefghijkl", True),
        ("ABCDEFGHIJKL", True),
        ("lkjihgfedcba", True),
        ("wxyzabcdefgh", True),
        ("123456789012", True),
        ("098765432109", True),
        # Keyboard rows, running on to the next row as fingers do; shifted too.
        ("qwertyuiop[]", True),
        ("QWERTYUIOP{}", True),
        ("1234567890-=", True),
        ("!@#$%^&*()_+", True),
        ("asdfghjkl;'z", True),
        # Two runs are still a pattern.
        ("abcdef123456", True),
        ("aaaaaa111111", True),
        ("aaaaaaaaaaa1", True),  # one different character at either end
        ("1aaaaaaaaaaa", True),
        ("qwertyuiop12", True),
        ("zzzzzzzzzzzx", True),  # z then x is a keyboard step, but a new run
        # One block, said three times or more (a last partial block counts).
        ("abcabcabcabc", True),
        ("121212121212", True),
        ("Aa1!Aa1!Aa1!", True),
        ("abcdabcdabcdab", True),
        # Not refused: three runs or more, steps of two, blocks said only twice.
        ("abcdef12345x9q", False),
        ("acegikmoqsuw", False),
        ("a1b2c3d4e5f6", False),
        ("passwordpassword", False),  # left to the common-password rule
        ("h4Xq9vTz2Lmw", False),
        ("correct-horse-battery", False),
        ("all lower case words here", False),
        ("Tr0ub4dor&3x", False),
        ("", False),  # left to the length rule
    ],
)
def test_repeats_and_sequences(password: str, refused: bool) -> None:
    assert is_repeat_or_sequence(password) is refused
    validator = RepeatOrSequenceValidator()
    if refused:
        with pytest.raises(ValidationError) as raised:
            validator.validate(password)
        assert raised.value.messages == [MESSAGE]
        assert raised.value.error_list[0].code == "password_repeat_or_sequence"
    else:
        validator.validate(password)


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "123456789012", "qwertyuiop12"])
def test_the_rule_is_one_of_the_sites_password_rules(db: None, password: str) -> None:
    user = User(username="someone", first_name="Sam", last_name="Jones")

    with pytest.raises(ValidationError) as raised:
        password_validation.validate_password(password, user)

    assert MESSAGE in raised.value.messages


def test_the_message_is_in_govuk_style() -> None:
    assert MESSAGE == (
        "Your password cannot be a repeated character or a simple sequence, "
        "like 111111111111 or abcdefghijkl"
    )


def test_changing_to_a_sequence_is_refused_with_the_message(world: World) -> None:
    client = Client()
    client.post(reverse("login"), {"login": "keyworker", "password": PASSWORD})

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "123456789012", "password2": "123456789012"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert MESSAGE in html
    world.keyworker.user.refresh_from_db()
    assert world.keyworker.user.check_password(PASSWORD)
