"""The record of each case whose personal data the retention job anonymised
(docs/rules/privacy.md §P5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Anonymisation(models.Model):
    """One case anonymised: when, and how many personal values were blanked."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="anonymisation",
    )
    at = models.DateTimeField(_("匿名化时间"), db_index=True)
    values = models.PositiveIntegerField(_("清除的个人信息项数"), default=0)
    applicant_anonymised = models.BooleanField(_("窗口登记的申请人记录一并匿名化"), default=False)

    class Meta:
        verbose_name = _("匿名化记录")
        verbose_name_plural = _("匿名化记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"
