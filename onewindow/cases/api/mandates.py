"""Mandate endpoints under /api/v1/mandates/ (代办委托, docs/product.md §C8,
docs/rules/mandates.md).

The same checks as the pages: the input is validated by the pages' forms (``MandateForm``,
``PaperMandateForm``: agent by username or mobile number, active agents only; one scope — every
item, one published item, one key project, one of the principal's cases; not dated in the past,
ending no earlier than it starts, at most two years ahead) and written by the same services.

- ``GET mandates/``: the mandates I gave (applicant) or hold (agent).
- ``POST mandates/``: an applicant mandates an agent online (in force at once).
- ``POST mandates/paper/``: window staff record a signed printed mandate (multipart, ``scan``);
  pending — it authorises nothing — until confirmed.
- ``GET mandates/window/``: window staff: the paper mandates their department recorded, or every
  mandate of the principal showing ``?principal=<ID number>``.
- ``POST mandates/<id>/confirm/`` / ``refuse/``: the principal confirms or refuses a paper mandate.
- ``POST mandates/<id>/verify/``: window staff verify it with the principal present (``id_number``).
- ``POST mandates/<id>/revoke/``: the principal (or a user administrator, or window staff with the
  principal's ``id_number``); anyone else — the agent included — gets the logged 404.

Errors are ``{"code", "message"[, "errors"]}``.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import Refused
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.cases import mandate_scopes, services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Mandate
from onewindow.cases.selectors import mandates as mandates_selectors
from onewindow.cases.views.mandates import (
    SCOPE_ALL,
    SCOPE_CASE,
    SCOPE_ITEM,
    SCOPE_PROJECT,
    MandateForm,
    PaperMandateForm,
    mandate_grant,
    mandate_grant_paper,
)
from onewindow.core import clock

TAGS = ["cases: mandates"]


# Applicants and agents.
CanUseMandates = HasPerm.of(Perm.CASE_APPLY, message="只有申请人或代办员可以使用代办委托接口。")


# --- serializers ------------------------------------------------------------------------------
class MandatePartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    username = serializers.CharField()


class MandateItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="事项编码")
    name = serializers.CharField(help_text="事项名称（现行版本）")


class MandateCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True, help_text="办件编号（草稿为 null）")
    item_name = serializers.CharField()


class MandateProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(help_text="重点项目名称（由重点项目模块提供）")


SCOPE_HELP = "all：全部事项；item：一个事项；project：一个重点项目；case：一个办件"
STATUS_HELP = (
    "valid 有效；pending 纸质委托书待委托人确认（不产生代办权限）；not_yet 尚未生效；"
    "expired 已过期；revoked 已撤销；refused 委托人已拒绝"
)


class MandateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    direction = serializers.ChoiceField(
        choices=["given", "held", "window"],
        help_text="given：本人作出的委托（我是委托人）；held：委托本人办理（我是代办员）；"
        "window：窗口工作人员查看",
    )
    applicant = MandatePartySerializer(help_text="委托人（申请人）")
    agent = MandatePartySerializer(help_text="代办员")
    scope = serializers.ChoiceField(
        choices=[SCOPE_ALL, SCOPE_ITEM, SCOPE_PROJECT, SCOPE_CASE], help_text=SCOPE_HELP
    )
    scope_label = serializers.CharField()
    item = MandateItemSerializer(allow_null=True, help_text="scope 为 item 时的委托事项")
    case = MandateCaseSerializer(allow_null=True, help_text="scope 为 case 时的委托办件")
    project = MandateProjectSerializer(allow_null=True, help_text="scope 为 project 时的项目")
    valid_from = serializers.DateField(help_text="生效日期")
    valid_until = serializers.DateField(help_text="有效期至（含当日）")
    channel = serializers.ChoiceField(
        choices=["online", "paper"], help_text="online 委托人网上委托；paper 纸质委托书"
    )
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField()
    confirmation = serializers.CharField(
        help_text="纸质委托书的确认方式：account 委托人账号确认；window 窗口当面核验；空：未确认"
    )
    confirmed_at = serializers.DateTimeField(allow_null=True)
    confirmed_by = MandatePartySerializer(allow_null=True, help_text="确认人或核验人")
    scan_url = serializers.CharField(allow_null=True, help_text="纸质委托书扫描件下载地址")
    revoked_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    note = serializers.CharField()


class MandateCreateSerializer(serializers.Serializer):
    agent = serializers.CharField(help_text="代办员的用户名或登记的手机号码")
    scope = serializers.CharField(help_text=SCOPE_HELP)
    item = serializers.CharField(
        required=False, allow_blank=True, help_text="scope 为 item 时必填：事项编码或名称"
    )
    project = serializers.CharField(
        required=False, allow_blank=True, help_text="scope 为 project 时必填：重点项目编号"
    )
    case = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="scope 为 case 时必填：委托人名下的办件编号（草稿为 #草稿号）",
    )
    valid_from = serializers.CharField(
        required=False, allow_blank=True, help_text="生效日期，YYYY-MM-DD；不填为今天，不早于今天"
    )
    valid_until = serializers.CharField(
        help_text=f"有效期至，YYYY-MM-DD；不早于今天和生效日期，最长 "
        f"{services.MANDATE_LONGEST_YEARS} 年"
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text="备注（选填）")


class PaperMandateCreateSerializer(MandateCreateSerializer):
    principal_kind = serializers.CharField(
        required=False, help_text="委托人类型：person 自然人（默认）；enterprise 法人"
    )
    principal_number = serializers.CharField(help_text="委托人的身份证号或统一社会信用代码")
    scan = serializers.FileField(help_text="委托人签字的纸质委托书扫描件（PDF、JPEG、PNG）")


class IdentitySerializer(serializers.Serializer):
    id_number = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="委托人当面出示的身份证号或统一社会信用代码（窗口核验、窗口登记撤销时必填）",
    )


def _party(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user), "username": user.username}


def mandate_data(mandate: Mandate, *, user: Any) -> dict[str, Any]:
    state = mandates_selectors.mandate_state(mandate)
    item, case = mandate.item, mandate.case
    version = item.published_version if item else None
    if mandate.case_id is not None:
        scope = SCOPE_CASE
    elif mandate.project_id is not None:
        scope = SCOPE_PROJECT
    else:
        scope = SCOPE_ITEM if item else SCOPE_ALL
    if mandate.applicant_id == user.pk:
        direction = "given"
    elif mandate.agent_id == user.pk:
        direction = "held"
    else:
        direction = "window"
    project = None
    if mandate.project_id is not None:
        name = mandate_scopes.project_name(mandate.project_id)
        project = {"id": mandate.project_id, "name": name or f"#{mandate.project_id}"}
    return {
        "id": mandate.pk,
        "direction": direction,
        "applicant": _party(mandate.applicant),
        "agent": _party(mandate.agent),
        "scope": scope,
        "scope_label": mandates_selectors.scope_label(mandate),
        "item": {"code": item.code, "name": version.name if version else ""} if item else None,
        "case": {"id": case.pk, "number": case.number, "item_name": case.item_version.name}
        if case
        else None,
        "project": project,
        "valid_from": mandate.valid_from,
        "valid_until": mandate.valid_until,
        "channel": mandate.channel,
        "status": state.value,
        "status_label": str(mandates_selectors.MANDATE_STATE_LABELS[state]),
        "confirmation": mandate.confirmation,
        "confirmed_at": mandate.confirmed_at,
        "confirmed_by": _party(mandate.confirmed_by),
        "scan_url": reverse("cases:mandate_scan", args=[mandate.pk]) if mandate.scan_id else None,
        "revoked_at": mandate.revoked_at,
        "created_at": mandate.created_at,
        "note": mandate.note,
    }


def _fresh(mandate: Mandate) -> Mandate:
    return mandates_selectors.mandate_fresh(mandate.pk)


def _respond(mandate: Mandate, user: Any, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(MandateSerializer(mandate_data(_fresh(mandate), user=user)).data, status=code)


def _form_errors(form: Any) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {
            field if field != "__all__" else "non_field_errors": [str(e) for e in errors]
            for field, errors in form.errors.items()
        }
    )


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "principal_kind": ApplicantKind.PERSON,
        **{key: value for key, value in data.items() if key != "scan"},
    }


# --- views ------------------------------------------------------------------------------------
class MandateListView(APIView):
    """My mandates: the ones I gave (applicant) or hold (agent); granting a new one."""

    permission_classes = [IsAuthenticated, CanUseMandates]

    @extend_schema(
        operation_id="mandates_list",
        summary="我的代办委托",
        description="An applicant's mandates (`direction: given`) and, for an agent, the "
        "mandates they hold (`direction: held`), newest first, with their state today "
        "(a paper mandate waiting for the principal is `pending` and authorises nothing).",
        responses={200: MandateSerializer(many=True), **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = request.user
        rows = [*mandates_selectors.mandates_given(user), *mandates_selectors.mandates_held(user)]
        data = [mandate_data(m, user=user) for m in rows]
        return Response(MandateSerializer(data, many=True).data)

    @extend_schema(
        operation_id="mandates_create",
        summary="委托代办员",
        description="An applicant mandates an active agent (named by username or mobile "
        "number) for every item, one published item, one key project or one of their own cases "
        "(exactly one scope), from a date no earlier than today until a date no earlier than "
        f"that and at most {services.MANDATE_LONGEST_YEARS} years ahead. In force at once. "
        "Agents and staff get 403.",
        request=MandateCreateSerializer,
        responses={201: MandateSerializer, **error_responses(400, 401, 403)},
        examples=[
            OpenApiExample(
                "委托全部事项",
                value={"agent": "13907110009", "scope": "all", "valid_until": "2027-06-30"},
                request_only=True,
            ),
            OpenApiExample(
                "委托一个办件",
                value={
                    "agent": "agent_li",
                    "scope": "case",
                    "case": "4207002026050600001",
                    "valid_until": "2026-12-31",
                },
                request_only=True,
            ),
            OpenApiExample(
                "日期早于今天",
                value={
                    "code": "invalid",
                    "message": "委托有效期不能早于今天。",
                    "errors": {"valid_until": ["委托有效期不能早于今天。"]},
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user: Any = request.user
        if user.role != Role.APPLICANT:
            raise exceptions.PermissionDenied(_("只有申请人可以委托代办员。"))
        data = request_body(MandateCreateSerializer, request)
        form = MandateForm(data=data, today=clock.today(), applicant=user)
        if not form.is_valid():
            raise _form_errors(form)
        mandate = mandate_grant(form, applicant=user)  # a CaseError is a 400 (api.errors)
        return _respond(mandate, user, code=status.HTTP_201_CREATED)


class PaperMandateView(APIView):
    """Window staff record a signed printed mandate from its scan (pending until confirmed)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="mandates_paper_create",
        summary="登记纸质委托书",
        description="Window or community-point staff (intake permission) record a mandate the "
        "principal signed on paper: the principal by ID number or credit code, the agent, the "
        "scope and dates as for `mandates_create`, and the scan (multipart `scan`; PDF, JPEG or "
        "PNG, checked by content). The mandate is `pending` and authorises nothing until the "
        "principal confirms it in their account (`mandates_confirm`) or staff verify it with "
        "the principal present (`mandates_verify`). Others: 404, logged.",
        request={"multipart/form-data": PaperMandateCreateSerializer},
        responses={201: MandateSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.MANDATE_PAPER, target="window mandates")
        data = request_body(PaperMandateCreateSerializer, request)
        form = PaperMandateForm(
            data=_form_data(data), files={"scan": data["scan"]}, today=clock.today()
        )
        if not form.is_valid():
            raise _form_errors(form)
        mandate = mandate_grant_paper(form, recorded_by=user)
        return _respond(mandate, user, code=status.HTTP_201_CREATED)


class WindowMandateListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="mandates_window_list",
        summary="窗口：纸质委托书",
        description="Window staff: the paper mandates recorded by their department, latest "
        "first, or — with `principal` — every mandate of the principal showing that ID number "
        "or credit code at the window. Others: 404, logged.",
        parameters=[
            OpenApiParameter("principal", str, required=False, description="委托人证件号码")
        ],
        responses={200: MandateSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = require_perm(request, Perm.MANDATE_PAPER, target="window mandates")
        number = str(request.query_params.get("principal", "")).strip()[:40]
        if number:
            rows = mandates_selectors.mandates_of_principal_at_window(user, number)[:100]
        else:
            rows = mandates_selectors.mandates_recorded_at_window(user)[:100]
        data = [mandate_data(m, user=user) for m in rows]
        return Response(MandateSerializer(data, many=True).data)


class MandateConfirmView(APIView):
    """The principal confirms (or refuses) a paper mandate given in their name."""

    permission_classes = [IsAuthenticated]
    refuse = False

    def post(self, request: Request, mandate_id: int) -> Response:
        mandate = mandates_selectors.mandate_get_for_principal(
            cast(HttpRequest, request), mandate_id=mandate_id
        )
        try:
            if self.refuse:
                services.mandate_refuse(mandate=mandate, actor=request.user)
            else:
                services.mandate_confirm(mandate=mandate, actor=request.user)
        except CaseError as err:
            raise Refused(err.message, "not_pending") from err
        return _respond(mandate, request.user)


class MandateAcceptView(MandateConfirmView):
    @extend_schema(
        operation_id="mandates_confirm",
        summary="确认纸质委托书",
        description="The principal confirms, in their own account, a paper mandate recorded in "
        "their name: it comes into force (from its start date). Only a pending mandate can be "
        "confirmed (400 `not_pending` otherwise); for anyone but the principal it does not "
        "exist (404, logged).",
        request=None,
        responses={200: MandateSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, mandate_id: int) -> Response:
        return super().post(request, mandate_id)


class MandateRefuseView(MandateConfirmView):
    refuse = True

    @extend_schema(
        operation_id="mandates_refuse",
        summary="拒绝纸质委托书",
        description="The principal refuses a paper mandate recorded in their name: it never "
        "comes into force. 400 `not_pending` when it is not pending; 404 (logged) for anyone "
        "but the principal.",
        request=None,
        responses={200: MandateSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, mandate_id: int) -> Response:
        return super().post(request, mandate_id)


class MandateVerifyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="mandates_verify",
        summary="窗口当面核验纸质委托书",
        description="Window staff verify a pending paper mandate with the principal present: "
        "`id_number` (the number on the principal's ID card or business licence) must be the "
        "one registered on the principal's account; the verifier is recorded and the mandate "
        "comes into force. 400 with a clear message otherwise, nothing changed; 404 (logged) "
        "for anyone without the intake permission.",
        request=IdentitySerializer,
        responses={200: MandateSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, mandate_id: int) -> Response:
        user = require_perm(request, Perm.MANDATE_PAPER, target=f"mandate:{mandate_id}")
        mandate = mandates_selectors.mandate_get_for_window(
            cast(HttpRequest, request), mandate_id=mandate_id
        )
        data = request_body(IdentitySerializer, request)
        services.mandate_verify(mandate=mandate, actor=user, id_number=data.get("id_number", ""))
        return _respond(mandate, user)


class MandateRevokeView(APIView):
    """Revoke a mandate at once (the principal, a user administrator, or window staff recording
    the principal's revocation in person)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="mandates_revoke",
        summary="撤销代办委托",
        description="Only the principal who gave the mandate, a user administrator, or window "
        "staff recording the principal's revocation in person (with the principal's "
        "`id_number`) may revoke it; it takes effect at once: the agent's next request on the "
        "principal's cases is a 404. For anyone else — the agent above all — the mandate does "
        "not exist (404, logged). Revoking a revoked mandate is refused (400) and changes "
        "nothing.",
        request=IdentitySerializer,
        responses={200: MandateSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, mandate_id: int) -> Response:
        user: Any = request.user
        http = cast(HttpRequest, request)
        at_window = has_perm(user, Perm.MANDATE_PAPER)
        if at_window:
            mandate = mandates_selectors.mandate_get_for_window(http, mandate_id=mandate_id)
        else:
            mandate = mandates_selectors.mandate_get_for_revoke(http, mandate_id=mandate_id)
        if mandate.revoked_at is not None:
            raise Refused(_("该委托已撤销，无需重复操作。"), "already_revoked")
        data = request_body(IdentitySerializer, request)
        services.mandate_revoke(mandate=mandate, actor=user, id_number=data.get("id_number", ""))
        return _respond(mandate, user)


urlpatterns: list[URLPattern] = [
    path("mandates/", MandateListView.as_view(), name="mandate-list"),
    path("mandates/paper/", PaperMandateView.as_view(), name="mandate-paper"),
    path("mandates/window/", WindowMandateListView.as_view(), name="mandate-window"),
    path("mandates/<id:mandate_id>/confirm/", MandateAcceptView.as_view(), name="mandate-confirm"),
    path("mandates/<id:mandate_id>/refuse/", MandateRefuseView.as_view(), name="mandate-refuse"),
    path("mandates/<id:mandate_id>/verify/", MandateVerifyView.as_view(), name="mandate-verify"),
    path("mandates/<id:mandate_id>/revoke/", MandateRevokeView.as_view(), name="mandate-revoke"),
]
