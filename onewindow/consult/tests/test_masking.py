"""docs/rules/consultation.md §K2: personal data masked in the proposed and the saved public text."""

from __future__ import annotations

import pytest

from onewindow.consult.masking import mask_personal_data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证420700198506150011。", "身份证420700********0011。"),
        ("号码42070019850615001X，", "号码420700********001X，"),
        ("旧证420700850615001", "旧证420700******001"),
        ("手机13907110001", "手机139****0001"),
        ("电话 139-0711-0001", "电话 139****0001"),
        ("+86 13907110001 联系", "139****0001 联系"),
        ("邮箱 zhang.wei@example.com", "邮箱 ***@***"),
        # Not personal data: a landline, the 12345 hotline, a longer order number, a year.
        ("拨打 0711-3861234 或 12345", "拨打 0711-3861234 或 12345"),
        ("订单号 1390711000123456789012", "订单号 1390711000123456789012"),
        ("2025年10月14日", "2025年10月14日"),
    ],
)
def test_numbers_and_addresses_are_masked(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


def test_the_askers_name_is_masked_wherever_it_appears() -> None:
    text = "我叫张伟，张伟的店在鄂城区。"
    assert mask_personal_data(text, ["张伟", ""]) == "我叫张*，张*的店在鄂城区。"
