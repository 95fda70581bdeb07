"""What the security-relevant account services announce (docs/rules/audit.md §Z13).

``security_event`` is sent after a role is assigned, a second factor enrolled or reset, recovery
codes renewed, sessions ended, a lockout lifted, an account created or disabled. The audit app
(above accounts) subscribes and keeps each in its chained security trail; accounts never imports
it."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# kwargs: action (str), actor (User | None), target (User | None), detail (str)
security_event = Signal()


def security_event_send(
    action: str, *, actor: Any = None, target: Any = None, detail: str = ""
) -> None:
    security_event.send(sender=None, action=action, actor=actor, target=target, detail=detail)
