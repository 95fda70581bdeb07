"""The audit chain: one link per chained row, in the order the sealer chained them
(docs/rules/audit.md §Z2), and the queue of rows written but not chained yet."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64
RESTART = "audit.restart"  # the ``table`` of a link that records a maintenance restart (docs/rules/audit.md §Z6)


class ChainLink(models.Model):
    """One link: hash = SM3(prev_hash ‖ canonical content of the row ``table``/``row_pk``)."""

    seq = models.BigIntegerField(_("序号"), primary_key=True)
    table = models.CharField(_("数据表"), max_length=63)
    row_pk = models.BigIntegerField(_("记录编号"))
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)
    sealed_at = models.DateTimeField(_("封链时间"))
    # A restart link's own content (docs/rules/audit.md §Z6): reason, old head, counts.
    note = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "audit_chain"
        verbose_name = _("审计链节点")
        verbose_name_plural = _("审计链节点")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["table", "row_pk"], name="audit_chain_table_row")
        ]

    def __str__(self) -> str:
        return f"{self.seq} {self.table}#{self.row_pk}"


class PendingRow(models.Model):
    """A chained table's row written but not yet chained; an insert trigger adds it in the
    writer's own transaction, the sealer removes it when it chains the row."""

    table = models.CharField(max_length=63)
    row_pk = models.BigIntegerField()

    class Meta:
        db_table = "audit_pending"
        verbose_name = _("待封链记录")
        verbose_name_plural = _("待封链记录")

    def __str__(self) -> str:
        return f"{self.table}#{self.row_pk}"
