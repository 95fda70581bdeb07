"""The key-project scope of a mandate, answered by the app that knows the projects
(docs/rules/mandates.md §T1).

The projects app sits above cases, so cases cannot ask it directly: it registers, from its
``AppConfig.ready``, a function ``fn(project_id, item_id, case) -> bool`` telling whether a new
filing of ``item_id`` (``case`` None) or an existing ``case`` is inside the project, and
optionally ``name(project_id) -> str | None`` (the project's name, None when there is no such
project) for the mandate pages and the check made when a project mandate is recorded. With
nothing registered a project mandate covers nothing. ``services.mandates.register_project_scope``
is the public name of ``register``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onewindow.cases.models import Case

ProjectScope = Callable[[int, int, "Case | None"], bool]
ProjectName = Callable[[int], "str | None"]


@dataclass(frozen=True)
class _Registered:
    covers: ProjectScope | None = None
    name: ProjectName | None = None


_REGISTERED: list[_Registered] = [_Registered()]


def register(fn: ProjectScope | None, *, name: ProjectName | None = None) -> None:
    """Register the project scope (a second registration replaces the first; None clears it)."""
    _REGISTERED[0] = _Registered(fn, name if fn is not None else None)


def registered() -> tuple[ProjectScope | None, ProjectName | None]:
    """What is registered now (tests put it back after registering a fake)."""
    return _REGISTERED[0].covers, _REGISTERED[0].name


def restore(saved: tuple[ProjectScope | None, ProjectName | None]) -> None:
    _REGISTERED[0] = _Registered(*saved)


def project_covers(project_id: int, item_id: int, case: Case | None) -> bool:
    """Whether the project holds the filing or the case; False while no app answers."""
    fn = _REGISTERED[0].covers
    return bool(fn(project_id, item_id, case)) if fn is not None else False


def project_known() -> bool:
    """Whether an app answers for projects at all (otherwise no project mandate is recorded)."""
    return _REGISTERED[0].covers is not None


def project_name(project_id: int) -> str | None:
    """The project's name; None when it does not exist. Without a ``name`` function every id is
    taken for a project named by its number."""
    fn = _REGISTERED[0].name
    if fn is None:
        return f"#{project_id}" if project_known() else None
    return fn(project_id)
