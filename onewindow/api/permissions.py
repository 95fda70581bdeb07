"""Permission classes from the one role table (``accounts.roles``)."""

from __future__ import annotations

from typing import Any, cast

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from onewindow.accounts.roles import Perm, has_perm

__all__ = ["HasPerm"]


class HasPerm(BasePermission):
    """The user holds at least one of ``perms``: the role table decides.

    Declare one with ``HasPerm.of(Perm.X, message="…")`` (the Chinese ``message`` is the 403's).
    """

    perms: tuple[Perm, ...] = ()
    message = "没有权限。"

    @classmethod
    def of(cls, *perms: Perm, message: str) -> type[HasPerm]:
        """A permission class granted by any of ``perms``, refusing with ``message``."""
        name = "HasPerm_" + "_or_".join(perm.name for perm in perms)
        return cast("type[HasPerm]", type(name, (cls,), {"perms": perms, "message": message}))

    def has_permission(self, request: Request, view: Any) -> bool:
        return any(has_perm(request.user, perm) for perm in self.perms)
