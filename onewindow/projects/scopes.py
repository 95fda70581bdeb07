"""Project-scoped mandates (docs/product.md §C8): whether an item or a case is inside a project.

The cases app asks, through a hook it offers (``register_project_scope`` in
``onewindow.cases.services.mandates``), whether a mandate given for one project covers a new
filing (``case`` None: the item must be one of the project's stages' items) or an existing case
(the case must be filed for that project). Registered from ``ProjectsConfig.ready`` when cases
offers the hook.
"""

from __future__ import annotations

from typing import Any

from onewindow.cases.services import mandates as mandates_module
from onewindow.projects.models import ProjectCase, Stage


def project_covers(project_id: int, item_id: int, case: Any | None) -> bool:
    """True when ``case`` (or, with no case, a new filing for ``item_id``) is inside the project."""
    if case is None:
        return Stage.objects.filter(project_id=project_id, items__pk=item_id).exists()
    return ProjectCase.objects.filter(stage__project_id=project_id, case_id=case.pk).exists()


def register() -> bool:
    """Offer ``project_covers`` to cases when it has the hook; False when it has none (yet)."""
    if not hasattr(mandates_module, "register_project_scope"):
        return False
    mandates_module.register_project_scope(project_covers)
    return True
