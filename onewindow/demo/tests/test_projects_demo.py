"""The demo's key projects (docs/rules/projects.md §H1–§H8): made through the services, one
project past its first stage with a joint site survey and into the second, one just started; the
project page shows them; the demo resets cleanly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client, override_settings

from onewindow.accounts.models import User
from onewindow.cases.models import Case, CasePriority, CaseStatus
from onewindow.demo import catalog as demo
from onewindow.projects.models import JointActivity, JointFinding, Project
from onewindow.projects.selectors import project_view

TODAY = dt.date(2026, 6, 15)
MORNING = dt.datetime(2026, 6, 15, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_has_key_projects_in_several_states(tmp_path):
    with (
        override_settings(
            MEDIA_ROOT=tmp_path, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=8, today=TODAY)
        plant = Project.objects.get(name__contains="智能制造产业园")
        housing = Project.objects.get(name__contains="滨湖花园")
        view = project_view(plant, today=TODAY)
        assert view.stages[0].is_done and view.stages[1].is_open
        assert view.stages[0].days > 0 and 0 < view.total_days <= view.target_days
        assert view.holdups
        assert JointActivity.objects.filter(stage__project=plant).count() == 2
        assert JointFinding.objects.filter(activity__stage__project=plant).count() >= 4
        statuses = set(
            Case.objects.filter(project_link__stage__project=housing).values_list(
                "status", flat=True
            )
        )
        assert statuses == {CaseStatus.IN_REVIEW, CaseStatus.SUBMITTED}
        assert set(
            Case.objects.filter(project_link__isnull=False).values_list("priority", flat=True)
        ) == {CasePriority.KEY, CasePriority.URGENT}
        client = Client()
        client.force_login(User.objects.get(username="agent"))
        html = client.get(f"/projects/{plant.pk}/").content.decode()
        assert "联合踏勘" in html and "联合图审" in html
        demo.demo_reset()
        assert not Project.objects.exists()
