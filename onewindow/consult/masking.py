"""Personal data removed from a question before it is published as FAQ
(docs/rules/consultation.md §K2).

Masked: 18-digit resident ID numbers (17 digits and a digit or X) and the old 15-digit ones,
11-digit mainland mobile numbers (1[3-9] and nine digits), e-mail addresses, and the asker's own
name and ID number wherever they appear. A number that runs on into more digits (an order or
account number) is left alone, so the masks never cut a longer number in half.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ID18 = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")
ID15 = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{6}(\d{3})(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_personal_data(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with ID numbers, mobile numbers, e-mail addresses and ``names`` masked.

    >>> mask_personal_data("张伟，身份证420700198506150011，电话13907110001", ["张伟"])
    '张**，身份证420700********0011，电话139****0001'
    """
    text = ID18.sub(lambda m: f"{m[1]}{'*' * 8}{m[2][-4:]}", text)
    text = ID15.sub(lambda m: f"{m[1]}{'*' * 6}{m[2]}", text)
    text = MOBILE.sub(lambda m: f"{m[1]}****{m[2]}", text)
    text = EMAIL.sub("***@***", text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, name[0] + "*" * (len(name) - 1))
    return text
