"""Keyset pagination for the lists a province reads every minute (docs/rules/scale.md §Y2).

A page is "the next ``size`` rows after this row in this order": ``WHERE (k1, k2, …, pk) > (…)
ORDER BY k1, k2, …, pk LIMIT size + 1``, which an index on the same columns answers by reading
``size + 1`` entries however deep the page is. ``OFFSET`` pagination reads and throws away every
row before the page, and its page count needs ``count(*)`` over the whole list on every view.

The cursor is opaque to clients: the sort values of the page's last (or first) row, signed
with the secret key and salted with the list's ordering, so a cursor made for one list, an
edited one or a truncated one is refused (``CursorError``) rather than trusted. The ordering
must end with the primary key (it is appended when missing), so ties in the other keys still
give a total order and no row is skipped or shown twice between pages.

Totals shown to users are bounded counts (docs/rules/scale.md §Y3): ``count_bounded`` reads at
most ``limit + 1`` rows, and a list longer than ``limit`` is shown as "1000+".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core import signing
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

COUNT_LIMIT = 1000
MAX_CURSOR_LENGTH = 1000
_SALT = "onewindow.core.pagination"


class CursorError(ValueError):
    """A cursor this list did not issue (malformed, edited, or from another list)."""

    def __init__(self) -> None:
        super().__init__(_("翻页参数 cursor 无效或已过期，请从第一页重新浏览。"))


@dataclass(frozen=True)
class Key:
    """One sort key: a field or annotation name, its direction, where its NULLs go."""

    name: str
    descending: bool = False
    nulls_last: bool = False  # only for ascending keys; a NULL sorts after every value

    @classmethod
    def parse(cls, spec: str | Key) -> Key:
        if isinstance(spec, Key):
            return spec
        return cls(spec.lstrip("-"), descending=spec.startswith("-"))

    def order(self, *, reverse: bool = False) -> OrderBy:
        descending = self.descending != reverse
        if self.nulls_last:  # reversed: NULLs first
            return (
                F(self.name).desc(nulls_first=True)
                if reverse
                else F(self.name).asc(nulls_last=True)
            )
        return F(self.name).desc() if descending else F(self.name).asc()


def keys_of(ordering: Sequence[str | Key]) -> tuple[Key, ...]:
    """The keys of ``ordering``, the primary key appended when it is not the last one."""
    keys = tuple(Key.parse(spec) for spec in ordering)
    if not keys or keys[-1].name not in ("pk", "id"):
        keys = (*keys, Key("pk", descending=bool(keys) and keys[-1].descending))
    for key in keys:
        if key.nulls_last and key.descending:
            raise ValueError(f"nulls_last is for ascending keys only: {key.name}")
    return keys


# --- the cursor ----------------------------------------------------------------------------------
def _dump(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    if value is None or isinstance(value, bool | int | str):
        return value
    raise TypeError(f"cannot put {type(value).__name__} in a cursor")


def _load(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        tag, text = value
        loaders: dict[str, Callable[[str], Any]] = {
            "t": dt.datetime.fromisoformat,
            "d": dt.date.fromisoformat,
            "n": Decimal,
        }
        if tag in loaders:
            return loaders[tag](text)
    if value is None or isinstance(value, bool | int | str):
        return value
    raise ValueError("not a cursor value")


def _salt(keys: tuple[Key, ...]) -> str:
    return _SALT + ":" + ",".join(f"{k.name}:{int(k.descending)}{int(k.nulls_last)}" for k in keys)


def cursor_make(keys: tuple[Key, ...], values: Sequence[Any], *, forward: bool) -> str:
    """The signed cursor for the row with sort ``values``: forward = the rows after it."""
    payload = {"v": [_dump(v) for v in values], "f": forward}
    return signing.dumps(payload, salt=_salt(keys), compress=True)


def cursor_read(keys: tuple[Key, ...], cursor: str) -> tuple[list[Any], bool]:
    """(sort values, forward) from a cursor this ordering issued; ``CursorError`` otherwise."""
    if not cursor or len(cursor) > MAX_CURSOR_LENGTH or not cursor.isascii():
        raise CursorError
    try:
        payload = signing.loads(cursor, salt=_salt(keys))
        values = [_load(v) for v in payload["v"]]
        forward = payload["f"]
    except (signing.BadSignature, ValueError, KeyError, TypeError, OverflowError):
        raise CursorError from None
    if len(values) != len(keys) or not isinstance(forward, bool):
        raise CursorError
    for key, value in zip(keys, values, strict=True):
        if value is None and not key.nulls_last:
            raise CursorError
    return values, forward


# --- the page ------------------------------------------------------------------------------------
def _beyond(key: Key, value: Any, *, forward: bool) -> Q:
    """Rows strictly past ``value`` on ``key`` in the walking direction."""
    if key.nulls_last:
        if forward:
            return (
                Q(pk__in=[])
                if value is None
                else Q(**{f"{key.name}__gt": value}) | Q(**{f"{key.name}__isnull": True})
            )
        if value is None:
            return Q(**{f"{key.name}__isnull": False})
        return Q(**{f"{key.name}__lt": value})
    after = key.descending != (not forward)  # descending walked forward = smaller values
    return Q(**{f"{key.name}__{'lt' if after else 'gt'}": value})


def _same(key: Key, value: Any) -> Q:
    return Q(**{f"{key.name}__isnull": True}) if value is None else Q(**{key.name: value})


def keyset_q(keys: tuple[Key, ...], values: Sequence[Any], *, forward: bool) -> Q:
    """``(k1, k2, …) > (v1, v2, …)`` in the keys' order (``<`` walking backwards), spelled out
    as ``k1 > v1 OR (k1 = v1 AND k2 > v2) OR …`` so mixed directions and NULLs work."""
    condition = Q(pk__in=[])
    equal = Q()
    for key, value in zip(keys, values, strict=True):
        condition |= equal & _beyond(key, value, forward=forward)
        equal &= _same(key, value)
    # The OR above is not an index range: the first key's non-strict bound, redundant as logic,
    # lets the database start the index scan at the cursor instead of filtering every earlier
    # row (only ties on the first key are filtered one by one).
    return _bound(keys[0], values[0], forward=forward) & condition


def _bound(key: Key, value: Any, *, forward: bool) -> Q:
    if value is None:  # past the values, among the NULLs (walking backwards: anywhere)
        return Q(**{f"{key.name}__isnull": True}) if forward else Q()
    if key.nulls_last:
        if forward:
            return Q(**{f"{key.name}__gte": value}) | Q(**{f"{key.name}__isnull": True})
        return Q(**{f"{key.name}__lte": value})
    after = key.descending != (not forward)
    return Q(**{f"{key.name}__{'lte' if after else 'gte'}": value})


def _value(row: Any, name: str) -> Any:
    value = row
    for part in name.split("__"):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value


@dataclass
class KeysetPage:
    """One page: its rows and the cursors of the pages before and after it (None at the ends)."""

    rows: list[Any]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(
    queryset: QuerySet[Any],
    ordering: Sequence[str | Key],
    *,
    cursor: str | None,
    size: int,
    offset: int = 0,
) -> KeysetPage:
    """The page of ``queryset`` in ``ordering`` after (or before) ``cursor``; the first page
    without one. ``CursorError`` for a cursor this ordering did not issue. ``offset`` (no
    cursor only) skips rows first: the old ``page=N`` of the API, bounded by the caller."""
    keys = keys_of(ordering)
    values, forward = cursor_read(keys, cursor) if cursor else ([], True)
    rows_qs = queryset.order_by(*(k.order(reverse=not forward) for k in keys))
    if values:
        rows_qs = rows_qs.filter(keyset_q(keys, values, forward=forward))
    start = offset if not values else 0
    rows = list(rows_qs[start : start + size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return KeysetPage([], None, None)

    def at(row: Any, *, ahead: bool) -> str:
        return cursor_make(keys, [_value(row, k.name) for k in keys], forward=ahead)

    has_next = more if forward else True
    has_previous = (bool(values) or start > 0) if forward else more
    return KeysetPage(
        rows,
        at(rows[-1], ahead=True) if has_next else None,
        at(rows[0], ahead=False) if has_previous else None,
    )


def count_bounded(queryset: QuerySet[Any], limit: int = COUNT_LIMIT) -> int:
    """How many rows, reading at most ``limit + 1``: a result above ``limit`` means "more"."""
    return int(queryset.order_by().values("pk")[: limit + 1].count())


def count_label(count: int, limit: int = COUNT_LIMIT) -> str:
    """``count`` as shown to users: "1000+" past the bound."""
    return f"{limit}+" if count > limit else str(count)


def keyset_page_html(
    queryset: QuerySet[Any], ordering: Sequence[str | Key], *, cursor: str | None, size: int
) -> KeysetPage:
    """``keyset_page`` for a web page: a bad cursor (an old bookmark, an edited link) shows the
    first page instead of an error (docs/rules/scale.md §Y2)."""
    try:
        return keyset_page(queryset, ordering, cursor=cursor or None, size=size)
    except CursorError:
        return keyset_page(queryset, ordering, cursor=None, size=size)
