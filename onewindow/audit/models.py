"""The audit chain: one link per chained row, in the order the sealer chained them
(docs/rules/audit.md §Z2), and the queue of rows written but not chained yet."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.audit.append_only import AppendOnly
from onewindow.lib.sm3 import sm3_hex

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


class AccessKind(models.TextChoices):
    """What a staff member looked at (docs/rules/audit.md §Z11)."""

    CASE = "case", _("查看办件")
    FILE = "file", _("查看申请材料")
    DOCUMENT = "document", _("查看文书")
    # docs/rules/privacy.md §P4: a full identity number, phone or address shown to staff
    PERSONAL = "personal", _("查看完整个人信息")


class CaseAccess(AppendOnly):
    """One staff view of a case, its files or its documents ("谁看过我的办件",
    docs/rules/audit.md §Z11). Append-only and chained like the event trail: a view cannot be
    hidden afterwards. Who, role and unit are copied at the time of the view (a staff member who
    later moves keeps the department they viewed from); the case is a plain id (the record
    outlives nothing and blocks no delete), its number copied for the auditor's search."""

    at = models.DateTimeField(_("时间"), db_index=True)
    case_id = models.BigIntegerField(_("办件"))
    case_number = models.CharField(_("办件编号"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a record stays when the account is removed
        related_name="+",
        verbose_name=_("查阅人"),
    )
    user_label = models.CharField(_("查阅人账号"), max_length=150)
    role = models.CharField(_("角色"), max_length=20)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    department_id = models.BigIntegerField(_("部门"), null=True)
    kind = models.CharField(_("查阅内容"), max_length=10, choices=AccessKind.choices)
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    via = models.CharField(_("途径"), max_length=10)  # "page" or "api"
    ip = models.GenericIPAddressField(_("IP 地址"), null=True)

    class Meta:
        verbose_name = _("办件查阅记录")
        verbose_name_plural = _("办件查阅记录")
        indexes = [
            models.Index(fields=["case_id", "-at"], name="audit_access_case"),
            models.Index(fields=["user", "-at"], name="audit_access_user"),
            models.Index(fields=["unit", "-at"], name="audit_access_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.kind} {self.case_number}"


class SigningKey(AppendOnly):
    """An SM2 key pair that signs decisions' certificates (docs/rules/audit.md §Z12).

    Only the public half is here; the private half is a file named after ``key_id`` in
    SIGNING_KEY_DIR, outside the database and the repository. Rotation adds a row (the newest
    whose private file is present signs); old rows stay so that what they signed still verifies.
    Append-only and chained: swapping a public key in the database breaks the audit chain.
    """

    key_id = models.CharField(_("密钥标识"), max_length=40, unique=True)
    public_key = models.CharField(_("公钥"), max_length=128)
    created_at = models.DateTimeField(_("生成时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("生成人"),
    )

    class Meta:
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")

    def __str__(self) -> str:
        return self.key_id

    @property
    def fingerprint(self) -> str:
        """The SM3 digest of the public key, in groups of four: to compare it by eye."""
        digest = sm3_hex(bytes.fromhex(self.public_key))[:32]
        return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


class SecurityAction(models.TextChoices):
    """What a security event records (docs/rules/audit.md §Z13)."""

    ACCOUNT_CREATED = "account_created", _("开设账号")
    ACCOUNT_DISABLED = "account_disabled", _("停用账号")
    ROLE_ASSIGNED = "role_assigned", _("分配角色")
    SECOND_FACTOR_ENROLLED = "second_factor_enrolled", _("绑定动态口令")
    SECOND_FACTOR_RESET = "second_factor_reset", _("重置动态口令")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("更换备用恢复码")
    SESSIONS_ENDED = "sessions_ended", _("结束全部会话")
    LOCKOUT_LIFTED = "lockout_lifted", _("解除登录锁定")
    SIGNING_KEY_GENERATED = "signing_key_generated", _("生成签名密钥")
    # docs/rules/privacy.md §P3, §P5
    DATA_KEY_ROTATED = "data_key_rotated", _("轮换个人信息加密密钥")
    RETENTION_RUN = "retention_run", _("执行个人信息到期匿名化")


class SecurityEvent(AppendOnly):
    """One security-relevant action on accounts or keys (docs/rules/audit.md §Z13), by whoever
    did it (the system or security administrator, the person themselves, or a command when no
    one is signed in). Append-only and chained: the audit administrator reads what the other two
    administrators did, and nobody can take it back. Accounts are plain ids with their usernames
    copied, so a record outlives the account."""

    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("操作"), max_length=30, choices=SecurityAction.choices)
    actor_id = models.BigIntegerField(_("操作人"), null=True)
    actor_label = models.CharField(_("操作人账号"), max_length=150, blank=True)
    actor_role = models.CharField(_("操作人角色"), max_length=20, blank=True)
    target_id = models.BigIntegerField(_("对象账号"), null=True)
    target_label = models.CharField(_("对象账号名"), max_length=150, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True)

    class Meta:
        verbose_name = _("安全操作记录")
        verbose_name_plural = _("安全操作记录")
        indexes = [models.Index(fields=["-at", "-id"], name="audit_security_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"
