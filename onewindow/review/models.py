"""Parallel approval (并联审批, docs/product.md §C5) and the decision (docs/product.md §C6,
docs/rules/licensing.md §B2–§B5, §C).

On acceptance one Task opens per ProcessBranch of the case's item version, all at the same
moment; each moves through its branch's steps and ends with the department's Opinion. When every
opinion is in, the lead department decides (Decision). Extensions and special procedures
(Suspension) move the due dates. Every change also writes a CaseEvent on the case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import NotSupportedError, models
from django.db.models import CharField, F, Func, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.catalog.models import StepKind
from onewindow.core.statemachine import Machine, lifecycle
from onewindow.lib.constant_sql import constant_in
from onewindow.review.errors import TaskConflict

if TYPE_CHECKING:
    from onewindow.cases.models import StoredFile


class TaskStatus(models.TextChoices):
    """Where one department's review stands. Colours are CSS badge classes."""

    OPEN = "open", _("审查中")
    WAITING_MATERIAL = "waiting_material", _("待申请人补充材料")
    DONE = "done", _("已提出意见")
    DEEMED = "deemed", _("逾期默许同意")
    CANCELLED = "cancelled", _("已取消")

    @property
    def colour(self) -> str:
        return {
            "open": "blue",
            "waiting_material": "orange",
            "done": "green",
            "deemed": "red",
            "cancelled": "grey",
        }[self.value]


# A task still owes its department's opinion in these statuses.
TASK_PENDING = (TaskStatus.OPEN, TaskStatus.WAITING_MATERIAL)


def task_pending_q() -> Q:
    """``status IN ('open', 'waiting_material')`` written as the pending indexes' condition
    (task_pending_*), so SQLite can read the inbox from them (onewindow/lib/constant_sql.py)."""
    return constant_in("status", TASK_PENDING)


class CurrentStepRole(Func):
    """``steps[step].role`` of a task in SQL: the role that does the step the task is at."""

    output_field = CharField()

    def __init__(self) -> None:
        super().__init__(F("steps"), F("step"))

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        (steps, steps_params), (step, step_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return steps, step, [*steps_params, *step_params]

    def as_sql(
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra: Any,
    ) -> Any:
        raise NotSupportedError(f"CurrentStepRole is not written for {connection.vendor}")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        steps, step, params = self._parts(compiler, connection)
        return f"json_extract({steps}, '$[' || {step} || '].role')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        steps, step, params = self._parts(compiler, connection)
        return f"(({steps}) -> ({step})::integer) ->> 'role'", params


class Task(models.Model):
    """One department's review of one case: a branch of the parallel approval."""

    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.CASCADE, related_name="tasks"
    )
    # None when the item version has no process template: one task for the item's department.
    branch = models.ForeignKey(
        "catalog.ProcessBranch",
        verbose_name=_("流程分支"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    # Copied from the branch so the inbox is one indexed query per department.
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="review_tasks",
    )
    is_lead = models.BooleanField(_("牵头部门"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    # The branch's steps ([{"kind", "role"}, ...]) and days, copied when the task opens.
    steps = models.JSONField(_("办理环节"), default=list)
    allotted_days = models.PositiveSmallIntegerField(_("审查时限（工作日）"))
    # Index into ``steps`` of the step now being done.
    step = models.PositiveSmallIntegerField(_("当前环节"), default=0)
    opened_on = models.DateField(_("开始日期"))
    due = models.DateField(_("审查期限"))
    due_provisional = models.BooleanField(_("期限为临时计算"), default=False)
    # Working days this branch's clock stood still for material requests (item setting).
    paused_days = models.PositiveSmallIntegerField(_("暂停计时（工作日）"), default=0)
    # Optimistic concurrency: every change is a conditional UPDATE on (pk, revision).
    revision = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("审查任务")
        verbose_name_plural = _("审查任务")
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="task_case_department"),
        ]
        indexes = [
            models.Index(fields=["department", "status", "due"], name="task_dept_status_due"),
            models.Index(fields=["status", "due"], name="task_status_due"),
            # docs/rules/scale.md §Y4: the inbox's default view in its keyset order (due, id),
            # one department's and every department's (a supervisor's).
            models.Index(
                fields=["department", "due", "id"],
                condition=Q(status__in=["open", "waiting_material"]),
                name="task_pending_dept_due",
            ),
            models.Index(
                fields=["due", "id"],
                condition=Q(status__in=["open", "waiting_material"]),
                name="task_pending_due",
            ),
            # A handler's, reviewer's or approver's inbox: the tasks at their role's step.
            models.Index(
                F("department"),
                CurrentStepRole(),
                F("due"),
                F("id"),
                condition=Q(status__in=["open", "waiting_material"]),
                name="task_pending_role_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.department_id}"


def _task_wrong_state(task: Task) -> CaseError:
    return WrongStatus(
        gettext("审查任务当前状态为“%(s)s”，不能执行此操作。")
        % {"s": TaskStatus(task.status).label}
    )


def _task_conflict(task: Task) -> CaseError:
    return TaskConflict(gettext("该审查任务刚刚已被他人处理，请刷新后查看最新状态。"))


# A department's task: open until it asks the applicant for material (and reopens on the
# answer) or gives its opinion; silence past the due date is consent for a non-lead department
# (``tasks_deem_consent``); a withdrawn or terminated case cancels what is still pending. The last
# two are set-based UPDATEs over many tasks, filtered on the statuses declared here. A step that
# keeps the status (pass on, send back) is ``TASK_MACHINE.write``: still one conditional UPDATE.
TASK_MACHINE: Machine[Task] = Machine(
    model=Task,
    transitions=lifecycle(
        [
            ((TaskStatus.OPEN,), TaskStatus.WAITING_MATERIAL),
            ((TaskStatus.WAITING_MATERIAL,), TaskStatus.OPEN),
            ((TaskStatus.OPEN,), TaskStatus.DONE),
            (TASK_PENDING, TaskStatus.DEEMED),
            (TASK_PENDING, TaskStatus.CANCELLED),
        ]
    ),
    wrong_state=_task_wrong_state,
    conflict=_task_conflict,
)


class StepRecord(models.Model):
    """One step of a task done by one person (承办 / 审核 / 批准), with their comment."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="step_records")
    step = models.PositiveSmallIntegerField(_("环节序号"))
    kind = models.CharField(_("环节"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_role = models.CharField(_("角色"), max_length=20)
    # pass: to the next step; return: back to the previous step.
    outcome = models.CharField(_("结果"), max_length=10, default="pass")
    comment = models.TextField(_("意见"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("环节记录")
        verbose_name_plural = _("环节记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.outcome}"

    @property
    def kind_label(self) -> str:
        """承办 / 审核 / 批准, for the history (the stored key is for code only)."""
        return StepKind.label_of(self.kind)


class OpinionKind(models.TextChoices):
    """A department's answer (docs/rules/licensing.md §C2: 不同意 needs reasons)."""

    AGREE = "agree", _("同意")
    AGREE_CONDITIONS = "agree_conditions", _("附条件同意")
    DISAGREE = "disagree", _("不同意")
    DEEMED_CONSENT = "deemed_consent", _("默许同意（逾期未回复）")


class Opinion(models.Model):
    """The department's answer on its task, given at the last step or deemed at its due date."""

    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="opinion")
    kind = models.CharField(_("意见"), max_length=20, choices=OpinionKind.choices)
    text = models.TextField(_("理由/条件"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签署人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("部门意见")
        verbose_name_plural = _("部门意见")
        constraints = [
            # docs/rules/licensing.md §C2: a 不同意 without reasons is not accepted; conditions need
            # text.
            models.CheckConstraint(
                condition=~Q(kind__in=["disagree", "agree_conditions"]) | ~Q(text=""),
                name="opinion_reasons_required",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind}"

    @property
    def remark(self) -> str:
        """The text beside the kind, or "" when it only repeats it: "同意" under 同意 would
        read "同意。同意" in the history."""
        return opinion_remark(self.kind, self.text)


def opinion_remark(kind: str, text: str) -> str:
    """``text`` unless it says no more than the opinion kind's own label."""
    text = (text or "").strip()
    label = str(OpinionKind(kind).label) if kind in OpinionKind.values else kind
    bare = text.rstrip("。.!！ ").strip()
    return "" if bare in {label, str(kind)} else text


class MaterialRequest(models.Model):
    """A department asks the applicant, through the window, for more material."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="material_requests")
    text = models.TextField(_("需补充的材料及要求"))
    # Copied from the item version at the time: whether this branch's clock stopped.
    pauses_clock = models.BooleanField(_("暂停计时"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField(_("要求日期"))
    answered_on = models.DateField(_("补齐日期"), null=True, blank=True)
    answer = models.TextField(_("申请人答复"), blank=True)
    # The files handed in with the answer (uploaded by the applicant or scanned at the window).
    files: models.ManyToManyField[StoredFile, MaterialAnswerFile] = models.ManyToManyField(
        "cases.StoredFile",
        verbose_name=_("补充的文件"),
        through="MaterialAnswerFile",
        related_name="material_requests",
        blank=True,
    )
    paused_days = models.PositiveSmallIntegerField(_("暂停计时（工作日）"), default=0)

    class Meta:
        verbose_name = _("补充材料要求")
        verbose_name_plural = _("补充材料要求")
        ordering = ["requested_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(answered_on__isnull=True), name="materialreq_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.requested_on}"


class MaterialAnswerFile(models.Model):
    """One file of the answer to a material request. The file itself is a ``cases.StoredFile``
    (same checks and storage as the application's materials), owned by the case's applicant."""

    request = models.ForeignKey(
        MaterialRequest, on_delete=models.CASCADE, related_name="answer_files"
    )
    stored = models.ForeignKey(
        "cases.StoredFile", on_delete=models.PROTECT, related_name="material_answer_files"
    )

    class Meta:
        verbose_name = _("补充材料文件")
        verbose_name_plural = _("补充材料文件")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "stored"], name="materialfile_once"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}/{self.stored_id}"


class DecisionKind(models.TextChoices):
    GRANT = "grant", _("准予行政许可")
    REFUSE = "refuse", _("不予行政许可")


class Decision(models.Model):
    """The lead department's decision on the case (ALL Art. 37–38), made once."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="decision")
    kind = models.CharField(_("决定"), max_length=10, choices=DecisionKind.choices)
    # Art. 38: a refusal states reasons and the right to reconsideration or litigation.
    reasons = models.TextField(_("理由"), blank=True)
    remedies = models.TextField(_("救济途径"), blank=True)
    conditions = models.TextField(_("许可条件/附加说明"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("决定人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("决定日期"), db_index=True)  # reports and scores by period
    # Art. 44 (docs/rules/licensing.md §B3): certificate issued and delivered within 10 working
    # days.
    certificate_due = models.DateField(_("发证送达期限"), null=True, blank=True, db_index=True)
    at = models.DateTimeField(_("时间"))
    # docs/rules/audit.md §Z12: the SM2 signature over the decision and its documents' hashes,
    # and the key that made it (empty on decisions made before SM2 signing).
    sm2_key_id = models.CharField(_("SM2 签名密钥"), max_length=40, blank=True)
    sm2_signature = models.CharField(_("SM2 签名"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("审批决定")
        verbose_name_plural = _("审批决定")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="grant") | (~Q(reasons="") & ~Q(remedies="")),
                name="decision_refusal_reasons_remedies",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class ExtensionStatus(models.TextChoices):
    REQUESTED = "requested", _("待批准")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


class Extension(models.Model):
    """An extension of the decision period (ALL Art. 42): asked by the handler, approved by a
    head role, +10 working days (+15 for joint handling) at most, once per case."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField(_("延长（工作日）"))
    reasons = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.REQUESTED,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    decision_note = models.TextField(_("批示"), blank=True)

    class Meta:
        verbose_name = _("延期")
        verbose_name_plural = _("延期")
        constraints = [
            # "once": at most one extension asked for or granted per case.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["requested", "approved"]),
                name="extension_once_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


def _extension_decided(extension: Extension) -> CaseError:
    return ConcurrentChange(gettext("该延期申请已处理，请刷新后查看。"))


# ALL Art. 42: a head approves or refuses the request, once. The row has no revision: the
# conditional UPDATE on (pk, status) is enough, as nothing else changes a requested extension.
EXTENSION_MACHINE: Machine[Extension] = Machine(
    model=Extension,
    transitions=lifecycle(
        [
            ((ExtensionStatus.REQUESTED,), ExtensionStatus.APPROVED),
            ((ExtensionStatus.REQUESTED,), ExtensionStatus.REFUSED),
        ]
    ),
    wrong_state=_extension_decided,
    conflict=_extension_decided,
    revision_field=None,
)


class SuspensionKind(models.TextChoices):
    """Procedures whose time does not count (ALL Art. 45, docs/rules/licensing.md §B4)."""

    HEARING = "hearing", _("听证")
    BIDDING = "bidding", _("招标、拍卖")
    TESTING = "testing", _("检验、检测")
    INSPECTION = "inspection", _("现场勘验、检查")
    QUARANTINE = "quarantine", _("检疫")
    APPRAISAL = "appraisal", _("鉴定")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    PUBLIC_NOTICE = "public_notice", _("公示")


class Suspension(models.Model):
    """A special procedure: its time is excluded and every due date moves by the days spent."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField(_("特别程序"), max_length=20, choices=SuspensionKind.choices)
    reason = models.TextField(_("事由"))
    expected_days = models.PositiveSmallIntegerField(_("预计所需时间（工作日）"))
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    days_spent = models.PositiveSmallIntegerField(_("实际用时（工作日）"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        ordering = ["started_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="suspension_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.started_on}"
