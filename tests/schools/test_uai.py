"""schools.uai: the UAI check letter (digits mod 23 in an alphabet without I, O and Q)."""

import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from schools.uai import is_valid_uai, uai_check_letter, validate_uai

# Worked by hand: index = int(digits) % 23 in "ABCDEFGHJKLMNPRSTUVWXYZ".
#   210001 = 23 × 9130 + 11          -> M
#   210002 = 23 × 9130 + 12          -> N
#   250001 = 23 × 10869 + 14         -> R
#   750654 = 23 × 32637 + 3          -> D (lycée Louis-le-Grand, Paris: 0750654D)
#   750699 = 23 × 32639 + 2          -> C (lycée Henri-IV, Paris: 0750699C)
#   9999999 = 23 × 434782 + 13       -> P
#   8, 13, 14: the letters after H, N and P skip I, O and Q.


@pytest.mark.parametrize(
    ("digits", "letter"),
    [
        ("0000000", "A"),
        ("0000001", "B"),
        ("0000008", "J"),
        ("0000013", "P"),
        ("0000014", "R"),
        ("0000022", "Z"),
        ("0000023", "A"),
        ("0210001", "M"),
        ("0210002", "N"),
        ("0250001", "R"),
        ("0750654", "D"),
        ("0750699", "C"),
        ("9999999", "P"),
    ],
)
def test_check_letter_worked_examples(digits, letter):
    assert uai_check_letter(digits) == letter


@pytest.mark.parametrize(
    "value",
    ["0210001M", "0750654D", "0750699C", "0000000A", "9999999P"],
)
def test_is_valid_uai_accepts_a_correct_check_letter(value):
    assert is_valid_uai(value) is True


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0210001m", id="lowercase-letter"),
        pytest.param("0210001", id="seven-chars"),
        pytest.param("02100010M", id="nine-chars-eight-digits"),
        pytest.param("0210001MM", id="nine-chars-two-letters"),
        pytest.param("0210001N", id="wrong-letter"),
        pytest.param("0210001L", id="letter-before-the-right-one"),
        pytest.param("0000008I", id="I-not-in-alphabet"),
        pytest.param("0000014O", id="O-not-in-alphabet"),
        pytest.param("0000016Q", id="Q-not-in-alphabet"),
        pytest.param("A0210001", id="letter-first"),
        pytest.param("021 001M", id="space-inside"),
        pytest.param(" 0210001M", id="leading-space"),
        pytest.param("", id="empty"),
        pytest.param(None, id="none"),
    ],
)
def test_is_valid_uai_rejects(value):
    assert is_valid_uai(value) is False


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("0210001M\n", id="trailing-newline"),
        pytest.param("٠٢١٠٠٠١M", id="arabic-indic-digits"),
    ],
)
def test_is_valid_uai_rejects_lookalikes(value):
    assert is_valid_uai(value) is False


def test_validate_uai_accepts_a_valid_uai():
    assert validate_uai("0210001M") is None


def test_validate_uai_names_the_expected_letter():
    with pytest.raises(ValidationError) as error:
        validate_uai("0210001N")

    assert error.value.code == "uai_check_letter"
    assert error.value.messages == ["L'UAI « 0210001N » est invalide : la lettre de contrôle devrait être M."]


@pytest.mark.parametrize("value", ["021000M", "0210001m", "02100011M"])
def test_validate_uai_rejects_a_malformed_value_in_french(value):
    with pytest.raises(ValidationError) as error:
        validate_uai(value)

    assert error.value.code == "uai_format"
    (message,) = error.value.messages
    assert message.startswith(f"« {value} » n'est pas un UAI : 7 chiffres suivis d'une lettre")


def test_validate_uai_format_message_example_is_a_valid_uai():
    with pytest.raises(ValidationError) as error:
        validate_uai("0210001")

    example = error.value.messages[0].rsplit(" ", 1)[-1].rstrip(".")
    assert example == "0210001M"
    assert is_valid_uai(example)


@given(st.integers(min_value=0, max_value=9_999_999))
def test_only_the_check_letter_makes_seven_digits_valid(number):
    digits = f"{number:07d}"
    letter = uai_check_letter(digits)

    assert letter in "ABCDEFGHJKLMNPRSTUVWXYZ"
    assert is_valid_uai(digits + letter) is True
    assert [other for other in string.ascii_uppercase if is_valid_uai(digits + other)] == [letter]
    assert not any(is_valid_uai(digits + other) for other in "IOQ")
