"""Hand-offs by subscription: what other apps do when a case event is written.

``event_record`` (``cases.transitions``) calls ``event_dispatch`` for every event it writes,
inside the caller's transaction. The dispatcher first calls the handlers registered for every
event (``on_event``; ``kinds`` narrows one to some action codes), then, when the event changed the
status, those registered for entering the new status (``on_enter``) — each list by ``order``,
then by registration. A handler is a plain function ``handler(case, event, actor)``; what it
writes belongs to the same transaction, so a failing handler undoes the change that called it.

Apps above cases subscribe from their own ``events`` module, imported by their
``AppConfig.ready``: the review opens on acceptance, certificates are issued on a grant, the
notifications queue the messages each event's kind asks for. Cases imports none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from onewindow.cases.events import event_kind
from onewindow.cases.models import Case, CaseEvent

Handler = Callable[[Case, CaseEvent, Any], object]  # what it returns is ignored


@dataclass(frozen=True)
class _Subscription:
    handler: Handler
    order: int
    kinds: frozenset[str] | None = None


class Dispatcher:
    """The handlers of events and of entered statuses, in their order."""

    def __init__(self) -> None:
        self._on_event: list[_Subscription] = []
        self._on_enter: dict[str, list[_Subscription]] = {}

    def on_event(
        self, handler: Handler, *, kinds: Iterable[str] | None = None, order: int = 100
    ) -> None:
        kinds_set = frozenset(kinds) if kinds is not None else None
        _add(self._on_event, _Subscription(handler, order, kinds_set))

    def on_enter(self, status: str, handler: Handler, *, order: int = 100) -> None:
        _add(self._on_enter.setdefault(str(status), []), _Subscription(handler, order))

    def dispatch(self, case: Any, event: Any, actor: Any) -> None:
        for sub in list(self._on_event):
            if sub.kinds is None or event.action in sub.kinds:
                sub.handler(case, event, actor)
        if event.new_status != event.old_status:
            for sub in list(self._on_enter.get(event.new_status, ())):
                sub.handler(case, event, actor)


def _add(subscriptions: list[_Subscription], new: _Subscription) -> None:
    """Keep the list ordered; subscribing the same handler again (a second ``ready``) is a no-op."""
    if any(sub.handler is new.handler for sub in subscriptions):
        return
    subscriptions.append(new)
    subscriptions.sort(key=lambda sub: sub.order)  # stable: equal orders keep registration order


DISPATCHER = Dispatcher()


def on_event(handler: Handler, *, kinds: Iterable[str] | None = None, order: int = 100) -> None:
    """Call ``handler(case, event, actor)`` for every event written (or only those of ``kinds``)."""
    DISPATCHER.on_event(handler, kinds=kinds, order=order)


def on_enter(status: str, handler: Handler, *, order: int = 100) -> None:
    """Call ``handler(case, event, actor)`` whenever a case enters ``status``."""
    DISPATCHER.on_enter(status, handler, order=order)


def event_dispatch(case: Case, event: CaseEvent, actor: Any) -> None:
    """Run the subscribers of a just-written event, in the writer's transaction.

    An action code no app registered is refused here, so every code the services write is
    checked by the tests that exercise them."""
    event_kind(event.action)
    DISPATCHER.dispatch(case, event, actor)
