"""Users: applicants (persons and enterprises), agents and staff (docs/product.md §C2)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.roles import (
    DEPARTMENT_ROLES,
    REGION_ROLES,
    STAFF_ROLES,
    Perm,
    Role,
    has_perm,
)
from onewindow.core.personal_data import (
    BlindIndexField,
    SealedCharField,
    blind_index,
    blind_update_fields,
)


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人")


class OneWindowUserManager(UserManager["User"]):
    """``createsuperuser`` makes a center administrator, so the role table covers them too."""

    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """Anyone who signs in: applicant, agent or staff, told apart by ``role``."""

    role = models.CharField(
        _("角色"), max_length=20, choices=Role.choices, default=Role.APPLICANT, db_index=True
    )
    full_name = models.CharField(_("姓名/名称"), max_length=200, blank=True)
    applicant_kind = models.CharField(
        _("申请人类型"), max_length=20, choices=ApplicantKind.choices, blank=True
    )
    # GB 11643 citizen ID number, checked per docs/rules/identity.md §F1; sealed with SM4 and
    # found and kept unique through its blind index (docs/rules/privacy.md §P1, §P2).
    id_number = SealedCharField(_("身份证号"), max_length=18, blank=True)
    id_number_index = BlindIndexField(source="id_number", kind="id")
    # GB 32100 unified social credit code, checked per docs/rules/identity.md §F2.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    # F2: a few real codes fail their own check digit. The applicant confirms it matches the
    # business licence; the account is then flagged until staff confirm it too.
    credit_code_check_failed = models.BooleanField(_("统一社会信用代码校验位未通过"), default=False)
    credit_code_confirmed = models.BooleanField(_("校验位异常已人工确认"), default=False)
    credit_code_confirmed_at = models.DateTimeField(_("人工确认时间"), null=True, blank=True)
    credit_code_confirmed_by = models.ForeignKey(
        "self",
        verbose_name=_("人工确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    phone = SealedCharField(_("手机号码"), max_length=20, blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone", db_index=True)
    department = models.ForeignKey(
        "catalog.Department",
        verbose_name=_("所属部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    # docs/rules/delegation.md §V3, §V4: the region a region administrator manages, or the
    # community point whose staff receive applications (代收).
    region = models.ForeignKey(
        "catalog.Region",
        verbose_name=_("所属区域/便民服务点"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    windows = models.ManyToManyField(
        "catalog.Window", verbose_name=_("所在窗口"), blank=True, related_name="staff"
    )
    # docs/decisions.md §S7: every session signed in before this moment has ended (a second-factor
    # reset, a disabled account, "sign out everywhere"); read with the user on each request.
    sessions_revoked_at = models.DateTimeField(
        _("会话统一失效时间"), null=True, blank=True, editable=False
    )

    objects: ClassVar[OneWindowUserManager] = OneWindowUserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(id_number_index=""),
                name="user_id_number_unique",
                violation_error_message=_("该身份证号已注册。"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="user_credit_code_unique",
                violation_error_message=_("该统一社会信用代码已注册。"),
            ),
            models.CheckConstraint(
                # sorted: a frozenset's order changes between runs and would churn migrations
                condition=Q(department__isnull=False)
                | ~Q(role__in=sorted(r.value for r in DEPARTMENT_ROLES)),
                name="user_department_role_has_department",
                violation_error_message=_("窗口和部门岗位的工作人员必须指定所属部门。"),
            ),
            # docs/decisions.md §S9: a superuser holds every Django admin permission, so only a
            # system administrator may be one (never the security or the audit administrator).
            models.CheckConstraint(
                condition=Q(is_superuser=False) | Q(role=Role.ADMIN),
                name="user_superuser_is_system_admin",
                violation_error_message=_("只有系统管理员（中心管理员）可以是超级用户。"),
            ),
            models.CheckConstraint(
                condition=Q(region__isnull=False)
                | ~Q(role__in=sorted(r.value for r in REGION_ROLES)),
                name="user_region_role_has_region",
                violation_error_message=_("区域管理员和便民服务点工作人员必须指定所属区域。"),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        if "update_fields" in kwargs:
            kwargs["update_fields"] = blind_update_fields(User, kwargs["update_fields"])
        super().save(*args, **kwargs)

    @property
    def credit_code_pending(self) -> bool:
        """The credit code failed its check digit and staff have not confirmed it yet."""
        return self.credit_code_check_failed and not self.credit_code_confirmed

    @property
    def is_staff_member(self) -> bool:
        return self.role in STAFF_ROLES

    def can(self, perm: Perm) -> bool:
        return has_perm(self, perm)


def identity_q(field: str, number: str) -> Q:
    """Users whose ``id_number`` (through its blind index, docs/rules/privacy.md §P2) or
    ``credit_code`` is ``number`` (already normalised); nobody for an empty number."""
    if not number:
        return Q(pk__in=[])
    if field == "id_number":
        return Q(id_number_index=blind_index("id", number))
    if field == "phone":
        return Q(phone_index=blind_index("phone", number))
    return Q(**{field: number})


def person_username(number: str) -> str:
    """A natural person's login name: not the ID number itself, which would then sit in clear in
    every table that names an account (docs/rules/privacy.md §P2). They sign in with the number,
    found through its blind index (``selectors.user_find_for_login``)."""
    return "id-" + blind_index("id", number)[:24]
