"""The window clerk's tab bar takes tabs that higher apps add at ready (review's material
requests) without cases importing them."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.cases import window_tabs
from onewindow.cases.window_tabs import WindowTab, tab_bar, window_tab_add


def test_review_adds_its_material_request_tab_at_ready():
    tab = window_tabs._added["material_requests"]
    assert tab.url_name == "review:intake_material_requests" and str(tab.label) == "审查补充材料"


@pytest.mark.django_db
def test_an_added_tab_comes_with_its_address_and_count():
    with mock.patch.dict(window_tabs._added, {}, clear=True):
        window_tab_add(WindowTab("extra", "另一项", "cases:intake_queue", lambda user: 7))
        bar = tab_bar(AnonymousUser())
    assert bar["added_tabs"] == [
        {"name": "extra", "label": "另一项", "url": "/intake/", "count": 7}
    ]
    assert set(bar["counts"]) == {"queue", "corrections", "commitments"}
