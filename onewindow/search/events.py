"""Search's subscription: each submitted case counts once for its item (docs/rules/search.md §N6)."""

from __future__ import annotations

from onewindow.cases.subscriptions import on_event
from onewindow.search.services import usage_on_submit

on_event(usage_on_submit, kinds=("submitted",))
