"""Keyset pagination (docs/rules/scale.md §Y2): every row once, in order, ties included, whichever
way the pages are walked; cursors that this list did not issue are refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import signing
from django.db.models import QuerySet
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.catalog.models import Department
from onewindow.core.pagination import (
    CursorError,
    Key,
    count_bounded,
    count_label,
    cursor_make,
    cursor_read,
    keys_of,
    keyset_page,
    keyset_page_html,
)

ORDER = ("-sort", "code")


def departments(sorts: list[int]) -> QuerySet[Department]:
    for n, sort in enumerate(sorts):
        Department.objects.create(code=f"K{n:03d}", name=f"分页测试{n}", sort=sort)
    return Department.objects.filter(code__startswith="K")


def walk(rows: QuerySet[Any], size: int, ordering: Any = ORDER) -> tuple[list[int], list[int]]:
    """Every page forwards from the first, then backwards from the last; the ids seen."""
    forward: list[int] = []
    cursor, last = None, None
    while True:
        page = keyset_page(rows, ordering, cursor=cursor, size=size)
        forward.extend(d.pk for d in page.rows)
        last = page
        if not page.has_next:
            break
        cursor = page.next_cursor
    backward: list[int] = []
    backward[:0] = [d.pk for d in last.rows]
    while last.has_previous:
        last = keyset_page(rows, ordering, cursor=last.previous_cursor, size=size)
        backward[:0] = [d.pk for d in last.rows]
    return forward, backward


@pytest.mark.django_db
def test_ties_are_broken_by_the_primary_key_and_no_row_is_seen_twice():
    rows = departments([5, 5, 5, 1, 5, 1, 9, 5])
    expected = list(rows.order_by("-sort", "code", "pk").values_list("pk", flat=True))
    for size in (1, 2, 3, 8, 20):
        forward, backward = walk(rows, size)
        assert forward == backward == expected, size


@pytest.mark.django_db
def test_the_first_and_the_last_page_say_there_is_nothing_beyond():
    rows = departments([1, 2, 3])
    first = keyset_page(rows, ORDER, cursor=None, size=2)
    assert not first.has_previous and first.has_next
    last = keyset_page(rows, ORDER, cursor=first.next_cursor, size=2)
    assert len(last.rows) == 1 and not last.has_next and last.has_previous
    assert keyset_page(rows.none(), ORDER, cursor=None, size=2).rows == []


@pytest.mark.django_db
def test_rows_added_while_paging_do_not_shift_the_next_page():
    rows = departments([3, 2, 1])
    first = keyset_page(rows, ("sort",), cursor=None, size=1)
    Department.objects.create(code="K900", name="分页测试新", sort=0)  # before the page read
    second = keyset_page(rows, ("sort",), cursor=first.next_cursor, size=1)
    assert [d.sort for d in first.rows + second.rows] == [1, 2]


@pytest.mark.parametrize(
    "cursor",
    ["", "x", "a" * 2000, "不是游标", "eyJ2IjpbXX0:1abc:def", signing.dumps({"v": [1], "f": True})],
    # Named: the signed one carries a timestamp, and every xdist worker must collect the same ids.
    ids=["empty", "short", "long", "chinese", "forged", "signed-elsewhere"],
)
def test_a_cursor_this_list_did_not_issue_is_refused(cursor):
    with pytest.raises(CursorError) as refused:
        cursor_read(keys_of(ORDER), cursor)
    assert "cursor" in str(refused.value)


def test_a_cursor_of_another_ordering_or_edited_is_refused():
    keys = keys_of(ORDER)
    good = cursor_make(keys, [3, "K001", 7], forward=True)
    assert cursor_read(keys, good) == ([3, "K001", 7], True)
    with pytest.raises(CursorError):
        cursor_read(keys_of(("sort", "code")), good)
    with pytest.raises(CursorError):
        cursor_read(keys, good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1])


@pytest.mark.django_db
def test_a_web_page_shows_the_first_page_for_a_bad_cursor():
    rows = departments([1, 2])
    page = keyset_page_html(rows, ORDER, cursor="garbage", size=5)
    assert len(page.rows) == 2


@pytest.mark.django_db
def test_nulls_sort_last_on_a_nulls_last_key_whichever_way_it_is_walked():
    from onewindow.catalog.models import Region, RegionLevel

    p1, p2 = (
        Region.objects.create(code=f"97000{n}", name=f"上级{n}", level=RegionLevel.CITY)
        for n in (1, 2)
    )
    for n, parent in enumerate([None, p2, None, p1, p2, None]):
        Region.objects.create(
            code=f"98{n:04d}", name=f"分页{n}", level=RegionLevel.DISTRICT, parent=parent
        )
    rows = Region.objects.filter(code__startswith="98")
    expected = [
        r.pk for r in sorted(rows, key=lambda r: (r.parent_id is None, r.parent_id or 0, r.code))
    ]
    ordering = (Key("parent_id", nulls_last=True), "code")
    for size in (1, 2, 4):
        assert walk(rows, size, ordering) == (expected, expected), size


@pytest.mark.django_db
def test_counts_are_bounded():
    rows = departments([1] * 5)
    assert count_bounded(rows, limit=3) == 4 and count_label(4, limit=3) == "3+"
    assert count_bounded(rows, limit=10) == 5 and count_label(5, limit=10) == "5"


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sorts=st.lists(st.integers(0, 3), min_size=0, max_size=12), size=st.integers(1, 5))
def test_any_rows_any_page_size_every_row_once_in_order(sorts, size):
    Department.objects.filter(code__startswith="K").delete()
    rows = departments(sorts)
    expected = list(rows.order_by("-sort", "code", "pk").values_list("pk", flat=True))
    forward, backward = walk(rows, size)
    assert forward == expected
    if expected:
        assert backward == expected
