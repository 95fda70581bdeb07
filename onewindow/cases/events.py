"""The vocabulary of case events: one ``EventKind`` per ``CaseEvent.action`` code.

A kind says what its code means to staff (the label in the case history, the decision history
and the supervision console), whether the applicant sees it on the public progress page (under
which words, and whether the event's reason is written for them), and who is told by email/SMS
and in which words. Each app registers the kinds it writes in its own ``events`` module, imported
from its ``AppConfig.ready``; the kinds of cases are registered at the end of this module.
Readers ask the registry (``event_label``, ``event_public_label``, ``event_reason_public``);
nobody keeps a label dict of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

from onewindow.cases import texts
from onewindow.cases.models import Case, CaseEvent

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Lines = Callable[[Case, CaseEvent], list[str]]


@dataclass(frozen=True)
class ToApplicant:
    """An email/SMS to the applicant and the agent: the kind's own ``lines`` between the common
    opening and closing (``notifications.texts.compose``), composed when it is first sent.

    Only public events are told (the applicant hears what the progress page shows), and only
    when ``when``, if given, holds for the event."""

    lines: Lines = texts.status_changed
    when: Callable[[CaseEvent], bool] | None = None


@dataclass(frozen=True)
class StaffMessage:
    """An email to the reviewing staff of one department, composed when the event is written."""

    department_id: int
    subject: str
    body: str


@dataclass(frozen=True)
class ToDepartment:
    """An email to a department's reviewing staff; ``message`` names the department and the words
    (called in the site's language, inside the event's transaction)."""

    message: Callable[[Case, CaseEvent], StaffMessage]


@dataclass(frozen=True)
class EventKind:
    """One ``CaseEvent.action`` code and what it means.

    ``label``: the staff name (None: the history shows the code itself). ``public_label``: the
    step's name on the progress page (None: the event shows there only as a status change, if it
    is one). ``public_reason``: the event's reason is written for the applicant and shown with
    it. ``notify``: who is told, in which words (None: nobody)."""

    code: str
    label: StrOrPromise | None
    public_label: StrOrPromise | None = None
    public_reason: bool = False
    notify: ToApplicant | ToDepartment | None = None


class UnknownEventKind(LookupError):
    """An action code nobody registered: a programming error, found by the tests."""


class EventKinds:
    """A registry of kinds by code. Registering the same kind twice is harmless; a second,
    different kind for a code already taken is refused."""

    def __init__(self) -> None:
        self._kinds: dict[str, EventKind] = {}

    def register(self, *kinds: EventKind) -> None:
        for kind in kinds:
            known = self._kinds.get(kind.code)
            if known is not None and known != kind:
                raise ValueError(f"event kind {kind.code!r} is already registered")
            self._kinds[kind.code] = kind

    def find(self, code: str) -> EventKind | None:
        return self._kinds.get(code)

    def get(self, code: str) -> EventKind:
        kind = self._kinds.get(code)
        if kind is None:
            raise UnknownEventKind(f"no event kind is registered for the action {code!r}")
        return kind

    def all(self) -> list[EventKind]:
        return sorted(self._kinds.values(), key=lambda kind: kind.code)


KINDS = EventKinds()


def event_kind_register(*kinds: EventKind) -> None:
    """Register an app's kinds (from its ``events`` module, imported by its ``AppConfig.ready``)."""
    KINDS.register(*kinds)


def event_kind(code: str) -> EventKind:
    """The kind of ``code``; UnknownEventKind if no app registered it."""
    return KINDS.get(code)


def event_kinds() -> list[EventKind]:
    """Every registered kind, by code."""
    return KINDS.all()


def event_label(code: str) -> str:
    """The staff name of an action (the code itself when the kind has none or is unknown)."""
    kind = KINDS.find(code)
    return str(kind.label) if kind is not None and kind.label is not None else code


def event_public_label(code: str) -> str | None:
    """The step's name on the public progress page, or None when the kind has no public name."""
    kind = KINDS.find(code)
    return str(kind.public_label) if kind is not None and kind.public_label is not None else None


def event_reason_public(code: str) -> bool:
    """Whether the reason of events of this kind is written for the applicant."""
    kind = KINDS.find(code)
    return kind is not None and kind.public_reason


# --- the kinds of cases -----------------------------------------------------------------------

event_kind_register(
    # The applicant's draft, before a case exists for anyone else.
    EventKind("draft_created", gettext_lazy("创建草稿")),
    EventKind("draft_saved", gettext_lazy("保存草稿")),
    EventKind("file_added", gettext_lazy("上传材料")),
    EventKind("file_removed", gettext_lazy("删除材料")),
    EventKind("file_reused", gettext_lazy("复用已有材料")),
    # Submission and intake (ALL Art. 32).
    EventKind(
        "submitted",
        gettext_lazy("提交申请"),
        gettext_lazy("提交申请"),
        notify=ToApplicant(texts.submitted),
    ),
    EventKind(
        "resubmitted",
        gettext_lazy("补正后重新提交"),
        gettext_lazy("补正材料后重新提交"),
        notify=ToApplicant(texts.submitted),
    ),
    EventKind(
        "withdrawn",
        gettext_lazy("撤回申请"),
        gettext_lazy("申请人撤回申请"),
        notify=ToApplicant(texts.withdrawn),
    ),
    EventKind(
        "accepted",
        gettext_lazy("受理"),
        gettext_lazy("受理"),
        notify=ToApplicant(texts.accepted),
    ),
    EventKind(
        "accepted_tolerated",
        gettext_lazy("容缺受理"),
        gettext_lazy("容缺受理"),
        notify=ToApplicant(texts.accepted_tolerated),
    ),
    EventKind(
        "accepted_deemed",
        gettext_lazy("逾期视为受理"),
        gettext_lazy("受理期限届满，依法视为受理"),
        public_reason=True,
        notify=ToApplicant(texts.accepted_deemed),
    ),
    EventKind(
        "correction_requested",
        gettext_lazy("出具补正材料通知书"),
        gettext_lazy("出具补正材料通知书（一次性告知）"),
        notify=ToApplicant(texts.correction),
    ),
    EventKind(
        "rejected",
        gettext_lazy("不予受理"),
        gettext_lazy("不予受理"),
        public_reason=True,
        notify=ToApplicant(texts.rejected),
    ),
    # Commitments (告知承诺, 容缺后补).
    EventKind(
        "commitment_signed", gettext_lazy("签署告知承诺书"), gettext_lazy("申请人签署告知承诺书")
    ),
    EventKind(
        "commitment_fulfilled",
        gettext_lazy("容缺材料补齐"),
        gettext_lazy("容缺材料已补齐"),
        public_reason=True,
    ),
    EventKind(
        "terminated_commitment_overdue",
        gettext_lazy("容缺材料逾期未补齐，终止办理"),
        gettext_lazy("容缺材料逾期未补齐，终止办理"),
        public_reason=True,
        notify=ToApplicant(texts.terminated),
    ),
    EventKind("fee_recorded", gettext_lazy("登记收费")),
    # A holiday arrangement moved a date the applicant was told (public and told only then).
    EventKind(
        "deadline_recomputed",
        gettext_lazy("节假日安排调整，期限重新计算"),
        gettext_lazy("节假日安排调整，期限重新计算"),
        public_reason=True,
        notify=ToApplicant(texts.deadline_recomputed),
    ),
    # A staff remark on the case: internal, never told.
    EventKind("note_added", gettext_lazy("添加办理备注")),
)
