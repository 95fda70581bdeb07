"""Citizen ID numbers (GB 11643) and unified social credit codes (GB 32100),
docs/rules/identity.md §F."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onewindow.lib.idnumbers import (
    CREDIT_ALPHABET,
    CREDIT_WEIGHTS,
    CitizenIdProblem,
    CreditCodeStatus,
    check_citizen_id,
    check_credit_code,
    citizen_check_char,
    credit_check_char,
    id_birth_date,
    make_citizen_id,
    make_credit_code,
)

TODAY = dt.date(2026, 11, 26)


def citizen(value: str) -> CitizenIdProblem | None:
    return check_citizen_id(value, today=TODAY).problem


# --- F1 examples --------------------------------------------------------------------------
def test_the_f1_example_is_valid() -> None:
    result = check_citizen_id("11010519491231002X", today=TODAY)
    assert result.ok
    assert result.message == ""
    assert result.number == "11010519491231002X"


def test_the_f1_counter_example_fails_its_check_digit() -> None:
    result = check_citizen_id("110105194912310021", today=TODAY)
    assert result.problem is CitizenIdProblem.CHECK_DIGIT
    assert result.message == "身份证号校验位不正确，请核对后重新输入。"


def test_a_lowercase_x_is_read_as_uppercase() -> None:
    result = check_citizen_id("11010519491231002x", today=TODAY)
    assert result.ok
    assert result.number == "11010519491231002X"


def test_full_width_digits_and_spaces_from_an_ime_are_normalised() -> None:
    result = check_citizen_id(" １１０１０５ 19491231 002Ｘ ", today=TODAY)
    assert result.ok
    assert result.number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "problem", "message"),
    [
        ("", CitizenIdProblem.LENGTH, "身份证号应为18位。"),
        ("11010519491231002", CitizenIdProblem.LENGTH, "身份证号应为18位。"),
        ("110105194912310020X", CitizenIdProblem.LENGTH, "身份证号应为18位。"),
        # The old 15-digit numbers are no longer issued.
        ("110105491231002", CitizenIdProblem.LENGTH, "身份证号应为18位。"),
        (
            "1101051949123100XX",
            CitizenIdProblem.CHARACTERS,
            "身份证号前17位应为数字，最后一位应为数字或字母X。",
        ),
        ("11010519491231002Y", CitizenIdProblem.CHARACTERS, None),
        ("11010519491231002-", CitizenIdProblem.CHARACTERS, None),
        ("010105194912310025", CitizenIdProblem.REGION, "身份证号前6位不是有效的行政区划代码。"),
        ("910105194912310025", CitizenIdProblem.REGION, None),
        (
            "110105194902300023",
            CitizenIdProblem.BIRTH_DATE,
            "身份证号中的出生日期（第7至14位）无效。",
        ),
    ],
)
def test_each_problem_is_named(value: str, problem: CitizenIdProblem, message: str | None) -> None:
    result = check_citizen_id(value, today=TODAY)
    assert result.problem is problem
    assert not result.ok
    if message is not None:
        assert result.message == message


@pytest.mark.parametrize(
    "birth",
    [dt.date(1899, 12, 31), dt.date(2026, 11, 27), dt.date(2030, 1, 1)],
    ids=["before-1900", "tomorrow", "future"],
)
def test_a_birth_date_before_1900_or_in_the_future_is_refused(birth: dt.date) -> None:
    assert citizen(make_citizen_id("420700", birth, 12)) is CitizenIdProblem.BIRTH_DATE


@pytest.mark.parametrize("birth", [dt.date(1900, 1, 1), TODAY, dt.date(2000, 2, 29)])
def test_birth_dates_at_the_edges_are_accepted(birth: dt.date) -> None:
    assert citizen(make_citizen_id("420700", birth, 12)) is None


@pytest.mark.parametrize("date_part", ["19490229", "19491301", "19490001", "19490431", "19490100"])
def test_dates_that_are_not_on_the_calendar_are_refused(date_part: str) -> None:
    first17 = f"110105{date_part}002"
    assert citizen(first17 + citizen_check_char(first17)) is CitizenIdProblem.BIRTH_DATE


def test_id_birth_date_reads_the_date() -> None:
    assert id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert id_birth_date("11010519491231002x") == dt.date(1949, 12, 31)
    assert id_birth_date("110105194902300023") is None
    assert id_birth_date("1101051949") is None


def test_make_citizen_id_refuses_bad_parts() -> None:
    with pytest.raises(ValueError):
        make_citizen_id("4207", dt.date(1990, 1, 1), 1)
    with pytest.raises(ValueError):
        make_citizen_id("420700", dt.date(1990, 1, 1), 1000)


# --- F2 examples --------------------------------------------------------------------------
def test_the_f2_example_is_valid() -> None:
    result = check_credit_code("91110000600037341L")
    assert result.ok
    assert not result.malformed
    assert not result.check_digit_failed
    assert result.message == ""


def test_a_lowercase_credit_code_is_read_as_uppercase() -> None:
    result = check_credit_code(" 91110000600037341l ")
    assert result.ok
    assert result.code == "91110000600037341L"


def test_a_wrong_check_character_is_a_warning_not_malformed() -> None:
    result = check_credit_code("91110000600037341M")
    assert result.status is CreditCodeStatus.CHECK_DIGIT
    assert result.check_digit_failed
    assert not result.malformed
    assert "我确认该代码与营业执照一致" in result.message


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("", CreditCodeStatus.LENGTH),
        ("91110000600037341", CreditCodeStatus.LENGTH),
        ("91110000600037341LL", CreditCodeStatus.LENGTH),
        ("9111000060003734IL", CreditCodeStatus.CHARACTERS),  # I is not in the alphabet
        ("9111000060003734OL", CreditCodeStatus.CHARACTERS),
        ("91110000600037341Z", CreditCodeStatus.CHARACTERS),
        ("91110000-00037341L", CreditCodeStatus.CHARACTERS),
    ],
)
def test_malformed_credit_codes_are_refused(value: str, status: CreditCodeStatus) -> None:
    result = check_credit_code(value)
    assert result.status is status
    assert result.malformed
    assert not result.check_digit_failed
    assert result.message


def test_the_check_value_31_becomes_0() -> None:
    # Find a prefix whose weighted sum is a multiple of 31: 31 - 0 = 31 must map to "0".
    prefix = next(
        p
        for p in (f"9142070000000{n:04d}" for n in range(10_000))
        if sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(p, CREDIT_WEIGHTS, strict=True)) % 31
        == 0
    )
    assert credit_check_char(prefix) == "0"
    assert check_credit_code(prefix + "0").ok


def test_make_credit_code_refuses_characters_outside_the_alphabet() -> None:
    with pytest.raises(ValueError):
        make_credit_code("9111000060003734I")
    with pytest.raises(ValueError):
        make_credit_code("911100006")


# --- properties -----------------------------------------------------------------------------
regions = st.builds(
    lambda first, rest: f"{first}{rest:05d}",
    st.sampled_from("12345678"),
    st.integers(0, 99_999),
)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
citizen_ids = st.builds(make_citizen_id, regions, births, st.integers(0, 999))
credit_codes = st.builds(
    make_credit_code, st.text(alphabet=CREDIT_ALPHABET, min_size=17, max_size=17)
)


@given(citizen_ids)
def test_generated_citizen_ids_are_valid(number: str) -> None:
    assert citizen(number) is None
    assert citizen(number.lower()) is None
    assert id_birth_date(number) is not None


@given(citizen_ids, st.integers(0, 17), st.sampled_from("0123456789X"))
def test_changing_one_character_of_a_citizen_id_is_always_caught(
    number: str, position: int, char: str
) -> None:
    """MOD 11-2 catches every single substitution, so the check digit always breaks.

    The problem reported is the first check that fails: the region if its first digit left 1-8,
    else the date of birth if it is no longer a real date in range, else the check digit.
    """
    changed = number[:position] + char + number[position + 1 :]
    if changed == number or (position < 17 and char == "X"):
        return  # not a change, or not a digit where a digit belongs (a CHARACTERS problem)
    assert citizen_check_char(changed[:17]) != changed[17]
    born = id_birth_date(changed)
    if changed[0] not in "12345678":
        expected = CitizenIdProblem.REGION
    elif born is None or not dt.date(1900, 1, 1) <= born <= TODAY:
        expected = CitizenIdProblem.BIRTH_DATE
    else:
        expected = CitizenIdProblem.CHECK_DIGIT
    assert citizen(changed) is expected


@given(citizen_ids, st.integers(0, 16))
def test_a_letter_among_the_first_17_digits_is_a_character_problem(
    number: str, position: int
) -> None:
    changed = number[:position] + "X" + number[position + 1 :]
    assert citizen(changed) is CitizenIdProblem.CHARACTERS


@given(credit_codes)
def test_generated_credit_codes_are_valid(code: str) -> None:
    assert check_credit_code(code).ok
    assert check_credit_code(code.lower()).ok


@given(credit_codes, st.integers(0, 17), st.sampled_from(CREDIT_ALPHABET))
def test_changing_one_character_of_a_credit_code_breaks_the_check(
    code: str, position: int, char: str
) -> None:
    """MOD 31 with weights prime to 31 catches every substitution within the alphabet."""
    changed = code[:position] + char + code[position + 1 :]
    if changed == code:
        return
    assert check_credit_code(changed).status is CreditCodeStatus.CHECK_DIGIT


@given(credit_codes, st.integers(0, 17), st.sampled_from("IOSVZ-_ 中"))
def test_a_character_outside_the_alphabet_makes_a_credit_code_malformed(
    code: str, position: int, char: str
) -> None:
    changed = code[:position] + char + code[position + 1 :]
    result = check_credit_code(changed)
    assert result.malformed
    # A space is removed by normalisation, which shortens the code instead.
    assert result.status is (
        CreditCodeStatus.LENGTH if char == " " else CreditCodeStatus.CHARACTERS
    )
