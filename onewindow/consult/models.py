"""Online consultation (网上咨询), its FAQ, and complaints (投诉) — docs/rules/consultation.md.

A ``Question`` is asked by a signed-in applicant of one department (or about one of its items)
and must be answered within ``CONSULT_REPLY_DAYS`` working days (docs/rules/consultation.md §K1;
the supervision rule ``question_unanswered`` watches ``reply_due``). Answered with the asker's
consent, it may be published as FAQ with a public text the publisher edits
(docs/rules/consultation.md §K2).

A ``Complaint`` about a window and/or a staff member goes to the supervisors, who record the
investigation, the result and the reply (docs/rules/consultation.md §K3); each step is a ``ComplaintEvent``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onewindow.consult.errors import ConsultConflict, ConsultWrongStatus
from onewindow.core.statemachine import Machine, lifecycle

# docs/rules/consultation.md §K5: lengths.
TITLE_MAX = 100
TEXT_MAX = 2000
REPLY_MAX = 4000


class QuestionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class Question(models.Model):
    """One question to a department (about one of its items, or in general)."""

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("咨询人"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("咨询部门"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("咨询事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questions",
    )
    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    text = models.TextField(_("咨询内容"))
    consent_publish = models.BooleanField(_("同意公开"), default=False)
    asked_at = models.DateTimeField(_("咨询时间"))
    reply_days = models.PositiveSmallIntegerField(_("答复期限（工作日）"))
    reply_due = models.DateField(_("答复截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    reply = models.TextField(_("答复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    # docs/rules/consultation.md §K2: the public version, edited by the publisher.
    published = models.BooleanField(_("已公开为常见问题"), default=False)
    public_title = models.CharField(_("公开标题"), max_length=TITLE_MAX, blank=True)
    public_text = models.TextField(_("公开的问题"), blank=True)
    public_reply = models.TextField(_("公开的答复"), blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公开人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("网上咨询")
        verbose_name_plural = _("网上咨询")
        ordering = ["-asked_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "reply_due"], name="question_status_due"),
            models.Index(fields=["department", "status"], name="question_dept_status"),
            models.Index(fields=["published", "item"], name="question_faq_item"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(published=False) | models.Q(consent_publish=True),
                name="question_published_with_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def _question_wrong_state(question: Question) -> ConsultWrongStatus:
    return ConsultWrongStatus(
        gettext("该咨询当前状态为“%(s)s”，不能进行此操作。")
        % {"s": QuestionStatus(question.status).label}
    )


def _question_conflict(question: Question) -> ConsultConflict:
    return ConsultConflict(gettext("该咨询刚刚已被他人处理，请刷新后查看最新状态。"))


# Department staff answer an open question once; publishing keeps the status (a write).
QUESTION_MACHINE: Machine[Question] = Machine(
    model=Question,
    transitions=lifecycle([((QuestionStatus.OPEN,), QuestionStatus.ANSWERED)]),
    wrong_state=_question_wrong_state,
    conflict=_question_conflict,
)


class ComplaintStatus(models.TextChoices):
    """submitted → handling → closed (docs/rules/consultation.md §K3)."""

    SUBMITTED = "submitted", _("已提交，待处理")
    HANDLING = "handling", _("调查处理中")
    CLOSED = "closed", _("已办结")


class ComplaintResult(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("投诉属实")
    PARTLY = "partly", _("部分属实")
    UNSUBSTANTIATED = "unsubstantiated", _("投诉不属实")


class Complaint(models.Model):
    """A complaint about a window and/or a staff member, optionally about one of one's cases."""

    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("投诉人"),
        on_delete=models.PROTECT,
        related_name="complaints_filed",
    )
    window = models.ForeignKey(
        "catalog.Window",
        verbose_name=_("被投诉窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被投诉工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_about",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("相关办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    title = models.CharField(_("投诉事由"), max_length=TITLE_MAX)
    text = models.TextField(_("投诉内容"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ComplaintStatus.choices,
        default=ComplaintStatus.SUBMITTED,
    )
    submitted_at = models.DateTimeField(_("投诉时间"))
    handling_notes = models.TextField(_("调查处理情况"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(
        _("处理结果"), max_length=20, choices=ComplaintResult.choices, blank=True
    )
    reply = models.TextField(_("答复投诉人"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="complaint_status"),
            models.Index(fields=["staff", "submitted_at"], name="complaint_staff"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window__isnull=False) | models.Q(staff__isnull=False),
                name="complaint_about_window_or_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def _complaint_wrong_state(complaint: Complaint) -> ConsultWrongStatus:
    return ConsultWrongStatus(
        gettext("该投诉当前状态为“%(s)s”，不能进行此操作。")
        % {"s": ComplaintStatus(complaint.status).label}
    )


def _complaint_conflict(complaint: Complaint) -> ConsultConflict:
    return ConsultConflict(gettext("该投诉刚刚已被他人处理，请刷新后查看最新状态。"))


# docs/rules/consultation.md §K3: a supervisor records the investigation (submitted → handling,
# further notes keep the status), then the result and the reply (handling → closed).
COMPLAINT_MACHINE: Machine[Complaint] = Machine(
    model=Complaint,
    transitions=lifecycle(
        [
            ((ComplaintStatus.SUBMITTED, ComplaintStatus.HANDLING), ComplaintStatus.HANDLING),
            ((ComplaintStatus.HANDLING,), ComplaintStatus.CLOSED),
        ]
    ),
    wrong_state=_complaint_wrong_state,
    conflict=_complaint_conflict,
)


class ComplaintEvent(models.Model):
    """One step of a complaint: who, when, from which status to which, and the note."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("投诉"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("操作"), max_length=20)
    old_status = models.CharField(_("原状态"), max_length=10, blank=True)
    new_status = models.CharField(_("新状态"), max_length=10)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("投诉处理记录")
        verbose_name_plural = _("投诉处理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def status_label(self) -> str:
        """The status the step left the complaint in, in words."""
        if self.new_status in ComplaintStatus.values:
            return str(ComplaintStatus(self.new_status).label)
        return self.new_status
