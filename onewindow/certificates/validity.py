"""How long a certificate is valid and when its renewal is due: plain date arithmetic
(ALL Art. 50; docs/rules/licensing.md §B6)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onewindow.catalog.models import ItemVersion

# A licence is valid for the item version's validity_years from its issue date, by default this
# many years (食品经营许可证, 营业执照-type licences: 5 years), unless the result is long-term
# (长期有效): the item's result name or the decision's conditions say "长期".
DEFAULT_VALIDITY_YEARS = 5

LONG_TERM_MARK = "长期"

RESULT_CERTIFICATE = "certificate"  # ItemVersion.result_type that gets a certificate

# ALL Art. 50: "有效期届满三十日前" — calendar days.
RENEWAL_NOTICE_DAYS = 30


def years_later(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def latest_application_day(valid_until: dt.date) -> dt.date:
    """The last day a renewal may be applied for: 30 calendar days before the expiry date."""
    return valid_until - dt.timedelta(days=RENEWAL_NOTICE_DAYS)


def renewal_period_end(*, version: ItemVersion, expires_on: dt.date) -> dt.date:
    """The new last day of validity: the item version's period, running on from the old expiry
    without a gap (valid until 2026-03-31, 5 years → 2031-03-31)."""
    years = version.validity_years or DEFAULT_VALIDITY_YEARS
    return years_later(expires_on + dt.timedelta(days=1), years) - dt.timedelta(days=1)
