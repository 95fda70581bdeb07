"""Queue notifications with the change they report; deliver them after commit, retry with backoff.

``event_notify`` subscribes to every case event (``cases.subscriptions``) and runs inside the
transaction that writes it, so a notification exists exactly when the change it reports does; the
event's kind (``cases.events``) says who is told: the applicant and the agent
(``case_event_notify``), or a department's reviewing staff (``staff_email``).

Delivery happens after commit (``outbox_hand_over``, docs/rules/tasks.md §X4): under the embedded
engine one attempt right away (``transaction.on_commit``); under procrastinate one
``notifications.deliver`` job per message, inserted in the same transaction as the message.
Further attempts follow the exponential backoff, up to ``NOTIFY_MAX_ATTEMPTS``, from the
background job (embedded) or the job's own retries (procrastinate; the periodic sweep still
catches anything left behind). A backend that raises only marks its row; it can never block or
undo the transition.

A process owns a row while it tries to deliver it: the conditional UPDATE that stamps ``claim``
(only rows still pending and due) is the lock, like healthchecks' ``sendalerts``. The lease
(``next_attempt_at`` moved forward) lets another worker pick the row up again if this process
dies mid-send, so several workers never send a message twice while all are alive.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import translation

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.events import StaffMessage, ToApplicant, ToDepartment, event_kind
from onewindow.cases.models import Case, CaseEvent
from onewindow.core import clock
from onewindow.core.engine import defer as engine_defer
from onewindow.core.engine import deferrable, deferring
from onewindow.lib.prepared import Prepared
from onewindow.notifications import texts
from onewindow.notifications.backends import backend_for
from onewindow.notifications.models import Channel, MessageStatus, OutboxMessage

log = logging.getLogger("onewindow.notifications")

LEASE = dt.timedelta(minutes=5)
MAX_BACKOFF = dt.timedelta(hours=6)
RETRY_BATCH = 100


def event_notify(case: Case, event: CaseEvent, actor: Any = None) -> list[OutboxMessage]:
    """The subscriber to every case event: queue the messages its kind asks for.

    The applicant hears only of public events (what the progress page shows them too)."""
    notify = event_kind(event.action).notify
    if isinstance(notify, ToApplicant):
        if event.public and (notify.when is None or notify.when(event)):
            return case_event_notify(case=case, event=event)
    elif isinstance(notify, ToDepartment):
        with translation.override(settings.LANGUAGE_CODE):
            message = notify.message(case, event)
        return staff_email(case=case, event=event, message=message)
    return []


# An agent's routine work on the application — saving the draft, adding or removing a file — is
# told by e-mail only; an SMS for each would bury the ones that matter (docs/rules/mandates.md §T5).
EMAIL_ONLY_AGENT_ACTIONS = frozenset(
    {"draft_created", "draft_saved", "file_added", "file_removed", "file_reused"}
)


def _agent_channels(event: CaseEvent, principal: Any) -> list[tuple[str, str]]:
    channels: list[tuple[str, str]] = [(Channel.EMAIL, principal.email)]
    if event.action not in EMAIL_ONLY_AGENT_ACTIONS:
        channels.append((Channel.SMS, principal.phone))
    return channels


def agent_action_notify(case: Case, event: CaseEvent, actor: Any = None) -> list[OutboxMessage]:
    """The subscriber to an agent's actions (docs/rules/mandates.md §T5): the principal is told
    of everything an agent does on their case, at once, by email and SMS (routine work on the
    application by email only).

    An event whose kind already tells the applicant (a public status change: submission,
    withdrawal …) is told by ``event_notify``, whose text names the agent
    (``texts.compose``); every other agent action (a saved draft, an upload, an answer …) gets
    this message of its own, composed now, sent to the principal only."""
    if event.on_behalf_of_id is None:
        return []
    notify = event_kind(event.action).notify
    if (
        isinstance(notify, ToApplicant)
        and event.public
        and (notify.when is None or notify.when(event))
    ):
        return []
    principal = User.objects.filter(pk=event.on_behalf_of_id).first()
    if principal is None:
        return []
    with translation.override(settings.LANGUAGE_CODE):
        text = texts.agent_action(case, event)
    rows = [
        OutboxMessage(
            channel=channel,
            recipient=address,
            user=principal,
            subject=text.subject[:200],
            body=text.body,
            case=case,
            event=event,
            next_attempt_at=event.at,
            created_at=event.at,
        )
        for channel, address in _agent_channels(event, principal)
        if (address or "").strip()
    ]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    outbox_hand_over([row.pk for row in created])
    return created


def case_event_notify(*, case: Case, event: CaseEvent) -> list[OutboxMessage]:
    """Queue one message per channel for the applicant and the agent, in the caller's transaction.

    The body is composed at the first delivery attempt (right after commit), because the service
    that made the transition writes the details (correction list, tolerated materials) after it.
    """
    subject = texts.subject_for(case, event.new_status)
    due = clock.now()
    rows = [
        OutboxMessage(
            channel=channel,
            recipient=address,
            user=user,
            subject=subject,
            case=case,
            event=event,
            next_attempt_at=due,
            created_at=event.at,
        )
        for user, channel, address in _addresses(case)
    ]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    outbox_hand_over([row.pk for row in created], after_commit=lambda: _deliver_queued(created))
    return created


# Asked once per department at every acceptance: compiled once (docs/decisions.md §O4).
_REVIEWING_STAFF: Prepared[User] = Prepared(
    lambda p: (
        User.objects.filter(
            department_id=p.department,
            is_active=True,
            role__in=(Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF),
        )
        .exclude(email="")
        .order_by("pk")
    ),
    department=int,
)


def staff_email(*, case: Case, event: CaseEvent, message: StaffMessage) -> list[OutboxMessage]:
    """An email to the department's reviewing staff, composed now, sent after commit."""
    staff = _REVIEWING_STAFF.all(department=message.department_id)
    rows = [
        OutboxMessage(
            channel=Channel.EMAIL,
            recipient=user.email,
            user=user,
            subject=message.subject[:200],
            body=message.body,
            case=case,
            event=event,
            next_attempt_at=event.at,
            created_at=event.at,
        )
        for user in staff
    ]
    if not rows:
        return []
    created = OutboxMessage.objects.bulk_create(rows)
    outbox_hand_over([row.pk for row in created])
    return created


def _addresses(case: Case) -> Iterable[tuple[Any, str, str]]:
    seen: set[tuple[str, str]] = set()
    for user in (case.applicant, case.agent):
        if user is None:
            continue
        for channel, address in ((Channel.EMAIL, user.email), (Channel.SMS, user.phone)):
            address = (address or "").strip()
            if address and (channel, address) not in seen:
                seen.add((channel, address))
                yield user, channel, address


def outbox_hand_over(ids: list[int], *, after_commit: Callable[[], object] | None = None) -> None:
    """Hand the messages just queued in the caller's transaction to the task engine
    (docs/rules/tasks.md §X4). procrastinate: one ``notifications.deliver`` job per message, in
    this same transaction, so a message and its job exist together or not at all. Embedded: one
    attempt right after commit (``after_commit``, by default ``outbox_deliver`` of ``ids``); the
    periodic retry job catches the rest under both engines."""
    if not ids:
        return
    if deferring():
        engine_defer(outbox_deliver_one, *({"message_id": pk} for pk in ids))
        return
    transaction.on_commit(after_commit or (lambda: outbox_deliver(ids=ids)), robust=True)


class DeliveryPending(Exception):
    """The message is still pending after this job's attempt: failed and waiting for its
    backoff, or held by another worker's lease. ``due`` is when it may be tried again."""

    def __init__(self, message_id: int, due: dt.datetime) -> None:
        super().__init__(f"notification {message_id} still pending, due again at {due}")
        self.due = due


def delivery_retry(exc: BaseException, attempts: int) -> dt.datetime | None:
    """When procrastinate retries a ``notifications.deliver`` job (docs/rules/tasks.md §X4):
    when the outbox row is due again, so the job follows the outbox's own backoff (``backoff``:
    NOTIFY_RETRY_SECONDS, doubling, at most six hours) and the outbox marks the message failed
    after NOTIFY_MAX_ATTEMPTS. The job gives up after twice that many runs (a run may find the
    row held by the periodic sweep's attempt); the sweep still sees any pending row."""
    if attempts >= 2 * settings.NOTIFY_MAX_ATTEMPTS:
        return None
    if isinstance(exc, DeliveryPending):
        return exc.due
    return clock.now() + backoff(attempts)  # the database or the code failed, not the gateway


@deferrable("notifications.deliver", queue="notifications", priority=10, retry=delivery_retry)
def outbox_deliver_one(*, message_id: int) -> int:
    """The procrastinate job for one message: one attempt if it is due; a message still pending
    afterwards raises ``DeliveryPending`` so that the job is retried when it is due again."""
    sent = outbox_deliver(ids=[message_id])
    if sent:
        return sent
    row = OutboxMessage.objects.filter(pk=message_id).values_list("status", "next_attempt_at")
    state = row.first()
    if state is not None and state[0] == MessageStatus.PENDING:
        raise DeliveryPending(message_id, state[1])
    return 0  # sent by another worker meanwhile, failed for good, or deleted


def _deliver_queued(rows: list[OutboxMessage]) -> int:
    """The attempt right after commit, on the rows still in memory (no need to read them back)."""
    now = clock.now()
    token = secrets.token_hex(16)
    ids = [row.pk for row in rows]
    claimed = _due().filter(pk__in=ids).update(**_claim_fields(token, now))
    if claimed != len(rows):  # a retry worker got some of them first: take only ours
        return _send(_claimed(token), now)
    for row in rows:
        row.claim, row.attempts = token, row.attempts + 1
    return _send(rows, now)


def outbox_deliver(*, ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Try every due pending message (or just ``ids``) once; return how many were sent."""
    now = now or clock.now()
    due = _due(now)
    if ids is None:
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:RETRY_BATCH])
    token = secrets.token_hex(16)
    # The UPDATE re-checks the WHERE: a row another worker claimed first is no longer due (its
    # lease moved next_attempt_at), so it is not ours.
    if not due.filter(pk__in=ids).update(**_claim_fields(token, now)):
        return 0
    return _send(_claimed(token), now)


def outbox_retry_due(*, now: dt.datetime | None = None) -> int:
    """The background job: retry pending messages whose backoff has passed, a batch at a time."""
    return outbox_deliver(now=now)


def _due(now: dt.datetime | None = None) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(
        status=MessageStatus.PENDING, next_attempt_at__lte=now or clock.now()
    )


def _claim_fields(token: str, now: dt.datetime) -> dict[str, Any]:
    return {"claim": token, "attempts": F("attempts") + 1, "next_attempt_at": now + LEASE}


def _claimed(token: str) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(claim=token).select_related(
            "event__case__item_version", "event__case__department"
        )
    )


def _send(messages: list[OutboxMessage], now: dt.datetime) -> int:
    """Deliver claimed messages; record outcomes only where we still hold the claim.

    Messages about one event share their body, so it is composed once; the successful ones are
    recorded with one UPDATE per body and backend.
    """
    bodies: dict[int | None, str] = {}
    sent: dict[tuple[str, str], list[int]] = defaultdict(list)
    for message in messages:
        try:
            if not message.body:
                if message.event_id not in bodies:
                    bodies[message.event_id] = _compose_body(message)
                message.body = bodies[message.event_id]
            backend = backend_for(message.channel)
            backend.send(message)
        except Exception as exc:  # any gateway failure: record it, retry later, never raise
            log.warning(
                "notification %s failed (attempt %s): %r", message.pk, message.attempts, exc
            )
            _mine([message]).update(**_failure_fields(message, exc, now))
            continue
        sent[(message.body, backend.name)].append(message.pk)
    for (body, backend_name), ids in sent.items():
        _mine([m for m in messages if m.pk in ids]).update(
            status=MessageStatus.SENT,
            sent_at=clock.now(),
            backend=backend_name,
            body=body,
            claim="",
            last_error="",
        )
    return sum(len(ids) for ids in sent.values())


def _mine(messages: list[OutboxMessage]) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], claim=messages[0].claim)


def _compose_body(message: OutboxMessage) -> str:
    if message.event is None:
        raise ValueError("message without body and without event")
    return texts.compose(message.event).body


def _failure_fields(message: OutboxMessage, exc: Exception, now: dt.datetime) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "claim": "",
        "body": message.body,
        "last_error": f"{type(exc).__name__}: {exc}"[:2000],
    }
    if message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        fields["status"] = MessageStatus.FAILED
    else:
        fields["next_attempt_at"] = now + backoff(message.attempts)
    return fields


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failed try: base, 2×base, 4×base … capped at six hours."""
    delay = dt.timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return min(delay, MAX_BACKOFF)
