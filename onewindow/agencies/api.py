"""The intermediary services market under /api/v1/ (docs/rules/agencies.md §I1–§I11), with the
pages' access checks (another party's record is a logged 404):

* ``agencies/``: the public listing and an agency's record; the centre's administrator registers
  agencies, sets their status, records violations; ``agency-assessments/`` the periodic grades.
* ``agency-requirements/``: the intermediary services an item requires, with the qualification.
* ``agency-selections/``: the applicant (or, where the law says, the department) chooses,
  draws or opens bidding; the record; bids, the close, the department's review, ratings.
* ``agency-jobs/``: an agency's own jobs: accept, decline, upload the report.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.agencies import selectors, services
from onewindow.agencies.models import (
    Agency,
    AgencyStatus,
    Assessment,
    Grade,
    JobStatus,
    Method,
    Selection,
    ServiceRequirement,
    ServiceType,
)
from onewindow.api.domain import domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.core.errors import Invalid
from onewindow.lib.ids import parse_id

TAGS = ["agencies"]
MANAGERS_ONLY = "只有中心管理员可以管理中介机构。"


class QualificationSerializer(serializers.Serializer):
    name = serializers.CharField()
    level = serializers.CharField()
    certificate_number = serializers.CharField()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class FeeSerializer(serializers.Serializer):
    service_type = serializers.CharField(source="service_type.name")
    amount_min = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_max = serializers.DecimalField(max_digits=12, decimal_places=2)
    unit = serializers.CharField()


class StaffSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    certificate = serializers.CharField()


class AgencySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    status = serializers.ChoiceField(choices=AgencyStatus.choices)
    grade = serializers.CharField(help_text="最近一次考核等级（A/B/C/D），未考核为空")
    promised_days = serializers.IntegerField(help_text="承诺办理时限（工作日）")
    service_types = serializers.ListField(child=serializers.CharField())
    qualifications = QualificationSerializer(many=True)


class AgencyDetailSerializer(AgencySerializer):
    address = serializers.CharField()
    contact = serializers.CharField()
    phone = serializers.CharField()
    intro = serializers.CharField()
    departments = serializers.ListField(child=serializers.CharField())
    fees = FeeSerializer(many=True)
    staff = StaffSerializer(many=True)


def _agency_row(a: Agency) -> dict[str, Any]:
    return {
        "id": a.pk,
        "name": a.name,
        "credit_code": a.credit_code,
        "status": a.status,
        "grade": a.grade,
        "promised_days": a.promised_days,
        "service_types": [t.name for t in a.service_types.all()],
        "qualifications": list(a.qualifications.all()),
    }


def _agency_detail(a: Agency) -> dict[str, Any]:
    return {
        **_agency_row(a),
        "address": a.address,
        "contact": a.contact,
        "phone": a.phone,
        "intro": a.intro,
        "departments": [d.name for d in a.departments.all()],
        "fees": list(a.fees.select_related("service_type")),
        "staff": list(a.staff.all()),
    }


class AgencyInSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    credit_code = serializers.CharField(allow_blank=True, help_text="统一社会信用代码（校验码）")
    promised_days = serializers.IntegerField(required=False, default=10)
    service_types = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="服务类型代码"
    )
    address = serializers.CharField(required=False, allow_blank=True, default="")
    contact = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    intro = serializers.CharField(required=False, allow_blank=True, default="")


class StatusInSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=AgencyStatus.choices)
    reason = serializers.CharField(allow_blank=True)


class ViolationInSerializer(serializers.Serializer):
    occurred_on = serializers.DateField()
    description = serializers.CharField(allow_blank=True)
    suspend = serializers.BooleanField(default=False)


class ViolationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occurred_on = serializers.DateField()
    description = serializers.CharField()
    suspended = serializers.BooleanField()


class AssessmentInSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    score = serializers.DecimalField(max_digits=5, decimal_places=1)
    grade = serializers.ChoiceField(choices=Grade.choices)
    details = serializers.JSONField()


class RequirementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    service_type = serializers.CharField(source="service_type.name")
    qualification_name = serializers.CharField(help_text="所需资质")
    material_name = serializers.CharField(help_text="报告归入的申请材料")
    legal_basis = serializers.CharField()
    department_selects = serializers.BooleanField(help_text="依法由审批部门选取")


class BidSerializer(serializers.Serializer):
    agency = serializers.IntegerField(source="agency_id")
    agency_name = serializers.CharField(source="agency.name")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    placed_at = serializers.DateTimeField()


class SelectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    requirement = RequirementSerializer()
    method = serializers.ChoiceField(choices=Method.choices)
    status = serializers.ChoiceField(choices=JobStatus.choices)
    chosen_by = serializers.CharField(source="chosen_by.full_name", help_text="选取人")
    chosen_at = serializers.DateTimeField()
    candidate_ids = serializers.ListField(child=serializers.IntegerField(), help_text="候选机构")
    seed = serializers.CharField(help_text="随机抽取的种子（可复核）")
    bid_deadline = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    agency = serializers.IntegerField(source="agency_id", allow_null=True)
    agency_name = serializers.SerializerMethodField()
    accepted_on = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    reported_on = serializers.DateField(allow_null=True)
    days_taken = serializers.IntegerField(allow_null=True)
    corrections = serializers.IntegerField()
    fee = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    fee_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    remark = serializers.CharField()

    def get_agency_name(self, obj: Selection) -> str:
        return obj.agency.name if obj.agency else ""


class SelectionInSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    requirement = serializers.IntegerField()
    method = serializers.ChoiceField(choices=Method.choices)
    agency = serializers.IntegerField(required=False, help_text="直接选取时的机构")
    deadline = serializers.DateTimeField(required=False, help_text="竞价的报价截止时间")


class BidInSerializer(serializers.Serializer):
    amount = serializers.CharField(allow_blank=True, help_text="报价（元），最多两位小数")


class ReviewInSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    remark = serializers.CharField(required=False, allow_blank=True, default="")


class RatingInSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DeclineInSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReportInSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="报告（PDF、JPEG 或 PNG）")
    fee = serializers.CharField(allow_blank=True, help_text="实收费用（元）")


def _selection_out(selection: Selection) -> dict[str, Any]:
    return dict(SelectionSerializer(selection).data)


# --- agencies -----------------------------------------------------------------------------------
class AgenciesView(APIView):
    pagination_class = Pagination

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [HasPerm.of(Perm.AGENCY_MANAGE, message=MANAGERS_ONLY)()]
        return [AllowAny()]

    @extend_schema(
        operation_id="agencies_list",
        summary="中介机构名录（公开）",
        parameters=[
            OpenApiParameter("q", str, description="机构名称、信用代码、服务类型或资质"),
            OpenApiParameter("service_type", str, description="服务类型代码"),
            OpenApiParameter("grade", str, enum=Grade.values),
        ],
        responses={200: AgencySerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        p = request.query_params
        rows = selectors.agencies_public(
            p.get("q", ""), p.get("service_type", ""), p.get("grade", "")
        )
        return paginated(request, self, rows, AgencySerializer, _agency_row)

    @extend_schema(
        operation_id="agencies_create",
        summary="登记中介机构",
        request=AgencyInSerializer,
        responses={201: AgencyDetailSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = AgencyInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        codes = data.pop("service_types", [])
        types = list(ServiceType.objects.filter(code__in=codes))
        with domain_errors():
            if len(types) != len(set(codes)):
                raise Invalid({"service_types": ["未知的服务类型。"]})
            agency = services.agency_save(service_types=types, **data)
        return Response(
            AgencyDetailSerializer(_agency_detail(agency)).data, status=status.HTTP_201_CREATED
        )


class AgencyView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="agencies_retrieve",
        summary="中介机构详情（公开）",
        responses={200: AgencyDetailSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, agency_id: int) -> Response:
        return Response(
            AgencyDetailSerializer(_agency_detail(selectors.agency_public(agency_id))).data
        )


def _managed_agency(request: Request, agency_id: int) -> Agency:
    selectors.manage(request)
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise Http404
    return agency


class AgencyStatusView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agencies_status",
        summary="暂停、恢复或清退中介机构（中心管理员）",
        request=StatusInSerializer,
        responses={200: AgencyDetailSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, agency_id: int) -> Response:
        agency = _managed_agency(request, agency_id)
        body = StatusInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            agency = services.agency_status_set(agency=agency, **body.validated_data)
        return Response(AgencyDetailSerializer(_agency_detail(agency)).data)


class AgencyViolationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agencies_violations_create",
        summary="记录中介机构违规（中心管理员）",
        request=ViolationInSerializer,
        responses={201: ViolationSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, agency_id: int) -> Response:
        agency = _managed_agency(request, agency_id)
        body = ViolationInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            violation = services.violation_record(
                agency=agency, actor=request.user, **body.validated_data
            )
        return Response(ViolationSerializer(violation).data, status=status.HTTP_201_CREATED)


class QualificationInSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    level = serializers.CharField(required=False, allow_blank=True, default="")
    certificate_number = serializers.CharField(allow_blank=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class FeeInSerializer(serializers.Serializer):
    service_type = serializers.CharField(help_text="服务类型代码")
    amount_min = serializers.CharField(help_text="收费下限（元）")
    amount_max = serializers.CharField(help_text="收费上限（元）")
    unit = serializers.CharField(required=False, allow_blank=True, default="项")


class AgencyQualificationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agencies_qualifications_create",
        summary="登记中介机构的资质证书（中心管理员）",
        request=QualificationInSerializer,
        responses={201: QualificationSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, agency_id: int) -> Response:
        agency = _managed_agency(request, agency_id)
        body = QualificationInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            made = services.qualification_add(agency=agency, **body.validated_data)
        return Response(QualificationSerializer(made).data, status=status.HTTP_201_CREATED)


class AgencyFeesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agencies_fees_set",
        summary="设置中介机构某服务类型的收费标准（中心管理员）",
        request=FeeInSerializer,
        responses={200: FeeSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, agency_id: int) -> Response:
        agency = _managed_agency(request, agency_id)
        body = FeeInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        service_type = ServiceType.objects.filter(code=data["service_type"]).first()
        with domain_errors():
            if service_type is None:
                raise Invalid({"service_type": ["未知的服务类型。"]})
            fee = services.fee_set(
                agency=agency,
                service_type=service_type,
                amount_min=data["amount_min"],
                amount_max=data["amount_max"],
                unit=data["unit"],
            )
        return Response(FeeSerializer(fee).data)


class AssessmentsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        operation_id="agency_assessments_list",
        summary="中介机构考核记录（中心管理员）",
        responses={200: AssessmentSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        selectors.manage(request)
        rows = Assessment.objects.select_related("agency")
        return paginated(request, self, rows, AssessmentSerializer)

    @extend_schema(
        operation_id="agency_assessments_create",
        summary="按考核期考核全部中介机构（中心管理员）",
        request=AssessmentInSerializer,
        responses={201: AssessmentSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        selectors.manage(request)
        body = AssessmentInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            done = services.assess_period(
                start=body.validated_data["period_start"],
                end=body.validated_data["period_end"],
                actor=request.user,
            )
        return Response(AssessmentSerializer(done, many=True).data, status=status.HTTP_201_CREATED)


class RequirementsView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="agency_requirements_list",
        summary="事项所需的中介服务（公开）",
        parameters=[OpenApiParameter("item", int, description="事项 id")],
        responses={200: RequirementSerializer(many=True), **error_responses(400)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        item = request.query_params.get("item", "")
        rows: Any = selectors.requirements_all()
        if item:
            item_id = parse_id(item)
            if item_id is None:
                raise serializers.ValidationError({"item": ["事项 id 应为数字。"]})
            rows = rows.filter(item_id=item_id)
        return Response(RequirementSerializer(rows[:500], many=True).data)


# --- selections ---------------------------------------------------------------------------------
class SelectionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_selections_create",
        summary="为办件选取中介机构：直接选取、随机抽取或发起竞价",
        description="direct: agency required; bid: deadline required; draw: a seed is generated "
        "and recorded so the draw can be repeated.",
        request=SelectionInSerializer,
        responses={201: SelectionSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = SelectionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = selectors.case_for_selection(request, data["case"])
        requirement = ServiceRequirement.objects.filter(pk=data["requirement"]).first()
        with domain_errors():
            if requirement is None:
                raise Invalid({"requirement": ["未知的中介服务要求。"]})
            selection = _select(request, case, requirement, data)
        return Response(_selection_out(selection), status=status.HTTP_201_CREATED)


def _select(
    request: Any, case: Any, requirement: ServiceRequirement, data: dict[str, Any]
) -> Selection:
    method = data["method"]
    if method == Method.DIRECT:
        agency = Agency.objects.filter(pk=data.get("agency") or 0).first()
        if agency is None:
            raise Invalid({"agency": ["请选择中介机构。"]})
        return services.select_direct(
            case=case, requirement=requirement, agency=agency, actor=request.user
        )
    if method == Method.DRAW:
        return services.select_draw(case=case, requirement=requirement, actor=request.user)
    if data.get("deadline") is None:
        raise Invalid({"deadline": ["请填写报价截止时间。"]})
    return services.select_bidding(
        case=case, requirement=requirement, actor=request.user, deadline=data["deadline"]
    )


class SelectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_selections_retrieve",
        summary="选取记录（选取人、时间、候选机构、种子或报价、结果）",
        responses={200: SelectionSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, selection_id: int) -> Response:
        return Response(_selection_out(selectors.selection_get(request, selection_id)))


class SelectionBidsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_selections_bids_list",
        summary="竞价的报价（截止后公开给各方）",
        responses={200: BidSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, selection_id: int) -> Response:
        selection = selectors.selection_get(request, selection_id)
        if selection.status == JobStatus.BIDDING:
            agency = selectors.agency_of(request.user)
            bids = selection.bids.filter(agency=agency) if agency else selection.bids.none()
        else:
            bids = selection.bids.all()
        return Response(BidSerializer(bids.select_related("agency"), many=True).data)

    @extend_schema(
        operation_id="agency_selections_bids_create",
        summary="报价（中介机构）",
        request=BidInSerializer,
        responses={201: BidSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        agency, selection = selectors.job_get(request, selection_id)
        body = BidInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            bid = services.bid_place(
                selection=selection,
                agency=agency,
                actor=request.user,
                amount=body.validated_data["amount"],
            )
        return Response(BidSerializer(bid).data, status=status.HTTP_201_CREATED)


class SelectionCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_selections_close",
        summary="报价截止后确定中标机构",
        request=None,
        responses={200: SelectionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        selection = selectors.selection_get(request, selection_id)
        with domain_errors():
            selection = services.bidding_close(selection=selection)
        return Response(_selection_out(selection))


class SelectionReviewView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_selections_review",
        summary="审查中介报告：采纳或退回修改（办件所属部门）",
        request=ReviewInSerializer,
        responses={200: SelectionSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        selection = selectors.selection_get(request, selection_id)
        body = ReviewInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            selection = services.report_review(
                selection=selection, actor=request.user, **body.validated_data
            )
        return Response(_selection_out(selection))


class SelectionRatingView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_selections_rate",
        summary="评价中介服务（申请人或审批部门，1–5 分）",
        request=RatingInSerializer,
        responses={201: None, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        selection = selectors.selection_get(request, selection_id)
        body = RatingInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            services.job_rate(selection=selection, actor=request.user, **body.validated_data)
        return Response(status=status.HTTP_201_CREATED)


# --- the agency's desk --------------------------------------------------------------------------
class JobsView(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(
        operation_id="agency_jobs_list",
        summary="本机构的业务",
        responses={200: SelectionSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        agency = selectors.desk_agency(request)
        rows = selectors.jobs_of(agency).select_related("chosen_by", "agency")
        return paginated(request, self, rows, SelectionSerializer)


class JobAcceptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_jobs_accept",
        summary="接受业务",
        request=None,
        responses={200: SelectionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        agency, job = selectors.job_get(request, selection_id)
        with domain_errors():
            job = services.job_accept(selection=job, agency=agency)
        return Response(_selection_out(job))


class JobDeclineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="agency_jobs_decline",
        summary="拒绝业务",
        request=DeclineInSerializer,
        responses={200: SelectionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        agency, job = selectors.job_get(request, selection_id)
        body = DeclineInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            job = services.job_decline(
                selection=job, agency=agency, reason=body.validated_data["reason"]
            )
        return Response(_selection_out(job))


class JobReportView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="agency_jobs_report",
        summary="上传中介报告（归入申请人办件的申请材料）",
        request={"multipart/form-data": ReportInSerializer},
        responses={201: SelectionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, selection_id: int) -> Response:
        agency, job = selectors.job_get(request, selection_id)
        body = ReportInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            services.job_report(
                selection=job,
                agency=agency,
                actor=request.user,
                upload=body.validated_data["file"],
                fee=body.validated_data["fee"],
            )
        job.refresh_from_db()
        return Response(_selection_out(job), status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("agencies/", AgenciesView.as_view(), name="agency-list"),
    path("agencies/<id:agency_id>/", AgencyView.as_view(), name="agency"),
    path("agencies/<id:agency_id>/status/", AgencyStatusView.as_view(), name="agency-status"),
    path(
        "agencies/<id:agency_id>/violations/",
        AgencyViolationsView.as_view(),
        name="agency-violations",
    ),
    path(
        "agencies/<id:agency_id>/qualifications/",
        AgencyQualificationsView.as_view(),
        name="agency-qualifications",
    ),
    path("agencies/<id:agency_id>/fees/", AgencyFeesView.as_view(), name="agency-fees"),
    path("agency-assessments/", AssessmentsView.as_view(), name="agency-assessments"),
    path("agency-requirements/", RequirementsView.as_view(), name="agency-requirements"),
    path("agency-selections/", SelectionsView.as_view(), name="agency-selection-list"),
    path("agency-selections/<id:selection_id>/", SelectionView.as_view(), name="agency-selection"),
    path(
        "agency-selections/<id:selection_id>/bids/",
        SelectionBidsView.as_view(),
        name="agency-selection-bids",
    ),
    path(
        "agency-selections/<id:selection_id>/close/",
        SelectionCloseView.as_view(),
        name="agency-selection-close",
    ),
    path(
        "agency-selections/<id:selection_id>/review/",
        SelectionReviewView.as_view(),
        name="agency-selection-review",
    ),
    path(
        "agency-selections/<id:selection_id>/ratings/",
        SelectionRatingView.as_view(),
        name="agency-selection-ratings",
    ),
    path("agency-jobs/", JobsView.as_view(), name="agency-jobs"),
    path(
        "agency-jobs/<id:selection_id>/accept/", JobAcceptView.as_view(), name="agency-job-accept"
    ),
    path(
        "agency-jobs/<id:selection_id>/decline/",
        JobDeclineView.as_view(),
        name="agency-job-decline",
    ),
    path(
        "agency-jobs/<id:selection_id>/report/", JobReportView.as_view(), name="agency-job-report"
    ),
]
