"""Project-scoped mandates (docs/product.md §C8): ``project_covers`` says whether a new filing
for an item, or an existing case, is inside a project."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.cases import mandate_scopes
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, Mandate
from onewindow.core.errors import DomainError
from onewindow.projects import scopes, services
from onewindow.projects.errors import ProjectError
from onewindow.projects.models import ProjectCase
from onewindow.projects.tests.world import at, file_and_submit, make_project, make_world, stage

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


def test_the_projects_app_answers_the_cases_apps_project_mandate_checks(w):
    project = make_project(w)
    assert mandate_scopes.registered() == (scopes.project_covers, scopes.project_name)
    assert mandate_scopes.project_name(project.pk) == project.name
    assert mandate_scopes.project_name(999999) is None
    assert mandate_scopes.project_covers(project.pk, w.items["1A"].pk, None)


def test_a_project_mandate_files_for_that_project_and_not_for_another(w):
    """docs/rules/mandates.md §T1: out of scope (other project) is refused, nothing filed."""
    project = make_project(w)
    other = make_project(w)
    Mandate.objects.update(revoked_at=at("2025-09-01", 8))  # the world's every-item mandate
    with time_machine.travel(at("2025-09-01"), tick=False):
        case_services.mandate_record(
            agent=w.p.agent,
            applicant=w.p.enterprise,
            valid_until=dt.date(2026, 6, 30),
            recorded_by=w.p.enterprise,
            project_id=project.pk,
        )
        with pytest.raises(DomainError):
            case_services.mandate_record(
                agent=w.p.agent,
                applicant=w.p.enterprise,
                valid_until=dt.date(2026, 6, 30),
                recorded_by=w.p.enterprise,
                project_id=999999,
            )
    case = file_and_submit(w, project, 1, "1A", "2025-09-02")
    assert ProjectCase.objects.get(case=case).stage.project == project
    before = Case.objects.count()
    with (
        time_machine.travel(at("2025-09-02"), tick=False),
        pytest.raises(ProjectError, match="尚未委托"),
    ):
        services.stage_case_file(stage=stage(other, 1), item=w.items["1A"], actor=w.p.agent)
    assert Case.objects.count() == before
