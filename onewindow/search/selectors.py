"""Reads of the guide search: ranked items for a query, suggestions, 热门事项
(docs/rules/search.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from onewindow.catalog.models import ItemVersion
from onewindow.catalog.selectors import guide_search, published_versions
from onewindow.search.engine import Analysis, Hit, analyse, nearest, rank
from onewindow.search.index import Entry, cache_dir, current_index
from onewindow.search.models import ItemUsage
from onewindow.search.text import MAX_QUERY_CHARS

POPULAR_LIMIT = 8
SUGGESTION_LIMIT = 5


@dataclass
class SearchResult:
    """What a search found: its hits best first, the nearest items when it found nothing."""

    query: str
    analysis: Analysis
    hits: list[Hit]
    suggestions: list[Entry] = field(default_factory=list)
    # True when the suggestions are the popular items (nothing was close to the query).
    suggestions_popular: bool = False

    @property
    def version_ids(self) -> list[int]:
        return [hit.entry.version_id for hit in self.hits]

    @property
    def truncated(self) -> bool:
        return self.analysis.truncated


def search_items(*, query: str, department_code: str = "", region_code: str = "") -> SearchResult:
    """Published items matching ``query``, best first (docs/rules/search.md §N2 to docs/rules/search.md §N5), within
    the department and region filters; nearest items when none matches (docs/rules/search.md §N8)."""
    index = current_index()
    analysis = analyse(query, index, cache_dir())
    hits: list[Hit] = []
    if not analysis.empty and (department_code or region_code):
        # One query gives both the items the filters keep and their usage.
        allowed = dict(
            guide_search(department_code=department_code, region_code=region_code).values_list(
                "item_id", "item__usage__count"
            )
        )
        hits = rank(analysis, index, lambda ids: {i: allowed.get(i) or 0 for i in ids}, allowed)
    elif not analysis.empty:
        hits = rank(analysis, index, _usage)
    result = SearchResult(query=query[:MAX_QUERY_CHARS], analysis=analysis, hits=hits)
    if not hits:
        result.suggestions = nearest(analysis, index, SUGGESTION_LIMIT)
        if not result.suggestions:
            by_id = {entry.version_id: entry for entry in index.entries}
            popular = popular_items(limit=SUGGESTION_LIMIT)
            result.suggestions = [by_id[v.pk] for v in popular if v.pk in by_id]
            result.suggestions_popular = True
    return result


def _usage(item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    rows = ItemUsage.objects.filter(item_id__in=item_ids, count__gt=0)
    return dict(rows.values_list("item_id", "count"))


def popular_items(*, limit: int = POPULAR_LIMIT) -> list[ItemVersion]:
    """热门事项 (docs/rules/search.md §N6): the published items most applied for, then the
    catalog's own order when fewer than ``limit`` have applications."""
    limit = max(0, limit)
    used = list(
        published_versions()
        .filter(item__usage__count__gt=0)
        .order_by("-item__usage__count", "item__sort", "item__code")[:limit]
    )
    if len(used) < limit:
        taken = [v.pk for v in used]
        used += list(published_versions().exclude(pk__in=taken)[: limit - len(used)])
    return used


def item_usage_counts(item_ids: list[int]) -> dict[int, int]:
    """Applications submitted per item (0 when none)."""
    counts = _usage(item_ids)
    return {item_id: counts.get(item_id, 0) for item_id in item_ids}
