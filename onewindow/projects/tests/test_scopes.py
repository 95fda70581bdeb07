"""Project-scoped mandates (docs/product.md §C8): ``project_covers`` says whether a new filing
for an item, or an existing case, is inside a project."""

from __future__ import annotations

import pytest

from onewindow.cases.services import mandates as mandates_module
from onewindow.projects import scopes
from onewindow.projects.tests.world import file_and_submit, make_project, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(personas):
    return make_world(personas)


def test_an_item_of_a_stage_is_inside_the_project_and_another_is_not(w):
    project = make_project(w)
    other = make_project(w)
    other.stages.get(sort=2).items.clear()
    assert scopes.project_covers(project.pk, w.items["1A"].pk, None)
    assert scopes.project_covers(project.pk, w.items["2"].pk, None)
    assert not scopes.project_covers(other.pk, w.items["2"].pk, None)
    from onewindow.catalog.models import Item

    stray = Item.objects.create(code="NOT-IN", department=w.p.dept_a)
    assert not scopes.project_covers(project.pk, stray.pk, None)
    assert not scopes.project_covers(999999, w.items["1A"].pk, None)


def test_a_case_is_inside_only_the_project_it_was_filed_for(w):
    project = make_project(w)
    other = make_project(w)
    case = file_and_submit(w, project, 1, "1A", "2025-09-24")
    item_id = w.items["1A"].pk
    assert scopes.project_covers(project.pk, item_id, case)
    # The item is in the other project too, but this case was not filed for it.
    assert scopes.project_covers(other.pk, item_id, None)
    assert not scopes.project_covers(other.pk, item_id, case)


def test_registering_works_with_and_without_the_hook(monkeypatch):
    registered: list[object] = []
    monkeypatch.delattr(mandates_module, "register_project_scope", raising=False)
    assert scopes.register() is False
    monkeypatch.setattr(mandates_module, "register_project_scope", registered.append, raising=False)
    assert scopes.register() is True
    assert registered == [scopes.project_covers]
