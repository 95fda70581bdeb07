"""Identity numbers (docs/rules/identity.md §F). Pure Python, no Django.

* F1: the citizen ID number of GB 11643-1999 (公民身份号码), 18 characters: a 6-digit region
  code, the date of birth as YYYYMMDD, a 3-digit sequence and a check character computed over
  the first 17 digits with the ISO 7064 MOD 11-2 weights.
* F2: the unified social credit code of GB 32100-2015 (统一社会信用代码), 18 characters from a
  31-character alphabet, the last one a MOD 31 check character. A few real codes fail their own
  check, so a check failure is a warning staff may confirm, not a hard reject.

Checks return a result naming what is wrong, with a Chinese message. The messages are marked
with ``gettext_noop`` so Django's ``makemessages`` collects them; callers inside Django pass
``result.message`` through ``gettext`` to translate it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "CITIZEN_CHECK_CHARS",
    "CITIZEN_MESSAGES",
    "CITIZEN_WEIGHTS",
    "CREDIT_ALPHABET",
    "CREDIT_MESSAGES",
    "CREDIT_WEIGHTS",
    "CitizenIdCheck",
    "CitizenIdProblem",
    "CreditCodeCheck",
    "CreditCodeStatus",
    "check_citizen_id",
    "check_credit_code",
    "citizen_check_char",
    "credit_check_char",
    "id_birth_date",
    "make_citizen_id",
    "make_credit_code",
    "normalise",
]


def gettext_noop(message: str) -> str:
    """Mark ``message`` for translation without importing Django (makemessages knows the name)."""
    return message


LENGTH = 18
DIGITS = "0123456789"
EARLIEST_BIRTH = dt.date(1900, 1, 1)

# F1: weights 2^(17-i) mod 11 over the first 17 digits; check = "10X98765432"[sum mod 11].
CITIZEN_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CITIZEN_CHECK_CHARS = "10X98765432"
# Region codes start with the major region: 1 North … 6 North-west, 7 Taiwan, 8 HK/Macao.
REGION_FIRST_DIGITS = "12345678"

# F2: the alphabet leaves out I, O, Z, S and V; a character's value is its index (0-30).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_VALUE = {char: value for value, char in enumerate(CREDIT_ALPHABET)}


def normalise(value: str) -> str:
    """Full-width characters to ASCII (IME input), whitespace removed, letters upper-cased."""
    folded = unicodedata.normalize("NFKC", value)
    return "".join(folded.split()).upper()


# --- F1 citizen ID number ---------------------------------------------------------------------
class CitizenIdProblem(StrEnum):
    """What is wrong with a citizen ID number, in the order the checks run."""

    LENGTH = "length"
    CHARACTERS = "characters"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    CHECK_DIGIT = "check_digit"


CITIZEN_MESSAGES = {
    CitizenIdProblem.LENGTH: gettext_noop("身份证号应为18位。"),
    CitizenIdProblem.CHARACTERS: gettext_noop("身份证号前17位应为数字，最后一位应为数字或字母X。"),
    CitizenIdProblem.REGION: gettext_noop("身份证号前6位不是有效的行政区划代码。"),
    CitizenIdProblem.BIRTH_DATE: gettext_noop("身份证号中的出生日期（第7至14位）无效。"),
    CitizenIdProblem.CHECK_DIGIT: gettext_noop("身份证号校验位不正确，请核对后重新输入。"),
}


@dataclass(frozen=True, slots=True)
class CitizenIdCheck:
    """The outcome of ``check_citizen_id``: the normalised number and its problem, if any."""

    number: str
    problem: CitizenIdProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def message(self) -> str:
        """Chinese description of the problem; empty when the number is valid."""
        return CITIZEN_MESSAGES[self.problem] if self.problem else ""


def citizen_check_char(first17: str) -> str:
    """The F1 check character of 17 digits."""
    if len(first17) != LENGTH - 1 or any(c not in DIGITS for c in first17):
        raise ValueError("need exactly 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, CITIZEN_WEIGHTS, strict=True))
    return CITIZEN_CHECK_CHARS[total % 11]


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def check_citizen_id(value: str, *, today: dt.date | None = None) -> CitizenIdCheck:
    """Check a citizen ID number (F1): length, characters, region, date of birth, check digit.

    A lowercase ``x`` is accepted as ``X``. The date of birth must be a real calendar date from
    1900-01-01 up to ``today`` (the caller's clock; the system date when not given).
    """
    number = normalise(value)
    if len(number) != LENGTH:
        return CitizenIdCheck(number, CitizenIdProblem.LENGTH)
    if any(c not in DIGITS for c in number[:17]) or number[17] not in DIGITS + "X":
        return CitizenIdCheck(number, CitizenIdProblem.CHARACTERS)
    if number[0] not in REGION_FIRST_DIGITS:
        return CitizenIdCheck(number, CitizenIdProblem.REGION)
    born = _birth_date(number)
    if born is None or not EARLIEST_BIRTH <= born <= (today or dt.date.today()):
        return CitizenIdCheck(number, CitizenIdProblem.BIRTH_DATE)
    if citizen_check_char(number[:17]) != number[17]:
        return CitizenIdCheck(number, CitizenIdProblem.CHECK_DIGIT)
    return CitizenIdCheck(number)


def id_birth_date(value: str) -> dt.date | None:
    """The date of birth in an 18-character citizen ID number, or None if it holds no real date.

    Reads positions 7-14 only; it does not verify the check digit (use ``check_citizen_id``).
    """
    number = normalise(value)
    if len(number) != LENGTH or any(c not in DIGITS for c in number[6:14]):
        return None
    return _birth_date(number)


def make_citizen_id(region: str, birth: dt.date, seq: int) -> str:
    """A valid citizen ID number: 6-digit ``region``, ``birth`` date, sequence 0-999.

    An odd sequence number is a man's, an even one a woman's. For tests and demo data.
    """
    if len(region) != 6 or any(c not in DIGITS for c in region):
        raise ValueError("region must be 6 digits")
    if not 0 <= seq <= 999:
        raise ValueError("seq must be between 0 and 999")
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + citizen_check_char(first17)


# --- F2 unified social credit code ------------------------------------------------------------
class CreditCodeStatus(StrEnum):
    """``LENGTH`` and ``CHARACTERS`` are malformed (refuse); ``CHECK_DIGIT`` is a warning."""

    VALID = "valid"
    LENGTH = "length"
    CHARACTERS = "characters"
    CHECK_DIGIT = "check_digit"


CREDIT_MESSAGES = {
    CreditCodeStatus.VALID: "",
    CreditCodeStatus.LENGTH: gettext_noop("统一社会信用代码应为18位。"),
    CreditCodeStatus.CHARACTERS: gettext_noop(
        "统一社会信用代码只能由数字和大写字母组成，且不使用字母I、O、Z、S、V。"
    ),
    CreditCodeStatus.CHECK_DIGIT: gettext_noop(
        "统一社会信用代码的校验位与编码规则不符。少数真实代码存在这种情况："
        "请与营业执照仔细核对，确认无误后勾选“我确认该代码与营业执照一致”再提交，"
        "工作人员将人工核实。"
    ),
}


@dataclass(frozen=True, slots=True)
class CreditCodeCheck:
    """The outcome of ``check_credit_code``: the normalised code and its status."""

    code: str
    status: CreditCodeStatus

    @property
    def ok(self) -> bool:
        return self.status is CreditCodeStatus.VALID

    @property
    def malformed(self) -> bool:
        """Not a credit code at all: refuse it."""
        return self.status in (CreditCodeStatus.LENGTH, CreditCodeStatus.CHARACTERS)

    @property
    def check_digit_failed(self) -> bool:
        """Well-formed but the check character disagrees: warn, and let staff confirm."""
        return self.status is CreditCodeStatus.CHECK_DIGIT

    @property
    def message(self) -> str:
        return CREDIT_MESSAGES[self.status]


def credit_check_char(first17: str) -> str:
    """The F2 check character of 17 alphabet characters: 31 − (sum mod 31), 31 → 0."""
    if len(first17) != LENGTH - 1 or any(c not in _CREDIT_VALUE for c in first17):
        raise ValueError("need exactly 17 characters of the credit code alphabet")
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> CreditCodeCheck:
    """Check a unified social credit code (F2). Lowercase letters are accepted as uppercase."""
    code = normalise(value)
    if len(code) != LENGTH:
        return CreditCodeCheck(code, CreditCodeStatus.LENGTH)
    if any(c not in _CREDIT_VALUE for c in code):
        return CreditCodeCheck(code, CreditCodeStatus.CHARACTERS)
    if credit_check_char(code[:17]) != code[17]:
        return CreditCodeCheck(code, CreditCodeStatus.CHECK_DIGIT)
    return CreditCodeCheck(code, CreditCodeStatus.VALID)


def make_credit_code(prefix17: str) -> str:
    """A valid credit code: ``prefix17`` (17 alphabet characters) plus its check character."""
    return prefix17 + credit_check_char(prefix17)


def mask_id_number(number: str) -> str:
    """An identity number (citizen ID, credit code, passport…) for readers who need to tell it
    apart but not to use it (docs/rules/identity.md §F3): the first and last four characters, the
    middle starred. ``11010519491231002X`` → ``1101**********002X``; eight or fewer: the first
    only."""
    number = number or ""
    if len(number) <= 8:
        return number[:1] + "*" * max(0, len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """A phone number shown to readers who need not dial it (docs/rules/privacy.md §P4): the
    first three and last four digits, ``13812345678`` → ``138****5678``."""
    phone = phone or ""
    if len(phone) <= 7:
        return phone[:1] + "*" * max(0, len(phone) - 1)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_address(address: str) -> str:
    """An address shown to readers who need not visit it (docs/rules/privacy.md §P4): the first
    six characters (city and district), the rest starred (at most six stars)."""
    address = address or ""
    if len(address) <= 6:
        return address[:2] + "*" * max(0, len(address) - 2)
    return address[:6] + "*" * min(6, len(address) - 6)
