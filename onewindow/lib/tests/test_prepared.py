"""A prepared read (onewindow/lib/prepared.py) answers what the same queryset answers, field for
field, with new values each call; what it cannot do is refused when it is compiled."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from onewindow.catalog.models import Department, Item, ItemVersion, Material, VersionStatus
from onewindow.lib.prepared import Prepared

pytestmark = pytest.mark.django_db


@pytest.fixture
def items() -> list[Item]:
    lead = Department.objects.create(code="P-A", name="甲局")
    made = []
    for n in range(3):
        item = Item.objects.create(code=f"P-{n}", department=lead)
        version = ItemVersion.objects.create(
            item=item, number=1, name=f"事项{n}", statutory_days=20, committed_days=10
        )
        for sort in range(n):
            Material.objects.create(version=version, sort=sort, name=f"材料{sort}")
        if n:  # the first item has no published version: a NULL foreign key
            version.status = VersionStatus.PUBLISHED
            version.save()
            item.published_version = version
            item.save()
        made.append(item)
    return made


def same(a: Any, b: Any, seen: frozenset[int] = frozenset()) -> None:
    """The same row, the same loaded fields and related objects (each compared once: a
    one-to-one caches its object both ways)."""
    assert type(a) is type(b) and a.pk == b.pk
    if id(a) in seen:
        return
    seen |= {id(a)}
    fields = {k: v for k, v in a.__dict__.items() if k != "_state"}
    assert fields == {k: v for k, v in b.__dict__.items() if k != "_state"}
    assert a._state.fields_cache.keys() == b._state.fields_cache.keys()
    for name, related in a._state.fields_cache.items():
        other = b._state.fields_cache[name]
        if related is None:
            assert other is None
        else:
            same(related, other, seen)
    assert b._state.adding is False and b._state.db == "default"


ITEMS_OF: Prepared[Item] = Prepared(
    lambda p: (
        Item.objects.filter(department__code=p.code)
        .select_related("department", "published_version")
        .annotate(versions_n=Count("versions"))
        .order_by("code")
    ),
    code=str,
)


def test_models_with_related_objects_and_annotations_match_the_queryset(items: list[Item]) -> None:
    expected = list(
        Item.objects.filter(department__code="P-A")
        .select_related("department", "published_version")
        .annotate(versions_n=Count("versions"))
        .order_by("code")
    )
    got = ITEMS_OF.all(code="P-A")
    assert len(got) == 3
    for a, b in zip(expected, got, strict=True):
        same(a, b)
    assert got[0].published_version is None and got[1].published_version is not None
    assert ITEMS_OF.all(code="NONE") == []


def test_values_list_and_a_parameter_used_twice(items: list[Item]) -> None:
    read: Prepared[tuple[str, int]] = Prepared(
        lambda p: (
            Material.objects.filter(Q(version__item_id=p.item) | Q(pk=p.item))
            .values_list("name", "sort")
            .order_by("sort")
        ),
        item=int,
    )
    for item in items:
        expected = list(
            Material.objects.filter(Q(version__item_id=item.pk) | Q(pk=item.pk))
            .values_list("name", "sort")
            .order_by("sort")
        )
        assert read.all(item=item.pk) == expected


def test_deferred_fields_load_later_like_the_queryset(items: list[Item]) -> None:
    read: Prepared[ItemVersion] = Prepared(
        lambda p: ItemVersion.objects.filter(item_id=p.item).only("name")[:1], item=int
    )
    version = read.first(item=items[1].pk)
    assert version is not None and version.name == "事项1"
    assert version.get_deferred_fields() >= {"statutory_days"}
    with CaptureQueriesContext(_connection()) as queries:
        assert version.statutory_days == 20
    assert len(queries) == 1


def test_one_statement_per_call_and_the_same_sql(items: list[Item]) -> None:
    ITEMS_OF.all(code="P-A")
    with CaptureQueriesContext(_connection()) as queries:
        ITEMS_OF.all(code="P-A")
        ITEMS_OF.all(code="P-B")
    assert len(queries) == 2
    assert queries[0]["sql"].split("WHERE")[0] == queries[1]["sql"].split("WHERE")[0]


def _connection() -> Any:
    from django.db import connection

    return connection


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30])
def test_an_integer_no_column_holds_matches_nothing_without_a_query(value: int) -> None:
    read: Prepared[Item] = Prepared(lambda p: Item.objects.filter(pk=p.item), item=int)
    read.all(item=1)  # compiled
    with CaptureQueriesContext(_connection()) as queries:
        assert read.all(item=value) == []
        assert read.first(item=value) is None
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"item": None}, "expected int"),
        ({"item": "1"}, "expected int"),
        ({"item": True}, "expected int"),
        ({}, "expected int"),
        ({"item": 1, "other": 2}, "unknown parameters"),
    ],
)
def test_wrong_values_are_refused(values: dict[str, Any], message: str) -> None:
    read: Prepared[Item] = Prepared(lambda p: Item.objects.filter(pk=p.item), item=int)
    with pytest.raises(TypeError, match=message):
        read.all(**values)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: Item.objects.filter(code__contains=p.code), "folded"),
        (lambda p: Item.objects.filter(code="x"), "not one value"),
        (lambda p: Item.objects.filter(code=p.code).prefetch_related("versions"), "prefetch"),
        (lambda p: Item.objects.filter(code=p.code).values("code"), "values_list"),
    ],
)
def test_shapes_it_cannot_run_are_refused_when_compiled(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Prepared(build, code=str).all(code="P-0")


def test_only_int_and_str_parameters() -> None:
    with pytest.raises(TypeError, match="int or str"):
        Prepared(lambda p: Item.objects.filter(pk=p.day), day=float).all(day=1.0)


def test_existence_reads_one_id(items: list[Item]) -> None:
    read = Prepared.existence(lambda p: Material.objects.filter(version__item_id=p.item), item=int)
    assert [read.exists(item=item.pk) for item in items] == [False, True, True]
    with CaptureQueriesContext(_connection()) as queries:
        read.exists(item=items[2].pk)
    assert "LIMIT 1" in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
