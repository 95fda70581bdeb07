"""Supervision API (letters, 督办函, docs/rules/supervision.md §D8).

``GET /api/v1/supervision/letters/`` lists the caller's department's letters (department staff)
or every letter (supervisors, by status and department); ``POST`` issues one (supervisors);
``GET .../letters/<id>/`` one letter; ``POST .../respond/`` (the department's chief, approver,
handler or reviewer), ``POST .../close/`` (supervisors); ``GET .../pdf/`` the letter as a PDF.
Anyone else reading a letter: 404, logged; acting outside one's role: 403, logged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, Conflict
from onewindow.api.dues import DueDateSerializer
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.renderers import PDFRenderer
from onewindow.api.schema import error_responses, pdf_responses
from onewindow.cases.models import Case
from onewindow.catalog.models import Department
from onewindow.supervision.api.filters import status_and_department
from onewindow.supervision.models import Card, LetterStatus, SupervisionLetter
from onewindow.supervision.pdf.letters import letter_response
from onewindow.supervision.selectors import letters as letter_selectors
from onewindow.supervision.services import letters
from onewindow.supervision.services.letters import letter_response_due

TAGS = ["supervision"]


class SupervisionLetterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(help_text="文号，如 督〔2025〕001号")
    department_id = serializers.IntegerField()
    department = serializers.CharField(source="department.name", help_text="被督办部门")
    case_id = serializers.IntegerField(allow_null=True)
    case_number = serializers.CharField(source="case.number", allow_null=True, default=None)
    card_id = serializers.IntegerField(allow_null=True)
    subject = serializers.CharField(help_text="督办事由")
    text = serializers.CharField(help_text="督办内容")
    response_days = serializers.IntegerField(help_text="回复期限（工作日）")
    response_due = serializers.SerializerMethodField(help_text="回复截止日期")
    status = serializers.ChoiceField(choices=LetterStatus.values)
    status_label = serializers.CharField(source="get_status_display")
    issued_at = serializers.DateTimeField()
    response = serializers.CharField(help_text="部门回复")
    responded_at = serializers.DateTimeField(allow_null=True)
    close_note = serializers.CharField(help_text="办结意见")
    closed_at = serializers.DateTimeField(allow_null=True)
    escalated_at = serializers.DateTimeField(allow_null=True)
    revision = serializers.IntegerField(help_text="并发控制：操作时原样提交")

    @extend_schema_field(DueDateSerializer)
    def get_response_due(self, letter: SupervisionLetter) -> dict[str, Any] | None:
        due = letter_response_due(letter)
        return DueDateSerializer(due).data if due else None


class SupervisionLetterIssueSerializer(serializers.Serializer):
    department = serializers.IntegerField(help_text="被督办部门编号")
    case = serializers.IntegerField(required=False, allow_null=True, help_text="办件编号（id）")
    card = serializers.IntegerField(required=False, allow_null=True, help_text="监察牌编号")
    subject = serializers.CharField(max_length=letters.SUBJECT_MAX, allow_blank=True)
    text = serializers.CharField(max_length=letters.TEXT_MAX, allow_blank=True)
    response_days = serializers.IntegerField(
        required=False, default=letters.RESPONSE_DAYS_DEFAULT, help_text="1–20 个工作日，默认 5"
    )


class SupervisionLetterActionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=letters.TEXT_MAX, help_text="回复内容或办结意见")
    revision = serializers.IntegerField(required=False, allow_null=True)


class LetterListView(APIView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_letters_list",
        summary="督办函列表",
        description="Department staff: their department's letters. Supervisors: every letter, "
        "filterable by status and department. Newest first, paginated.",
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=LetterStatus.values, required=False),
            OpenApiParameter("department", OpenApiTypes.INT, required=False, description="部门"),
            OpenApiParameter("page", OpenApiTypes.INT, required=False, description="页码"),
        ],
        responses={200: SupervisionLetterSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        status, department_id = status_and_department(
            request, statuses=LetterStatus.values, invalid_status=_("督办函状态筛选值无效。")
        )
        if has_perm(request.user, Perm.SUPERVISE):
            rows = letter_selectors.letters_for_supervisor(
                request, status=status, department_id=department_id
            )
        else:
            rows = letter_selectors.letters_for_department(request, status=status)
        return paginated(request, self, rows, SupervisionLetterSerializer)

    @extend_schema(
        operation_id="supervision_letters_create",
        summary="发督办函",
        description="A supervisor issues a letter to a department (optionally about a case "
        "and/or a card); the response is due in 1–20 working days (default 5). The "
        "department head is emailed.",
        request=SupervisionLetterIssueSerializer,
        responses={201: SupervisionLetterSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.SUPERVISE, target=letter_selectors.TARGET)
        data = request_body(SupervisionLetterIssueSerializer, request)
        department = Department.objects.filter(pk=data["department"]).first()
        if department is None:
            raise exceptions.ValidationError({"department": [_("没有这个部门。")]})
        case = None
        if data.get("case"):
            case = Case.objects.filter(pk=data["case"]).first()
            if case is None:
                raise exceptions.ValidationError({"case": [_("没有这个办件。")]})
        card = None
        if data.get("card"):
            card = Card.objects.select_related("case").filter(pk=data["card"]).first()
            if card is None:
                raise exceptions.ValidationError({"card": [_("没有这张监察牌。")]})
        # LetterForbidden → 403, other LetterErrors → 400 (onewindow.api.errors)
        letter = letters.letter_issue(
            actor=user,
            department=department,
            case=case,
            card=card,
            subject=data["subject"],
            text=data["text"],
            response_days=data["response_days"],
        )
        return Response(SupervisionLetterSerializer(letter).data, status=201)


class LetterDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_letters_retrieve",
        summary="督办函详情",
        responses={200: SupervisionLetterSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, letter_id: int) -> Response:
        letter, _user = letter_selectors.letter_get(request, letter_id)
        return Response(SupervisionLetterSerializer(letter).data)


def _act(request: Request, letter_id: int, action: str) -> Response:
    letter, user = letter_selectors.letter_get(request, letter_id)
    body = SupervisionLetterActionSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    revision = body.validated_data.get("revision")
    if revision is not None and revision != letter.revision:
        raise Conflict(_("该督办函在您读取后已发生变化，请重新读取后再操作。"))
    text = body.validated_data["text"]
    # LetterForbidden → 403, LetterConflict → 409, other LetterErrors → 400 (onewindow.api.errors)
    if action == "respond":
        letter = letters.letter_respond(letter=letter, actor=user, text=text)
    else:
        letter = letters.letter_close(letter=letter, actor=user, note=text)
    return Response(SupervisionLetterSerializer(letter).data)


ACTION_RESPONSES: dict[Any, Any] = {
    200: SupervisionLetterSerializer,
    **error_responses(400, 401, 403, 404),
    **CONFLICT,
}


class LetterRespondView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_letters_respond",
        summary="回复督办函",
        description="The department's chief, approver, handler or reviewer replies "
        "(issued/escalated → responded).",
        request=SupervisionLetterActionSerializer,
        responses=ACTION_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, letter_id: int) -> Response:
        return _act(request, letter_id, "respond")


class LetterCloseView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_letters_close",
        summary="办结督办函",
        description="A supervisor accepts the reply and closes the letter (responded → closed).",
        request=SupervisionLetterActionSerializer,
        responses=ACTION_RESPONSES,
        tags=TAGS,
    )
    def post(self, request: Request, letter_id: int) -> Response:
        return _act(request, letter_id, "close")


class LetterPdfView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        operation_id="supervision_letters_pdf",
        summary="下载督办函 PDF",
        description="The letter (number, department, subject, text, response deadline, "
        "issuer), with the department's reply appended when given.",
        responses=pdf_responses(),
        tags=TAGS,
    )
    def get(self, request: Request, letter_id: int) -> HttpResponse:
        letter, _user = letter_selectors.letter_get(request, letter_id)
        return letter_response(letter)

    def handle_exception(self, exc: Exception) -> Response:
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


urlpatterns: list[Any] = [
    path("supervision/letters/", LetterListView.as_view(), name="supervision-letters"),
    path(
        "supervision/letters/<id:letter_id>/",
        LetterDetailView.as_view(),
        name="supervision-letter",
    ),
    path(
        "supervision/letters/<id:letter_id>/respond/",
        LetterRespondView.as_view(),
        name="supervision-letter-respond",
    ),
    path(
        "supervision/letters/<id:letter_id>/close/",
        LetterCloseView.as_view(),
        name="supervision-letter-close",
    ),
    path(
        "supervision/letters/<id:letter_id>/pdf/",
        LetterPdfView.as_view(),
        name="supervision-letter-pdf",
    ),
]
