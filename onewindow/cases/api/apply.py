"""Online application endpoints under /api/v1/cases/ (docs/product.md §C3, docs/decisions.md §P1).

The same selectors and services as the pages: another user's case is a logged 404, every
change goes through a service, a refused action is ``400 {"code", "message"}`` (a concurrent
change 409) and leaves the case as it was. Submission honours the ``Idempotency-Key`` header:
the first call answers 201, a repeat with the same key 200 with the same body.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, cast
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, domain_errors
from onewindow.api.dues import DueDateSerializer
from onewindow.api.idempotency import idempotency_key, idempotency_param
from onewindow.api.pagination import KeysetPagination, keyset_paginated
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.audit.access import ORDER as ACCESS_ORDER
from onewindow.audit.access import case_accesses, public_row
from onewindow.audit.models import AccessKind
from onewindow.cases import dues, selectors, services
from onewindow.cases import fields as form_fields
from onewindow.cases.models import (
    ApprovalRoute,
    Case,
    CaseFile,
    CaseMaterial,
    CasePriority,
    CaseStatus,
    MaterialStatus,
    StoredFile,
)
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.trail import agent_steps
from onewindow.catalog.models import Region
from onewindow.catalog.selectors import published_guide

TAGS = ["cases: application"]


# Applicants and agents file online applications.
CanApply = HasPerm.of(Perm.CASE_APPLY, message="只有申请人或代办员可以网上申报。")


# --- serializers ------------------------------------------------------------------------------
class ApplyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ApplyPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ApplicantActionSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["complete_draft", "answer_correction", "supply_tolerated", "none"],
        help_text="需要申请人做的事：complete_draft 完善并提交；answer_correction 按补正通知补正；"
        "supply_tolerated 补齐容缺材料；none 无需操作",
    )
    text = serializers.CharField(help_text="中文说明")


class CaseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True, help_text="办件编号，提交后生成")
    query_code = serializers.CharField(help_text="查询码，提交后生成")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    route = serializers.ChoiceField(choices=ApprovalRoute.choices)
    priority = serializers.ChoiceField(
        choices=CasePriority.choices,
        help_text="优先级：0 一般，10 重点项目，20 重点项目（特急）（docs/rules/projects.md §H4）",
    )
    priority_label = serializers.CharField()
    item = ApplyRefSerializer()
    region = ApplyRefSerializer()
    applicant = ApplyPersonSerializer()
    agent = ApplyPersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    intake_due = DueDateSerializer(allow_null=True, help_text="受理期限")
    decision_due = DueDateSerializer(allow_null=True, help_text="承诺办结期限（受理后）")
    statutory_due = DueDateSerializer(allow_null=True, help_text="法定办结期限（受理后）")
    action = ApplicantActionSerializer()


class ApplyFileSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="附件 id（用于下载和删除）")
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    added_at = serializers.DateTimeField()
    download_url = serializers.CharField()


class ApplyLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="材料行 id（上传地址中的 line_id）")
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field, not Field.required
    is_core = serializers.BooleanField(help_text="主要材料")
    status = serializers.ChoiceField(choices=MaterialStatus.choices)
    status_label = serializers.CharField()
    remark = serializers.CharField(help_text="窗口的补正意见")
    files = ApplyFileSerializer(many=True)


class ApplicationFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    type = serializers.ChoiceField(choices=["text", "number", "date", "choice", "address"])
    required = serializers.BooleanField()  # type: ignore[assignment]
    choices = serializers.ListField(child=serializers.CharField())
    help = serializers.CharField()
    min_length = serializers.IntegerField(allow_null=True)
    max_length = serializers.IntegerField(allow_null=True)
    min_value = serializers.CharField(allow_null=True)
    max_value = serializers.CharField(allow_null=True)
    text_format = serializers.CharField()


class CommitmentStatementSerializer(serializers.Serializer):
    conditions = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField(help_text="告知承诺书正文")
    liability = serializers.CharField(help_text="虚假承诺的法律责任")


class AgentActionSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    agent = serializers.CharField(help_text="代办员")
    text = serializers.CharField(help_text="“代办员 X 代表 Y 办理”")
    detail = serializers.CharField(help_text="涉及的材料和文件")


class CaseDetailSerializer(CaseSummarySerializer):
    department = ApplyRefSerializer()
    received_on = serializers.DateField(allow_null=True)
    form_data = serializers.DictField(help_text="申请表内容（字段标识 → 值）")
    # Not "fields": that name is the serializer's own field registry.
    form_fields = ApplicationFieldSerializer(many=True, help_text="本事项申请表的字段定义")
    materials = ApplyLineSerializer(many=True)
    commitment_statement = CommitmentStatementSerializer(
        allow_null=True, help_text="适用告知承诺制的事项：承诺内容与虚假承诺责任"
    )
    agent_actions = AgentActionSerializer(many=True, help_text="代办员代表申请人所做的每一项操作")


class CaseCreateSerializer(serializers.Serializer):
    item_code = serializers.CharField(max_length=40, help_text="事项编码")
    region_code = serializers.CharField(max_length=20, help_text="办理区域代码（事项的实施区域）")
    route = serializers.ChoiceField(
        choices=ApprovalRoute.choices, default=ApprovalRoute.STANDARD, help_text="审批方式"
    )
    applicant_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="代办员代为申报时，委托人（申请人）的用户 id"
    )
    form_data = serializers.DictField(required=False, default=dict, help_text="申请表内容")


class CasePatchSerializer(serializers.Serializer):
    form_data = serializers.DictField(
        required=False, help_text="要修改的申请表字段；与已保存的内容合并，值为 null 表示清空"
    )
    route = serializers.ChoiceField(choices=ApprovalRoute.choices, required=False)


class ApplyUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="一个或多个文件（PDF、JPEG、PNG）"
    )
    reuse = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="复用已有材料：GET reusable-files 返回的文件 id",
    )


class ApplyUploadResultSerializer(serializers.Serializer):
    material = ApplyLineSerializer()
    attached = serializers.IntegerField(help_text="新增的文件数")
    duplicates = serializers.ListField(
        child=serializers.CharField(), help_text="与该材料已有文件完全相同、未重复保存的文件名"
    )


class ReusableFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    reusable_kind = serializers.CharField()
    created_at = serializers.DateTimeField()
    matches_lines = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="与该文件相符的本办件材料（材料 id）：曾作为同名材料提交，或文件类型即该材料",
    )


class CommitmentSignatureSerializer(serializers.Serializer):
    agreed = serializers.BooleanField(help_text="已阅读告知承诺书并作出承诺")
    signature = serializers.CharField(help_text="申请人姓名或名称")


class ApplySubmitSerializer(serializers.Serializer):
    commitment = CommitmentSignatureSerializer(required=False, help_text="选择告知承诺制时必填")


class SubmitLinksSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="申请详情（表单、材料、文件）：GET")
    notices = serializers.CharField(help_text="本办件的文书：GET")
    progress = serializers.CharField(help_text="凭办件编号和查询码查询进度：GET")


class SubmitReceiptSerializer(serializers.Serializer):
    """What submitting answers: the receipt, not the whole case (GET the detail link for that)."""

    id = serializers.IntegerField()
    number = serializers.CharField(help_text="办件编号")
    query_code = serializers.CharField(help_text="查询码")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    received_on = serializers.DateField(help_text="收件日期")
    intake_due = DueDateSerializer(allow_null=True, help_text="受理期限")
    links = SubmitLinksSerializer()


class ApplyWithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- data -------------------------------------------------------------------------------------
def _person(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


def case_summary(case: Case) -> dict[str, Any]:
    version = case.item_version
    action = application_selectors.applicant_action(case)
    return {
        "id": case.pk,
        "number": case.number,
        "query_code": case.query_code,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "route": case.route,
        "priority": case.priority,
        "priority_label": str(CasePriority(case.priority).label),
        "item": {"code": version.item.code, "name": version.name},
        "region": {"code": case.region.code, "name": case.region.name},
        "applicant": _person(case.applicant),
        "agent": _person(case.agent),
        "created_at": case.created_at,
        "submitted_at": case.submitted_at,
        "intake_due": dues.case_intake_due(case),
        "decision_due": dues.case_decision_due(case),
        "statutory_due": dues.case_statutory_due(case),
        "action": {"code": action.code, "text": str(action.text)},
    }


def _file(case: Case, attached: CaseFile) -> dict[str, Any]:
    stored = attached.stored
    return {
        "id": attached.pk,
        "name": stored.original_name,
        "content_type": stored.content_type,
        "size": stored.size,
        "added_at": attached.added_at,
        "download_url": reverse("cases:case_file", args=[case.pk, attached.pk]),
    }


def _line(case: Case, line: CaseMaterial) -> dict[str, Any]:
    return {
        "id": line.pk,
        "name": line.material.name,
        "required": line.material.required,
        "is_core": line.material.is_core,
        "status": line.status,
        "status_label": str(MaterialStatus(line.status).label),
        "remark": line.remark,
        "files": [_file(case, attached) for attached in line.files.all()],
    }


def case_detail(case: Case) -> dict[str, Any]:
    version = case.item_version
    statement = (
        application_selectors.commitment_statement(version) if version.commitment_allowed else None
    )
    return {
        **case_summary(case),
        "department": {"code": case.department.code, "name": case.department.name},
        "received_on": case.received_on,
        "form_data": case.form_data,
        "form_fields": [spec.as_dict() for spec in form_fields.fields_for(version)],
        "materials": [_line(case, line) for line in application_selectors.case_lines(case)],
        "commitment_statement": asdict(statement) if statement else None,
        "agent_actions": [asdict(step) for step in agent_steps(case)],
    }


def submit_receipt(case: Case) -> dict[str, Any]:
    """The answer to a submission, from the case in memory: no further query."""
    progress = reverse("api:progress_query")
    query = urlencode({"number": case.number or "", "code": case.query_code})
    return {
        "id": case.pk,
        "number": case.number,
        "query_code": case.query_code,
        "status": case.status,
        "status_label": str(CaseStatus(case.status).label),
        "submitted_at": case.submitted_at,
        "received_on": case.received_on,
        "intake_due": dues.case_intake_due(case),
        "links": {
            "detail": reverse("api:case-detail", args=[case.pk]),
            "notices": reverse("api:case-notices", args=[case.pk]),
            "progress": f"{progress}?{query}",
        },
    }


def _reusable(stored: StoredFile, lines: list[int]) -> dict[str, Any]:
    return {
        "id": stored.pk,
        "name": stored.original_name,
        "content_type": stored.content_type,
        "size": stored.size,
        "reusable_kind": stored.reusable_kind,
        "created_at": stored.created_at,
        "matches_lines": lines,
    }


# --- views ------------------------------------------------------------------------------------
class ApplyView(APIView):
    permission_classes = [IsAuthenticated, CanApply]

    def case(self, request: Request, case_id: int) -> Case:
        """The user's own case (or their mandating applicant's); otherwise a logged 404."""
        return selectors.case_get_for_applicant(cast(HttpRequest, request), case_id=case_id)

    def detail_response(self, case: Case, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.cases_of_applicant(self.request.user).get(pk=case.pk)
        return Response(CaseDetailSerializer(case_detail(fresh)).data, status=code)


class CaseListView(ApplyView):
    """My applications, and starting a new one."""

    # Declared so the OpenAPI document shows the keyset page (docs/rules/scale.md §Y2).
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="cases_list",
        summary="我的申请",
        description="Cases the user filed or files as an agent, newest first, each with the "
        "action it needs from the applicant.",
        responses={200: CaseSummarySerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return keyset_paginated(
            request,
            self,
            application_selectors.applicant_cases(request.user),
            application_selectors.APPLICANT_ORDER,
            CaseSummarySerializer,
            case_summary,
        )

    @extend_schema(
        operation_id="cases_create",
        summary="创建申请草稿",
        description="Open a draft for a published item in one of its implementing regions. "
        "Agents name the mandating applicant (`applicant_id`); without a mandate in force the "
        "request is refused. `form_data` may be partial (a draft); what is given must be valid.",
        request=CaseCreateSerializer,
        responses={201: CaseDetailSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        data = request_body(CaseCreateSerializer, request)
        version = published_guide(code=data["item_code"])
        if version is None:
            raise exceptions.ValidationError({"item_code": [_("没有找到该事项，或该事项未发布。")]})
        region = Region.objects.filter(code=data["region_code"]).first()
        if region is None:
            raise exceptions.ValidationError({"region_code": [_("没有该区域代码。")]})
        applicant = None
        if data.get("applicant_id") is not None:
            applicant = User.objects.filter(pk=data["applicant_id"]).first()
            if applicant is None:
                raise exceptions.ValidationError({"applicant_id": [_("没有该申请人。")]})
        with domain_errors():
            case = _create(request, version, region, applicant, data)
        return self.detail_response(case, status.HTTP_201_CREATED)


def _create(request: Request, version: Any, region: Region, applicant: Any, data: dict) -> Case:
    """The draft and its first form values in one go: a refused value leaves no draft behind."""
    with transaction.atomic():
        case = services.application_start(
            item_version=version,
            actor=request.user,
            region=region,
            applicant=applicant,
            route=data["route"],
        )
        if data["form_data"]:
            changes = services.ApplicationChanges(form_data=data["form_data"])
            services.application_save(case=case, actor=request.user, changes=changes)
    return case


class CaseDetailView(ApplyView):
    @extend_schema(
        operation_id="cases_retrieve",
        summary="申请详情",
        description="The case with its form, field schema, materials and files.",
        responses={200: CaseDetailSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        return self.detail_response(self.case(request, case_id))

    @extend_schema(
        operation_id="cases_partial_update",
        summary="修改申请草稿",
        description="Merge form values into a draft (null clears a field) or change the route. "
        "Values are checked against the item's field schema; errors come per field under "
        "`errors.form_data`.",
        request=CasePatchSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def patch(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(CasePatchSerializer, request)
        changes = services.ApplicationChanges(
            form_data=data.get("form_data"), merge=True, route=data.get("route")
        )
        with domain_errors():
            services.application_save(case=case, actor=request.user, changes=changes)
        return self.detail_response(case)


def _line_of(case: Case, line_id: int) -> CaseMaterial:
    line = case.materials.select_related("material").filter(pk=line_id).first()
    if line is None:
        raise exceptions.NotFound(_("本办件没有该材料。"))
    return line


class MaterialFilesView(ApplyView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="cases_material_files_create",
        summary="上传材料文件",
        description="Attach one or more files (multipart field `files`, repeated) and/or reuse "
        "documents already on file (`reuse`: ids from `reusable-files`). All or nothing: the "
        "type is judged by content (PDF, JPEG, PNG), the size limit is MAX_UPLOAD_MB, empty "
        "files are refused, and a refused request stores nothing.",
        request={
            "multipart/form-data": ApplyUploadSerializer,
            "application/json": ApplyUploadSerializer,
        },
        responses={
            201: ApplyUploadResultSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int, line_id: int) -> Response:
        case = self.case(request, case_id)
        line = _line_of(case, line_id)
        files = request.FILES.getlist("files") + request.FILES.getlist("file")
        reuse = _reuse_ids(request)
        if not files and not reuse:
            raise exceptions.ValidationError({"files": [_("请选择要上传的文件。")]})
        changes = services.ApplicationChanges(
            uploads={line.pk: files} if files else {}, reuse={line.pk: reuse} if reuse else {}
        )
        with domain_errors():
            result = services.application_save(case=case, actor=request.user, changes=changes)
        fresh = application_selectors.case_lines(case).get(pk=line.pk)
        body = {
            "material": _line(case, fresh),
            "attached": result.attached,
            "duplicates": result.duplicates,
        }
        return Response(ApplyUploadResultSerializer(body).data, status=status.HTTP_201_CREATED)


def _reuse_ids(request: Request) -> list[int]:
    data: Any = request.data
    raw = data.getlist("reuse") if hasattr(data, "getlist") else data.get("reuse") or []
    if not isinstance(raw, list):
        raw = [raw]
    field = serializers.ListField(child=serializers.IntegerField(min_value=1))
    try:
        return list(field.run_validation(raw))
    except exceptions.ValidationError as err:
        raise exceptions.ValidationError({"reuse": [_("复用文件 id 必须是正整数。")]}) from err


class MaterialFileView(ApplyView):
    @extend_schema(
        operation_id="cases_material_file_download",
        summary="下载材料文件",
        description="The file as an attachment (also readable by staff with access to the case).",
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            **error_responses(401, 403, 404),
        },
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int, line_id: int, file_id: int) -> FileResponse:
        attached = self._file(request, case_id, line_id, file_id)
        stored = attached.stored
        try:
            handle = default_storage.open(stored.path, "rb")
        except FileNotFoundError:
            raise exceptions.NotFound(_("文件已不存在。")) from None
        return FileResponse(
            handle,
            as_attachment=True,
            filename=stored.original_name,
            content_type=stored.content_type,
        )

    @extend_schema(
        operation_id="cases_material_file_delete",
        summary="删除材料文件",
        description="Take a file off a draft (or a case being corrected).",
        responses={204: None, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def delete(self, request: Request, case_id: int, line_id: int, file_id: int) -> Response:
        case = self.case(request, case_id)
        attached = self._file(request, case_id, line_id, file_id, case=case)
        with domain_errors():
            services.application_file_remove(case=case, case_file=attached, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _file(
        self, request: Request, case_id: int, line_id: int, file_id: int, case: Case | None = None
    ) -> CaseFile:
        case = case or self.case(request, case_id)
        attached = application_selectors.case_file_get(
            cast(HttpRequest, request), case=case, file_id=file_id
        )
        if attached.case_material_id != line_id:
            raise exceptions.NotFound(_("该材料下没有这个文件。"))
        return attached


class ReusableFilesView(ApplyView):
    @extend_schema(
        operation_id="cases_reusable_files",
        summary="可复用的已有材料",
        description="Documents on file for the case's applicant (identity documents, "
        "certificates, files of their other cases) that can be attached without uploading; "
        "`matches_lines` names the case's checklist lines each one fits (handed in before as a "
        "material of the same name, or a document type naming the material), to offer first.",
        responses={200: ReusableFileSerializer(many=True), **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        files = list(application_selectors.reusable_files(case)[:200])
        matching = application_selectors.reuse_matching_lines(case, files)
        rows = [_reusable(stored, matching[stored.pk]) for stored in files]
        return Response(ReusableFileSerializer(rows, many=True).data)


class CaseAccessSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="查看时间")
    unit = serializers.CharField(help_text="查看人所在单位（部门、区域或政务服务中心）")
    role = serializers.CharField(help_text="查看人的岗位代码")
    role_label = serializers.CharField(help_text="岗位名称")
    kind = serializers.ChoiceField(choices=AccessKind.choices, help_text="查看内容")
    kind_label = serializers.CharField()
    detail = serializers.CharField(help_text="文件名或文书名称；查看办件时为空")


class CaseAccessesView(ApplyView):
    # Declared so the OpenAPI document shows the keyset page (docs/rules/scale.md §Y2).
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="cases_accesses",
        summary="谁查看过我的办件",
        description="Every view of the case, its files or its documents by staff, newest first "
        "(docs/rules/audit.md §Z11): when, the unit and the role — never the staff member's name.",
        responses={200: CaseAccessSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        return keyset_paginated(
            request, self, case_accesses(case.pk), ACCESS_ORDER, CaseAccessSerializer, public_row
        )


IDEMPOTENCY_PARAM = idempotency_param(
    "幂等键：同一用户以同一个键重复提交，只产生一次提交，返回同一办件（HTTP 200）"
)


class CaseSubmitView(ApplyView):
    @extend_schema(
        operation_id="cases_submit",
        summary="提交申请",
        description="Submit a draft: the case gets its number, query code, receipt date and "
        "intake deadline. Required form fields and materials must be complete; for the "
        "告知承诺制 route the commitment must be agreed and signed with the applicant's name. "
        "Idempotent: a repeat (same Idempotency-Key, or a case already submitted) answers 200 "
        "with the same case; the first submission answers 201. The answer is a compact "
        "receipt (number, query code, dates and links); `links.detail` gives the whole case.",
        parameters=[IDEMPOTENCY_PARAM],
        request=ApplySubmitSerializer,
        responses={
            201: SubmitReceiptSerializer,
            200: SubmitReceiptSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        # The bare row: the service locks and reloads it with what it needs in one query.
        case = selectors.case_row_for_applicant(cast(HttpRequest, request), case_id=case_id)
        key = idempotency_key(request)
        data = request_body(ApplySubmitSerializer, request)
        commitment = data.get("commitment")
        signature = services.CommitmentSignature(**commitment) if commitment else None
        with domain_errors():
            done = services.application_submit(
                case=case, actor=request.user, idempotency_key=key, commitment=signature
            )
        receipt = SubmitReceiptSerializer(submit_receipt(done.case)).data
        return Response(receipt, status=201 if done.created else 200)


class CaseResubmitView(ApplyView):
    @extend_schema(
        operation_id="cases_resubmit",
        summary="提交补正材料",
        description="Answer the correction notice after uploading the missing or defective "
        "materials; the intake period starts again. Honours Idempotency-Key like submit.",
        parameters=[IDEMPOTENCY_PARAM],
        request=None,
        responses={
            200: CaseDetailSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        key = idempotency_key(request)
        with domain_errors():
            done = services.application_resubmit(case=case, actor=request.user, idempotency_key=key)
        return self.detail_response(done.case)


class CaseWithdrawView(ApplyView):
    @extend_schema(
        operation_id="cases_withdraw",
        summary="撤回申请",
        description="Withdraw the application before a decision is made (optional reason).",
        request=ApplyWithdrawSerializer,
        responses={200: CaseDetailSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(ApplyWithdrawSerializer, request)
        with domain_errors():
            services.application_withdraw(case=case, actor=request.user, reason=data["reason"])
        return self.detail_response(case)


urlpatterns: list[URLPattern] = [
    path("cases/", CaseListView.as_view(), name="case-list"),
    path("cases/<id:case_id>/", CaseDetailView.as_view(), name="case-detail"),
    path(
        "cases/<id:case_id>/materials/<id:line_id>/files/",
        MaterialFilesView.as_view(),
        name="case-material-files",
    ),
    path(
        "cases/<id:case_id>/materials/<id:line_id>/files/<id:file_id>/",
        MaterialFileView.as_view(),
        name="case-material-file",
    ),
    path(
        "cases/<id:case_id>/reusable-files/",
        ReusableFilesView.as_view(),
        name="case-reusable-files",
    ),
    path("cases/<id:case_id>/submit/", CaseSubmitView.as_view(), name="case-submit"),
    path("cases/<id:case_id>/withdraw/", CaseWithdrawView.as_view(), name="case-withdraw"),
    path("cases/<id:case_id>/accesses/", CaseAccessesView.as_view(), name="case-accesses"),
    path("cases/<id:case_id>/resubmit/", CaseResubmitView.as_view(), name="case-resubmit"),
]
