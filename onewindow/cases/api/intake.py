"""Window intake endpoints under /api/v1/ (docs/product.md §C4, docs/decisions.md §P1, the staff
half).

Staff with Perm.CASE_INTAKE only (others 403); a case of another department is a logged 404,
exactly like the pages. Decisions go through the same services: a refused one is
``400 {"code", "message"}`` and changes nothing, a concurrent change is 409. Notices (list and
PDF) are readable by the applicant or agent and by staff with read access.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.fields import empty
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, Conflict, domain_errors
from onewindow.api.dues import DueDateSerializer
from onewindow.api.idempotency import idempotency_key, idempotency_param
from onewindow.api.pagination import KeysetPagination, Pagination, keyset_paginated, paginated
from onewindow.api.permissions import HasPerm
from onewindow.api.renderers import PDFRenderer
from onewindow.api.schema import error_responses, pdf_responses
from onewindow.cases import dues, notices, selectors, services
from onewindow.cases import fields as form_fields
from onewindow.cases.forms.intake import signer_authenticate
from onewindow.cases.models import (
    Case,
    CasePriority,
    CaseStatus,
    Channel,
    Commitment,
    CommitmentStatus,
    MaterialStatus,
    Notice,
    NoticeKind,
)
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.trail import on_behalf_text
from onewindow.catalog.delegation import checklist_materials

TAGS = ["cases: intake"]


# Window clerks and chief representatives.
CanIntake = HasPerm.of(Perm.CASE_INTAKE, message="只有窗口受理人员可以使用受理接口。")


# --- serializers ------------------------------------------------------------------------------
class IntakeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class IntakePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IntakeDueSerializer(serializers.Serializer):
    urgency = serializers.ChoiceField(
        choices=["overdue", "today", "next", "later"],
        help_text="overdue 已逾期；today 今日到期；next 下一工作日到期；later 尚有时间",
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    working_days_left = serializers.IntegerField(help_text="剩余工作日数，逾期为负数")


class QueueItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    item = IntakeRefSerializer()
    applicant = IntakePersonSerializer()
    channel = serializers.ChoiceField(choices=Channel.choices)
    submitted_at = serializers.DateTimeField()
    received_on = serializers.DateField(help_text="收件日期")
    intake_due = DueDateSerializer(help_text="受理期限（收件后五个工作日）")
    due = IntakeDueSerializer()
    priority = serializers.ChoiceField(
        choices=CasePriority.choices,
        help_text="优先级：0 一般，10 重点项目，20 重点项目（特急）（docs/rules/projects.md §H4）",
    )
    priority_label = serializers.CharField()


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    on_behalf_of = serializers.CharField(
        allow_null=True, help_text="代办员的操作：被代办的委托人（申请人）"
    )
    on_behalf = serializers.CharField(help_text="代办员的操作：“代办员 X 代表 Y 办理”；否则为空")
    old_status = serializers.CharField()
    new_status = serializers.CharField()
    reason = serializers.CharField()


class NoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    kind_label = serializers.CharField()
    number = serializers.CharField(help_text="文号")
    issued_at = serializers.DateTimeField()
    pdf_url = serializers.CharField(help_text="PDF 下载地址（接口）")


class IntakeFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download_url = serializers.CharField()


class IntakeLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="材料行 id（容缺和补正时引用）")
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field, not Field.required
    is_core = serializers.BooleanField(help_text="主要材料（不得容缺）")
    status = serializers.ChoiceField(choices=MaterialStatus.choices)
    remark = serializers.CharField()
    files = IntakeFileSerializer(many=True)


class CommitmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    kind = serializers.CharField()
    material = serializers.CharField(allow_null=True)
    text = serializers.CharField()
    due_on = DueDateSerializer(allow_null=True, help_text="履行期限")
    status = serializers.ChoiceField(choices=CommitmentStatus.choices)
    due = IntakeDueSerializer(allow_null=True)


class IntakeCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    query_code = serializers.CharField()
    revision = serializers.IntegerField(
        help_text="并发控制：作出决定时原样提交，办件已变化则返回 409"
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    priority = serializers.ChoiceField(
        choices=CasePriority.choices,
        help_text="优先级：0 一般，10 重点项目，20 重点项目（特急）（docs/rules/projects.md §H4）",
    )
    priority_label = serializers.CharField()
    item = IntakeRefSerializer()
    department = IntakeRefSerializer()
    region = IntakeRefSerializer()
    applicant = IntakePersonSerializer()
    agent = IntakePersonSerializer(allow_null=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    route = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_on = serializers.DateField(allow_null=True)
    intake_due = DueDateSerializer(allow_null=True, help_text="受理期限")
    accepted_on = serializers.DateField(allow_null=True)
    decision_due = DueDateSerializer(allow_null=True, help_text="承诺办结期限")
    statutory_due = DueDateSerializer(allow_null=True, help_text="法定办结期限")
    correction_count = serializers.IntegerField()
    tolerance_limit = serializers.IntegerField(help_text="该事项最多可容缺的次要材料数")
    allowed_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=["accept", "correction", "reject"])
    )
    form_data = serializers.DictField()
    materials = IntakeLineSerializer(many=True)
    events = EventSerializer(many=True)
    notices = NoticeSerializer(many=True)
    commitments = CommitmentSerializer(many=True)


class DecisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False, min_value=0, help_text="详情中的 revision；办件已变化时拒绝（409）"
    )


class AcceptSerializer(DecisionSerializer):
    tolerated_material_ids = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="容缺受理：暂缺的次要材料行 id(materials[].id)",
    )
    commitment_due = serializers.DateField(
        required=False, allow_null=True, help_text="补齐期限，默认且最迟为承诺办结期限"
    )


class FindingSerializer(serializers.Serializer):
    case_material_id = serializers.IntegerField()
    problem = serializers.ChoiceField(
        choices=[MaterialStatus.MISSING.value, MaterialStatus.DEFECTIVE.value],
        help_text="missing 缺少；defective 不符合要求",
    )
    remark = serializers.CharField(max_length=500, help_text="补正要求")


class SignOffSerializer(serializers.Serializer):
    username = serializers.CharField(help_text="签批人（电子监察人员或本部门首席代表）用户名")
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    reason = serializers.CharField(max_length=500, help_text="签批理由")


class CorrectionSerializer(DecisionSerializer):
    findings = FindingSerializer(many=True, help_text="一次性告知的全部补正内容")
    sign_off = SignOffSerializer(required=False, help_text="第二次补正告知时必填")


class RejectSerializer(DecisionSerializer):
    reasons = serializers.CharField(max_length=2000, help_text="不予受理的理由（必填）")
    competent_agency = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="有权机关"
    )


class JSONObjectField(serializers.DictField):
    """An object in a JSON body, or the same object as a JSON string in a multipart form."""

    def get_value(self, dictionary: Any) -> Any:
        # DictField reads ``name.key`` parts from form data; here the part holds JSON text.
        if hasattr(dictionary, "getlist"):
            return dictionary.get(self.field_name, empty)
        return super().get_value(dictionary)

    def to_internal_value(self, data: Any) -> dict[Any, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                self.fail("not_a_dict", input_type="str")
        return super().to_internal_value(data)


class WalkInApplicantSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    full_name = serializers.CharField(required=False, allow_blank=True, default="")
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(required=False, allow_blank=True, default="")
    legal_representative = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    confirm_credit_code = serializers.BooleanField(required=False, default=False)


class WalkInSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=40, help_text="事项编码（本部门已发布的事项）")
    region_code = serializers.CharField(max_length=20, help_text="办理区域代码")
    applicant = JSONObjectField(
        help_text="申请人：kind（person/enterprise）、full_name、id_number 或 credit_code、"
        "legal_representative、phone、confirm_credit_code;multipart 时为 JSON 字符串"
    )
    form_data = JSONObjectField(required=False, default=dict, help_text="申请表内容")


class FulfilSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="补齐的材料（PDF、JPEG、PNG）")


# --- data -------------------------------------------------------------------------------------
def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def _due(due: Any) -> dict[str, Any] | None:
    state = selectors.due_state(due) if due else None
    if state is None:
        return None
    return {
        "urgency": str(state.level),
        "label": str(state.label),
        "working_days_left": state.working_days_left,
    }


def priority_data(case: Case) -> dict[str, Any]:
    """The key-project marker (docs/rules/projects.md §H4) as the API gives it."""
    return {"priority": case.priority, "priority_label": str(CasePriority(case.priority).label)}


def queue_item(case: Case) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number,
        "status": case.status,
        "item": {"code": case.item_version.item.code, "name": case.item_version.name},
        "applicant": _person(case.applicant),
        "channel": case.channel,
        "submitted_at": case.submitted_at,
        "received_on": case.received_on,
        "intake_due": dues.case_intake_due(case),
        "due": _due(case.intake_due),
        **priority_data(case),
    }


def notice_data(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "kind_label": str(NoticeKind(notice.kind).label),
        "number": notice.number,
        "issued_at": notice.issued_at,
        "pdf_url": reverse("api:case-notice-pdf", args=[notice.case_id, notice.pk]),
    }


def commitment_data(commitment: Commitment) -> dict[str, Any]:
    open_ = commitment.status == CommitmentStatus.OPEN
    return {
        "id": commitment.pk,
        "case_id": commitment.case_id,
        "case_number": commitment.case.number,
        "kind": commitment.kind,
        "material": commitment.material.name if commitment.material else None,
        "text": commitment.text,
        "due_on": dues.commitment_due(commitment),
        "status": commitment.status,
        "due": _due(commitment.due_on) if open_ else None,
    }


def _allowed(case: Case) -> list[str]:
    if case.status == CaseStatus.SUBMITTED:
        return ["accept", "correction", "reject"]
    return ["reject"] if case.status == CaseStatus.CORRECTION else []


def intake_case(case: Case) -> dict[str, Any]:
    version = case.item_version
    lines = application_selectors.case_lines(case)
    return {
        **{key: getattr(case, key) for key in _CASE_FIELDS},
        "intake_due": dues.case_intake_due(case),
        "decision_due": dues.case_decision_due(case),
        "statutory_due": dues.case_statutory_due(case),
        "status_label": str(CaseStatus(case.status).label),
        **priority_data(case),
        "item": {"code": version.item.code, "name": version.name},
        "department": {"code": case.department.code, "name": case.department.name},
        "region": {"code": case.region.code, "name": case.region.name},
        "applicant": _person(case.applicant),
        "agent": _person(case.agent),
        "tolerance_limit": selectors.tolerance_limit(version),
        "allowed_actions": _allowed(case),
        "materials": [
            {
                "id": line.pk,
                "name": line.material.name,
                "required": line.material.required,
                "is_core": line.material.is_core,
                "status": line.status,
                "remark": line.remark,
                "files": [
                    {
                        "id": f.pk,
                        "name": f.stored.original_name,
                        "content_type": f.stored.content_type,
                        "size": f.stored.size,
                        "download_url": reverse("cases:intake_file", args=[case.pk, f.pk]),
                    }
                    for f in line.files.all()
                ],
            }
            for line in lines
        ],
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "actor": str(e.actor) if e.actor else None,
                "on_behalf_of": str(e.on_behalf_of) if e.on_behalf_of else None,
                "on_behalf": on_behalf_text(e),
                "old_status": e.old_status,
                "new_status": e.new_status,
                "reason": e.reason,
            }
            for e in selectors.case_history(case)
        ],
        "notices": [notice_data(n) for n in case.notices.order_by("issued_at", "pk")],
        "commitments": [
            commitment_data(c) for c in case.commitments.select_related("material", "case")
        ],
    }


_CASE_FIELDS = (
    "id",
    "number",
    "query_code",
    "revision",
    "status",
    "channel",
    "route",
    "submitted_at",
    "received_on",
    "intake_due",
    "accepted_on",
    "decision_due",
    "statutory_due",
    "correction_count",
    "form_data",
)


# --- views ------------------------------------------------------------------------------------
class IntakeView(APIView):
    permission_classes = [IsAuthenticated, CanIntake]

    def case(self, request: Request, case_id: int) -> Case:
        """A case of the clerk's department; another department's is a logged 404."""
        return selectors.case_get_for_clerk(cast(HttpRequest, request), case_id=case_id)

    def detail(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.case_get_for_clerk(cast(HttpRequest, self.request), case_id=case.pk)
        return Response(IntakeCaseSerializer(intake_case(fresh)).data, status=code)


SORT_PARAM = OpenApiParameter(
    "sort",
    OpenApiTypes.STR,
    enum=["due", "submitted"],
    required=False,
    description="due 按受理期限（默认）；submitted 按提交时间",
)


class QueueView(IntakeView):
    # Declared so the OpenAPI document shows the keyset page (docs/rules/scale.md §Y2).
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="intake_queue",
        summary="待受理队列",
        description="Submitted cases of the clerk's department, the nearest intake deadline first "
        "(or by submission time), each with how close its deadline is in working days.",
        parameters=[SORT_PARAM],
        responses={200: QueueItemSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        sort = request.query_params.get("sort", "due")
        if sort not in ("due", "submitted"):
            raise exceptions.ValidationError({"sort": [_("排序方式只能是 due 或 submitted。")]})
        cases, ordering = (
            (selectors.intake_queue(request.user), selectors.INTAKE_ORDER)
            if sort == "due"
            else (
                selectors.intake_queue_by_submission(request.user),
                selectors.INTAKE_ORDER_BY_SUBMISSION,
            )
        )
        return keyset_paginated(request, self, cases, ordering, QueueItemSerializer, queue_item)


class IntakeCaseView(IntakeView):
    @extend_schema(
        operation_id="intake_cases_retrieve",
        summary="受理办件详情",
        description="The case file as the clerk sees it: form, materials with files, history, "
        "notices, commitments and the decisions its status allows.",
        responses={200: IntakeCaseSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        return self.detail(self.case(request, case_id))


def _fresh_check(case: Case, data: dict[str, Any]) -> None:
    revision = data.get("revision")
    if revision is not None and revision != case.revision:
        raise Conflict(
            _(
                "该办件在您读取后已发生变化（例如申请人已撤回、重新提交或他人已处理），请重新读取后再操作。"
            )
        )


class AcceptView(IntakeView):
    @extend_schema(
        operation_id="intake_cases_accept",
        summary="受理",
        description="Accept and issue the acceptance notice. With `tolerated_material_ids` this "
        "is 容缺受理：only non-core materials, at most the item category's tolerance, with a "
        "supplement due date no later than the committed limit.",
        request=AcceptSerializer,
        responses={200: IntakeCaseSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(AcceptSerializer, request)
        _fresh_check(case, data)
        with domain_errors():
            services.case_accept(
                case=case,
                actor=request.user,
                tolerated_material_ids=data["tolerated_material_ids"],
                commitment_due=data.get("commitment_due"),
            )
        return self.detail(case)


class CorrectionView(IntakeView):
    @extend_schema(
        operation_id="intake_cases_correction",
        summary="补正告知（一次性告知）",
        description="Issue the one-time correction notice listing every missing or defective "
        "material with a remark. A second notice on the same case needs `sign_off`: the "
        "username and password of a supervisor (or the department's chief representative, not "
        "the caller) and a reason; it is recorded and flagged for supervision.",
        request=CorrectionSerializer,
        responses={200: IntakeCaseSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(CorrectionSerializer, request)
        _fresh_check(case, data)
        signer, reason = None, ""
        if sign_off := data.get("sign_off"):
            signer, problem = signer_authenticate(
                cast(HttpRequest, request), sign_off["username"], sign_off["password"]
            )
            if problem:
                raise exceptions.ValidationError({"sign_off": [problem.message]})
            reason = sign_off["reason"]
        findings = [services.MaterialFinding(**finding) for finding in data["findings"]]
        with domain_errors():
            services.case_request_correction(
                case=case,
                actor=request.user,
                findings=findings,
                sign_off_by=signer,
                sign_off_reason=reason,
            )
        return self.detail(case)


class RejectView(IntakeView):
    @extend_schema(
        operation_id="intake_cases_reject",
        summary="不予受理",
        description="Reject with mandatory reasons and, where relevant, the competent agency; the "
        "decision notice states the appeal rights.",
        request=RejectSerializer,
        responses={200: IntakeCaseSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(RejectSerializer, request)
        _fresh_check(case, data)
        with domain_errors():
            services.case_reject(
                case=case,
                actor=request.user,
                reasons=data["reasons"],
                competent_agency=data["competent_agency"],
            )
        return self.detail(case)


IDEMPOTENCY_PARAM = idempotency_param(
    "幂等键：同一窗口人员以同一个键重复登记，只产生一个办件（HTTP 200）"
)


def _walk_in_files(request: Request, version: Any) -> dict[int, list[Any]]:
    """Files sent as ``material_<material id>`` (several per material allowed), against the
    checklist of the clerk's department (a district bureau's own:
    docs/rules/delegation.md §V5)."""
    department = getattr(request.user, "department", None)
    checklist = checklist_materials(version, department.region_id if department else None)
    materials = {f"material_{m.pk}": m.pk for m in checklist}
    unknown = [name for name in request.FILES if name not in materials]
    if unknown:
        raise exceptions.ValidationError(
            {name: [_("该事项的材料清单中没有这一项。")] for name in unknown}
        )
    return {materials[name]: request.FILES.getlist(name) for name in request.FILES}


class WalkInView(IntakeView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="intake_cases_create",
        summary="窗口登记申请",
        description="Register an application handed in at the window and submit it (channel "
        "window): the applicant is found by ID number or credit code, or a record is created "
        "(F1/F2 checked); files are sent as `material_<material id>` parts of a multipart "
        "request (several per material). All or nothing: a refusal leaves no case, no applicant "
        "record and no file. 201 on creation, 200 when the Idempotency-Key was used before.",
        parameters=[IDEMPOTENCY_PARAM],
        request={"multipart/form-data": WalkInSerializer, "application/json": WalkInSerializer},
        responses={
            201: IntakeCaseSerializer,
            200: IntakeCaseSerializer,
            **error_responses(400, 401, 403),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        key = idempotency_key(request)
        if (
            key
            and (previous := application_selectors.submission_for_key(request.user, key))
            is not None
        ):
            return self.detail(previous)
        data = request_body(WalkInSerializer, request)
        version = selectors.walk_in_items(request.user).filter(item__code=data["item_code"]).first()
        if version is None:
            raise exceptions.ValidationError(
                {"item_code": [_("没有找到该事项，或该事项不属于本部门、未发布。")]}
            )
        region = (
            application_selectors.implementing_regions(version)
            .filter(code=data["region_code"])
            .first()
        )
        if region is None:
            raise exceptions.ValidationError({"region_code": [_("该事项不在这个区域办理。")]})
        applicant = WalkInApplicantSerializer(data=data["applicant"])
        if not applicant.is_valid():
            raise exceptions.ValidationError({"applicant": applicant.errors})
        files = _walk_in_files(request, version)
        with domain_errors():
            form_data = form_fields.validate(form_fields.fields_for(version), data["form_data"])
            try:
                case = services.case_register_walk_in(
                    item_version=version,
                    region=region,
                    clerk=request.user,
                    applicant=services.WalkInApplicant(**applicant.validated_data),
                    form_data=form_data,
                    files=files,
                    idempotency_key=key,
                )
            except DjangoValidationError as err:
                raise exceptions.ValidationError({"applicant": err.message_dict}) from err
        return self.detail(case, status.HTTP_201_CREATED)


class CommitmentListView(IntakeView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination

    @extend_schema(
        operation_id="intake_commitments_list",
        summary="容缺承诺台账",
        description="Open 容缺 commitments of the clerk's department, the earliest due first.",
        responses={200: CommitmentSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request,
            self,
            selectors.commitments_open_for_department(request.user),
            CommitmentSerializer,
            commitment_data,
        )


class CommitmentFulfilView(IntakeView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="intake_commitments_fulfil",
        summary="登记容缺材料已补齐",
        description="The applicant supplied the tolerated material: the file joins its checklist "
        "line and the commitment is fulfilled. Refused after the due date.",
        request={"multipart/form-data": FulfilSerializer},
        responses={200: CommitmentSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, commitment_id: int) -> Response:
        commitment = selectors.commitment_get_for_clerk(
            cast(HttpRequest, request), commitment_id=commitment_id
        )
        data = request_body(FulfilSerializer, request)
        with domain_errors():
            services.commitment_fulfil(
                commitment=commitment, actor=request.user, upload=data["file"]
            )
        commitment.refresh_from_db()
        return Response(CommitmentSerializer(commitment_data(commitment)).data)


# --- notices (applicant, agent, staff with read access) -----------------------------------------
class ReaderView(APIView):
    permission_classes = [IsAuthenticated]


class NoticeListView(ReaderView):
    @extend_schema(
        operation_id="cases_notices_list",
        summary="办件文书",
        description="The notices issued on a case (acceptance, correction, rejection，容缺，"
        "commitment, termination), each with its PDF address.",
        responses={200: NoticeSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_get_for_reader(cast(HttpRequest, request), case_id=case_id)
        rows = [notice_data(n) for n in case.notices.order_by("issued_at", "pk")]
        return Response(NoticeSerializer(rows, many=True).data)


class NoticePdfView(ReaderView):
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="cases_notices_pdf",
        summary="下载文书 PDF",
        description="The notice as a PDF attachment, with a QR code to the progress page.",
        responses=pdf_responses(),
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int, notice_id: int) -> HttpResponse:
        notice = selectors.notice_get_for_reader(
            cast(HttpRequest, request), case_id=case_id, notice_id=notice_id
        )
        return notices.notice_response(notice, cast(HttpRequest, request))

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON even when the client asked for a PDF.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


urlpatterns: list[URLPattern] = [
    path("intake/queue/", QueueView.as_view(), name="intake-queue"),
    path("intake/cases/", WalkInView.as_view(), name="intake-walk-in"),
    path("intake/cases/<id:case_id>/", IntakeCaseView.as_view(), name="intake-case"),
    path("intake/cases/<id:case_id>/accept/", AcceptView.as_view(), name="intake-accept"),
    path(
        "intake/cases/<id:case_id>/correction/",
        CorrectionView.as_view(),
        name="intake-correction",
    ),
    path("intake/cases/<id:case_id>/reject/", RejectView.as_view(), name="intake-reject"),
    path("intake/commitments/", CommitmentListView.as_view(), name="intake-commitments"),
    path(
        "intake/commitments/<id:commitment_id>/fulfil/",
        CommitmentFulfilView.as_view(),
        name="intake-commitment-fulfil",
    ),
    path("cases/<id:case_id>/notices/", NoticeListView.as_view(), name="case-notices"),
    path(
        "cases/<id:case_id>/notices/<id:notice_id>/pdf",
        NoticePdfView.as_view(),
        name="case-notice-pdf",
    ),
]
