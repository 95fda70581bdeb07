"""Issuing, calling and serving queue tickets (docs/rules/hall.md §J10–§J13).

Every step reads and writes the database only: the order of a queue and a window's streak of
priority calls are computed from the rows, so a restart or a second process sees the same queue
(J12). Refusals raise ``QueueError`` with a Chinese message and change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases.models import Case
from onewindow.catalog.models import Item, Window
from onewindow.core import clock
from onewindow.core.ratelimit import rate_spend
from onewindow.lib.idnumbers import check_credit_code
from onewindow.projects.models import Project
from onewindow.projects.services import stage_done
from onewindow.queue.errors import QueueError, QueueWrongState, TicketSourceError, TooManyTickets
from onewindow.queue.models import (
    PRIORITY_PREFIX,
    EventKind,
    PriorityReason,
    QueueLine,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketSource,
    TicketStatus,
)
from onewindow.queue.sources import resolve_appointment

DEFAULT_PRIORITY_STREAK = 3
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")


def priority_streak_limit() -> int:
    """K of docs/rules/hall.md §J11: after K priority calls in a row at a window, one ordinary
    ticket is called if one is waiting (setting QUEUE_PRIORITY_STREAK, at least 1)."""
    return max(1, int(getattr(settings, "QUEUE_PRIORITY_STREAK", DEFAULT_PRIORITY_STREAK)))


# --- routing (J10) ------------------------------------------------------------------------------
def serving_windows(line: QueueLine) -> QuerySet[Window]:
    """The active windows of the line's departments."""
    return (
        Window.objects.filter(is_active=True, departments__in=line.departments.all())
        .distinct()
        .order_by("number")
    )


def lines_of_window(window: Window) -> QuerySet[QueueLine]:
    return QueueLine.objects.filter(departments__in=window.departments.all()).distinct()


def line_for_item(item: Item) -> QueueLine:
    line = (
        QueueLine.objects.filter(is_active=True, departments=item.department_id)
        .order_by("sort", "letter")
        .first()
    )
    if line is None or not serving_windows(line).filter(departments=item.department_id).exists():
        raise QueueError(_("本大厅暂无窗口办理该事项，请到咨询台询问。"))
    return line


def _line_for_window(window: Window) -> QueueLine:
    line = lines_of_window(window).filter(is_active=True).order_by("sort", "letter").first()
    if line is None:
        raise QueueError(_("预约的窗口不在任何业务类别中，请到咨询台询问。"))
    return line


# --- key projects (J11) -------------------------------------------------------------------------
def has_active_key_project(credit_code: str) -> bool:
    """An enterprise with this credit code has a registered key project not yet through all its
    stages (docs/rules/projects.md §H4)."""
    projects = Project.objects.filter(enterprise__credit_code=credit_code).prefetch_related(
        "stages"
    )
    for project in projects:
        stages = list(project.stages.all())
        if not stages or not all(stage_done(stage) for stage in stages):
            return True
    return False


# --- issuing (J10) ------------------------------------------------------------------------------
def _next_seq(day: dt.date, prefix: str) -> int:
    """The next number of the day's prefix: one counter row incremented in place (the row's
    write lock orders concurrent issuers); the (day, number) constraint is the backstop."""
    counter, _created = _counter(day, prefix)
    TicketCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return TicketCounter.objects.values_list("last", flat=True).get(pk=counter.pk)


def _counter(day: dt.date, prefix: str) -> tuple[TicketCounter, bool]:
    try:
        with transaction.atomic():
            return TicketCounter.objects.get_or_create(day=day, prefix=prefix)
    except IntegrityError:  # created by a concurrent issuer just now
        return TicketCounter.objects.get(day=day, prefix=prefix), False


def kiosk_rate_spend(ip: str | None) -> None:
    """docs/rules/hall.md §J10: the kiosk and the public API take at most
    QUEUE_TICKETS_PER_MINUTE tickets a minute per client address; over it nothing is issued."""
    limit = int(getattr(settings, "QUEUE_TICKETS_PER_MINUTE", 30))
    wait = rate_spend(scope="queue-ticket", ident=ip, limit=limit)
    if wait:
        raise TooManyTickets(
            _("取号过于频繁，请在 %(s)d 秒后再试，或到咨询台取号。") % {"s": wait}, wait
        )


@dataclass(frozen=True)
class IssueRequest:
    line_id: int | None = None
    item_id: int | None = None
    appointment_code: str = ""
    priority: str = ""
    credit_code: str = ""


@transaction.atomic
def issue(
    request: IssueRequest, *, source: str, actor: Any = None, at: dt.datetime | None = None
) -> Ticket:
    """Issue a ticket (walk-in by item or business category, or by appointment code). One
    transaction: an appointment checked in by the resolver stays booked if the ticket fails."""
    moment = at or clock.now()
    day = clock.local_date(moment)
    chosen = [bool(request.line_id), bool(request.item_id), bool(request.appointment_code)]
    if sum(chosen) != 1:
        raise QueueError(_("请选择办理事项或业务类别，或输入预约码（三者选一）。"))
    if request.priority and request.priority not in PriorityReason.values:
        raise QueueError(_("优先原因不正确。"))
    credit_code = ""
    if request.credit_code.strip():
        check = check_credit_code(request.credit_code)
        if check.malformed:
            raise QueueError(_("统一社会信用代码应为18位数字或大写字母。"))
        credit_code = check.code
    priority = request.priority
    if priority == PriorityReason.KEY_PROJECT and not (
        credit_code and has_active_key_project(credit_code)
    ):
        # J11: the key-project class comes from the register (or the appointment), not from a
        # declaration.
        raise QueueError(
            _("按重点项目优先取号，请填写已登记且仍在办理中的重点项目企业的统一社会信用代码。")
        )
    item: Item | None = None
    window: Window | None = None
    label = ""
    code = request.appointment_code.strip()[:40]
    if code and not code.isprintable():
        raise TicketSourceError(_("预约码格式不正确，请核对后重新输入。"))
    if code:
        info = resolve_appointment(code, moment)
        if Ticket.objects.filter(day=day, appointment_code=code).exists():
            raise QueueError(_("该预约码今天已取过号。"))
        if info.priority and info.priority not in PriorityReason.values:
            raise QueueError(_("预约的优先原因不正确，请到咨询台询问。"))
        priority = priority or info.priority
        label = info.label[:100]
        if info.window_id is not None:
            window = Window.objects.filter(pk=info.window_id, is_active=True).first()
            if window is None:
                raise QueueError(_("预约的窗口已停用，请到咨询台询问。"))
        if info.item_id is not None:
            item = Item.objects.filter(pk=info.item_id).first()
            if item is None:
                raise QueueError(_("预约的事项不存在，请到咨询台询问。"))
        if item is not None:
            line = line_for_item(item)
        elif window is not None:
            line = _line_for_window(window)
        else:
            raise QueueError(_("预约未指明事项或窗口，请到咨询台询问。"))
    elif request.item_id:
        item = Item.objects.filter(pk=request.item_id).first()
        if item is None:
            raise QueueError(_("所选事项不存在，请重新选择。"))
        line = line_for_item(item)
    else:
        found = QueueLine.objects.filter(pk=request.line_id or 0, is_active=True).first()
        if found is None:
            raise QueueError(_("所选业务类别不存在或已停用，请重新选择。"))
        if not serving_windows(found).exists():
            raise QueueError(_("该业务类别暂无窗口办理，请到咨询台询问。"))
        line = found
    if not priority and credit_code and has_active_key_project(credit_code):
        priority = PriorityReason.KEY_PROJECT
    if item is not None and not label:
        version = item.published_version
        label = (version.name if version else item.code)[:100]
    prefix = PRIORITY_PREFIX if priority else line.letter
    with transaction.atomic():
        seq = _next_seq(day, prefix)
        ticket = Ticket.objects.create(
            day=day,
            prefix=prefix,
            seq=seq,
            number=f"{prefix}{seq:03d}",
            token=secrets.token_urlsafe(16),
            line=line,
            item=item,
            window=window,
            priority=priority,
            source=source if not code else TicketSource.APPOINTMENT,
            appointment_code=code,
            credit_code=credit_code,
            label=label,
            issued_at=moment,
        )
        _event(ticket, EventKind.ISSUE, window=window, actor=actor, at=moment)
    return ticket


def ticket_by_token(token: str) -> Ticket | None:
    """The ticket of a ticket page's address; None for anything that is not a token we give."""
    if not TOKEN_RE.fullmatch(token):
        return None
    return Ticket.objects.select_related("line", "window").filter(token=token).first()


def _event(
    ticket: Ticket,
    kind: str,
    *,
    window: Window | None,
    actor: Any,
    at: dt.datetime,
    note: str = "",
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        window=window,
        priority=ticket.is_priority,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=at,
        note=note[:200],
    )


# --- the order of a window's queue (J11) --------------------------------------------------------
def waiting_at(window: Window, day: dt.date) -> QuerySet[Ticket]:
    """Tickets of the day a window may call: booked or transferred to it, or waiting in a line
    of its departments without a window of their own."""
    return Ticket.objects.filter(day=day, status=TicketStatus.WAITING).filter(
        Q(window=window) | Q(window__isnull=True, line__in=lines_of_window(window))
    )


def priority_streak(window: Window, day: dt.date) -> int:
    """How many of the window's latest calls today (recalls aside) were priority tickets."""
    kinds = TicketEvent.objects.filter(
        window=window, kind=EventKind.CALL, ticket__day=day
    ).order_by("-at", "-pk")
    streak = 0
    for is_priority in kinds.values_list("priority", flat=True)[: priority_streak_limit() + 1]:
        if not is_priority:
            break
        streak += 1
    return streak


def next_ticket(window: Window, day: dt.date) -> Ticket | None:
    """The ticket the window calls next (J11): the earliest-issued priority ticket unless the
    window has called K priority tickets in a row and an ordinary one is waiting; then the
    earliest-issued ordinary ticket. Within a class strictly by issue time, then by id."""
    pool = waiting_at(window, day).order_by("issued_at", "pk")
    first_priority = pool.exclude(priority="").first()
    first_ordinary = pool.filter(priority="").first()
    if first_priority is None:
        return first_ordinary
    if first_ordinary is not None and priority_streak(window, day) >= priority_streak_limit():
        return first_ordinary
    return first_priority


def order_at(window: Window, day: dt.date) -> list[Ticket]:
    """The window's waiting tickets in the order they would be called if nobody else arrived."""
    pool = list(waiting_at(window, day).order_by("issued_at", "pk").select_related("line"))
    priority = [t for t in pool if t.is_priority]
    ordinary = [t for t in pool if not t.is_priority]
    streak = priority_streak(window, day)
    limit = priority_streak_limit()
    order: list[Ticket] = []
    while priority or ordinary:
        if priority and not (ordinary and streak >= limit):
            order.append(priority.pop(0))
            streak += 1
        else:
            order.append(ordinary.pop(0))
            streak = 0
    return order


def ahead_of(ticket: Ticket) -> int:
    """How many tickets are called before this one at the windows that may call it, if nobody
    else arrives: the fewest over those windows."""
    if ticket.status != TicketStatus.WAITING:
        return 0
    windows = [ticket.window] if ticket.window_id else list(serving_windows(ticket.line))
    best: int | None = None
    for window in windows:
        if window is None:
            continue
        ids = [t.pk for t in order_at(window, ticket.day)]
        if ticket.pk in ids:
            ahead = ids.index(ticket.pk)
            best = ahead if best is None else min(best, ahead)
    return best or 0


# --- the clerk at the window (J12) --------------------------------------------------------------
def clerk_of(user: Any, window: Window) -> bool:
    """docs/rules/hall.md §J12: staff with the queue permission linked to the window."""
    return bool(
        has_perm(user, Perm.QUEUE_SERVE)
        and window.is_active
        and user.windows.filter(pk=window.pk).exists()
    )


def current_at(window: Window, day: dt.date | None = None) -> Ticket | None:
    return (
        Ticket.objects.filter(
            day=day or clock.today(), served_by=window, status=TicketStatus.CALLED
        )
        .order_by("-last_called_at", "-pk")
        .first()
    )


def call_next(window: Window, actor: Any, *, at: dt.datetime | None = None) -> Ticket:
    moment = at or clock.now()
    day = clock.local_date(moment)
    if current_at(window, day) is not None:
        raise QueueWrongState(_("本窗口还有正在办理的号，请先办结、过号或转移后再叫下一号。"))
    for _attempt in range(5):
        ticket = next_ticket(window, day)
        if ticket is None:
            raise QueueError(_("当前没有等候的号。"))
        with transaction.atomic():
            # A conditional update: a ticket called at another window at the same moment is
            # taken by one of them only.
            taken = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED,
                served_by=window,
                called_at=moment,
                last_called_at=moment,
            )
            if taken:
                ticket.refresh_from_db()
                _event(ticket, EventKind.CALL, window=window, actor=actor, at=moment)
                return ticket
    raise QueueError(_("叫号冲突，请稍后再试。"))


def _ticket_at(
    window: Window, ticket: Ticket, statuses: tuple[str, ...], message: str, moment: dt.datetime
) -> None:
    ticket.refresh_from_db()  # decide on the row as it is now, not as the caller read it
    if ticket.day != clock.local_date(moment):
        raise QueueWrongState(_("只能处理当天的号。"))
    if ticket.served_by_id != window.pk or ticket.status not in statuses:
        raise QueueWrongState(message)


def recall(window: Window, ticket: Ticket, actor: Any, *, at: dt.datetime | None = None) -> Ticket:
    """Call the same ticket again: the current one, or one skipped at this window today."""
    moment = at or clock.now()
    _ticket_at(
        window,
        ticket,
        (TicketStatus.CALLED, TicketStatus.SKIPPED),
        _("只能重呼本窗口当前的号或本窗口当天过号的号。"),
        moment,
    )
    if ticket.status == TicketStatus.SKIPPED and current_at(window, ticket.day) is not None:
        raise QueueWrongState(_("本窗口还有正在办理的号，请先办结、过号或转移后再重呼过号。"))
    with transaction.atomic():
        done = Ticket.objects.filter(pk=ticket.pk, status=ticket.status).update(
            status=TicketStatus.CALLED, last_called_at=moment
        )
        if not done:
            raise QueueWrongState(_("该号的状态刚刚已变化，请刷新后再试。"))
        ticket.refresh_from_db()
        _event(ticket, EventKind.RECALL, window=window, actor=actor, at=moment)
    return ticket


def skip(window: Window, ticket: Ticket, actor: Any, *, at: dt.datetime | None = None) -> Ticket:
    """过号: the called applicant did not come; the ticket can be recalled the same day."""
    return _step(
        window,
        ticket,
        actor,
        EventKind.SKIP,
        {"status": TicketStatus.SKIPPED},
        _("只能对本窗口正在呼叫的号过号。"),
        at,
    )


def finish(
    window: Window,
    ticket: Ticket,
    actor: Any,
    *,
    case_number: str = "",
    at: dt.datetime | None = None,
) -> Ticket:
    """办理完毕, optionally linking the case registered for the applicant."""
    case = None
    number = case_number.strip()
    if number:
        case = Case.objects.filter(number=number[:40]).first() if number.isprintable() else None
        if case is None:
            raise QueueError(_("没有找到办件编号为“%(n)s”的办件。") % {"n": number[:40]})
    moment = at or clock.now()
    return _step(
        window,
        ticket,
        actor,
        EventKind.FINISH,
        {"status": TicketStatus.FINISHED, "finished_at": moment, "case": case},
        _("只能对本窗口正在办理的号办结。"),
        moment,
        note=number[:40],
    )


def _step(
    window: Window,
    ticket: Ticket,
    actor: Any,
    kind: str,
    changes: dict[str, Any],
    message: str,
    at: dt.datetime | None,
    note: str = "",
) -> Ticket:
    moment = at or clock.now()
    _ticket_at(window, ticket, (TicketStatus.CALLED,), message, moment)
    with transaction.atomic():
        done = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(**changes)
        if not done:
            raise QueueWrongState(_("该号的状态刚刚已变化，请刷新后再试。"))
        ticket.refresh_from_db()
        _event(ticket, kind, window=window, actor=actor, at=moment, note=note)
    return ticket


def transfer(
    window: Window,
    ticket: Ticket,
    actor: Any,
    *,
    to_window_id: int | None = None,
    to_line_id: int | None = None,
    at: dt.datetime | None = None,
) -> Ticket:
    """转移: to another window or business category; the ticket waits there with its original
    issue time (J11)."""
    moment = at or clock.now()
    _ticket_at(
        window,
        ticket,
        (TicketStatus.CALLED, TicketStatus.SKIPPED),
        _("只能转移本窗口正在办理或过号的号。"),
        moment,
    )
    if bool(to_window_id) == bool(to_line_id):
        raise QueueError(_("请选择要转往的窗口或业务类别（二者选一）。"))
    to_window: Window | None = None
    if to_window_id:
        to_window = Window.objects.filter(pk=to_window_id).first()
        if to_window is None or not to_window.is_active:
            raise QueueError(_("要转往的窗口不存在或已停用。"))
        if to_window.pk == window.pk:
            raise QueueError(_("不能转往本窗口。"))
        line = _line_for_window(to_window)
        note = to_window.number
    else:
        found = QueueLine.objects.filter(pk=to_line_id or 0, is_active=True).first()
        if found is None:
            raise QueueError(_("要转往的业务类别不存在或已停用。"))
        if not serving_windows(found).exists():
            raise QueueError(_("该业务类别暂无窗口办理。"))
        line = found
        note = found.letter
    with transaction.atomic():
        done = Ticket.objects.filter(pk=ticket.pk, status=ticket.status).update(
            status=TicketStatus.WAITING,
            window=to_window,
            line=line,
            served_by=None,
        )
        if not done:
            raise QueueWrongState(_("该号的状态刚刚已变化，请刷新后再试。"))
        ticket.refresh_from_db()
        _event(ticket, EventKind.TRANSFER, window=window, actor=actor, at=moment, note=note)
    return ticket
