"""``stored_due``: a stored date is provisional exactly when its counting reaches a year whose
arrangement is not loaded (docs/rules/workdays.md §A4, §A5), whatever the stored flag says.

chinesecalendar carries 2026; 2027 is unloaded until a (made-up) arrangement is loaded here.
"""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.calendars import services
from onewindow.calendars.selectors import stored_due
from onewindow.lib.workdays import Due

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_date_inside_loaded_years_is_never_provisional_even_under_a_shared_flag() -> None:
    # A case accepted 2026-12-16: intake due 2026-12-23 (stored flag True, shared with 2027-01-14).
    assert stored_due(D(2026, 12, 23), counted_from=D(2026, 12, 16), provisional=True) == Due(
        D(2026, 12, 23), False
    )


def test_a_date_reaching_an_unloaded_year_is_provisional_even_if_stored_as_firm() -> None:
    assert stored_due(D(2027, 1, 14), counted_from=D(2026, 12, 16), provisional=False) == Due(
        D(2027, 1, 14), True
    )
    # Counting from 2026 into 2027 makes it provisional, even when the date is 2027's first
    # working day and nothing was stored at all (a certificate's due date).
    assert stored_due(D(2027, 1, 4), counted_from=D(2026, 12, 31)) == Due(D(2027, 1, 4), True)


def test_without_a_start_the_stored_flag_is_kept_and_paused_is_carried() -> None:
    assert stored_due(D(2026, 3, 2), provisional=True, paused=True) == Due(
        D(2026, 3, 2), True, True
    )
    assert stored_due(None, counted_from=D(2026, 1, 5)) is None


def test_loading_the_year_clears_the_mark() -> None:
    services.calendar_year_load(
        year=2027, holidays={D(2027, 1, 1): "元旦"}, workdays={}, source="test"
    )
    assert stored_due(D(2027, 1, 14), counted_from=D(2026, 12, 16), provisional=True) == Due(
        D(2027, 1, 14), False
    )
