"""Consultation, FAQ and complaint endpoints under /api/v1/ (docs/rules/consultation.md).

* ``faq/`` (public): published questions, ``?item=<code>`` or ``?department=<id>``.
* ``questions/``: GET the caller's own (applicants) or their department's (staff); POST asks.
  ``questions/<id>/`` for the asker and the department's staff; ``reply/``, ``publish/``,
  ``unpublish/`` for the department's staff.
* ``complaints/``: GET the caller's own (applicants) or all (supervisors); POST files one.
  ``complaints/<id>/`` for the complainant (status and reply) and supervisors (everything);
  ``handle/`` and ``conclude/`` for supervisors.
* ``staff/<id>/record/``: a staff member's record, supervisors only.

The same permission checks as the pages: anything outside role, department or ownership is a
logged 404; refusals are ``400 {"code", "message", "errors"}`` and store nothing.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.consult import selectors, services
from onewindow.consult.models import (
    REPLY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Complaint,
    ComplaintResult,
    ComplaintStatus,
    Question,
    QuestionStatus,
)
from onewindow.core.access import deny
from onewindow.lib.ids import parse_id
from onewindow.ratings.models import BadReview

TAGS = ["consult"]


def _actor(request: Request) -> User:
    """The signed-in user (every view here requires one)."""
    return cast(User, request.user)


# --- serializers ------------------------------------------------------------------------------
class FaqSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="公开标题（已去除个人信息）")
    question = serializers.CharField(help_text="公开的问题")
    reply = serializers.CharField(help_text="公开的答复")
    department = serializers.CharField()
    item = serializers.CharField(allow_null=True, help_text="事项编码")
    published_at = serializers.DateTimeField()


def faq_row(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "title": q.public_title,
        "question": q.public_text,
        "reply": q.public_reply,
        "department": q.department.name,
        "item": q.item.code if q.item else None,
        "published_at": q.published_at,
    }


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    department_id = serializers.IntegerField()
    department = serializers.CharField()
    item = serializers.CharField(allow_null=True)
    consent_publish = serializers.BooleanField()
    asked_at = serializers.DateTimeField()
    reply_days = serializers.IntegerField(help_text="答复期限（工作日）")
    reply_due = serializers.DateField(help_text="答复截止日期（docs/rules/consultation.md §K1）")
    status = serializers.ChoiceField(choices=QuestionStatus.choices)
    reply = serializers.CharField(allow_blank=True)
    replied_at = serializers.DateTimeField(allow_null=True)
    published = serializers.BooleanField()


def question_row(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "title": q.title,
        "text": q.text,
        "department_id": q.department_id,
        "department": q.department.name,
        "item": q.item.code if q.item else None,
        "consent_publish": q.consent_publish,
        "asked_at": q.asked_at,
        "reply_days": q.reply_days,
        "reply_due": q.reply_due,
        "status": q.status,
        "reply": q.reply,
        "replied_at": q.replied_at,
        "published": q.published,
    }


class QuestionDetailSerializer(QuestionSerializer):
    faq_proposal = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        allow_null=True,
        help_text="可公开时：已遮盖个人信息的公开文本建议（public_title, public_text, public_reply）",
    )


class AskSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    department = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    item = serializers.CharField(required=False, allow_blank=True, max_length=40)
    consent_publish = serializers.BooleanField(required=False, default=False)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text=f"≤ {REPLY_MAX} 字"
    )


class PublishSerializer(serializers.Serializer):
    public_title = serializers.CharField(
        required=False, allow_blank=True, help_text=f"≤ {TITLE_MAX} 字；省略则用遮盖后的建议"
    )
    public_text = serializers.CharField(
        required=False, allow_blank=True, help_text=f"≤ {TEXT_MAX} 字；省略则用遮盖后的建议"
    )
    public_reply = serializers.CharField(
        required=False, allow_blank=True, help_text=f"≤ {REPLY_MAX} 字；省略则用遮盖后的建议"
    )


class ComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    text = serializers.CharField()
    window = serializers.CharField(allow_null=True, help_text="窗口号")
    staff = serializers.CharField(allow_null=True, help_text="被投诉工作人员")
    case = serializers.CharField(allow_null=True, help_text="办件编号")
    submitted_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    result = serializers.CharField(allow_blank=True)
    reply = serializers.CharField(allow_blank=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class ComplaintHandlerSerializer(ComplaintSerializer):
    complainant = serializers.CharField()
    staff_id = serializers.IntegerField(allow_null=True)
    handling_notes = serializers.CharField(allow_blank=True)


def complaint_row(c: Complaint, handler: bool = False) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": c.pk,
        "title": c.title,
        "text": c.text,
        "window": c.window.number if c.window else None,
        "staff": str(c.staff) if c.staff else None,
        "case": c.case.number if c.case else None,
        "submitted_at": c.submitted_at,
        "status": c.status,
        "result": c.result,
        "reply": c.reply,
        "closed_at": c.closed_at,
    }
    if handler:
        row |= {
            "complainant": str(c.complainant),
            "staff_id": c.staff_id,
            "handling_notes": c.handling_notes,
        }
    return row


class FileComplaintSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    window = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    staff_number = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="被投诉工作人员工号"
    )
    case = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )


class HandleSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class ConcludeSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ComplaintResult.choices)
    reply = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class RecordComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    status = serializers.CharField()
    result = serializers.CharField(allow_blank=True)


class RecordSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = serializers.ListField(child=serializers.DictField())


class StaffRecordSerializer(serializers.Serializer):
    staff_id = serializers.IntegerField()
    name = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    sections = RecordSectionSerializer(many=True)


# --- FAQ ---------------------------------------------------------------------------------------
class FaqListView(APIView):
    pagination_class = Pagination
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="faq_list",
        summary="常见问题",
        description="Published questions with their masked public texts (no login).",
        parameters=[
            OpenApiParameter("item", str, description="事项编码"),
            OpenApiParameter("department", int, description="部门编号"),
        ],
        responses={200: FaqSerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        code = request.query_params.get("item", "").strip()
        rows = selectors.faq_list(
            department_id=parse_id(request.query_params.get("department", ""))
        )
        if code:
            rows = rows.filter(item__code=code)
        return paginated(request, self, rows, FaqSerializer, faq_row)


class FaqDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="faq_detail",
        summary="常见问题详情",
        responses={200: FaqSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, question_id: int) -> Response:
        return Response(FaqSerializer(faq_row(selectors.faq_get(request, question_id))).data)


# --- questions ---------------------------------------------------------------------------------
class QuestionListView(APIView):
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="questions_list",
        summary="咨询列表",
        description="Applicants: their own questions. Department staff: their department's, "
        "open ones first by due date.",
        responses={200: QuestionSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(
            request, self, selectors.question_list_for(request), QuestionSerializer, question_row
        )

    @extend_schema(
        operation_id="questions_ask",
        summary="提交咨询",
        description="Ask a department (``department``) or about an item (``item``, its code: "
        "the item's department answers). The reply is due after the configured number of "
        "working days (docs/rules/consultation.md §K1).",
        request=AskSerializer,
        responses={201: QuestionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.CONSULT_ASK, target="consult.ask")
        body = request_body(AskSerializer, request)
        with domain_errors():
            question = services.question_ask(
                asker=user,
                title=body.get("title", ""),
                text=body.get("text", ""),
                department_id=body.get("department"),
                item_code=body.get("item") or None,
                consent_publish=body.get("consent_publish", False),
            )
        return Response(QuestionSerializer(question_row(question)).data, status=201)


def _question_detail(request: Request, question: Question) -> dict[str, Any]:
    proposal = None
    if (
        services.may_publish(request.user, question)
        and question.consent_publish
        and question.status == QuestionStatus.ANSWERED
    ):
        proposal = services.faq_proposal(question)
    return question_row(question) | {"faq_proposal": proposal}


class QuestionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="questions_detail",
        summary="咨询详情",
        responses={200: QuestionDetailSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, question_id: int) -> Response:
        question = selectors.question_get(request, question_id)
        return Response(QuestionDetailSerializer(_question_detail(request, question)).data)


def _staff_question(request: Request, question_id: int, *, publish: bool = False) -> Question:
    question = selectors.question_get(request, question_id)
    allowed = (services.may_publish if publish else services.may_answer)(request.user, question)
    if not allowed:
        raise deny(
            request._request, target=f"consult.question:{question_id}", reason="not its staff"
        )
    return question


class QuestionReplyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="questions_reply",
        summary="答复咨询",
        description="The department's staff answer an open question; the asker is notified.",
        request=ReplySerializer,
        responses={200: QuestionSerializer, **error_responses(400, 401, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = _staff_question(request, question_id)
        body = request_body(ReplySerializer, request)
        with domain_errors():
            services.question_reply(
                question=question, actor=_actor(request), reply=body.get("reply", "")
            )
        return Response(QuestionSerializer(question_row(question)).data)


class QuestionPublishView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="questions_publish",
        summary="公开为常见问题",
        description="Reviewers and heads of the department publish an answered question whose "
        "asker consented, with edited public texts (personal data masked again on saving; "
        "docs/rules/consultation.md §K2).",
        request=PublishSerializer,
        responses={200: FaqSerializer, **error_responses(400, 401, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = _staff_question(request, question_id, publish=True)
        body = request_body(PublishSerializer, request)
        with domain_errors():
            services.question_publish(question=question, actor=_actor(request), **body)
        return Response(FaqSerializer(faq_row(question)).data)


class QuestionUnpublishView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="questions_unpublish",
        summary="撤下常见问题",
        request=None,
        responses={204: None, **error_responses(400, 401, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, question_id: int) -> Response:
        question = _staff_question(request, question_id, publish=True)
        with domain_errors():
            services.question_unpublish(question=question, actor=_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- complaints --------------------------------------------------------------------------------
class ComplaintListView(APIView):
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="complaints_list",
        summary="投诉列表",
        description="Applicants: their own complaints (status and reply). Supervisors: all.",
        responses={200: ComplaintHandlerSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows, handler = selectors.complaint_list_for(request)
        serializer = ComplaintHandlerSerializer if handler else ComplaintSerializer
        return paginated(
            request, self, rows, serializer, lambda c: complaint_row(c, handler=handler)
        )

    @extend_schema(
        operation_id="complaints_file",
        summary="提交投诉",
        description="A complaint about a window (``window``) and/or a staff member "
        "(``staff_number``, the work number), optionally about one's own case "
        "(docs/rules/consultation.md §K3).",
        request=FileComplaintSerializer,
        responses={201: ComplaintSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.COMPLAINT_FILE, target="consult.complaint_new")
        body = request_body(FileComplaintSerializer, request)
        with domain_errors():
            complaint = services.complaint_file(
                complainant=user,
                title=body.get("title", ""),
                text=body.get("text", ""),
                window_id=body.get("window"),
                staff_number=body.get("staff_number") or None,
                case_id=body.get("case"),
            )
        return Response(ComplaintSerializer(complaint_row(complaint)).data, status=201)


class ComplaintDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="complaints_detail",
        summary="投诉详情",
        description="The complainant sees status, result and reply; supervisors also the "
        "complainant and the investigation.",
        responses={200: ComplaintHandlerSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, complaint_id: int) -> Response:
        complaint, handler = selectors.complaint_get(request, complaint_id)
        serializer = ComplaintHandlerSerializer if handler else ComplaintSerializer
        return Response(serializer(complaint_row(complaint, handler=handler)).data)


def _handled(request: Request, complaint_id: int) -> Complaint:
    complaint, handler = selectors.complaint_get(request, complaint_id)
    if not handler:
        raise deny(
            request._request, target=f"consult.complaint:{complaint_id}", reason="not handler"
        )
    return complaint


class ComplaintHandleView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="complaints_handle",
        summary="记录调查处理情况",
        request=HandleSerializer,
        responses={
            200: ComplaintHandlerSerializer,
            **error_responses(400, 401, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, complaint_id: int) -> Response:
        complaint = _handled(request, complaint_id)
        body = request_body(HandleSerializer, request)
        with domain_errors():
            services.complaint_handle(
                complaint=complaint, actor=_actor(request), notes=body.get("notes", "")
            )
        return Response(ComplaintHandlerSerializer(complaint_row(complaint, handler=True)).data)


class ComplaintConcludeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="complaints_conclude",
        summary="办结投诉并答复",
        description="Record the result and the reply; the complainant is notified.",
        request=ConcludeSerializer,
        responses={
            200: ComplaintHandlerSerializer,
            **error_responses(400, 401, 404),
            **CONFLICT,
        },
        tags=TAGS,
    )
    def post(self, request: Request, complaint_id: int) -> Response:
        complaint = _handled(request, complaint_id)
        body = request_body(ConcludeSerializer, request)
        with domain_errors():
            services.complaint_conclude(
                complaint=complaint,
                actor=_actor(request),
                result=body["result"],
                reply=body.get("reply", ""),
            )
        return Response(ComplaintHandlerSerializer(complaint_row(complaint, handler=True)).data)


# --- staff records -----------------------------------------------------------------------------
def _record_row(row: Any) -> dict[str, Any]:
    if isinstance(row, Complaint):
        return {
            "id": row.pk,
            "title": row.title,
            "submitted_at": row.submitted_at.isoformat(),
            "status": row.status,
            "result": row.result,
        }
    if isinstance(row, BadReview):
        return {
            "id": row.pk,
            "level": row.rating.level,
            "created_at": row.created_at.isoformat(),
            "due_on": row.due_on.isoformat(),
            "status": row.status,
            "overdue": row.overdue,
        }
    return dict(row)


class StaffRecordView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="staff_record",
        summary="工作人员个人记录",
        description="Supervisors only (docs/rules/consultation.md §K4): the record's sections "
        "(complaints about the staff member, by result; the bad reviews they answer for, by "
        "state).",
        responses={200: StaffRecordSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, staff_id: int) -> Response:
        record = selectors.staff_record(request, staff_id)
        data = {
            "staff_id": record.staff.pk,
            "name": str(record.staff),
            "department": record.staff.department.name if record.staff.department else None,
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "counts": s.counts,
                    "rows": [_record_row(r) for r in s.rows],
                }
                for s in record.sections
            ],
        }
        return Response(StaffRecordSerializer(data).data)


urlpatterns: list[URLPattern] = [
    path("faq/", FaqListView.as_view(), name="faq"),
    path("faq/<id:question_id>/", FaqDetailView.as_view(), name="faq-detail"),
    path("questions/", QuestionListView.as_view(), name="questions"),
    path("questions/<id:question_id>/", QuestionDetailView.as_view(), name="question"),
    path("questions/<id:question_id>/reply/", QuestionReplyView.as_view(), name="question-reply"),
    path(
        "questions/<id:question_id>/publish/",
        QuestionPublishView.as_view(),
        name="question-publish",
    ),
    path(
        "questions/<id:question_id>/unpublish/",
        QuestionUnpublishView.as_view(),
        name="question-unpublish",
    ),
    path("complaints/", ComplaintListView.as_view(), name="complaints"),
    path("complaints/<id:complaint_id>/", ComplaintDetailView.as_view(), name="complaint"),
    path(
        "complaints/<id:complaint_id>/handle/",
        ComplaintHandleView.as_view(),
        name="complaint-handle",
    ),
    path(
        "complaints/<id:complaint_id>/conclude/",
        ComplaintConcludeView.as_view(),
        name="complaint-conclude",
    ),
    path("staff/<id:staff_id>/record/", StaffRecordView.as_view(), name="staff-record"),
]
