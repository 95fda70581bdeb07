"""收费登记 under /api/v1/intake/cases/<id>/fees/: the window's (or a department system's)
record of what was charged on a case. Same rules as the page (``cases.services.fees``); a charge off the
fee list or above its standard is recorded and reported back with ``off_list: true`` — the
supervision sweep gives it a red card."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from onewindow.api.body import request_body
from onewindow.api.domain import domain_errors
from onewindow.api.schema import error_responses
from onewindow.cases.api.intake import IntakeView
from onewindow.cases.models import Case, CaseFee
from onewindow.cases.services.fees import (
    AMOUNT_MAX,
    NAME_MAX,
    QUANTITY_MAX,
    RECEIPT_MAX,
    FeeCharge,
    case_fee_record,
    fee_is_off_list,
    fee_standard,
)

TAGS = ["intake"]


class FeeRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fee_id = serializers.IntegerField(allow_null=True, help_text="收费清单项目编号；清单外收费为空")
    name = serializers.CharField(help_text="收费项目")
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="实收金额（元）")
    standard = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="收费标准 × 数量；清单外为空"
    )
    off_list = serializers.BooleanField(help_text="不在收费清单内或高于标准（电子监察发红牌）")
    receipt = serializers.CharField()
    charged_on = serializers.DateField()
    recorded_at = serializers.DateTimeField()


class FeeChargeSerializer(serializers.Serializer):
    fee_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="本事项收费清单中的项目编号（与 name 二选一）"
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=NAME_MAX, help_text="清单外收费的项目名称"
    )
    quantity = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=QUANTITY_MAX
    )
    amount = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        min_value=0,
        max_value=AMOUNT_MAX,
        help_text="实收金额（元）",
    )
    receipt = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=RECEIPT_MAX
    )
    charged_on = serializers.DateField(required=False, allow_null=True, help_text="默认今天")


def fee_row(record: CaseFee) -> dict[str, Any]:
    return {
        "id": record.pk,
        "fee_id": record.fee_id,
        "name": record.name,
        "quantity": record.quantity,
        "amount": record.amount,
        "standard": fee_standard(record.fee, record.quantity, record.unit_standard),
        "off_list": fee_is_off_list(record),
        "receipt": record.receipt,
        "charged_on": record.charged_on,
        "recorded_at": record.recorded_at,
    }


def _rows(case: Case) -> list[dict[str, Any]]:
    return [fee_row(r) for r in case.fees.select_related("fee").order_by("charged_on", "pk")]


class FeeListView(IntakeView):
    @extend_schema(
        operation_id="intake_cases_fees_list",
        summary="收费记录",
        description="Every charge recorded on a case of the clerk's department, each checked "
        "against the item's fee list.",
        responses={200: FeeRecordSerializer(many=True), **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        return Response(FeeRecordSerializer(_rows(case), many=True).data)

    @extend_schema(
        operation_id="intake_cases_fees_create",
        summary="登记收费",
        description="Record one charge: a line of the item's fee list (`fee_id`) or a charge off "
        "the list (`name`). The record is kept as it happened; `off_list` says whether it is "
        "outside the fee list or above its standard (electronic supervision issues a red card).",
        request=FeeChargeSerializer,
        responses={201: FeeRecordSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(FeeChargeSerializer, request)
        charge = FeeCharge(
            amount=data["amount"],
            fee_id=data.get("fee_id"),
            name=data.get("name", ""),
            quantity=data["quantity"],
            receipt=data["receipt"],
            charged_on=data.get("charged_on"),
        )
        with domain_errors():
            record = case_fee_record(case=case, actor=request.user, charge=charge)
        return Response(FeeRecordSerializer(fee_row(record)).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("intake/cases/<id:case_id>/fees/", FeeListView.as_view(), name="intake-fees"),
]
