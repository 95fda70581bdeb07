"""Regional implementations and the drift monitor under /api/v1/delegation/, the same checks as
the pages (docs/rules/delegation.md §V4–§V7):

* region administrators (their district and what lies under it) and the centre's administrator:
  ``implementations/`` (list, ``?region=<code>``; POST adds an item to a region's list),
  ``implementations/<id>/`` (GET, PATCH the deviations), ``implementations/<id>/remove/``;
* administrators and supervisors: ``drift/`` (``?region=<code>``);
* a community point's staff: ``point/`` (the point's items and the applications it received)
  and ``point/receive/`` (代收: an item on the point's list, handed on to the implementing
  department; another item is a 400 and nothing is stored).

Refusals are ``400 {"code", "message"[, "errors"]}`` and store nothing; another region's row is a
logged 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.api.body import request_body
from onewindow.api.domain import domain_errors
from onewindow.api.errors import api_error
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.cases import fields as form_fields
from onewindow.cases.api.intake import JSONObjectField, WalkInApplicantSerializer
from onewindow.cases.models import Case
from onewindow.cases.services.walk_in import WalkInApplicant
from onewindow.catalog import delegation
from onewindow.catalog.models import Item, ItemImplementation, ItemVersion, Region, VersionStatus
from onewindow.core.access import deny
from onewindow.core.errors import DomainError
from onewindow.delegation import selectors
from onewindow.delegation.services import point_receive, point_receive_check

TAGS = ["delegation"]
REGION = OpenApiParameter("region", str, OpenApiParameter.QUERY, description="区划代码")

Manager = HasPerm.of(
    Perm.IMPLEMENTATION_EDIT,
    Perm.IMPLEMENTATION_EDIT_ALL,
    message="只有区域管理员可以管理实施清单。",
)
PointStaff = HasPerm.of(Perm.POINT_RECEIVE, message="只有便民服务点工作人员可以代收申请。")
DriftReader = HasPerm.of(Perm.DRIFT_READ, message="只有中心管理员和电子监察人员可以查看偏离监测。")


# --- serializers --------------------------------------------------------------------------------
class ImplementationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    mode = serializers.CharField(help_text="handles 受理并办理；accepts 代收（便民服务点）")
    delegated = serializers.BooleanField()
    city_committed_days = serializers.IntegerField(allow_null=True)
    statutory_days = serializers.IntegerField(allow_null=True)
    committed_days = serializers.IntegerField(allow_null=True, help_text="null：与市级相同")
    fee_amounts = serializers.DictField(
        child=serializers.CharField(), help_text="收费项目名称 → 本区域金额（元）"
    )
    extra_materials = serializers.ListField(child=serializers.CharField())
    omitted_materials = serializers.ListField(child=serializers.CharField())
    legal_basis = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    updated_by = serializers.CharField(allow_null=True)


class ChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    action = serializers.CharField()
    reason = serializers.CharField()
    legal_basis = serializers.CharField()
    changes = serializers.DictField(help_text="字段 → [修改前, 修改后]")


class ImplementationDetailSerializer(ImplementationSerializer):
    history = ChangeSerializer(many=True)


class DeviationsSerializer(serializers.Serializer):
    committed_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=999, help_text="null：与市级相同"
    )
    fee_amounts = serializers.DictField(
        child=serializers.CharField(max_length=30), required=False, default=dict
    )
    extra_materials = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    omitted_materials = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=50
    )
    legal_basis = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    reason = serializers.CharField(max_length=1000, help_text="修改理由（必填）")


class AddSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=20, help_text="区划代码")
    item = serializers.CharField(max_length=40, help_text="事项编码")
    reason = serializers.CharField(max_length=1000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class DriftLineSerializer(serializers.Serializer):
    what = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()


class DriftSerializer(serializers.Serializer):
    implementation_id = serializers.IntegerField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    legal_basis = serializers.CharField()
    lines = DriftLineSerializer(many=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    changed_by = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True)


# --- data ---------------------------------------------------------------------------------------
def implementation_data(row: ItemImplementation) -> dict[str, Any]:
    version = row.item.published_version
    return {
        "id": row.pk,
        "item_code": row.item.code,
        "item_name": version.name if version else "",
        "region_code": row.region.code,
        "region_name": row.region.name,
        "mode": row.mode,
        "delegated": row.delegated,
        "city_committed_days": version.committed_days if version else None,
        "statutory_days": version.statutory_days if version else None,
        "committed_days": row.committed_days,
        "fee_amounts": row.fee_amounts or {},
        "extra_materials": row.extra_materials or [],
        "omitted_materials": row.omitted_materials or [],
        "legal_basis": row.legal_basis,
        "updated_at": row.updated_at,
        "updated_by": str(row.updated_by) if row.updated_by else None,
    }


def detail_data(row: ItemImplementation) -> dict[str, Any]:
    data = implementation_data(row)
    data["history"] = [
        {
            "at": c.at,
            "actor": str(c.actor),
            "action": c.action,
            "reason": c.reason,
            "legal_basis": c.legal_basis,
            "changes": c.changes,
        }
        for c in selectors.implementation_history(row)[:100]
    ]
    return data


def drift_data(d: delegation.Drift) -> dict[str, Any]:
    row, change = d.implementation, d.last_change
    version = row.item.published_version
    return {
        "implementation_id": row.pk,
        "region_code": row.region.code,
        "region_name": row.region.name,
        "item_code": row.item.code,
        "item_name": version.name if version else "",
        "legal_basis": row.legal_basis,
        "lines": [{"what": x.what, "city": x.city, "region": x.region} for x in d.lines],
        "changed_at": change.at if change else None,
        "changed_by": str(change.actor) if change else None,
        "reason": change.reason if change else None,
    }


class PointItemSerializer(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField()


class PointCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    query_code = serializers.CharField()
    item_name = serializers.CharField()
    department = serializers.CharField(help_text="转交的实施部门")
    status = serializers.CharField()


class PointSerializer(serializers.Serializer):
    point_code = serializers.CharField()
    point_name = serializers.CharField()
    items = PointItemSerializer(many=True)
    cases = PointCaseSerializer(many=True)


class PointReceiveSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=40, help_text="事项编码（本服务点代收清单内）")
    applicant = JSONObjectField(
        help_text="申请人：kind（person/enterprise）、full_name、id_number 或 credit_code、"
        "legal_representative、phone、confirm_credit_code；multipart 时为 JSON 字符串"
    )
    form_data = JSONObjectField(required=False, default=dict, help_text="申请表内容")


def point_case_data(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "query_code": case.query_code,
        "item_name": case.item_version.name,
        "department": case.department.name,
        "status": case.status,
    }


# --- views --------------------------------------------------------------------------------------
class ImplementationListView(APIView):
    permission_classes = [IsAuthenticated, Manager]

    @extend_schema(
        operation_id="delegation_implementations",
        summary="可管理区域的实施清单",
        parameters=[REGION],
        responses={200: ImplementationSerializer(many=True), **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = delegation.managed_implementations(request.user)
        code = request.query_params.get("region", "").strip()
        if code:
            region = selectors.region_get_for_manager(request._request, code=code)
            rows = rows.filter(region=region)
        return Response([implementation_data(r) for r in rows[:1000]])

    @extend_schema(
        operation_id="delegation_implementation_add",
        summary="把事项纳入区域实施清单",
        request=AddSerializer,
        responses={201: ImplementationSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = request_body(AddSerializer, request)
        region = selectors.region_get_for_manager(request._request, code=body["region"])
        item = Item.objects.filter(code=body["item"].strip()).first()
        if item is None:
            raise exceptions.ValidationError({"item": [_("没有这个事项编码。")]})
        with domain_errors():
            row = delegation.implementation_add(
                region=region, item=item, actor=request.user, reason=body["reason"]
            )
        return Response(implementation_data(row), status=status.HTTP_201_CREATED)


class ImplementationDetailView(APIView):
    permission_classes = [IsAuthenticated, Manager]

    @extend_schema(
        operation_id="delegation_implementation",
        summary="区域实施内容及修改记录",
        responses={200: ImplementationDetailSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, implementation_id: int) -> Response:
        row = selectors.implementation_get_for_manager(
            request._request, implementation_id=implementation_id
        )
        return Response(detail_data(row))

    @extend_schema(
        operation_id="delegation_implementation_update",
        summary="修改区域实施内容（只可更严格，放宽须有法律依据）",
        request=DeviationsSerializer,
        responses={200: ImplementationDetailSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request: Request, implementation_id: int) -> Response:
        row = selectors.implementation_get_for_manager(
            request._request, implementation_id=implementation_id
        )
        body = request_body(DeviationsSerializer, request)
        wanted = delegation.Deviations(
            committed_days=body.get("committed_days"),
            fee_amounts=dict(body["fee_amounts"]),
            extra_materials=list(body["extra_materials"]),
            omitted_materials=list(body["omitted_materials"]),
            legal_basis=body["legal_basis"],
            reason=body["reason"],
        )
        try:
            row = delegation.implementation_update(
                implementation=row, actor=request.user, wanted=wanted
            )
        except delegation.DeviationRefused as exc:
            # docs/rules/delegation.md §V5: every reason at once, nothing changed.
            return Response(
                {"code": exc.code, "message": exc.message, "errors": exc.reasons},
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DomainError as exc:
            raise api_error(exc) from exc
        return Response(detail_data(row))


class ImplementationRemoveView(APIView):
    permission_classes = [IsAuthenticated, Manager]

    @extend_schema(
        operation_id="delegation_implementation_remove",
        summary="把事项移出区域实施清单",
        request=ReasonSerializer,
        responses={204: None, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, implementation_id: int) -> Response:
        row = selectors.implementation_get_for_manager(
            request._request, implementation_id=implementation_id
        )
        body = request_body(ReasonSerializer, request)
        with domain_errors():
            delegation.implementation_remove(
                implementation=row, actor=request.user, reason=body["reason"]
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DriftView(APIView):
    permission_classes = [IsAuthenticated, DriftReader]

    @extend_schema(
        operation_id="delegation_drift",
        summary="下放事项偏离监测",
        parameters=[REGION],
        responses={200: DriftSerializer(many=True), **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        region, error = selectors.drift_region(request.query_params.get("region", ""))
        if error:
            raise exceptions.ValidationError({"region": [error]})
        return Response([drift_data(d) for d in delegation.drift_list(region=region)])


class PointBase(APIView):
    permission_classes = [IsAuthenticated, PointStaff]

    def _point(self, request: Request) -> Region:
        point = selectors.point_of(request.user)
        if point is None:
            raise deny(request._request, target="delegation:point", reason="no community point")
        return point


class PointView(PointBase):
    @extend_schema(
        operation_id="delegation_point",
        summary="便民服务点：代收事项清单和已代收的申请",
        responses={200: PointSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        point = self._point(request)
        return Response(
            {
                "point_code": point.code,
                "point_name": point.name,
                "items": [
                    {
                        "item_code": v.item.code,
                        "item_name": v.name,
                        "department": v.item.department.name,
                    }
                    for v in selectors.point_items(point)
                ],
                "cases": [point_case_data(c) for c in selectors.point_cases(point)[:100]],
            }
        )


class PointReceiveView(PointBase):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="delegation_point_receive",
        summary="便民服务点代收申请",
        description="docs/rules/delegation.md: register and submit the application for an item on "
        "the point's list; files as `material_<material id>` parts of a multipart request. The "
        "case goes to the implementing department's intake queue. An item not on the list is a "
        "400 (code point_refused) and nothing is stored.",
        request={
            "multipart/form-data": PointReceiveSerializer,
            "application/json": PointReceiveSerializer,
        },
        responses={201: PointCaseSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        point = self._point(request)
        data = request_body(PointReceiveSerializer, request)
        version = (
            ItemVersion.objects.filter(
                status=VersionStatus.PUBLISHED, item__code=data["item_code"].strip()
            )
            .select_related("item")
            .first()
        )
        if version is None:
            raise exceptions.ValidationError({"item_code": [_("没有找到该事项，或该事项未发布。")]})
        applicant = WalkInApplicantSerializer(data=data["applicant"])
        if not applicant.is_valid():
            raise exceptions.ValidationError({"applicant": applicant.errors})
        checklist = delegation.checklist_materials(
            version, delegation.checklist_region_id(version=version, region=point)
        )
        materials = {f"material_{m.pk}": m.pk for m in checklist}
        unknown = [name for name in request.FILES if name not in materials]
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("该事项的材料清单中没有这一项。")] for name in unknown}
            )
        files = {materials[name]: request.FILES.getlist(name) for name in request.FILES}
        with domain_errors():
            point_receive_check(point=point, staff=request.user, item_version=version)
            form_data = form_fields.validate(form_fields.fields_for(version), data["form_data"])
            try:
                case = point_receive(
                    point=point,
                    staff=request.user,
                    item_version=version,
                    applicant=WalkInApplicant(**applicant.validated_data),
                    form_data=form_data,
                    files=files,
                )
            except DjangoValidationError as err:
                raise exceptions.ValidationError({"applicant": err.message_dict}) from err
        return Response(point_case_data(case), status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("delegation/point/", PointView.as_view(), name="delegation_point"),
    path("delegation/point/receive/", PointReceiveView.as_view(), name="delegation_point_receive"),
    path(
        "delegation/implementations/",
        ImplementationListView.as_view(),
        name="delegation_implementations",
    ),
    path(
        "delegation/implementations/<id:implementation_id>/",
        ImplementationDetailView.as_view(),
        name="delegation_implementation",
    ),
    path(
        "delegation/implementations/<id:implementation_id>/remove/",
        ImplementationRemoveView.as_view(),
        name="delegation_implementation_remove",
    ),
    path("delegation/drift/", DriftView.as_view(), name="delegation_drift"),
]
