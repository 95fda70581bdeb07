"""Password rules for citizens: length and a breach list, no composition rules
(docs/decisions.md §S8)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from onewindow.accounts.validators import password_check


@pytest.mark.parametrize(
    "password", ["woaini1314", "QQ123456", "1qaz2wsx", "zhongguo123", "password", "Aa123456"]
)
def test_passwords_common_in_chinese_leaks_are_refused(password: str) -> None:
    with pytest.raises(ValidationError) as refused:
        password_check(password)
    assert any(e.code == "password_too_common" for e in refused.value.error_list)


@pytest.mark.parametrize(
    "password",
    [
        "lanhuaxiangshui",  # letters only: no class rule
        "鄂州古城路一二九号",  # Chinese characters count as characters
        "correct horse battery staple",
        "x" * 8 + "7",
    ],
)
def test_long_enough_uncommon_passwords_pass_whatever_their_characters(password: str) -> None:
    password_check(password)


@pytest.mark.parametrize(
    ("password", "code"),
    [("abc12", "password_too_short"), ("20151208", "password_entirely_numeric")],
)
def test_short_and_numeric_passwords_are_refused_in_chinese(password: str, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        password_check(password)
    errors = refused.value.error_list
    assert code in {e.code for e in errors}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for e in errors for m in e.messages)
