"""Conduct endpoints under /api/v1/conduct/ (docs/rules/hall.md §J2, §J3, §J16–§J19), the same
checks as the pages:

* public: ``ranking/`` (红旗窗口 and 末位窗口 of a month), ``notices/`` (通报批评);
* supervisors and the staff member: ``records/`` (supervisors all, staff their own; supervisors
  POST a new record), ``records/<id>/``; the staff member ``records/<id>/acknowledge/``;
  supervisors ``records/<id>/reinstate/``;
* supervisors: ``evaluation/`` (GET a month's scores with their components, POST to compute),
  ``rectifications/`` (GET, POST), ``rectifications/<id>/done/``;
* the administrator: ``settings/`` (GET, PUT).

Refusals are ``400 {"code", "message"[, "errors"]}`` and store nothing; an object the caller may
not see is a logged 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.models import User
from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import domain_errors
from onewindow.api.schema import error_responses
from onewindow.conduct import selectors, services
from onewindow.conduct.errors import Invalid
from onewindow.conduct.models import (
    Difficulty,
    Discipline,
    DisciplineKind,
    Rectification,
    WindowScore,
)
from onewindow.conduct.views import parse_month

TAGS = ["conduct"]
ID_MAX = 2**63 - 1  # the largest primary key; a larger number would overflow the database
MONTH = OpenApiParameter("month", str, OpenApiParameter.QUERY, description="月份，如 2025-11")


# --- serializers --------------------------------------------------------------------------------
class ConductRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    staff_id = serializers.IntegerField()
    staff_name = serializers.CharField()
    window = serializers.CharField(help_text="窗口号")
    kind = serializers.ChoiceField(choices=DisciplineKind.choices)
    kind_label = serializers.CharField()
    difficulty = serializers.ChoiceField(choices=Difficulty.choices)
    difficulty_label = serializers.CharField()
    reason = serializers.CharField()
    public_summary = serializers.CharField()
    complaint_id = serializers.IntegerField(allow_null=True)
    bad_review_id = serializers.IntegerField(allow_null=True)
    decided_by = serializers.CharField()
    decided_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    statement = serializers.CharField()
    removed = serializers.BooleanField(help_text="调离窗口且尚未恢复上岗")
    reinstated_at = serializers.DateTimeField(allow_null=True)
    reinstate_reason = serializers.CharField()


class ConductNewRecordSerializer(serializers.Serializer):
    staff = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="工作人员用户编号")
    window = serializers.IntegerField(
        min_value=1, max_value=ID_MAX, help_text="该工作人员目前所在窗口的编号"
    )
    kind = serializers.CharField(help_text="warning / interview / notice / removal")
    difficulty = serializers.CharField(help_text="door / face / words / matter / other")
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)
    public_summary = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="通报批评必填，公开"
    )
    complaint = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )
    bad_review = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


class ConductStatementSerializer(serializers.Serializer):
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class ConductReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="恢复上岗的理由")


class ConductNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    decided_on = serializers.DateField()
    window_number = serializers.CharField()
    window_name = serializers.CharField()
    staff_name = serializers.CharField(help_text="只显示姓氏，如 王*")
    difficulty = serializers.CharField()
    summary = serializers.CharField()


class ConductPublicScoreSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    window_number = serializers.CharField()
    window_name = serializers.CharField()
    score = serializers.DecimalField(max_digits=5, decimal_places=2)


class ConductRankingSerializer(serializers.Serializer):
    month = serializers.DateField(allow_null=True)
    red_flag = ConductPublicScoreSerializer(many=True, help_text="红旗窗口")
    bottom = ConductPublicScoreSerializer(many=True, help_text="末位窗口")


class ConductScoreSerializer(serializers.Serializer):
    window_id = serializers.IntegerField()
    window_number = serializers.CharField()
    window_name = serializers.CharField()
    inputs = serializers.DictField(child=serializers.IntegerField())
    satisfaction_points = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    on_time_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    complaint_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    card_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    discipline_points = serializers.DecimalField(max_digits=5, decimal_places=2)
    score = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    designation = serializers.CharField()
    settings_used = serializers.DictField(child=serializers.IntegerField())


class ConductEvaluationSerializer(serializers.Serializer):
    month = serializers.DateField(allow_null=True)
    rows = ConductScoreSerializer(many=True)


class ConductComputeSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="已经结束的月份，如 2025-11")


class ConductSettingsSerializer(serializers.Serializer):
    weight_satisfaction = serializers.IntegerField()
    weight_on_time = serializers.IntegerField()
    weight_complaints = serializers.IntegerField()
    weight_cards = serializers.IntegerField()
    weight_discipline = serializers.IntegerField()
    complaint_deduction = serializers.IntegerField()
    yellow_card_deduction = serializers.IntegerField()
    red_card_deduction = serializers.IntegerField()
    warning_deduction = serializers.IntegerField()
    interview_deduction = serializers.IntegerField()
    notice_deduction = serializers.IntegerField()
    removal_deduction = serializers.IntegerField()
    min_ratings = serializers.IntegerField()
    ranking_size = serializers.IntegerField()


class ConductRectificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    window_id = serializers.IntegerField()
    window_number = serializers.CharField()
    month = serializers.DateField()
    requirement = serializers.CharField()
    due_on = serializers.DateField()
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    done_note = serializers.CharField()


class ConductNewRectificationSerializer(serializers.Serializer):
    window = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    month = serializers.CharField(help_text="评价月份，如 2025-11")
    requirement = serializers.CharField(allow_blank=True)
    due_on = serializers.CharField(help_text="整改期限，如 2025-12-31")


class ConductDoneSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, help_text="整改完成情况")


# --- data ---------------------------------------------------------------------------------------
def record_data(row: Discipline) -> dict[str, Any]:
    return {
        "id": row.pk,
        "staff_id": row.staff_id,
        "staff_name": row.staff.full_name,
        "window": row.window.number,
        "kind": row.kind,
        "kind_label": row.get_kind_display(),
        "difficulty": row.difficulty,
        "difficulty_label": row.get_difficulty_display(),
        "reason": row.reason,
        "public_summary": row.public_summary,
        "complaint_id": row.complaint_id,
        "bad_review_id": row.bad_review_id,
        "decided_by": row.decided_by.full_name,
        "decided_at": row.decided_at,
        "acknowledged_at": row.acknowledged_at,
        "statement": row.statement,
        "removed": row.removed,
        "reinstated_at": row.reinstated_at,
        "reinstate_reason": row.reinstate_reason,
    }


def public_score(row: WindowScore) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "window_number": row.window.number,
        "window_name": row.window.name,
        "score": row.score,
    }


INPUT_FIELDS = (
    "ratings",
    "satisfied",
    "cases_closed",
    "cases_on_time",
    "complaints_upheld",
    "yellow_cards",
    "red_cards",
    "warnings",
    "interviews",
    "notices",
    "removals",
)


def score_data(row: WindowScore) -> dict[str, Any]:
    return {
        "window_id": row.window_id,
        "window_number": row.window.number,
        "window_name": row.window.name,
        "inputs": {name: getattr(row, name) for name in INPUT_FIELDS},
        "satisfaction_points": row.satisfaction_points,
        "on_time_points": row.on_time_points,
        "complaint_points": row.complaint_points,
        "card_points": row.card_points,
        "discipline_points": row.discipline_points,
        "score": row.score,
        "rank": row.rank,
        "designation": row.designation,
        "settings_used": row.settings_used,
    }


def rectification_data(row: Rectification) -> dict[str, Any]:
    return {
        "id": row.pk,
        "window_id": row.window_id,
        "window_number": row.window.number,
        "month": row.month,
        "requirement": row.requirement,
        "due_on": row.due_on,
        "done": row.done,
        "done_at": row.done_at,
        "done_note": row.done_note,
    }


def _query_month(request: Request) -> dt.date | None:
    raw = request.query_params.get("month", "")
    month = parse_month(raw)
    if raw and month is None:
        raise exceptions.ValidationError({"month": [_("月份应写作“年-月”，例如 2025-11。")]})
    return month


def _day(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


# --- public -------------------------------------------------------------------------------------
class RankingView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="conduct_ranking",
        summary="红旗窗口与末位窗口（公开）",
        description="docs/rules/hall.md §J18: a month's red-flag and bottom windows (the latest "
        "evaluated month by default); window numbers, names and scores only.",
        parameters=[MONTH],
        responses={200: ConductRankingSerializer, **error_responses(400)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        ranking = selectors.public_ranking(_query_month(request))
        data = {
            "month": ranking.month,
            "red_flag": [public_score(r) for r in ranking.red_flag],
            "bottom": [public_score(r) for r in ranking.bottom],
        }
        return Response(ConductRankingSerializer(data).data)


class NoticesView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="conduct_notices",
        summary="通报批评（公开）",
        description="docs/rules/hall.md §J17: window, masked staff name, category, public text.",
        responses={200: ConductNoticeSerializer(many=True)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = [vars(n) for n in selectors.public_notices()]
        return Response(ConductNoticeSerializer(rows, many=True).data)


# --- records ------------------------------------------------------------------------------------
class RecordsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_records",
        summary="作风处理记录",
        description="Supervisors: every record; department staff: their own; others a 404.",
        responses={200: ConductRecordSerializer(many=True), **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows, _supervisor = selectors.record_list_for(request)
        return Response(
            ConductRecordSerializer([record_data(r) for r in rows[:500]], many=True).data
        )

    @extend_schema(
        operation_id="conduct_record_create",
        summary="作出作风处理",
        description="Supervisors (docs/rules/hall.md §J2, §J16). A removal takes the staff "
        "member off the window.",
        request=ConductNewRecordSerializer,
        responses={201: ConductRecordSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.new")
        body = request_body(ConductNewRecordSerializer, request)
        staff = User.objects.filter(pk=body["staff"], role__in=DEPARTMENT_ROLES).first()
        with domain_errors():
            if staff is None:
                raise Invalid({"staff": [_("请选择被处理的工作人员。")]})
            record = services.discipline_record(
                actor=actor,
                staff=staff,
                window_id=body["window"],
                kind=body["kind"],
                difficulty=body["difficulty"],
                reason=body["reason"],
                public_summary=body["public_summary"],
                complaint_id=body["complaint"],
                bad_review_id=body["bad_review"],
            )
        record, _supervisor = selectors.record_get(request, record.pk)
        return Response(
            ConductRecordSerializer(record_data(record)).data, status=status.HTTP_201_CREATED
        )


class RecordView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_record",
        summary="作风处理记录详情",
        responses={200: ConductRecordSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, record_id: int) -> Response:
        record, _supervisor = selectors.record_get(request, record_id)
        return Response(ConductRecordSerializer(record_data(record)).data)


class AcknowledgeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_record_acknowledge",
        summary="本人确认作风处理记录",
        request=ConductStatementSerializer,
        responses={200: ConductRecordSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, record_id: int) -> Response:
        record, _supervisor = selectors.record_get(request, record_id)
        if record.staff_id != request.user.pk:
            raise selectors._deny(
                request, target=f"conduct.discipline:{record_id}:ack", reason="not the staff member"
            )
        body = request_body(ConductStatementSerializer, request)
        with domain_errors():
            services.discipline_acknowledge(
                actor=cast(User, request.user), record=record, statement=body["statement"]
            )
        return Response(ConductRecordSerializer(record_data(record)).data)


class ReinstateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_record_reinstate",
        summary="调离窗口后恢复上岗",
        request=ConductReasonSerializer,
        responses={200: ConductRecordSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, record_id: int) -> Response:
        target = f"conduct.discipline:{record_id}"
        actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target=target)
        record, _supervisor = selectors.record_get(request, record_id)
        body = request_body(ConductReasonSerializer, request)
        with domain_errors():
            services.discipline_reinstate(actor=actor, record=record, reason=body["reason"])
        return Response(ConductRecordSerializer(record_data(record)).data)


# --- evaluation, settings, rectifications -------------------------------------------------------
class EvaluationView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_evaluation",
        summary="月度窗口评价（各项得分）",
        description="Supervisors: a month's scores with each component (the latest by default).",
        parameters=[MONTH],
        responses={200: ConductEvaluationSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.evaluation")
        month = _query_month(request)
        if month is None:
            months = selectors.months_evaluated()
            month = months[0] if months else None
        rows = selectors.scores_of(month) if month else []
        data = {"month": month, "rows": [score_data(r) for r in rows]}
        return Response(ConductEvaluationSerializer(data).data)

    @extend_schema(
        operation_id="conduct_evaluation_compute",
        summary="计算月度窗口评价",
        description="docs/rules/hall.md §J18: an ended month only; replaces that month's scores.",
        request=ConductComputeSerializer,
        responses={201: ConductEvaluationSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.evaluation")
        body = request_body(ConductComputeSerializer, request)
        month = parse_month(body["month"])
        with domain_errors():
            services.evaluation_compute(month=month, actor=actor)
        assert month is not None
        rows = selectors.scores_of(month.replace(day=1))
        data = {"month": month, "rows": [score_data(r) for r in rows]}
        return Response(ConductEvaluationSerializer(data).data, status=status.HTTP_201_CREATED)


class SettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_settings",
        summary="窗口月度评价设置",
        responses={200: ConductSettingsSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.RULES_EDIT, target="conduct.settings")
        return Response(services.settings_snapshot(services.config()))

    @extend_schema(
        operation_id="conduct_settings_update",
        summary="修改窗口月度评价设置",
        description="docs/rules/hall.md §J3: the five weights add up to 100; fields left out "
        "keep their value.",
        request=ConductSettingsSerializer(partial=True),
        responses={200: ConductSettingsSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def put(self, request: Request) -> Response:
        actor = require_perm(request, Perm.RULES_EDIT, target="conduct.settings")
        body = ConductSettingsSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        with domain_errors():
            row = services.config_update(actor=actor, values=dict(body.validated_data))
        return Response(services.settings_snapshot(row))


class RectificationsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_rectifications",
        summary="末位窗口整改",
        parameters=[MONTH],
        responses={
            200: ConductRectificationSerializer(many=True),
            **error_responses(400, 401, 404),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.rectifications")
        rows = selectors.rectifications(_query_month(request))[:500]
        return Response(
            ConductRectificationSerializer([rectification_data(r) for r in rows], many=True).data
        )

    @extend_schema(
        operation_id="conduct_rectification_create",
        summary="登记末位窗口整改要求",
        request=ConductNewRectificationSerializer,
        responses={201: ConductRectificationSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target="conduct.rectifications")
        body = request_body(ConductNewRectificationSerializer, request)
        with domain_errors():
            row = services.rectification_record(
                actor=actor,
                window_id=body["window"],
                month=parse_month(body["month"]),
                requirement=body["requirement"],
                due_on=_day(body["due_on"]),
            )
        return Response(
            ConductRectificationSerializer(rectification_data(row)).data,
            status=status.HTTP_201_CREATED,
        )


class RectificationDoneView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="conduct_rectification_done",
        summary="确认末位窗口整改完成",
        request=ConductDoneSerializer,
        responses={200: ConductRectificationSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, rectification_id: int) -> Response:
        target = f"conduct.rectification:{rectification_id}"
        actor = require_perm(request, Perm.DISCIPLINE_DECIDE, target=target)
        row = selectors.rectification_get(request, rectification_id)
        body = request_body(ConductDoneSerializer, request)
        with domain_errors():
            services.rectification_done(actor=actor, rectification=row, note=body["note"])
        return Response(ConductRectificationSerializer(rectification_data(row)).data)


urlpatterns: list[URLPattern] = [
    path("conduct/ranking/", RankingView.as_view(), name="conduct-ranking"),
    path("conduct/notices/", NoticesView.as_view(), name="conduct-notices"),
    path("conduct/records/", RecordsView.as_view(), name="conduct-records"),
    path("conduct/records/<id:record_id>/", RecordView.as_view(), name="conduct-record"),
    path(
        "conduct/records/<id:record_id>/acknowledge/",
        AcknowledgeView.as_view(),
        name="conduct-record-acknowledge",
    ),
    path(
        "conduct/records/<id:record_id>/reinstate/",
        ReinstateView.as_view(),
        name="conduct-record-reinstate",
    ),
    path("conduct/evaluation/", EvaluationView.as_view(), name="conduct-evaluation"),
    path("conduct/settings/", SettingsView.as_view(), name="conduct-settings"),
    path("conduct/rectifications/", RectificationsView.as_view(), name="conduct-rectifications"),
    path(
        "conduct/rectifications/<id:rectification_id>/done/",
        RectificationDoneView.as_view(),
        name="conduct-rectification-done",
    ),
]
