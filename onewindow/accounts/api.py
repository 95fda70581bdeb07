"""REST endpoints of this app, included under /api/v1/: API tokens, the current user, registration.

Clients sign in with ``POST auth/token`` and send ``Authorization: Token <key>``; browsers may use
their session instead. A token is revoked by ``DELETE auth/token`` and by a password change.
Staff sign in with a password and the code of their second factor (``otp``); ``auth/second-factor``
enrols and verifies it for a browser session (docs/decisions.md §S6).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts import second_factor, services
from onewindow.accounts.lockout import lockout_lift
from onewindow.accounts.models import ApplicantKind, User
from onewindow.accounts.roles import Perm, Role, permissions_of
from onewindow.accounts.selectors import require_perm
from onewindow.accounts.validators import CREDIT_CODE_UNCONFIRMED
from onewindow.api.body import request_body
from onewindow.api.schema import ERROR, error_responses


class InvalidCredentials(exceptions.APIException):
    status_code = 400
    default_code = "invalid_credentials"
    default_detail = "账号或密码不正确。"


class SecondFactorRefused(exceptions.APIException):
    """A staff sign-in or verification without a valid code (docs/decisions.md §S6)."""

    status_code = 400
    default_code = "second_factor_required"
    default_detail = "工作人员须提供动态口令。"


def _second_factor_error(exc: ValidationError) -> SecondFactorRefused:
    return SecondFactorRefused(exc.messages[0], code=f"second_factor_{exc.code or 'refused'}")


class CreditCodeUnconfirmed(exceptions.APIException):
    """F2: the check digit fails; resend with ``confirm_credit_code: true`` after checking."""

    status_code = 400
    default_code = CREDIT_CODE_UNCONFIRMED


# --- serializers ------------------------------------------------------------------------------
class DepartmentRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class WindowRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    name = serializers.CharField()


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    role_label = serializers.CharField(help_text="角色名称")
    applicant_kind = serializers.CharField(help_text="person、enterprise，或工作人员为空")
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text="角色拥有的权限（权限表 roles.ROLE_PERMISSIONS）"
    )
    department = DepartmentRefSerializer(allow_null=True)
    windows = WindowRefSerializer(many=True)
    credit_code_pending = serializers.BooleanField(
        help_text="统一社会信用代码校验位异常，待人工确认"
    )


class TokenCreateSerializer(serializers.Serializer):
    username = serializers.CharField(
        help_text="用户名；申请人也可用身份证号、统一社会信用代码或手机号"
    )
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=32,
        help_text="工作人员必填：验证器当前的6位动态口令，或一个备用恢复码",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="请求头 Authorization: Token <token>")
    user = MeSerializer()


class RegisterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, help_text="person 或 enterprise")
    full_name = serializers.CharField(max_length=200, help_text="姓名或企业名称")
    id_number = serializers.CharField(required=False, allow_blank=True, help_text="自然人必填")
    credit_code = serializers.CharField(required=False, allow_blank=True, help_text="法人必填")
    legal_representative = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="法人必填"
    )
    phone = serializers.CharField(max_length=20, help_text="11位手机号码")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    confirm_credit_code = serializers.BooleanField(
        required=False,
        default=False,
        help_text="统一社会信用代码校验位不符时，确认该代码与营业执照一致",
    )

    REQUIRED_BY_KIND = {
        ApplicantKind.PERSON: ("id_number",),
        ApplicantKind.ENTERPRISE: ("credit_code", "legal_representative"),
    }

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        missing = {
            field: _("该字段是必填项。")
            for field in self.REQUIRED_BY_KIND[ApplicantKind(attrs["kind"])]
            if not attrs.get(field, "").strip()
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


def me_data(user: User) -> dict[str, Any]:
    department = user.department
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "role": user.role,
        "role_label": str(Role(user.role).label),
        "applicant_kind": user.applicant_kind,
        "permissions": sorted(permissions_of(user)),
        "department": (
            {"id": department.pk, "code": department.code, "name": department.name}
            if department
            else None
        ),
        "windows": [{"id": w.pk, "number": w.number, "name": w.name} for w in user.windows.all()],
        "credit_code_pending": user.credit_code_pending,
    }


def _token_response(user: User, *, status_code: int = 200) -> Response:
    token = services.auth_token_issue(user=user)
    data = TokenSerializer({"token": token.key, "user": me_data(user)}).data
    return Response(data, status=status_code)


# --- views ------------------------------------------------------------------------------------
class AuthTokenView(APIView):
    """Sign an API client in (POST) or out (DELETE)."""

    permission_classes = [AllowAny]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Signing in needs no credentials (a stale token header must not block it).
        if self.request is not None and self.request.method == "DELETE":
            return super().get_authenticators()
        return []

    def get_permissions(self) -> list[Any]:
        if self.request is not None and self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        summary="登录，获取接口令牌",
        description="Exchange a login name and password for the user's API token. Applicants "
        "may use their ID number, credit code or mobile number as the login name. Staff also "
        "give `otp`, the code of their second factor (docs/decisions.md §S6): without it 400 "
        "`second_factor_required`, wrong 400 `second_factor_bad_code`, not enrolled yet 400 "
        "`second_factor_not_enrolled` (enrol on the web page first). After "
        "LOGIN_FAILURE_LIMIT failures the account and the client address are locked out for "
        "LOGIN_COOLOFF_MINUTES: 429 `locked_out` with Retry-After.",
        request=TokenCreateSerializer,
        responses={
            200: TokenSerializer,
            **error_responses(400),
            429: OpenApiResponse(
                ERROR, description="登录失败次数过多，账号或地址已暂时锁定（code locked_out）"
            ),
        },
        examples=[
            OpenApiExample(
                "错误的密码",
                value={"code": "invalid_credentials", "message": "账号或密码不正确。"},
                response_only=True,
                status_codes=["400"],
            )
        ],
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        credentials = request_body(TokenCreateSerializer, request)
        user = authenticate(
            request._request,
            username=credentials["username"],
            password=credentials["password"],
        )
        if user is None:
            raise InvalidCredentials(_("账号或密码不正确。"))
        user = cast(User, user)
        if second_factor.needs_second_factor(user):
            if not credentials["otp"].strip():
                raise SecondFactorRefused(_("工作人员须同时提供动态口令（otp）。"))
            try:
                second_factor.second_factor_check(user=user, code=credentials["otp"])
            except ValidationError as exc:
                raise _second_factor_error(exc) from exc
        return _token_response(user)

    @extend_schema(
        operation_id="auth_token_delete",
        summary="退出登录，吊销接口令牌",
        description="Delete the user's token: every client using it must sign in again.",
        request=None,
        responses={204: None, **error_responses(401)},
        tags=["accounts"],
    )
    def delete(self, request: Request) -> Response:
        services.auth_token_revoke(user=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    """The signed-in user: role, permissions, department and windows."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me",
        summary="当前用户",
        responses={200: MeSerializer, **error_responses(401)},
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(me_data(cast(User, request.user))).data)


class RegisterView(APIView):
    """Register an applicant (person or enterprise) and sign them in."""

    authentication_classes: list[type[BaseAuthentication]] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="accounts_register",
        summary="申请人注册",
        description=(
            "docs/rules/identity.md §F1, §F2. A person registers with a checked citizen ID number, an "
            "enterprise with a unified social credit code. A code failing only its check digit "
            "is refused with code `credit_code_unconfirmed` until sent again with "
            "`confirm_credit_code: true`; the account is then flagged for staff confirmation."
        ),
        request=RegisterSerializer,
        responses={201: TokenSerializer, **error_responses(400)},
        examples=[
            OpenApiExample(
                "自然人",
                value={
                    "kind": "person",
                    "full_name": "张伟",
                    "id_number": "11010519491231002X",
                    "phone": "13800138000",
                    "password": "Zhang-wei-2025",
                },
                request_only=True,
            ),
            OpenApiExample(
                "校验位异常待确认",
                value={
                    "code": "credit_code_unconfirmed",
                    "message": "统一社会信用代码的校验位与编码规则不符。……",
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        body = request_body(RegisterSerializer, request)
        try:
            user = _register(body)
        except ValidationError as exc:
            _raise_unconfirmed(exc)
            raise
        return _token_response(user, status_code=status.HTTP_201_CREATED)


def _register(data: dict[str, Any]) -> User:
    common = {
        "full_name": data["full_name"],
        "phone": data["phone"],
        "email": data["email"],
        "password": data["password"],
    }
    if data["kind"] == ApplicantKind.PERSON:
        return services.applicant_register_person(id_number=data["id_number"], **common)
    return services.applicant_register_enterprise(
        credit_code=data["credit_code"],
        legal_representative=data["legal_representative"],
        confirm_credit_code=data["confirm_credit_code"],
        **common,
    )


def _raise_unconfirmed(exc: ValidationError) -> None:
    """The confirmable F2 warning, when it is the only problem, gets its own error code."""
    errors = exc.error_dict if hasattr(exc, "error_dict") else {}
    if list(errors) == ["credit_code"] and all(
        e.code == CREDIT_CODE_UNCONFIRMED for e in errors["credit_code"]
    ):
        raise CreditCodeUnconfirmed(errors["credit_code"][0].messages[0]) from exc


class UnlockSerializer(serializers.Serializer):
    username = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="登录名(用户名、身份证号、信用代码或手机号)",
    )
    ip = serializers.IPAddressField(required=False, allow_blank=True, default="", help_text="地址")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["username"] and not attrs["ip"]:
            raise exceptions.ValidationError({"username": [_("请填写要解锁的账号或地址。")]})
        return attrs


class UnlockResultSerializer(serializers.Serializer):
    removed = serializers.IntegerField(help_text="删除的失败登录记录数")


class LockoutUnlockView(APIView):
    """docs/decisions.md §S1, §S9: the security administrator lifts a sign-in lockout (as on the
    security console or with the CLI)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_lockouts_unlock",
        summary="解除登录锁定(安全管理员)",
        description="Delete the failed sign-in attempts of an account (by any of its login "
        "names) and/or an address, lifting its lockout at once. The security administrator "
        "only (security.manage, docs/decisions.md §S9); anyone else gets a logged 404.",
        request=UnlockSerializer,
        responses={200: UnlockResultSerializer, **error_responses(400, 401, 404)},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.SECURITY_MANAGE, target="lockouts")
        body = request_body(UnlockSerializer, request)
        removed = lockout_lift(username=body["username"], ip=body["ip"], actor=actor)
        return Response(UnlockResultSerializer({"removed": removed}).data)


# --- the staff second factor (docs/decisions.md §S6) -------------------------------------------
class SecondFactorStatusSerializer(serializers.Serializer):
    needed = serializers.BooleanField(help_text="该账号登录须使用动态口令（工作人员）")
    enrolled = serializers.BooleanField(help_text="已绑定动态口令")
    verified = serializers.BooleanField(help_text="本次登录已通过动态口令验证")
    recovery_codes_left = serializers.IntegerField(help_text="剩余备用恢复码")


class EnrolmentSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32 密钥，可手动输入验证器应用")
    otpauth_uri = serializers.CharField(help_text="otpauth:// 地址（二维码内容）")


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="6位动态口令或备用恢复码")


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(), help_text="新的备用恢复码，只返回这一次"
    )


def _verified(request: Request) -> bool:
    """A token was issued against a code; a session carries its verification."""
    return isinstance(request.auth, Token) or second_factor.session_verified(
        request._request.session
    )


def _status(request: Request) -> Response:
    user = cast(User, request.user)
    data = {
        "needed": second_factor.needs_second_factor(user),
        "enrolled": second_factor.confirmed_device(user) is not None,
        "verified": _verified(request),
        "recovery_codes_left": second_factor.recovery_codes_left(user),
    }
    return Response(SecondFactorStatusSerializer(data).data)


def _staff(request: Request) -> User:
    user = cast(User, request.user)
    if not second_factor.needs_second_factor(user):
        raise SecondFactorRefused(_("申请人账号无需动态口令。"), code="second_factor_not_required")
    return user


class SecondFactorView(APIView):
    """The signed-in user's second factor: is it needed, enrolled, verified for this session."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_second_factor",
        summary="动态口令状态",
        responses={200: SecondFactorStatusSerializer, **error_responses(401)},
        tags=["accounts"],
    )
    def get(self, request: Request) -> Response:
        return _status(request)


class SecondFactorEnrolView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_second_factor_enrol",
        summary="开始绑定动态口令（工作人员）",
        description="The pending device's secret and otpauth:// address, the same until "
        "confirmed. 400 `second_factor_enrolled` when a device is already bound (a security "
        "administrator resets it), `second_factor_not_required` for applicants.",
        request=None,
        responses={200: EnrolmentSerializer, **error_responses(400, 401)},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        try:
            enrolment = second_factor.enrolment_start(user=user)
        except ValidationError as exc:
            raise _second_factor_error(exc) from exc
        data = {"secret": enrolment.secret, "otpauth_uri": enrolment.uri}
        return Response(EnrolmentSerializer(data).data)


class SecondFactorConfirmView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_second_factor_confirm",
        summary="完成绑定动态口令",
        description="Confirm the pending device with its current code: the session is verified "
        "and ten recovery codes are returned, once.",
        request=CodeSerializer,
        responses={200: RecoveryCodesSerializer, **error_responses(400, 401)},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        body = request_body(CodeSerializer, request)
        try:
            device, codes = second_factor.enrolment_confirm(user=user, code=body["code"])
        except ValidationError as exc:
            raise _second_factor_error(exc) from exc
        second_factor.session_mark_verified(request._request.session, device)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


class SecondFactorVerifyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_second_factor_verify",
        summary="动态口令验证",
        description="Verify this session with the current code or a recovery code. Wrong codes "
        "slow further tries down (400 `second_factor_throttled`).",
        request=CodeSerializer,
        responses={200: SecondFactorStatusSerializer, **error_responses(400, 401)},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        body = request_body(CodeSerializer, request)
        try:
            device = second_factor.second_factor_check(user=user, code=body["code"])
        except ValidationError as exc:
            raise _second_factor_error(exc) from exc
        second_factor.session_mark_verified(request._request.session, device)
        return _status(request)


class RecoveryCodesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_second_factor_recovery_codes",
        summary="生成新的备用恢复码",
        description="Ten new recovery codes; the old ones stop working. Only for a verified "
        "session or a token (400 `second_factor_required` otherwise).",
        request=None,
        responses={200: RecoveryCodesSerializer, **error_responses(400, 401)},
        tags=["accounts"],
    )
    def post(self, request: Request) -> Response:
        user = _staff(request)
        if not _verified(request):
            raise SecondFactorRefused(_("请先完成动态口令验证。"))
        codes = second_factor.recovery_codes_renew(user=user)
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)


urlpatterns: list[URLPattern] = [
    path("auth/token", AuthTokenView.as_view(), name="auth_token"),
    path("auth/second-factor", SecondFactorView.as_view(), name="auth_second_factor"),
    path(
        "auth/second-factor/enrol",
        SecondFactorEnrolView.as_view(),
        name="auth_second_factor_enrol",
    ),
    path(
        "auth/second-factor/confirm",
        SecondFactorConfirmView.as_view(),
        name="auth_second_factor_confirm",
    ),
    path(
        "auth/second-factor/verify",
        SecondFactorVerifyView.as_view(),
        name="auth_second_factor_verify",
    ),
    path(
        "auth/second-factor/recovery-codes",
        RecoveryCodesView.as_view(),
        name="auth_second_factor_recovery_codes",
    ),
    path("auth/lockouts/unlock", LockoutUnlockView.as_view(), name="auth_lockouts_unlock"),
    path("me", MeView.as_view(), name="me"),
    path("accounts/register", RegisterView.as_view(), name="accounts_register"),
]
