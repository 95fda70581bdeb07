"""The window clerk's tab bar over the intake pages: cases' own tabs and the tabs higher apps add.

Review adds the material requests its departments send through the window ("审查补充材料"): its
page lives in review, and review registers the tab from its ``AppConfig.ready`` so that cases
does not import review. An added tab stands between 容缺承诺台账 and 窗口登记.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from onewindow.cases import selectors
from onewindow.core.pagination import count_bounded, count_label


@dataclass(frozen=True)
class WindowTab:
    """``name`` is the ``tab`` its page passes (to mark the tab current); ``count`` reads the
    number the tab shows for the signed-in clerk."""

    name: str
    label: str | Promise
    url_name: str
    count: Callable[[Any], int]


_added: dict[str, WindowTab] = {}


def window_tab_add(tab: WindowTab) -> None:
    """Called from an app's ``ready``; adding a name again replaces its tab."""
    _added[tab.name] = tab


def tab_bar(user: Any) -> dict[str, Any]:
    """The context ``cases/intake/includes/tabs.html`` reads: the counts of cases' own tabs and
    the added tabs with their addresses and counts. The counts are bounded ("1000+", docs/rules/scale.md §Y3):
    every intake page shows them, and a province's queue can hold thousands of cases."""
    return {
        "counts": {
            "queue": count_label(count_bounded(selectors.intake_queue(user))),
            "corrections": count_label(count_bounded(selectors.corrections_pending(user))),
            "commitments": count_label(
                count_bounded(selectors.commitments_open_for_department(user))
            ),
        },
        "added_tabs": [
            {
                "name": tab.name,
                "label": tab.label,
                "url": reverse(tab.url_name),
                "count": tab.count(user),
            }
            for tab in _added.values()
        ],
    }
