"""Decision, extension and special-procedure endpoints under /api/v1/review/
(docs/decisions.md §P1).

The same selectors and services as the pages: a case, extension or procedure outside the user's
lead department is a logged 404; a rule refusing the action is ``400 {"code", "message"}`` and
changes nothing; a case changed since it was read (``revision``) or a lost race is 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, Conflict, domain_errors
from onewindow.api.dues import DueDateSerializer
from onewindow.api.pagination import paginated
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.cases.dues import case_decision_due, case_statutory_due
from onewindow.cases.models import Case, CaseStatus, NoticeKind
from onewindow.review.dues import certificate_due, task_due
from onewindow.review.models import (
    DecisionKind,
    Extension,
    ExtensionStatus,
    OpinionKind,
    Suspension,
    SuspensionKind,
    TaskStatus,
)
from onewindow.review.selectors import decisions as sel
from onewindow.review.services import decisions as services
from onewindow.review.services.decisions import MAX_EXPECTED_DAYS, TEXT_MAX

TAGS = ["review: decisions"]
ACTIONS = ["decide", "extension_request", "extension_decide", "suspension_start", "suspension_end"]


CanHandle = HasPerm.of(Perm.TASK_HANDLE, message="只有审查部门工作人员可以使用该接口。")
CanDecide = HasPerm.of(Perm.DECISION_MAKE, message="只有批准人或首席代表可以作出审批决定。")


# --- serializers ------------------------------------------------------------------------------
class ReviewRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReviewOpinionSerializer(serializers.Serializer):
    department = ReviewRefSerializer()
    is_lead = serializers.BooleanField()
    task_status = serializers.ChoiceField(choices=TaskStatus.choices)
    due = DueDateSerializer(help_text="该部门审查期限")
    opinion = serializers.ChoiceField(choices=OpinionKind.choices, allow_null=True)
    text = serializers.CharField(help_text="理由或条件")
    at = serializers.DateTimeField(allow_null=True)


class DecisionOutSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    reasons = serializers.CharField()
    remedies = serializers.CharField()
    conditions = serializers.CharField()
    decided_on = serializers.DateField()
    certificate_due = DueDateSerializer(
        allow_null=True, help_text="发证送达期限（准予许可后十个工作日，行政许可法第四十四条）"
    )
    signature = serializers.ChoiceField(
        choices=["valid", "invalid", "absent"],
        help_text="SM2 签名核验：valid 有效；invalid 决定或其所依据的材料在签名后被改动；"
        "absent 早于 SM2 签名作出",
    )
    key_id = serializers.CharField(help_text="签名密钥标识")


class ExtensionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    days = serializers.IntegerField()
    reasons = serializers.CharField()
    status = serializers.ChoiceField(choices=ExtensionStatus.choices)
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class SuspensionOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=SuspensionKind.choices)
    reason = serializers.CharField()
    expected_days = serializers.IntegerField()
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    days_spent = serializers.IntegerField(help_text="实际用时（工作日），各项期限按此顺延")
    result = serializers.CharField()


class ReviewNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    pdf_url = serializers.CharField()


class ReviewSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    revision = serializers.IntegerField(help_text="并发控制：操作时原样提交，办件已变化则返回 409")
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    item = ReviewRefSerializer()
    applicant = serializers.CharField()
    lead_department = ReviewRefSerializer()
    accepted_on = serializers.DateField(allow_null=True)
    decision_due = DueDateSerializer(allow_null=True, help_text="承诺办结期限")
    statutory_due = DueDateSerializer(allow_null=True, help_text="法定办结期限")
    opinions_complete = serializers.BooleanField()
    opinions = ReviewOpinionSerializer(many=True)
    decision = DecisionOutSerializer(allow_null=True)
    extension_limit = serializers.IntegerField(help_text="依法可延长的最多工作日数（10 或 15）")
    extensions = ExtensionOutSerializer(many=True)
    suspensions = SuspensionOutSerializer(many=True)
    notices = ReviewNoticeSerializer(many=True)
    remedies_default = serializers.CharField(help_text="不予许可时的标准救济途径文字，可修改")
    allowed_actions = serializers.ListField(child=serializers.ChoiceField(choices=ACTIONS))


class PendingDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    item = ReviewRefSerializer()
    applicant = serializers.CharField()
    decision_due = DueDateSerializer(allow_null=True, help_text="承诺办结期限")
    statutory_due = DueDateSerializer(allow_null=True, help_text="法定办结期限")


class PendingDecisionPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PendingDecisionSerializer(many=True)


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        required=False, min_value=0, help_text="摘要中的 revision；办件已变化时拒绝（409）"
    )


class DecisionInSerializer(RevisionSerializer):
    kind = serializers.ChoiceField(choices=DecisionKind.choices)
    reasons = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="理由：不予许可必填；有部门不同意而准予许可时必填",
    )
    remedies = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="救济途径：不予许可必填（行政复议或行政诉讼的权利）",
    )
    conditions = serializers.CharField(
        max_length=TEXT_MAX, required=False, allow_blank=True, default=""
    )


class ExtensionInSerializer(RevisionSerializer):
    days = serializers.IntegerField(help_text="延长的工作日数，最多 10（联合办理 15）")
    reasons = serializers.CharField(max_length=TEXT_MAX, help_text="延期理由（告知申请人）")


class ExtensionDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(
        max_length=TEXT_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="批示意见；不批准时必填",
    )


class SuspensionInSerializer(RevisionSerializer):
    kind = serializers.ChoiceField(choices=SuspensionKind.choices)
    reason = serializers.CharField(max_length=TEXT_MAX)
    expected_days = serializers.IntegerField(
        min_value=1, max_value=MAX_EXPECTED_DAYS, help_text="预计所需时间（工作日）"
    )


class SuspensionEndSerializer(RevisionSerializer):
    result = serializers.CharField(max_length=TEXT_MAX)


# --- data -------------------------------------------------------------------------------------
def _ref(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name": obj.name}


def extension_data(e: Extension) -> dict[str, Any]:
    return {
        "id": e.pk,
        "case_id": e.case_id,
        "case_number": e.case.number,
        "days": e.days,
        "reasons": e.reasons,
        "status": e.status,
        "requested_by": str(e.requested_by),
        "requested_at": e.requested_at,
        "decided_by": str(e.decided_by) if e.decided_by else None,
        "decided_at": e.decided_at,
        "decision_note": e.decision_note,
    }


def suspension_data(s: Suspension) -> dict[str, Any]:
    fields = ("id", "kind", "reason", "expected_days", "started_on", "ended_on", "days_spent")
    return {**{f: getattr(s, f) for f in fields}, "result": s.result}


def summary_data(user: Any, case: Case) -> dict[str, Any]:
    s = sel.review_summary(case)
    d = s.decision
    return {
        "id": case.pk,
        "number": case.number,
        "revision": case.revision,
        "status": case.status,
        "item": {"code": case.item_version.item.code, "name": case.item_version.name},
        "applicant": str(case.applicant),
        "lead_department": _ref(s.lead),
        "accepted_on": case.accepted_on,
        "decision_due": case_decision_due(case),
        "statutory_due": case_statutory_due(case),
        "opinions_complete": s.complete,
        "opinions": [
            {
                "department": _ref(row.task.department),
                "is_lead": row.task.is_lead,
                "task_status": row.task.status,
                "due": task_due(row.task),
                "opinion": row.opinion.kind if row.opinion else None,
                "text": row.opinion.text if row.opinion else "",
                "at": row.opinion.at if row.opinion else None,
            }
            for row in s.opinions
        ],
        "decision": None
        if d is None
        else {
            "kind": d.kind,
            "reasons": d.reasons,
            "remedies": d.remedies,
            "conditions": d.conditions,
            "decided_on": d.decided_on,
            "certificate_due": certificate_due(d),
            "signature": s.decision_signature,
            "key_id": d.sm2_key_id,
        },
        "extension_limit": s.extension_limit,
        "extensions": [extension_data(e) for e in s.extensions],
        "suspensions": [suspension_data(x) for x in s.suspensions],
        "notices": [
            {
                "id": n.pk,
                "kind": n.kind,
                "number": n.number,
                "issued_at": n.issued_at,
                "pdf_url": reverse("api:case-notice-pdf", args=[case.pk, n.pk]),
            }
            for n in s.notices
        ],
        "remedies_default": sel.remedies_default(case),
        "allowed_actions": sel.allowed_actions(user, s),
    }


def _fresh_check(case: Case, data: dict[str, Any]) -> None:
    revision = data.get("revision")
    if revision is not None and revision != case.revision:
        raise Conflict(_("该办件在您读取后已发生变化，请重新读取后再操作。"))


# --- views ------------------------------------------------------------------------------------
class ReviewView(APIView):
    permission_classes = [IsAuthenticated, CanHandle]

    def case(self, request: Request, case_id: int, perm: Perm = Perm.TASK_HANDLE) -> Case:
        return sel.case_get_for_lead(cast(HttpRequest, request), case_id=case_id, perm=perm)

    def summary(self, case_id: int, code: int = status.HTTP_200_OK) -> Response:
        case = self.case(self.request, case_id)
        data = summary_data(self.request.user, case)
        return Response(ReviewSummarySerializer(data).data, status=code)


class PendingDecisionsView(ReviewView):
    permission_classes = [IsAuthenticated, CanDecide]

    @extend_schema(
        operation_id="review_decisions_pending",
        summary="待决定办件",
        description="Cases led by the user's department whose every department has answered, the "
        "nearest decision deadline first.",
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, required=False, description="页码"),
            OpenApiParameter("page_size", OpenApiTypes.INT, required=False, description="每页条数"),
        ],
        responses={200: PendingDecisionPageSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, sel.decisions_pending(request.user), PendingDecisionSerializer, _pending
        )


def _pending(c: Case) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "item": {"code": c.item_version.item.code, "name": c.item_version.name},
        "applicant": str(c.applicant),
        "decision_due": case_decision_due(c),
        "statutory_due": case_statutory_due(c),
    }


class ReviewSummaryView(ReviewView):
    @extend_schema(
        operation_id="review_cases_summary",
        summary="办件审查摘要",
        description="Opinions of every department, the decision, extensions, special procedures, "
        "notices and what the user may do now. Lead-department staff only (others 404).",
        responses={200: ReviewSummarySerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        return self.summary(case_id)


class DecisionView(ReviewView):
    permission_classes = [IsAuthenticated, CanDecide]

    @extend_schema(
        operation_id="review_cases_decide",
        summary="作出审批决定",
        description="Grant or refuse once every opinion is in (ALL Art. 38). A refusal needs "
        "reasons and remedies; a refusal after a 不同意 quotes it. Creates the decision notice; "
        "a grant of a certificate item issues the certificate.",
        request=DecisionInSerializer,
        responses={201: ReviewSummarySerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id, Perm.DECISION_MAKE)
        data = request_body(DecisionInSerializer, request)
        _fresh_check(case, data)
        with domain_errors():
            services.decision_make(
                case=case,
                actor=request.user,
                kind=data["kind"],
                reasons=data["reasons"],
                remedies=data["remedies"],
                conditions=data["conditions"],
            )
        return self.summary(case_id, status.HTTP_201_CREATED)


class ExtensionRequestView(ReviewView):
    @extend_schema(
        operation_id="review_cases_extension_request",
        summary="申请延期",
        description="Ask the head for more time (ALL Art. 42): at most 10 working days (15 for "
        "joint handling), once per case; reasons are told to the applicant.",
        request=ExtensionInSerializer,
        responses={
            201: ExtensionOutSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(ExtensionInSerializer, request)
        _fresh_check(case, data)
        with domain_errors():
            extension = services.extension_request(
                case=case, actor=request.user, days=data["days"], reasons=data["reasons"]
            )
        data = extension_data(extension)
        return Response(ExtensionOutSerializer(data).data, status=status.HTTP_201_CREATED)


class PendingExtensionsView(ReviewView):
    # ALL Art. 42: only the agency head (机关负责人) or, for joint handling, the government head
    # (本级人民政府负责人); anyone else — an approver included — gets the logged 404.
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="review_extensions_pending",
        summary="待审批的延期申请",
        description="The agency head sees the requests of cases his department leads; the "
        "government head those of joint-handling cases (ALL Art. 42). Anyone else: 404.",
        responses={200: ExtensionOutSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = sel.extension_approver_required(
            cast(HttpRequest, request), target="review:extensions"
        )
        rows = [extension_data(e) for e in sel.extensions_pending(user)]
        return Response(ExtensionOutSerializer(rows, many=True).data)


class ExtensionDecideView(ReviewView):
    permission_classes = [IsAuthenticated]  # the selector answers the logged 404

    @extend_schema(
        operation_id="review_extensions_decide",
        summary="审批延期申请",
        description="The agency head of the lead department, for joint handling the government "
        "head (not the requester), approves or refuses (ALL Art. 42). On "
        "approval the decision and statutory due dates move by the days asked and the 延期告知书 "
        "is issued.",
        request=ExtensionDecideSerializer,
        responses={200: ExtensionOutSerializer, **error_responses(400, 401, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, extension_id: int) -> Response:
        extension = sel.extension_get_for_head(
            cast(HttpRequest, request), extension_id=extension_id
        )
        data = request_body(ExtensionDecideSerializer, request)
        with domain_errors():
            done = services.extension_decide(
                extension=extension, actor=request.user, approve=data["approve"], note=data["note"]
            )
        return Response(ExtensionOutSerializer(extension_data(done)).data)


class SuspensionStartView(ReviewView):
    @extend_schema(
        operation_id="review_cases_suspension_start",
        summary="启动特别程序",
        description="Hearing, testing, inspection, expert review … (ALL Art. 45): the case is "
        "suspended and the 特别程序告知书 tells the applicant the expected duration.",
        request=SuspensionInSerializer,
        responses={
            201: SuspensionOutSerializer,
            **error_responses(400, 401, 403, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = self.case(request, case_id)
        data = request_body(SuspensionInSerializer, request)
        _fresh_check(case, data)
        with domain_errors():
            suspension = services.suspension_start(
                case=case,
                actor=request.user,
                kind=data["kind"],
                reason=data["reason"],
                expected_days=data["expected_days"],
            )
        data = suspension_data(suspension)
        return Response(SuspensionOutSerializer(data).data, status=status.HTTP_201_CREATED)


class SuspensionEndView(ReviewView):
    @extend_schema(
        operation_id="review_suspensions_end",
        summary="结束特别程序",
        description="The case returns to review; every due date moves by the working days spent.",
        request=SuspensionEndSerializer,
        responses={200: SuspensionOutSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, suspension_id: int) -> Response:
        suspension = sel.suspension_get_for_lead(
            cast(HttpRequest, request), suspension_id=suspension_id
        )
        data = request_body(SuspensionEndSerializer, request)
        _fresh_check(self.case(request, suspension.case_id), data)
        with domain_errors():
            done = services.suspension_end(
                suspension=suspension, actor=request.user, result=data["result"]
            )
        return Response(SuspensionOutSerializer(suspension_data(done)).data)


urlpatterns: list[URLPattern] = [
    path(
        "review/decisions/pending/", PendingDecisionsView.as_view(), name="review-decisions-pending"
    ),
    path("review/cases/<id:case_id>/summary/", ReviewSummaryView.as_view(), name="review-summary"),
    path("review/cases/<id:case_id>/decision/", DecisionView.as_view(), name="review-decide"),
    path(
        "review/cases/<id:case_id>/extensions/",
        ExtensionRequestView.as_view(),
        name="review-extension-request",
    ),
    path(
        "review/extensions/pending/",
        PendingExtensionsView.as_view(),
        name="review-extensions-pending",
    ),
    path(
        "review/extensions/<id:extension_id>/decide/",
        ExtensionDecideView.as_view(),
        name="review-extension-decide",
    ),
    path(
        "review/cases/<id:case_id>/suspensions/",
        SuspensionStartView.as_view(),
        name="review-suspension-start",
    ),
    path(
        "review/suspensions/<id:suspension_id>/end/",
        SuspensionEndView.as_view(),
        name="review-suspension-end",
    ),
]
