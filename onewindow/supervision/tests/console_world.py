"""Fixtures for the console tests: department A's accepted three-department case (from the
review tests' world) and a case submitted to department B, both through the real services."""

from __future__ import annotations

import time_machine

from onewindow.cases import services as case_services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import make_version, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.review.tests.task_world import TaskWorld, accepted_case, at


def submitted_case_of_b(w: TaskWorld, *, day: str = "2025-09-30") -> Case:
    """A case of department B, submitted (awaiting intake) on ``day``."""
    version, _core, _others = make_version(w.p.dept_b, code="CONSOLE-B-001", non_core=0)
    case = case_services.case_create_draft(
        item_version=version, applicant=w.p.enterprise, created_by=w.p.enterprise, region=w.region
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=w.p.enterprise)
    with time_machine.travel(at(day, 11), tick=False):
        case_services.case_submit(case=case, actor=w.p.enterprise)
    case.refresh_from_db()
    return case


__all__ = ["accepted_case", "submitted_case_of_b"]
