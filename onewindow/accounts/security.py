"""The security administrator's console (docs/decisions.md §S9): staff accounts, their roles,
second factors and sessions, and sign-in lockouts. Anyone else gets a logged 404."""

from __future__ import annotations

from typing import Any, cast

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from onewindow.accounts import second_factor, services
from onewindow.accounts.lockout import cool_off, lockout_lift
from onewindow.accounts.models import User
from onewindow.accounts.roles import STAFF_ROLES, Perm, Role
from onewindow.accounts.selectors import require_perm
from onewindow.core import clock
from onewindow.lib.idnumbers import mask_id_number

PAGE_SIZE = 50
# The catalog's models through the user's own relations (catalog sits above accounts).
Department = cast(type[Any], User._meta.get_field("department").related_model)
Region = cast(type[Any], User._meta.get_field("region").related_model)
Window = cast(type[Any], User._meta.get_field("windows").related_model)
# What the security administrator may grant: every staff role and the agent.
ASSIGNABLE = [(r.value, r.label) for r in Role if r in STAFF_ROLES or r == Role.AGENT]


def staff_accounts(*, q: str = "", role: str = "") -> QuerySet[User]:
    """Staff and agent accounts, with whether a second factor is bound, by username."""
    found = User.objects.filter(role__in=[value for value, _label in ASSIGNABLE])
    if q:
        found = found.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if role:
        found = found.filter(role=role)
    enrolled = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    return (
        found.select_related("department", "region")
        .annotate(second_factor=Exists(enrolled))
        .order_by("username")
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=ASSIGNABLE)
    department = forms.ModelChoiceField(
        label=gettext_lazy("所属部门"),
        queryset=Department.objects.order_by("sort", "code"),
        required=False,
    )
    region = forms.ModelChoiceField(
        label=gettext_lazy("所属区域/便民服务点"),
        queryset=Region.objects.order_by("code"),
        required=False,
    )
    windows = forms.ModelMultipleChoiceField(
        label=gettext_lazy("所在窗口"), queryset=Window.objects.order_by("number"), required=False
    )


class UnlockForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("账号"), max_length=150, required=False)
    ip = forms.GenericIPAddressField(label=gettext_lazy("IP 地址"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("username") and not data.get("ip"):
            raise ValidationError(_("请填写要解锁的账号或地址。"))
        return data


def lockouts_current(limit: int = 100) -> list[AccessAttempt]:
    """Accounts and addresses locked out now (docs/decisions.md §S1), newest first."""
    since = clock.now() - cool_off()
    attempts = list(
        AccessAttempt.objects.filter(
            failures_since_start__gte=settings.LOGIN_FAILURE_LIMIT, attempt_time__gte=since
        ).order_by("-attempt_time")[:limit]
    )
    # A person's login name is a blind-index form (docs/rules/privacy.md §P2): show whose it is,
    # by name and masked number, never the number itself.
    users = User.objects.in_bulk(
        [a.username for a in attempts if a.username], field_name="username"
    )
    for attempt in attempts:
        user = users.get(attempt.username)
        attempt.account_label = (  # type: ignore[attr-defined]
            f"{user.full_name}（{mask_id_number(user.id_number)}）"
            if user is not None and user.id_number
            else attempt.username
        )
    return attempts


@login_required
@require_http_methods(["GET", "POST"])
def console(request: HttpRequest) -> HttpResponse:
    require_perm(request, Perm.SECURITY_MANAGE, target="security:console")
    unlock = UnlockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and unlock.is_valid():
        removed = lockout_lift(
            username=unlock.cleaned_data["username"],
            ip=unlock.cleaned_data["ip"] or "",
            actor=request.user,
        )
        messages.success(request, _("已解除登录锁定，删除失败记录 %(n)d 条。") % {"n": removed})
        return redirect("accounts:security")
    q = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    role = role if role in dict(ASSIGNABLE) else ""
    paginator = Paginator(staff_accounts(q=q, role=role), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/security.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "roles": ASSIGNABLE,
            "unlock": unlock,
            "lockouts": lockouts_current(),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def account(request: HttpRequest, user_id: int) -> HttpResponse:
    require_perm(request, Perm.SECURITY_MANAGE, target=f"security:account:{user_id}")
    user = get_object_or_404(staff_accounts(), pk=user_id)
    return _account_page(request, user, RoleForm(initial=_role_initial(user)))


def _role_initial(user: User) -> dict[str, Any]:
    return {
        "role": user.role,
        "department": user.department_id,
        "region": user.region_id,
        "windows": list(user.windows.values_list("pk", flat=True)),
    }


def _account_page(
    request: HttpRequest, user: User, form: RoleForm, status: int = 200
) -> HttpResponse:
    device = second_factor.confirmed_device(user)
    return render(
        request,
        "accounts/security_account.html",
        {
            "account": user,
            "form": form,
            "device": device,
            "codes_left": second_factor.recovery_codes_left(user),
            "own": user.pk == request.user.pk,
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def account_act(request: HttpRequest, user_id: int, action: str) -> HttpResponse:
    actor = require_perm(request, Perm.SECURITY_MANAGE, target=f"security:account:{user_id}")
    user = get_object_or_404(staff_accounts(), pk=user_id)
    if action == "role":
        form = RoleForm(request.POST)
        if not form.is_valid():
            return _account_page(request, user, form, status=400)
        try:
            services.user_role_assign(
                user=user,
                role=Role(form.cleaned_data["role"]),
                actor=actor,
                department=form.cleaned_data["department"],
                windows=form.cleaned_data["windows"],
                region=form.cleaned_data["region"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_errors(form, exc)
            return _account_page(request, user, form, status=400)
        messages.success(request, _("已更改角色；该账号的登录已全部失效，须重新登录。"))
    elif action == "reset-second-factor":
        second_factor.second_factor_reset(user=user, actor=actor)
        messages.success(request, _("已重置动态口令；该账号下次登录时须重新绑定。"))
    elif action == "end-sessions":
        services.sessions_end(user=user, actor=actor)
        messages.success(request, _("已结束该账号的全部登录会话和接口令牌。"))
    else:
        return redirect("accounts:security_account", user_id=user.pk)
    return redirect("accounts:security_account", user_id=user.pk)


def _form_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def account_for_api(user_id: int) -> User:
    return cast(User, get_object_or_404(staff_accounts(), pk=user_id))
