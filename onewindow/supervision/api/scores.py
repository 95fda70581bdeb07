"""Supervision API (performance scores, 绩效考核, docs/rules/supervision.md §D10).

``GET /api/v1/supervision/scores/`` one period's scores (``period_kind``, ``period_start``; default the
latest quarter with scores, else the latest month), filterable by subject kind, department and
window; ``POST .../scores/recompute/`` recomputes a period (supervisors and administrators);
``GET .../scores/scheme/`` the weights, penalties and grade bounds; ``PUT`` changes them
(administrators). Every staff role reads (scores are circulated); applicants, agents: 404,
logged; a staff member acting outside their role: 403, logged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.body import request_body
from onewindow.api.schema import error_responses
from onewindow.lib.ids import parse_id
from onewindow.supervision.models import Grade, PerformanceScore, PeriodKind, SubjectKind
from onewindow.supervision.selectors import scores as sel
from onewindow.supervision.services import scores

TAGS = ["supervision"]
RATE_HELP = "0–1,4 位小数；null 表示暂无数据（无办结件、暂无评价数据或不适用）"


def _rate() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6, decimal_places=4, allow_null=True, help_text=RATE_HELP
    )


class PerformanceScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    period_kind = serializers.ChoiceField(choices=PeriodKind.values)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    subject_kind = serializers.ChoiceField(choices=SubjectKind.values)
    department_id = serializers.IntegerField(allow_null=True)
    window_id = serializers.IntegerField(allow_null=True)
    name = serializers.SerializerMethodField(help_text="部门名称或窗口号及名称")
    received = serializers.IntegerField(help_text="收件数（窗口：受理决定数）")
    closed = serializers.IntegerField(help_text="办结数（窗口：受理决定数）")
    closed_on_time = serializers.IntegerField()
    closed_early = serializers.IntegerField()
    ratings = serializers.IntegerField(help_text="评价数（好差评，申诉成立的不计）")
    satisfied = serializers.IntegerField(help_text="非常满意与满意的评价数")
    on_time_rate = _rate()
    early_rate = _rate()
    satisfaction_rate = _rate()
    compression_rate = _rate()
    yellow_cards = serializers.IntegerField()
    red_cards = serializers.IntegerField()
    letters = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="0–100")
    grade = serializers.ChoiceField(
        choices=[*Grade.values, ""], help_text="季度等次；月度及不参与排名者为空"
    )
    grade_label = serializers.CharField(source="get_grade_display")
    rank = serializers.IntegerField(help_text="并列同名次；0 表示本期无办结件，不参与排名")
    computed_at = serializers.DateTimeField()

    def get_name(self, row: PerformanceScore) -> str:
        return sel.subject_name(row)


class ScoreListSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(choices=PeriodKind.values, allow_null=True)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    provisional = serializers.BooleanField(help_text="周期尚未结束：暂定得分")
    results = PerformanceScoreSerializer(many=True)


class RecomputeSerializer(serializers.Serializer):
    period_kind = serializers.ChoiceField(
        choices=PeriodKind.values,
        error_messages={"invalid_choice": gettext_lazy("考核周期只能是“月度”或“季度”。")},
    )
    period_start = serializers.DateField(
        help_text="月份或季度的第一天",
        error_messages={"invalid": gettext_lazy("起始日期格式应为 YYYY-MM-DD。")},
    )


class RecomputeResultSerializer(serializers.Serializer):
    period_kind = serializers.CharField()
    period_start = serializers.DateField()
    count = serializers.IntegerField(help_text="写入的得分行数")


def _number(help_text: str) -> serializers.CharField:
    return serializers.CharField(max_length=12, help_text=help_text)


class ScoreSchemeSerializer(serializers.Serializer):
    """The ten numbers; written as strings or numbers (0–100, two decimals at most)."""

    weight_on_time = _number("按时办结率权重")
    weight_early = _number("提前办结率权重")
    weight_satisfaction = _number("满意率权重")
    weight_compression = _number("时限压缩率权重（四项合计 100）")
    yellow_penalty = _number("每张黄牌扣分")
    red_penalty = _number("每张红牌扣分")
    letter_penalty = _number("每份督办函扣分")
    grade_excellent = _number("优秀分数线")
    grade_good = _number("良好分数线")
    grade_pass = _number("合格分数线（优秀 > 良好 > 合格）")
    updated_at = serializers.DateTimeField(read_only=True)


def _scheme_data(scheme: Any) -> dict[str, Any]:
    data: dict[str, Any] = dict(scores.scheme_values(scheme))
    data["updated_at"] = scheme.updated_at
    return data


def _int_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    value = parse_id(raw)
    if raw and value is None:
        raise exceptions.ValidationError({name: [_("编号无效。")]})
    return value


def _period(request: Request) -> sel.Period | None:
    kind = request.query_params.get("period_kind", "")
    raw = request.query_params.get("period_start", "")
    if kind and kind not in PeriodKind.values:
        raise exceptions.ValidationError({"period_kind": [_("考核周期只能是“月度”或“季度”。")]})
    if raw:
        try:
            start = dt.date.fromisoformat(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {"period_start": [_("起始日期格式应为 YYYY-MM-DD。")]}
            ) from None
        kind = kind or PeriodKind.QUARTER
        if scores.period_start_of(kind, start) != start:
            raise exceptions.ValidationError({"period_start": [_("起始日期须为周期的第一天。")]})
        return sel.Period(kind, start)
    if kind:
        periods = sel.score_periods(kind)
        return periods[0] if periods else None
    return sel.default_period()


class ScoreListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_scores_list",
        summary="绩效考核得分",
        description="One period's scores of departments and windows, ranked rows first (rank "
        "ascending), then the unranked (rank 0: nothing closed in the period). Without "
        "period_start: the latest quarter with scores (or of period_kind), else the latest month; "
        "period_start without period_kind: a quarter.",
        parameters=[
            OpenApiParameter(
                "period_kind", OpenApiTypes.STR, enum=PeriodKind.values, required=False
            ),
            OpenApiParameter(
                "period_start", OpenApiTypes.DATE, required=False, description="周期第一天"
            ),
            OpenApiParameter(
                "subject_kind", OpenApiTypes.STR, enum=SubjectKind.values, required=False
            ),
            OpenApiParameter("department", OpenApiTypes.INT, required=False, description="部门"),
            OpenApiParameter("window", OpenApiTypes.INT, required=False, description="窗口"),
        ],
        responses={200: ScoreListSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        sel.scores_reader(request)
        subject_kind = request.query_params.get("subject_kind", "")
        if subject_kind and subject_kind not in SubjectKind.values:
            raise exceptions.ValidationError({"subject_kind": [_("考核对象只能是部门或窗口。")]})
        department, window = _int_param(request, "department"), _int_param(request, "window")
        period = _period(request)
        rows: list[PerformanceScore] = []
        if period is not None:
            for kind in [subject_kind] if subject_kind else SubjectKind.values:
                rows += sel.ranking(period, kind)
        if department:
            rows = [row for row in rows if row.department_id == department]
        if window:
            rows = [row for row in rows if row.window_id == window]
        body = {
            "period_kind": period.kind if period else None,
            "period_start": period.start if period else None,
            "period_end": period.end if period else None,
            "provisional": period.provisional if period else False,
            "results": rows,
        }
        return Response(ScoreListSerializer(body).data)


class ScoreRecomputeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_scores_recompute",
        summary="重新计算绩效得分",
        description="Supervisors and administrators recompute one month or quarter with the "
        "scheme in force; the period's rows are replaced whole.",
        request=RecomputeSerializer,
        responses={200: RecomputeResultSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = sel.scores_reader(request)
        data = request_body(RecomputeSerializer, request)
        kind, start = data["period_kind"], data["period_start"]
        # ScoreForbidden → 403, other ScoreErrors → 400 (onewindow.api.errors)
        count = scores.scores_recompute(actor=user, kind=kind, period_start=start)
        data = {"period_kind": kind, "period_start": start, "count": count}
        return Response(RecomputeResultSerializer(data).data)


class ScoreSchemeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_scores_scheme_retrieve",
        summary="绩效考核方案",
        responses={200: ScoreSchemeSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        sel.scores_reader(request)
        return Response(ScoreSchemeSerializer(_scheme_data(scores.scheme_get())).data)

    @extend_schema(
        operation_id="supervision_scores_scheme_update",
        summary="修改绩效考核方案",
        description="Administrators only. Weights ≥ 0 summing to 100, penalties ≥ 0, grade "
        "bounds 100 ≥ excellent > good > pass ≥ 0, two decimals at most; nothing is saved "
        "when any value is refused. Past periods keep their scores until recomputed.",
        request=ScoreSchemeSerializer,
        responses={200: ScoreSchemeSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def put(self, request: Request) -> Response:
        user = sel.scores_reader(request)
        if not scores.may_edit_scheme(user):
            raise exceptions.PermissionDenied(_("只有中心管理员可以修改绩效考核方案。"))
        data = request_body(ScoreSchemeSerializer, request)
        # SchemeInvalid → 400 naming the fields (onewindow.api.errors)
        scheme = scores.scheme_update(actor=user, **data)
        return Response(ScoreSchemeSerializer(_scheme_data(scheme)).data)


urlpatterns: list[Any] = [
    path("supervision/scores/", ScoreListView.as_view(), name="supervision-scores"),
    path(
        "supervision/scores/recompute/",
        ScoreRecomputeView.as_view(),
        name="supervision-scores-recompute",
    ),
    path("supervision/scores/scheme/", ScoreSchemeView.as_view(), name="supervision-scores-scheme"),
]
