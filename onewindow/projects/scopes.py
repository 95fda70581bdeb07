"""Project-scoped mandates (docs/product.md §C8): whether an item or a case is inside a project.

The cases app asks, through a hook it offers (``register_project_scope`` in
``onewindow.cases.services.mandates``), whether a mandate given for one project covers a new
filing (``case`` None: the item must be one of the project's stages' items) or an existing case
(the case must be filed for that project); ``project_name`` lets it check, when a project mandate
is recorded, that the project exists. Registered from ``ProjectsConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from onewindow.cases.services import mandates as mandates_module
from onewindow.projects.models import Project, ProjectCase, Stage


def project_covers(project_id: int, item_id: int, case: Any | None) -> bool:
    """True when ``case`` (or, with no case, a new filing for ``item_id``) is inside the project."""
    if case is None:
        return Stage.objects.filter(project_id=project_id, items__pk=item_id).exists()
    return ProjectCase.objects.filter(stage__project_id=project_id, case_id=case.pk).exists()


def project_name(project_id: int) -> str | None:
    """The project's name, or None when there is no such project."""
    return Project.objects.filter(pk=project_id).values_list("name", flat=True).first()


def register() -> None:
    """Offer ``project_covers`` and ``project_name`` to the cases app's mandate checks."""
    mandates_module.register_project_scope(project_covers, name=project_name)
