"""Field checks shared by the registration forms, the API and the services.

Each returns the normalised value or raises ``ValidationError`` with a Chinese message and a code
the caller can branch on (``credit_code_unconfirmed`` is the F2 warn-and-confirm case).
"""

from __future__ import annotations

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.accounts.models import User, identity_q
from onewindow.core import clock
from onewindow.lib.idnumbers import (
    CREDIT_MESSAGES,
    CreditCodeStatus,
    check_citizen_id,
    check_credit_code,
    normalise,
)

MOBILE = re.compile(r"1[3-9]\d{9}")
CREDIT_CODE_UNCONFIRMED = "credit_code_unconfirmed"


def citizen_id_clean(value: str) -> str:
    """A valid, normalised GB 11643 citizen ID number (docs/rules/identity.md §F1)."""
    result = check_citizen_id(value, today=clock.today())
    if result.problem is not None:
        raise ValidationError(_(result.message), code=f"id_number_{result.problem}")
    return result.number


def citizen_id_available(number: str) -> None:
    if User.objects.filter(identity_q("id_number", number)).exists():
        raise ValidationError(_("该身份证号已注册。"), code="id_number_taken")


def credit_code_clean(value: str, *, confirmed: bool) -> tuple[str, bool]:
    """A well-formed credit code and whether its check digit failed (docs/rules/identity.md §F2).

    A malformed code is refused. A code failing only its check digit is refused unless the
    applicant ``confirmed`` it matches the business licence; then it passes, flagged.
    """
    result = check_credit_code(value)
    if result.malformed:
        raise ValidationError(_(result.message), code=f"credit_code_{result.status}")
    if result.check_digit_failed and not confirmed:
        raise credit_code_unconfirmed()
    return result.code, result.check_digit_failed


def credit_code_unconfirmed() -> ValidationError:
    """The F2 warning: the check digit fails and the applicant has not confirmed the code."""
    message = CREDIT_MESSAGES[CreditCodeStatus.CHECK_DIGIT]
    return ValidationError(_(message), code=CREDIT_CODE_UNCONFIRMED)


def credit_code_available(code: str) -> None:
    if User.objects.filter(credit_code=code).exists():
        raise ValidationError(_("该统一社会信用代码已注册。"), code="credit_code_taken")


def mobile_clean(value: str) -> str:
    """An 11-digit mainland mobile number; spaces, hyphens and a +86 prefix are dropped."""
    number = normalise(value).replace("-", "").removeprefix("+86")
    if not MOBILE.fullmatch(number):
        raise ValidationError(_("请输入11位手机号码，例如 13800138000。"), code="phone_invalid")
    return number


# Django 5.2's zh_Hans catalog misses the reworded "too short" message: ours, by error code.
PASSWORD_MESSAGES = {
    "password_too_short": gettext_lazy("密码太短，至少需要 %(min_length)d 个字符。"),
}


def password_check(password: str, user: User | None = None) -> None:
    """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS), every message Chinese."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError([_chinese_password_error(e) for e in exc.error_list]) from exc


def _chinese_password_error(error: ValidationError) -> ValidationError:
    message = PASSWORD_MESSAGES.get(error.code or "")
    if message is None:
        return error
    return ValidationError(str(message) % (error.params or {}), code=error.code)


def full_name_clean(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ValidationError(_("请填写姓名或名称。"), code="required")
    return name
