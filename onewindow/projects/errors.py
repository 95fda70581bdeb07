"""The errors of key projects (one family with every app's, ``core.errors``)."""

from __future__ import annotations

from onewindow.core.errors import DomainError, Forbidden, Invalid, WrongState

__all__ = ["ProjectError", "ProjectForbidden", "ProjectInvalid", "ProjectWrongState"]


class ProjectError(DomainError):
    """A rule of key projects forbids this action (docs/rules/projects.md §H4–§H7)."""

    code = "project_error"


class ProjectInvalid(Invalid):
    """Submitted values break the rules of a project or its stages (field → messages)."""

    code = "invalid"


class ProjectForbidden(Forbidden):
    code = "project_forbidden"


class ProjectWrongState(WrongState):
    code = "project_wrong_state"
