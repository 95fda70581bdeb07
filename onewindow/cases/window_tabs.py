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
    the added tabs with their addresses and counts."""
    return {
        "counts": {
            "queue": selectors.intake_queue(user).count(),
            "corrections": selectors.corrections_pending(user).count(),
            "commitments": selectors.commitments_open_for_department(user).count(),
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
