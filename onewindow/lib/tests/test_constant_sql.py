"""Conditions with their constants written into the SQL (onewindow/lib/constant_sql.py): the
same rows as the ordinary lookups, no parameter for the constant, nothing but identifier-like
constants accepted."""

from __future__ import annotations

import pytest
from django.db.models import Q

from onewindow.catalog.models import Department, Item, ItemVersion, VersionStatus
from onewindow.lib.constant_sql import constant_in, constant_is

pytestmark = pytest.mark.django_db


@pytest.fixture
def versions() -> list[ItemVersion]:
    lead = Department.objects.create(code="K-A", name="甲局")
    made = []
    for n, status in enumerate((VersionStatus.DRAFT, VersionStatus.PUBLISHED, "archived")):
        item = Item.objects.create(code=f"K-{n}", department=lead)
        made.append(
            ItemVersion.objects.create(
                item=item,
                number=1,
                name=f"事项{n}",
                statutory_days=20,
                committed_days=10,
                status=status,
            )
        )
    return made


def pks(q: Q) -> list[int]:
    return list(ItemVersion.objects.filter(q).order_by("pk").values_list("pk", flat=True))


def test_the_same_rows_as_the_ordinary_lookups(versions):
    both = [VersionStatus.DRAFT, VersionStatus.PUBLISHED]
    expected = [versions[0].pk, versions[1].pk]
    assert pks(constant_in("status", both)) == pks(Q(status__in=both)) == expected
    assert pks(constant_is("status", "archived")) == pks(Q(status="archived"))
    assert pks(~constant_is("status", "archived")) == pks(~Q(status="archived"))
    assert pks(constant_in("status", ["published"])) == [versions[1].pk]
    assert pks(constant_is("status", "nothing_like_it")) == []


def test_the_constants_are_in_the_sql_in_the_order_given_not_parameters():
    query = ItemVersion.objects.filter(constant_in("status", ["published", "draft"])).query
    sql, params = query.sql_with_params()
    assert """"status" IN ('published', 'draft')""" in sql and params == ()
    one = ItemVersion.objects.filter(constant_in("status", ["draft"]))
    sql, params = one.query.sql_with_params()
    assert """"status" = 'draft'""" in sql and params == ()


@pytest.mark.parametrize(
    "value", ["x'); DROP TABLE cases_case; --", "a b", "", "状态", "a%s", 7, None]
)
def test_only_identifier_like_constants_are_accepted(value):
    with pytest.raises(ValueError):
        str(ItemVersion.objects.filter(constant_is("status", value)).query)
    with pytest.raises(ValueError):
        str(ItemVersion.objects.filter(constant_in("status", ["draft", value])).query)


def test_an_empty_list_is_refused():
    with pytest.raises(ValueError):
        str(ItemVersion.objects.filter(constant_in("status", [])).query)
