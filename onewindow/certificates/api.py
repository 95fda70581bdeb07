"""Certificate, verification and delivery endpoints under /api/v1/ (docs/product.md §C6,
docs/decisions.md §P1).

* Public: ``certificates/verify/<token>/`` and ``certificates/verify/?serial=`` — no login,
  rate-limited per address, an unknown token or serial is a plain 404.
* ``cases/<id>/certificate/`` (+ ``pdf``): the applicant, their agent with a mandate in force,
  staff of the department, supervisors; anyone else a logged 404, exactly like the pages.
* Lifecycle actions (revoke / withdraw / cancel) for CERTIFICATE_MANAGE staff of the issuing
  department; delivery choose / handover / send / confirm; the clerks' pending-delivery list.

Refusals are ``400 {"code", "message"}`` and change nothing; a concurrent change is 409.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, cast

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm, staff_in_department
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, domain_errors
from onewindow.api.dues import DueDateSerializer
from onewindow.api.fields import AddressField, IdentityNumberField, PhoneField
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.renderers import PDFRenderer
from onewindow.api.schema import error_responses, pdf_responses
from onewindow.cases.errors import CaseError
from onewindow.cases.identity import identity_shown
from onewindow.cases.models import Case, CaseStatus
from onewindow.catalog.models import DeliveryMethod
from onewindow.certificates import selectors, services
from onewindow.certificates.models import (
    Certificate,
    CertificateStatus,
    Delivery,
    DeliveryStatus,
    Renewal,
)
from onewindow.certificates.pdf import certificate_response, verify_url
from onewindow.certificates.services import renewals
from onewindow.core.ratelimit import client_address
from onewindow.review.dues import certificate_due

TAGS = ["certificates"]
STATES = [state.value for state in selectors.VerifyState]


class VerifyThrottle(BaseThrottle):
    """The verification page's per-address budget, as a DRF throttle (429 with Retry-After)."""

    def __init__(self) -> None:
        self.seconds = 0

    def allow_request(self, request: Any, view: Any) -> bool:
        self.seconds = selectors.verify_rate_spend(client_address(request))
        return self.seconds == 0

    def wait(self) -> float | None:
        return float(self.seconds)


# --- serializers ------------------------------------------------------------------------------
class CertificateVerificationSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=STATES,
        help_text="valid 有效；expired 已过有效期；revoked 已撤销；withdrawn 已撤回；"
        "cancelled 已注销；tampered 记录与签名不符（疑似篡改，此时只返回证书编号）",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    message = serializers.CharField()
    serial = serializers.CharField()
    title = serializers.CharField()
    holder = serializers.CharField(help_text="持证人（自然人姓名脱敏）")
    holder_id = serializers.CharField(help_text="证件号码（脱敏，如 4207**********1234）")
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField(help_text="发证机关")
    scope = serializers.CharField(help_text="许可内容")
    issued_on = serializers.DateField(allow_null=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True, help_text="null：长期有效")
    long_term = serializers.BooleanField()
    status_changed_on = serializers.DateField(allow_null=True, help_text="撤销/撤回/注销日期")
    status_reason = serializers.CharField(help_text="撤销/撤回/注销理由")
    signed_with = serializers.ChoiceField(
        choices=["sm2", "hmac", ""],
        help_text="sm2：SM2 数字签名已验证；hmac：早于 SM2 签发，已验证发证系统签名；"
        "疑似篡改时为空",
    )
    key_id = serializers.CharField(help_text="SM2 签名密钥标识（轮换后旧密钥仍可验证）")


class CertificateDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    serial = serializers.CharField()
    title = serializers.CharField()
    holder_name = serializers.CharField()
    holder_id_number = IdentityNumberField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    department_name = serializers.CharField()
    scope = serializers.CharField()
    issued_on = serializers.DateField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField(allow_null=True, help_text="null：长期有效")
    status = serializers.ChoiceField(choices=CertificateStatus.choices)
    status_reason = serializers.CharField()
    status_changed_at = serializers.DateTimeField(allow_null=True)
    verification = serializers.CharField(
        help_text="当前核验结果：valid、expired、revoked、withdrawn、cancelled 或 tampered"
    )
    verify_url = serializers.CharField(help_text="公开核验页（二维码内容）")
    pdf_url = serializers.CharField(help_text="证照 PDF（接口）")


class CertificateDeliverySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    address = AddressField()
    recipient_phone = PhoneField()
    carrier = serializers.CharField()
    tracking_number = serializers.CharField()
    receiver_name = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class RenewalRowSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(help_text="延续申请办件")
    case_number = serializers.CharField(allow_null=True)
    case_status = serializers.CharField()
    serial = serializers.CharField(help_text="被延续的证书编号")
    expires_on = serializers.DateField(help_text="原有效期至（决定期限，行政许可法第五十条）")
    outcome = serializers.CharField(help_text="空：待决定；granted：准予延续；deemed：视为准予延续")
    new_valid_until = serializers.DateField(allow_null=True)


class CertificateRenewalSerializer(serializers.Serializer):
    renewable = serializers.BooleanField(help_text="事项可申请延续且证照有有效期")
    latest_application_day = serializers.DateField(
        allow_null=True, help_text="最迟申请日：有效期届满前三十日（日历日）"
    )
    refusal = serializers.CharField(help_text="今天不能申请延续的原因；可以申请时为空")
    open_case_id = serializers.IntegerField(allow_null=True, help_text="正在办理的延续申请办件")
    renewed_on = serializers.DateField(allow_null=True)
    renewal_deemed = serializers.BooleanField(help_text="最近一次延续为逾期未决定视为准予延续")
    history = RenewalRowSerializer(many=True)


class RenewalStartedSerializer(serializers.Serializer):
    case_id = serializers.IntegerField(help_text="延续申请（草稿）办件")
    application_url = serializers.CharField(help_text="填写材料并提交的接口")
    submit_url = serializers.CharField()


class CaseResultSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    case_status = serializers.ChoiceField(choices=CaseStatus.choices)
    certificate_due = DueDateSerializer(
        allow_null=True, help_text="发证送达期限（决定后十个工作日，行政许可法第四十四条）"
    )
    delivery_methods = serializers.ListField(
        child=serializers.ChoiceField(choices=DeliveryMethod.choices),
        help_text="本事项可选的送达方式",
    )
    certificate = CertificateDetailSerializer(allow_null=True)
    delivery = CertificateDeliverySerializer(allow_null=True)
    renewal = CertificateRenewalSerializer(allow_null=True)
    renews_serial = serializers.CharField(allow_null=True, help_text="本办件为该证书编号的延续申请")
    allowed_actions = serializers.ListField(
        child=serializers.ChoiceField(
            choices=[
                "choose",
                "handover",
                "send",
                "confirm",
                "revoke",
                "withdraw",
                "cancel",
            ]
        ),
        help_text="当前用户此刻可以执行的操作",
    )


class CertificateReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="理由（必填，告知持证人并公开）")


class DeliveryChoiceSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    address = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="邮寄时必填"
    )
    phone = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default="", help_text="邮寄时必填"
    )


class DeliveryHandoverSerializer(serializers.Serializer):
    receiver_name = serializers.CharField(max_length=100, help_text="领取人姓名")
    receiver_id_number = serializers.CharField(
        max_length=30, help_text="领取人身份证号（校验位和出生日期均校验）"
    )


class DeliverySendSerializer(serializers.Serializer):
    carrier = serializers.CharField(max_length=50, help_text="快递公司")
    tracking_number = serializers.CharField(max_length=50, help_text="运单号")


class PendingDeliverySerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    item = serializers.CharField()
    applicant = serializers.CharField()
    serial = serializers.CharField(allow_null=True)
    certificate_due = DueDateSerializer(allow_null=True)
    delivery = CertificateDeliverySerializer(allow_null=True)


# --- data -------------------------------------------------------------------------------------
def verification_data(result: selectors.Verification) -> dict[str, Any]:
    return {
        "state": str(result.state),
        "label": result.label,
        "message": result.message,
        "serial": result.serial,
        "title": result.title,
        "holder": result.holder,
        "holder_id": result.holder_id,
        "item_code": result.item_code,
        "item_name": result.item_name,
        "department": result.department,
        "scope": result.scope,
        "issued_on": result.issued_on,
        "valid_from": result.valid_from,
        "valid_until": result.valid_until,
        "long_term": result.long_term,
        "status_changed_on": result.status_changed_on,
        "status_reason": result.status_reason,
        "signed_with": result.signed_with,
        "key_id": result.key_id,
    }


def certificate_data(certificate: Certificate, request: Request) -> dict[str, Any]:
    fields = [
        "id",
        "serial",
        "title",
        "holder_name",
        "holder_id_number",
        "item_code",
        "item_name",
        "department_name",
        "scope",
        "issued_on",
        "valid_from",
        "valid_until",
        "status",
        "status_reason",
        "status_changed_at",
    ]
    return {
        **{name: getattr(certificate, name) for name in fields},
        "verification": str(selectors.verify(certificate).state),
        "verify_url": verify_url(certificate, cast(HttpRequest, request)),
        "pdf_url": reverse("api:certificate-pdf", args=[certificate.case_id]),
    }


def delivery_data(delivery: Delivery | None) -> dict[str, Any] | None:
    if delivery is None:
        return None
    fields = [
        "method",
        "status",
        "address",
        "recipient_phone",
        "carrier",
        "tracking_number",
        "receiver_name",
        "sent_at",
        "delivered_at",
    ]
    return {name: getattr(delivery, name) for name in fields}


def _certificate_due(case: Case) -> Any:
    return certificate_due(getattr(case, "decision", None))


def case_result(case: Case, request: Request) -> dict[str, Any]:
    certificate = selectors.certificate_of(case)
    delivery = selectors.delivery_of(case)
    return {
        "case_id": case.pk,
        "case_number": case.number,
        "case_status": case.status,
        "certificate_due": _certificate_due(case),
        "delivery_methods": services.delivery_methods(case.item_version),
        "certificate": certificate_data(certificate, request) if certificate else None,
        "delivery": delivery_data(delivery),
        "allowed_actions": selectors.allowed_actions(request.user, case, certificate, delivery),
        "renewal": renewal_data(certificate)
        if certificate is not None and certificate.case_id == case.pk
        else None,
        "renews_serial": renews.certificate.serial
        if (renews := selectors.renewal_of(case))
        else None,
    }


def renewal_row(renewal: Renewal) -> dict[str, Any]:
    return {
        "case_id": renewal.case_id,
        "case_number": renewal.case.number,
        "case_status": renewal.case.status,
        "serial": renewal.certificate.serial,
        "expires_on": renewal.expires_on,
        "outcome": renewal.outcome,
        "new_valid_until": renewal.new_valid_until,
    }


def renewal_data(certificate: Certificate) -> dict[str, Any]:
    info = selectors.renewal_info(certificate)
    return {
        "renewable": info.renewable,
        "latest_application_day": info.latest_day,
        "refusal": info.refusal,
        "open_case_id": info.open_case.pk if info.open_case else None,
        "renewed_on": certificate.renewed_on,
        "renewal_deemed": certificate.renewal_deemed,
        "history": [renewal_row(row) for row in info.history],
    }


# --- public verification ------------------------------------------------------------------------
class PublicView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]
    renderer_classes = [JSONRenderer]


def _verified(result: selectors.Verification | None) -> Response:
    if result is None:
        raise exceptions.NotFound(str(selectors.NOT_FOUND))
    return Response(CertificateVerificationSerializer(verification_data(result)).data)


class VerifyTokenView(PublicView):
    @extend_schema(
        operation_id="certificates_verify",
        summary="证照核验（二维码）",
        description="The QR code's token → valid / expired / revoked / withdrawn / cancelled "
        "(with date and reason) / tampered (the stored record no longer matches the server's "
        "signature). No login; rate-limited per address; an unknown token is a plain 404.",
        responses={200: CertificateVerificationSerializer, **error_responses(404, 429)},
        tags=TAGS,
    )
    def get(self, request: Request, token: str) -> Response:
        return _verified(selectors.verification_by_token(token))


class VerifySerialView(PublicView):
    @extend_schema(
        operation_id="certificates_verify_serial",
        summary="证照核验（证书编号）",
        description="The same verification by the serial number printed on the certificate.",
        parameters=[
            OpenApiParameter("serial", str, OpenApiParameter.QUERY, required=True),
        ],
        responses={200: CertificateVerificationSerializer, **error_responses(400, 404, 429)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        serial = request.query_params.get("serial", "").strip()
        if not serial:
            raise exceptions.ValidationError({"serial": [_("请输入证书编号。")]})
        return _verified(selectors.verification_by_serial(serial))


# --- the certificate and delivery of a case -----------------------------------------------------
class CaseResultView(APIView):
    permission_classes = [IsAuthenticated]

    def detail(self, case_id: int, code: int = status.HTTP_200_OK) -> Response:
        request = self.request
        case = selectors.case_get_for_result(request, case_id=case_id)
        context = {"identity_visible": identity_shown(request, case)}
        data = CaseResultSerializer(case_result(case, request), context=context).data
        return Response(data, status=code)


_RESULT_RESPONSES = {200: CaseResultSerializer, **error_responses(400, 401, 404), **CONFLICT}


class CertificateView(CaseResultView):
    @extend_schema(
        operation_id="certificates_retrieve",
        summary="证照与送达",
        description="The case's certificate (with its current verification state), delivery, "
        "certificate due date and the actions the caller may take now.",
        responses={200: CaseResultSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        return self.detail(case_id)


class CertificatePdfView(CaseResultView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="certificates_pdf",
        summary="下载证照 PDF",
        description="The certificate PDF with a QR code to the verification page. The "
        "applicant's first download delivers an e-certificate (electronic delivery chosen, or "
        "the only method offered) and completes the case.",
        responses=pdf_responses(),
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> HttpResponse:
        certificate = selectors.certificate_get_for_reader(request, case_id=case_id)
        case = selectors.case_get_for_result(request, case_id=case_id)
        with suppress(CaseError):
            services.certificate_download_record(case=case, actor=request.user)
        visible = identity_shown(request, case)
        return certificate_response(
            certificate, cast(HttpRequest, request), identity_visible=visible
        )

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


def _lifecycle_view(action: str, summary: str, article: str) -> type[APIView]:
    class LifecycleView(CaseResultView):
        @extend_schema(
            operation_id=f"certificates_{action}",
            summary=summary,
            description=f"{article} By CERTIFICATE_MANAGE staff (approver, chief) of the issuing "
            "department, from a valid certificate only, with a reason; the certificate is "
            "re-signed over its new status, the holder is notified and the verification page "
            "shows the date and reason.",
            request=CertificateReasonSerializer,
            responses=_RESULT_RESPONSES,
            tags=TAGS,
        )
        def post(self, request: Request, case_id: int) -> Response:
            certificate = selectors.certificate_get_for_manager(request, case_id=case_id)
            data = request_body(CertificateReasonSerializer, request)
            with domain_errors():
                services.certificate_status_change(
                    certificate=certificate,
                    actor=request.user,
                    reason=data["reason"],
                    action=action,
                )
            return self.detail(case_id)

    LifecycleView.__name__ = f"Certificate{action.title()}View"
    LifecycleView.__qualname__ = LifecycleView.__name__
    return LifecycleView


RevokeView = _lifecycle_view("revoke", "撤销证照", "撤销 (ALL Art. 69).")
WithdrawView = _lifecycle_view("withdraw", "撤回证照", "撤回 (ALL Art. 8).")
CancelView = _lifecycle_view("cancel", "注销证照", "注销 (ALL Art. 70).")


class DeliveryChooseView(CaseResultView):
    @extend_schema(
        operation_id="deliveries_choose",
        summary="选择送达方式",
        description="The applicant (or their agent, or a clerk of the department for them) "
        "chooses among the item's delivery methods; post needs an address and a phone. "
        "Changeable until the certificate is sent or delivered.",
        request=DeliveryChoiceSerializer,
        responses=_RESULT_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_delivery(request, case_id=case_id)
        data = request_body(DeliveryChoiceSerializer, request)
        with domain_errors():
            services.delivery_choose(case=case, actor=request.user, **data)
        return self.detail(case_id)


class DeliveryHandoverView(CaseResultView):
    @extend_schema(
        operation_id="deliveries_handover",
        summary="窗口领取登记",
        description="A clerk (CASE_HANDOVER) of the case's department records who collected the "
        "certificate; the receiver's citizen ID number is checked (GB 11643). Completes the case.",
        request=DeliveryHandoverSerializer,
        responses=_RESULT_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_delivery_clerk(request, case_id=case_id)
        data = request_body(DeliveryHandoverSerializer, request)
        with domain_errors():
            services.delivery_handover(case=case, actor=request.user, **data)
        return self.detail(case_id)


class DeliverySendView(CaseResultView):
    @extend_schema(
        operation_id="deliveries_send",
        summary="邮寄登记",
        description="A clerk records the carrier and the tracking number; the applicant is told.",
        request=DeliverySendSerializer,
        responses=_RESULT_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_delivery_clerk(request, case_id=case_id)
        data = request_body(DeliverySendSerializer, request)
        with domain_errors():
            services.delivery_send(case=case, actor=request.user, **data)
        return self.detail(case_id)


class DeliveryConfirmView(CaseResultView):
    @extend_schema(
        operation_id="deliveries_confirm",
        summary="确认签收",
        description="The posted certificate was received (confirmed by the applicant or a clerk "
        "of the department). Completes the case.",
        request=None,
        responses=_RESULT_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_receipt(request, case_id=case_id)
        with domain_errors():
            services.delivery_confirm(case=case, actor=request.user)
        return self.detail(case_id)


class RenewalStartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="certificates_renew",
        summary="申请延续",
        description="ALL Art. 50. The holder (or their agent with a mandate in force) opens a "
        "renewal of the case's certificate: a draft case against the item's published version "
        "listing only the materials needed for renewal (201; an existing draft is returned with "
        "200). Upload and submit it with the ordinary case endpoints; the submission is the "
        "application and is refused later than 30 calendar days before the expiry date, for an "
        "expired or ended certificate, or an item without renewal. Anyone else: 404.",
        request=None,
        responses={
            201: RenewalStartedSerializer,
            200: RenewalStartedSerializer,
            **error_responses(400, 401, 404),
        },
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        certificate = selectors.certificate_get_for_holder(request, case_id=case_id)
        existing = selectors.open_renewal(certificate)
        with domain_errors():
            draft = renewals.renewal_start(certificate=certificate, actor=request.user)
        body = {
            "case_id": draft.pk,
            "application_url": reverse("api:case-detail", args=[draft.pk]),
            "submit_url": reverse("api:case-submit", args=[draft.pk]),
        }
        code = status.HTTP_200_OK if existing is not None else status.HTTP_201_CREATED
        return Response(RenewalStartedSerializer(body).data, status=code)


class RenewalListView(APIView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="renewals_list",
        summary="延续申请",
        description="Renewal applications of the caller's department (department staff only), "
        "those awaiting a decision and expiring first: the expiry date is the date by which "
        "the agency must decide (ALL Art. 50), after which renewal is deemed granted.",
        responses={200: RenewalRowSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user: Any = request.user
        if not staff_in_department(user, getattr(user, "department_id", None)):
            raise selectors._raise_deny(request, target="renewals", reason="not department staff")
        return paginated(
            request, self, selectors.renewals_for_staff(user), RenewalRowSerializer, renewal_row
        )


class PendingDeliveriesView(APIView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="deliveries_pending",
        summary="待送达/待领取",
        description="Granted cases of the clerk's department not yet delivered, the nearest "
        "certificate due date first. Clerks and chief representatives (CASE_HANDOVER).",
        responses={
            200: PendingDeliverySerializer(many=True),
            **error_responses(400, 401, 404),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = require_perm(request, Perm.CASE_HANDOVER, target="deliveries")
        return paginated(
            request,
            self,
            selectors.deliveries_pending(user),
            PendingDeliverySerializer,
            _pending_delivery,
        )


def _pending_delivery(case: Case) -> dict[str, Any]:
    return {
        "case_id": case.pk,
        "case_number": case.number,
        "item": case.item_version.name,
        "applicant": str(case.applicant),
        "serial": getattr(getattr(case, "certificate", None), "serial", None),
        "certificate_due": _certificate_due(case),
        "delivery": delivery_data(getattr(case, "delivery", None)),
    }


urlpatterns: list[URLPattern] = [
    path("certificates/verify/", VerifySerialView.as_view(), name="certificate-verify-serial"),
    path("certificates/verify/<str:token>/", VerifyTokenView.as_view(), name="certificate-verify"),
    path("cases/<id:case_id>/certificate/", CertificateView.as_view(), name="certificate"),
    path(
        "cases/<id:case_id>/certificate/pdf", CertificatePdfView.as_view(), name="certificate-pdf"
    ),
    path(
        "cases/<id:case_id>/certificate/revoke/",
        RevokeView.as_view(),
        name="certificate-revoke",
    ),
    path(
        "cases/<id:case_id>/certificate/withdraw/",
        WithdrawView.as_view(),
        name="certificate-withdraw",
    ),
    path(
        "cases/<id:case_id>/certificate/cancel/",
        CancelView.as_view(),
        name="certificate-cancel",
    ),
    path("cases/<id:case_id>/delivery/", DeliveryChooseView.as_view(), name="delivery-choose"),
    path(
        "cases/<id:case_id>/delivery/handover/",
        DeliveryHandoverView.as_view(),
        name="delivery-handover",
    ),
    path("cases/<id:case_id>/delivery/send/", DeliverySendView.as_view(), name="delivery-send"),
    path(
        "cases/<id:case_id>/delivery/confirm/",
        DeliveryConfirmView.as_view(),
        name="delivery-confirm",
    ),
    path("deliveries/pending/", PendingDeliveriesView.as_view(), name="deliveries-pending"),
    path(
        "cases/<id:case_id>/certificate/renewal/",
        RenewalStartView.as_view(),
        name="certificate-renew",
    ),
    path("renewals/", RenewalListView.as_view(), name="renewals"),
]
