"""The case events of the parallel review and the decision, and the review's hand-offs.

Imported by ``ReviewConfig.ready``: registers this app's event kinds (``cases.events``) and
subscribes the review to the case's status (``cases.subscriptions``): on acceptance the review
opens in every department at once; a withdrawn or terminated case owes no department opinion any
more, so its pending tasks are cancelled.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases.events import (
    EventKind,
    StaffMessage,
    ToApplicant,
    ToDepartment,
    event_kind_register,
)
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.cases.subscriptions import on_enter
from onewindow.review import texts_decisions as texts
from onewindow.review.models import Task
from onewindow.review.services import review_cancel, review_open


# --- the departments' emails --------------------------------------------------------------------
def task_opened_message(case: Case, event: CaseEvent) -> StaffMessage:
    """抄告相关: the department learns of its new review task and its due date (read from the
    event; events written before it carried the department's id read the task)."""
    department_id, due = event.data.get("department_id"), event.data.get("due")
    if department_id is None or due is None:
        task = Task.objects.get(pk=event.data["task"])
        department_id, due = task.department_id, task.due.isoformat()
    subject = _("新审查任务：办件 %(n)s") % {"n": case.number or ""}
    body = _(
        "%(d)s：办件 %(n)s（事项：%(item)s）已受理，请于 %(due)s 前完成本部门审查并提出意见。"
        "请登录政务服务平台“部门审查”栏目办理。"
    ) % {
        "d": event.data["department"],
        "n": case.number,
        "item": case.item_version.name,
        "due": due,
    }
    return StaffMessage(department_id, subject, body)


def material_answered_message(case: Case, event: CaseEvent) -> StaffMessage:
    """The reviewing department learns that its branch runs again (and until when)."""
    task = Task.objects.select_related("department").get(pk=event.data["task"])
    subject = _("补充材料已提交：办件 %(n)s") % {"n": case.number or ""}
    body = _(
        "%(d)s：办件 %(n)s（事项：%(item)s）的申请人已答复本部门的补充材料要求，"
        "审查继续，本部门审查期限 %(due)s。请登录政务服务平台“部门审查”栏目办理。"
    ) % {
        "d": task.department.name,
        "n": case.number,
        "item": case.item_version.name,
        "due": task.due,
    }
    return StaffMessage(task.department_id, subject, body)


event_kind_register(
    # Opening the review and the departments' branches.
    # No message: the applicant was just told of the acceptance (departments and deadline
    # included) in the same transaction; a second one for the review starting would be noise.
    EventKind(
        "review_opened",
        gettext_lazy("各部门并联审查开始"),
        gettext_lazy("各部门并联审查开始"),
        public_reason=True,
    ),
    EventKind(
        "task_opened",
        gettext_lazy("部门审查任务开始"),
        notify=ToDepartment(task_opened_message),
    ),
    # Steps inside one department's task (承办 → 审核 → 批准): staff history only.
    EventKind("task_step_completed", gettext_lazy("部门内部审查环节完成")),
    EventKind("task_returned", gettext_lazy("部门内部退回上一环节")),
    EventKind("opinion_given", gettext_lazy("部门出具审查意见")),
    EventKind("deemed_consent", gettext_lazy("部门逾期未回复，视为同意")),
    EventKind(
        "material_requested",
        gettext_lazy("审查部门要求补充材料"),
        gettext_lazy("审查部门要求补充材料"),
        public_reason=True,
        notify=ToApplicant(),
    ),
    EventKind(
        "material_answered",
        gettext_lazy("申请人已补充材料，继续审查"),
        gettext_lazy("申请人已补充材料，继续审查"),
        notify=ToDepartment(material_answered_message),
    ),
    EventKind(
        "opinions_complete",
        gettext_lazy("各部门审查意见已齐备，进入决定环节"),
        gettext_lazy("各部门审查意见已齐备，进入决定环节"),
    ),
    # Written once by migration review 0004: the lead department is never deemed to consent.
    EventKind(
        "lead_deemed_consent_withdrawn", gettext_lazy("撤销牵头部门的默许同意，重新开启审查")
    ),
    EventKind("task_due_recomputed", gettext_lazy("节假日安排调整，部门审查期限重新计算")),
    # The decision, the extension and the special procedures.
    EventKind(
        "decision_granted",
        gettext_lazy("作出准予行政许可决定"),
        notify=ToApplicant(texts.decided),
    ),
    EventKind(
        "decision_refused",
        gettext_lazy("作出不予行政许可决定"),
        notify=ToApplicant(texts.decided),
    ),
    # The grant written without the decision service (older rows, test helpers).
    EventKind("granted", gettext_lazy("准予许可"), notify=ToApplicant()),
    EventKind("extension_requested", gettext_lazy("申请延期")),
    EventKind(
        "extension_approved",
        gettext_lazy("批准延期"),
        notify=ToApplicant(texts.extension_approved),
    ),
    EventKind("extension_refused", gettext_lazy("不批准延期")),
    EventKind(
        "suspension_started",
        gettext_lazy("启动特别程序（暂停计时）"),
        notify=ToApplicant(texts.suspension_started),
    ),
    EventKind(
        "suspension_ended",
        gettext_lazy("结束特别程序（恢复计时）"),
        notify=ToApplicant(texts.suspension_ended),
    ),
)


# --- hand-offs ----------------------------------------------------------------------------------
def review_on_acceptance(case: Case, event: CaseEvent, actor: Any) -> None:
    """On acceptance (by a clerk, tolerated or deemed) the review opens in every department on
    the acceptance date, in the acceptance's transaction."""
    review_open(case=case, now=event.at, actor=actor)


def review_on_closing(case: Case, event: CaseEvent, actor: Any) -> None:
    """A withdrawn or terminated case: its pending tasks are cancelled."""
    review_cancel(case=case, now=event.at)


on_enter(CaseStatus.ACCEPTED, review_on_acceptance)
on_enter(CaseStatus.WITHDRAWN, review_on_closing)
on_enter(CaseStatus.TERMINATED, review_on_closing)
