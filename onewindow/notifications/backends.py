"""Delivery backends, one per channel, chosen by dotted path in settings.

``settings.NOTIFICATION_BACKENDS`` maps a channel ("email", "sms") to a class path (environment
variables ``NOTIFY_EMAIL_BACKEND`` and ``NOTIFY_SMS_BACKEND``). Two backends ship:

* ``OutboxOnlyBackend`` (the default for both channels): nothing leaves the server; the outbox
  row itself is the record, readable in the admin (消息通知 → 通知消息).
* ``DjangoEmailBackend``: sends through ``django.core.mail`` with Django's own ``EMAIL_*``
  settings (SMTP host, port, user, password, TLS; ``DEFAULT_FROM_EMAIL``).

A real SMS gateway plugs in the same way: a class with a ``name`` attribute and a
``send(message)`` method that delivers ``message.body`` to the mobile number
``message.recipient`` and raises any exception when the gateway refuses or cannot be reached,
e.g. ``NOTIFY_SMS_BACKEND=mycity.sms.AliyunSmsBackend``. The class is instantiated without
arguments and reads its own credentials from the environment. An exception is recorded in
``last_error`` and the message is retried with exponential backoff (services.py); it never
affects the case transition that queued it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from onewindow.notifications.models import OutboxMessage


class Backend(Protocol):
    """What a delivery backend provides; ``send`` raises when the message was not delivered."""

    name: str

    def send(self, message: OutboxMessage) -> None: ...


class OutboxOnlyBackend:
    """Delivers nowhere: the outbox row is the notification (local installs, demos, tests)."""

    name = "outbox"

    def send(self, message: OutboxMessage) -> None:
        return None


class DjangoEmailBackend:
    """Email through Django's mail framework (``EMAIL_BACKEND`` and the ``EMAIL_*`` settings)."""

    name = "email"

    def send(self, message: OutboxMessage) -> None:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.recipient],
        ).send(fail_silently=False)


def backend_for(channel: str) -> Backend:
    """The configured backend of ``channel``; a missing entry means outbox only."""
    path = settings.NOTIFICATION_BACKENDS.get(channel) or f"{__name__}.OutboxOnlyBackend"
    return _load(path)


@cache
def _load(path: str) -> Backend:
    backend: Backend = import_string(path)()
    return backend
