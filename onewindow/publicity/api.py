"""Announcements, result publicity and objections under /api/v1/
(docs/rules/publicity.md §L1–§L4), with the pages' permission checks:

* ``announcements/``: the visible ones for anyone; POST and PATCH for ANNOUNCEMENT_EDIT holders.
* ``publicity/``: current (``?state=current``, default) or archived, searchable (``q``); a
  record; ``publicity/<id>/objections/`` POST for a signed-in user while it is open.
* ``objections/``: the lead department's answering staff read and answer theirs (another
  department's: a logged 404); an objector reads their own.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.api.domain import domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.core import clock
from onewindow.publicity import selectors, services
from onewindow.publicity.models import (
    Announcement,
    AnnouncementCategory,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityStatus,
)
from onewindow.sitehelp.markup import render_plain_text

TAGS = ["publicity"]
EDITORS_ONLY = "只有公告管理人员可以撰写和修改公告。"


class AnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.ChoiceField(choices=AnnouncementCategory.choices)
    body = serializers.CharField(help_text="纯文本正文")
    html = serializers.CharField(help_text="正文的 HTML（已转义）")
    publish_at = serializers.DateTimeField()
    expire_at = serializers.DateTimeField(allow_null=True)
    published = serializers.BooleanField()


def _announcement_row(a: Announcement) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "category": a.category,
        "body": a.body,
        "html": str(render_plain_text(a.body)),
        "publish_at": a.publish_at,
        "expire_at": a.expire_at,
        "published": a.published,
    }


class AnnouncementInSerializer(serializers.Serializer):
    # Lengths are checked by the service, with the page's Chinese messages.
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    category = serializers.ChoiceField(
        choices=AnnouncementCategory.choices, required=False, allow_blank=True
    )
    publish_at = serializers.DateTimeField(required=False, allow_null=True)
    expire_at = serializers.DateTimeField(required=False, allow_null=True)
    published = serializers.BooleanField(required=False, default=False)


class AnnouncementPatchSerializer(AnnouncementInSerializer):
    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    published = serializers.BooleanField(required=False)


class PublicityFieldSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    value = serializers.CharField()


class PublicitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    department = serializers.CharField(source="department.name", help_text="牵头部门")
    # A declared field (DRF's metaclass takes it out of the class), not Serializer.fields.
    fields = PublicityFieldSerializer(many=True, help_text="公示内容（决定时的快照）")  # type: ignore[assignment]
    days = serializers.IntegerField(help_text="公示期（工作日）")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="公示截止日（含当日）")
    status = serializers.ChoiceField(choices=PublicityStatus.choices)
    accepts_objections = serializers.BooleanField()


def _publicity_row(p: Publicity) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "department": p.department,
        "fields": p.fields,
        "days": p.days,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "status": p.status,
        "accepts_objections": p.accepts_objections(clock.today()),
    }


class ObjectionInSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="异议内容")
    contact = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="联系方式（选填）"
    )


class AnswerInSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ObjectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    publicity = serializers.IntegerField(source="publicity_id")
    publicity_title = serializers.CharField(source="publicity.title")
    department = serializers.CharField(source="department.name")
    objector_name = serializers.CharField()
    text = serializers.CharField()
    contact = serializers.CharField()
    status = serializers.ChoiceField(choices=ObjectionStatus.choices)
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


# --- announcements ------------------------------------------------------------------------------
class AnnouncementsView(APIView):
    pagination_class = Pagination  # the document shows the {count, next, previous, results} page

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":
            return [HasPerm.of(Perm.ANNOUNCEMENT_EDIT, message=EDITORS_ONLY)()]
        return [AllowAny()]

    @extend_schema(
        operation_id="announcements_list",
        summary="办事公告列表",
        parameters=[OpenApiParameter("category", str, enum=AnnouncementCategory.values)],
        responses={200: AnnouncementSerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.announcements_visible(request.query_params.get("category", ""))
        return paginated(request, self, rows, AnnouncementSerializer, _announcement_row)

    @extend_schema(
        operation_id="announcements_create",
        summary="撰写公告",
        request=AnnouncementInSerializer,
        responses={201: AnnouncementSerializer, **error_responses(400, 401, 403)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        body = AnnouncementInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            a = services.announcement_create(actor=request.user, **body.validated_data)
        return Response(
            AnnouncementSerializer(_announcement_row(a)).data, status=status.HTTP_201_CREATED
        )


class AnnouncementView(APIView):
    def get_permissions(self) -> list[Any]:
        if self.request.method == "PATCH":
            return [HasPerm.of(Perm.ANNOUNCEMENT_EDIT, message=EDITORS_ONLY)()]
        return [AllowAny()]

    @extend_schema(
        operation_id="announcements_retrieve",
        summary="公告",
        responses={200: AnnouncementSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, announcement_id: int) -> Response:
        a = selectors.announcement_visible(request, announcement_id)
        return Response(AnnouncementSerializer(_announcement_row(a)).data)

    @extend_schema(
        operation_id="announcements_update",
        summary="修改、发布或撤下公告",
        request=AnnouncementPatchSerializer,
        responses={200: AnnouncementSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def patch(self, request: Request, announcement_id: int) -> Response:
        a = selectors.announcement_for_editor(request, announcement_id)
        body = AnnouncementPatchSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with domain_errors():
            a = services.announcement_update(announcement=a, changes=dict(body.validated_data))
        return Response(AnnouncementSerializer(_announcement_row(a)).data)


# --- result publicity ---------------------------------------------------------------------------
class PublicityListView(APIView):
    pagination_class = Pagination  # the document shows the {count, next, previous, results} page
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="publicity_list",
        summary="结果公示（公示中或已归档）",
        parameters=[
            OpenApiParameter("state", str, enum=["current", "archived"]),
            OpenApiParameter("q", str, description="关键词（事项、申请人、办件编号…）"),
        ],
        responses={200: PublicitySerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        q = request.query_params.get("q", "")
        archived = request.query_params.get("state", "current") == "archived"
        rows = selectors.publicity_archived(q) if archived else selectors.publicity_current(q)
        rows = rows.select_related("department")
        return paginated(request, self, rows, PublicitySerializer, _publicity_row)


class PublicityView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="publicity_retrieve",
        summary="结果公示",
        responses={200: PublicitySerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, publicity_id: int) -> Response:
        return Response(
            PublicitySerializer(_publicity_row(selectors.publicity_get(publicity_id))).data
        )


class PublicityObjectionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="publicity_objections_create",
        summary="对公示提出异议",
        description="Only while the publicity is open (to its last day, inclusive); afterwards "
        "400 publicity_closed and nothing stored.",
        request=ObjectionInSerializer,
        responses={201: ObjectionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, publicity_id: int) -> Response:
        publicity = selectors.publicity_get(publicity_id)
        body = ObjectionInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            objection = services.objection_lodge(
                publicity=publicity,
                user=request.user,
                text=body.validated_data["text"],
                contact=body.validated_data.get("contact", ""),
            )
        return Response(ObjectionSerializer(objection).data, status=status.HTTP_201_CREATED)


# --- objections ---------------------------------------------------------------------------------
class ObjectionsView(APIView):
    pagination_class = Pagination  # the document shows the {count, next, previous, results} page
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="objections_list",
        summary="公示异议（本部门的，或本人提出的）",
        responses={200: ObjectionSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.objections_visible(request), ObjectionSerializer)


class ObjectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="objections_retrieve",
        summary="公示异议",
        responses={200: ObjectionSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, objection_id: int) -> Response:
        objection = selectors.objection_get(request, objection_id, staff_only=False)
        return Response(ObjectionSerializer(objection).data)


class ObjectionAnswerView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="objections_answer",
        summary="答复公示异议（牵头部门）",
        request=AnswerInSerializer,
        responses={200: ObjectionSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, objection_id: int) -> Response:
        objection: Objection = selectors.objection_get(request, objection_id, staff_only=True)
        body = AnswerInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with domain_errors():
            objection = services.objection_answer(
                objection=objection, actor=request.user, answer=body.validated_data["answer"]
            )
        return Response(ObjectionSerializer(objection).data)


urlpatterns: list[URLPattern] = [
    path("announcements/", AnnouncementsView.as_view(), name="announcement-list"),
    path("announcements/<id:announcement_id>/", AnnouncementView.as_view(), name="announcement"),
    path("publicity/", PublicityListView.as_view(), name="publicity-list"),
    path("publicity/<id:publicity_id>/", PublicityView.as_view(), name="publicity"),
    path(
        "publicity/<id:publicity_id>/objections/",
        PublicityObjectionsView.as_view(),
        name="publicity-objections",
    ),
    path("objections/", ObjectionsView.as_view(), name="objection-list"),
    path("objections/<id:objection_id>/", ObjectionView.as_view(), name="objection"),
    path(
        "objections/<id:objection_id>/answer/",
        ObjectionAnswerView.as_view(),
        name="objection-answer",
    ),
]
