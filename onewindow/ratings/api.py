"""Rating endpoints under /api/v1/ratings/ (docs/rules/satisfaction.md §E1–§E8), the same checks
as the pages:

* public: ``satisfaction/`` (+ ``departments/``, ``windows/``, ``items/``), ``ranking/``;
* no login: ``links/<token>/`` (the one-time link: rate, or answer a report) and
  ``pads/<window>/<token>/`` (the window's pad, by its device token);
* the applicant: ``cases/<id>/`` (their own finished case), ``mine/`` and
  ``mine/<bad review>/respond/``;
* the window clerk: ``windows/<id>/arm/`` and ``windows/<id>/token/``;
* the department: ``bad-reviews/``, ``bad-reviews/<id>/``, ``bad-reviews/<id>/<step>/``
  (callback, deadline, rectify, report, appeal);
* the supervisor: ``appeals/``, ``appeals/<id>/decide/``.

Refusals are ``400 {"code", "message"[, "errors"]}`` and store nothing; someone else's object is a
logged 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, domain_errors
from onewindow.api.permissions import HasPerm
from onewindow.api.schema import error_responses
from onewindow.cases.models import Case
from onewindow.catalog.models import Window
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.lib.ids import parse_id
from onewindow.ratings import selectors, services
from onewindow.ratings.models import (
    COMMENT_MAX,
    Appeal,
    AppealReason,
    BadReview,
    Level,
    Rating,
    RatingChannel,
)
from onewindow.ratings.views import STEPS, parse_month, previous_month, step_run

TAGS = ["ratings"]


# --- serializers --------------------------------------------------------------------------------
class RateSerializer(serializers.Serializer):
    level = serializers.IntegerField(
        help_text="5 非常满意，4 满意，3 基本满意，2 不满意，1 非常不满意"
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=f"评价内容，最多 {COMMENT_MAX} 字；差评（1、2）网上和链接评价时必填",
    )


class PadRateSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text="5 非常满意 … 1 非常不满意")
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"评价内容（选填），最多 {COMMENT_MAX} 字",
    )


class RatingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField(help_text="所评价的服务")
    channel = serializers.ChoiceField(choices=RatingChannel.choices)
    level = serializers.ChoiceField(choices=Level.choices)
    level_label = serializers.CharField()
    comment = serializers.CharField(help_text="纯文本，按原样返回")
    rated_at = serializers.DateTimeField()
    defaulted = serializers.BooleanField(help_text="逾期未评价，按默认等级记录")
    excluded = serializers.BooleanField(help_text="申诉成立，不计入满意度")
    bad_review_id = serializers.IntegerField(allow_null=True)
    bad_review_status = serializers.CharField(allow_null=True)


class CaseRatingSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    can_rate = serializers.BooleanField(help_text="此刻可以网上评价")
    rate_by = serializers.DateTimeField(allow_null=True, help_text="评价截止时间")
    ratings = RatingSerializer(many=True)


class SatisfactionSerializer(serializers.Serializer):
    ratings = serializers.IntegerField(help_text="计入的评价数（申诉成立的不计）")
    satisfied = serializers.IntegerField(help_text="非常满意与满意的评价数")
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)


class SatisfactionRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ratings = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=6, decimal_places=4, allow_null=True)
    levels = serializers.DictField(child=serializers.IntegerField(), help_text="等级 → 评价数")
    rank = serializers.IntegerField(help_text="排名（排名接口）；其他为 0")


class RankingSerializer(serializers.Serializer):
    month = serializers.DateField()
    min_ratings = serializers.IntegerField()
    size = serializers.IntegerField()
    ranked = SatisfactionRowSerializer(many=True)
    red_flag = SatisfactionRowSerializer(many=True, help_text="红旗窗口")
    bottom = SatisfactionRowSerializer(many=True, help_text="末位窗口")
    unranked = SatisfactionRowSerializer(many=True, help_text="评价数不足、不参加排名")


class PadSerializer(serializers.Serializer):
    window = serializers.CharField()
    armed = serializers.BooleanField()
    service = serializers.CharField(allow_null=True)


class ArmSerializer(serializers.Serializer):
    case_number = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    rater_name = serializers.CharField(required=False, allow_blank=True, default="")


class ArmedSerializer(serializers.Serializer):
    service_id = serializers.IntegerField()
    service = serializers.CharField()


class PadTokenSerializer(serializers.Serializer):
    pad_path = serializers.CharField(help_text="评价器地址（只返回这一次）")


class BadReviewEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    old_status = serializers.CharField()
    new_status = serializers.CharField()
    note = serializers.CharField()


class BadReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    service = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    level = serializers.IntegerField()
    comment = serializers.CharField()
    rated_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    due_on = serializers.DateField(help_text="整改期限")
    overdue = serializers.BooleanField()
    callback_note = serializers.CharField()
    rectification = serializers.CharField()
    report = serializers.CharField()
    response_satisfied = serializers.BooleanField(allow_null=True)
    response = serializers.CharField()
    appeal_status = serializers.CharField(allow_null=True)
    events = BadReviewEventSerializer(many=True, required=False)


class StepSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", help_text="callback")
    due_on = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="deadline"
    )
    plan = serializers.CharField(required=False, allow_blank=True, default="", help_text="deadline")
    description = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="rectify"
    )
    text = serializers.CharField(required=False, allow_blank=True, default="", help_text="report")
    reason = serializers.ChoiceField(
        choices=AppealReason.choices, required=False, allow_blank=True, default=""
    )
    statement = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="appeal"
    )


class RespondSerializer(serializers.Serializer):
    satisfied = serializers.BooleanField(help_text="对整改是否满意")
    text = serializers.CharField(required=False, allow_blank=True, default="")


class AppealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    bad_review_id = serializers.IntegerField()
    department = serializers.CharField()
    service = serializers.CharField()
    level = serializers.IntegerField()
    comment = serializers.CharField()
    reason = serializers.ChoiceField(choices=AppealReason.choices)
    statement = serializers.CharField()
    status = serializers.CharField()
    decision_note = serializers.CharField()


class DecideSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true 申诉成立（评价剔除）；false 不成立")
    note = serializers.CharField(allow_blank=True, help_text="审核意见（必填）")


# --- data ---------------------------------------------------------------------------------------
def rating_data(rating: Rating) -> dict[str, Any]:
    review = BadReview.objects.filter(rating=rating).first()
    return {
        "id": rating.pk,
        "service": rating.service.title,
        "channel": rating.channel,
        "level": rating.level,
        "level_label": rating.get_level_display(),
        "comment": rating.comment,
        "rated_at": rating.rated_at,
        "defaulted": rating.defaulted,
        "excluded": rating.excluded,
        "bad_review_id": review.pk if review else None,
        "bad_review_status": review.status if review else None,
    }


def row_data(row: selectors.SatisfactionRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "ratings": row.figures.ratings,
        "satisfied": row.figures.satisfied,
        "rate": row.figures.rate,
        "levels": {str(k): v for k, v in row.levels.items()},
        "rank": row.rank,
    }


def bad_review_data(review: BadReview, *, events: bool = False) -> dict[str, Any]:
    rating = review.rating
    appeal = Appeal.objects.filter(bad_review=review).first()
    data: dict[str, Any] = {
        "id": review.pk,
        "service": rating.service.title,
        "case_id": review.case_id,
        "level": rating.level,
        "comment": rating.comment,
        "rated_at": rating.rated_at,
        "status": review.status,
        "status_label": review.get_status_display(),
        "due_on": review.due_on,
        "overdue": review.overdue,
        "callback_note": review.callback_note,
        "rectification": review.rectification,
        "report": review.report,
        "response_satisfied": review.response_satisfied,
        "response": review.response,
        "appeal_status": appeal.status if appeal else None,
    }
    if events:
        data["events"] = [
            {
                "at": e.at,
                "action": e.action,
                "label": e.label,
                "old_status": e.old_status,
                "new_status": e.new_status,
                "note": e.note,
            }
            for e in review.events.all()
        ]
    return data


def appeal_data(appeal: Appeal) -> dict[str, Any]:
    review = appeal.bad_review
    return {
        "id": appeal.pk,
        "bad_review_id": review.pk,
        "department": review.department.name,
        "service": review.rating.service.title,
        "level": review.rating.level,
        "comment": review.rating.comment,
        "reason": appeal.reason,
        "statement": appeal.statement,
        "status": appeal.status,
        "decision_note": appeal.decision_note,
    }


MONTH = OpenApiParameter("month", str, OpenApiParameter.QUERY, description="月份，如 2025-11")


def _month(request: Request, *, required_default: bool = False) -> Any:
    raw = request.query_params.get("month", "")
    month = parse_month(raw)
    if raw and month is None:
        raise exceptions.ValidationError({"month": [_("月份应写作“年-月”，例如 2025-11。")]})
    if month is None and required_default:
        return previous_month(clock.today())
    return month


# --- public figures -----------------------------------------------------------------------------
class PublicView(APIView):
    permission_classes = [AllowAny]


class SatisfactionView(PublicView):
    @extend_schema(
        operation_id="ratings_satisfaction",
        summary="满意度（公开）",
        description="(非常满意 + 满意) ÷ ratings over the chosen month (or all months), filtered "
        "by department, window or item ids; appeal-accepted ratings are left out.",
        parameters=[
            MONTH,
            OpenApiParameter("department", int, OpenApiParameter.QUERY),
            OpenApiParameter("window", int, OpenApiParameter.QUERY),
            OpenApiParameter("item", int, OpenApiParameter.QUERY),
        ],
        responses={200: SatisfactionSerializer, **error_responses(400)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        month = _month(request)
        filters: dict[str, int] = {}
        for name in ("department", "window", "item"):
            raw = request.query_params.get(name, "")
            if raw:
                value = parse_id(raw)
                if value is None:
                    raise exceptions.ValidationError({name: [_("请填写有效的编号。")]})
                filters[name] = value
        figures = selectors.satisfaction(since=month, until=month, **filters)  # type: ignore[arg-type]
        data = {"ratings": figures.ratings, "satisfied": figures.satisfied, "rate": figures.rate}
        return Response(SatisfactionSerializer(data).data)


def _rows_view(kind: str) -> type[PublicView]:
    reader = {
        "departments": selectors.by_department,
        "windows": selectors.by_window,
        "items": selectors.by_item,
    }[kind]

    class RowsView(PublicView):
        @extend_schema(
            operation_id=f"ratings_satisfaction_{kind}",
            summary={
                "departments": "满意度（按部门）",
                "windows": "满意度（按窗口）",
                "items": "满意度（按事项）",
            }[kind],
            parameters=[MONTH],
            responses={200: SatisfactionRowSerializer(many=True), **error_responses(400)},
            tags=TAGS,
        )
        def get(self, request: Request) -> Response:
            month = _month(request)
            rows = reader(since=month, until=month)  # type: ignore[operator]
            return Response(SatisfactionRowSerializer([row_data(r) for r in rows], many=True).data)

    RowsView.__name__ = f"Satisfaction{kind.title()}View"
    return RowsView


class RankingView(PublicView):
    @extend_schema(
        operation_id="ratings_ranking",
        summary="红旗窗口与末位窗口（公开）",
        description="One month's window ranking (default: the previous month): windows with at "
        "least min_ratings ratings by satisfaction, ties by more ratings, then window number.",
        parameters=[MONTH],
        responses={200: RankingSerializer, **error_responses(400)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        ranking = selectors.window_ranking(_month(request, required_default=True))
        data = {
            "month": ranking.month,
            "min_ratings": ranking.min_ratings,
            "size": ranking.size,
            "ranked": [row_data(r) for r in ranking.ranked],
            "red_flag": [row_data(r) for r in ranking.red_flag],
            "bottom": [row_data(r) for r in ranking.bottom],
            "unranked": [row_data(r) for r in ranking.unranked],
        }
        return Response(RankingSerializer(data).data)


# --- the one-time link and the pad (no login) ---------------------------------------------------
class LinkView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ratings_link_rate",
        summary="短信/邮件链接评价（无需登录）",
        description="Rate the service of the one-time link once; a used, expired or unknown link "
        "is refused with its reason. A report-back link takes {satisfied, text} instead.",
        request=RateSerializer,
        responses={201: RatingSerializer, 200: BadReviewSerializer, **error_responses(400)},
        tags=TAGS,
    )
    def post(self, request: Request, token: str) -> Response:
        with domain_errors():
            link = services.link_check(services.link_find(token))
            if link.bad_review_id is not None:
                body = request_body(RespondSerializer, request)
                review = services.bad_review_respond(
                    link.bad_review,  # type: ignore[arg-type]
                    satisfied=body["satisfied"],
                    text=body["text"],
                    token=token,
                )
                return Response(BadReviewSerializer(bad_review_data(review)).data)
            body = request_body(RateSerializer, request)
            rating = services.rate_by_link(token, level=body["level"], comment=body["comment"])
        return Response(RatingSerializer(rating_data(rating)).data, status=status.HTTP_201_CREATED)


def _pad(request: Request, window_id: int, token: str) -> Any:
    found = services.pad_find(window_id, token)
    if found is None:
        raise deny(request._request, target=f"ratings.pad:{window_id}", reason="wrong token")
    return found


class PadView(APIView):
    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ratings_pad_state",
        summary="窗口评价器状态（设备令牌）",
        responses={200: PadSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, window_id: int, token: str) -> Response:
        pad = _pad(request, window_id, token)
        data = {
            "window": str(pad.window),
            "armed": pad.armed_id is not None,
            "service": pad.armed.title if pad.armed_id else None,
        }
        return Response(PadSerializer(data).data)

    @extend_schema(
        operation_id="ratings_pad_rate",
        summary="窗口评价器评价",
        request=PadRateSerializer,
        responses={201: RatingSerializer, **error_responses(400, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, window_id: int, token: str) -> Response:
        pad = _pad(request, window_id, token)
        body = request_body(PadRateSerializer, request)
        with domain_errors():
            rating = services.pad_rate(pad, level=body["level"], comment=body.get("comment", ""))
        return Response(RatingSerializer(rating_data(rating)).data, status=status.HTTP_201_CREATED)


# --- the applicant ------------------------------------------------------------------------------
class CaseRatingView(APIView):
    permission_classes = [IsAuthenticated]

    def _data(self, case: Case) -> dict[str, Any]:
        service = selectors.service_of_case(case)
        rated = selectors.ratings_of_case(case)
        open_ = case.status in services.FINISHED and (
            service is None or clock.now() < service.rate_by
        )
        return {
            "case_id": case.pk,
            "can_rate": open_ and not any(r.channel == RatingChannel.WEB for r in rated),
            "rate_by": service.rate_by if service else None,
            "ratings": [rating_data(r) for r in rated],
        }

    @extend_schema(
        operation_id="ratings_case_retrieve",
        summary="办件评价情况（申请人本人）",
        responses={200: CaseRatingSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = selectors.case_for_rater(request, case_id=case_id)
        return Response(CaseRatingSerializer(self._data(case)).data)

    @extend_schema(
        operation_id="ratings_case_rate",
        summary="评价办件（申请人本人，办结后）",
        request=RateSerializer,
        responses={201: RatingSerializer, **error_responses(400, 401, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = selectors.case_for_rater(request, case_id=case_id)
        body = request_body(RateSerializer, request)
        with domain_errors():
            rating = services.rate_case(
                case, request.user, level=body["level"], comment=body["comment"]
            )
        return Response(RatingSerializer(rating_data(rating)).data, status=status.HTTP_201_CREATED)


class MineView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ratings_mine",
        summary="我的评价",
        responses={200: RatingSerializer(many=True), **error_responses(401)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = [rating_data(r) for r in selectors.ratings_of_rater(request.user)[:200]]
        return Response(RatingSerializer(rows, many=True).data)


class RespondView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ratings_respond",
        summary="回复差评整改反馈（评价人本人）",
        request=RespondSerializer,
        responses={200: BadReviewSerializer, **error_responses(400, 401, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, review_id: int) -> Response:
        review = selectors.bad_review_for_rater(request, pk=review_id)
        body = request_body(RespondSerializer, request)
        with domain_errors():
            services.bad_review_respond(
                review, satisfied=body["satisfied"], text=body["text"], user=request.user
            )
        return Response(BadReviewSerializer(bad_review_data(review)).data)


# --- the window clerk ---------------------------------------------------------------------------
def _window(request: Request, window_id: int) -> Window:
    user = require_perm(request, Perm.RATING_PAD)
    window = Window.objects.filter(pk=window_id).first()
    if window is None or not services.clerk_of_window(user, window):
        raise deny(request._request, target=f"catalog.window:{window_id}", reason="not its clerk")
    return window


class ArmView(APIView):
    permission_classes = [HasPerm.of(Perm.RATING_PAD, message="只有窗口工作人员可以启用评价器。")]

    @extend_schema(
        operation_id="ratings_pad_arm",
        summary="启用窗口评价器（本窗口工作人员）",
        request=ArmSerializer,
        responses={201: ArmedSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, window_id: int) -> Response:
        window = _window(request, window_id)
        body = request_body(ArmSerializer, request)
        case = None
        if body["case_number"].strip():
            case = Case.objects.filter(number=body["case_number"].strip()).first()
            if case is None:
                raise exceptions.ValidationError({"case_number": [_("没有找到该办件编号。")]})
        with domain_errors():
            service = services.pad_arm(
                window,
                request.user,  # type: ignore[arg-type]
                description=body["description"],
                case=case,
                rater_name=body["rater_name"],
            )
        data = {"service_id": service.pk, "service": service.title}
        return Response(ArmedSerializer(data).data, status=status.HTTP_201_CREATED)


class PadTokenView(APIView):
    permission_classes = [HasPerm.of(Perm.RATING_PAD, message="只有窗口工作人员可以设置评价器。")]

    @extend_schema(
        operation_id="ratings_pad_token",
        summary="生成评价器地址（原地址作废）",
        request=None,
        responses={201: PadTokenSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, window_id: int) -> Response:
        window = _window(request, window_id)
        token = services.pad_token_issue(window)
        data = {"pad_path": reverse("ratings:pad", args=[window.pk, token])}
        return Response(PadTokenSerializer(data).data, status=status.HTTP_201_CREATED)


# --- the department's bad reviews ---------------------------------------------------------------
class BadReviewsView(APIView):
    permission_classes = [HasPerm.of(Perm.RATING_HANDLE, message="只有部门工作人员可以办理差评。")]

    @extend_schema(
        operation_id="ratings_bad_reviews",
        summary="本部门差评",
        parameters=[OpenApiParameter("status", str, OpenApiParameter.QUERY)],
        responses={200: BadReviewSerializer(many=True), **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.bad_reviews_for(
            request.user, status=request.query_params.get("status", "")
        )
        return Response(
            BadReviewSerializer([bad_review_data(r) for r in rows[:300]], many=True).data
        )


class BadReviewView(APIView):
    permission_classes = [HasPerm.of(Perm.RATING_HANDLE, message="只有部门工作人员可以办理差评。")]

    @extend_schema(
        operation_id="ratings_bad_review",
        summary="差评详情",
        responses={200: BadReviewSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, review_id: int) -> Response:
        review = selectors.bad_review_for_handler(request, pk=review_id)
        return Response(BadReviewSerializer(bad_review_data(review, events=True)).data)


class BadReviewStepView(APIView):
    permission_classes = [HasPerm.of(Perm.RATING_HANDLE, message="只有部门工作人员可以办理差评。")]

    @extend_schema(
        operation_id="ratings_bad_review_step",
        summary="办理差评：回访、限期、整改、反馈、申诉",
        description="step: callback {note} · deadline {due_on, plan} · rectify {description} · "
        "report {text} · appeal {reason, statement}.",
        request=StepSerializer,
        responses={200: BadReviewSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, review_id: int, step: str) -> Response:
        review = selectors.bad_review_for_handler(request, pk=review_id)
        if step not in STEPS:
            target = f"ratings.badreview:{review_id}:{step}"
            raise deny(request._request, target=target, reason="step")
        body = request_body(StepSerializer, request)
        with domain_errors():
            step_run(review, step, request.user, body)
        review.refresh_from_db()
        return Response(BadReviewSerializer(bad_review_data(review, events=True)).data)


# --- the supervisor's appeals -------------------------------------------------------------------
class AppealsView(APIView):
    permission_classes = [
        HasPerm.of(Perm.RATING_APPEAL_DECIDE, message="只有电子监察人员可以审核申诉。")
    ]

    @extend_schema(
        operation_id="ratings_appeals",
        summary="差评申诉",
        responses={200: AppealSerializer(many=True), **error_responses(401, 403)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        rows = selectors.appeals_for(request.user)[:300]
        return Response(AppealSerializer([appeal_data(a) for a in rows], many=True).data)


class DecideView(APIView):
    permission_classes = [
        HasPerm.of(Perm.RATING_APPEAL_DECIDE, message="只有电子监察人员可以审核申诉。")
    ]

    @extend_schema(
        operation_id="ratings_appeal_decide",
        summary="审核差评申诉",
        request=DecideSerializer,
        responses={200: AppealSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, appeal_id: int) -> Response:
        appeal = selectors.appeal_for_decider(request, pk=appeal_id)
        body = request_body(DecideSerializer, request)
        with domain_errors():
            services.appeal_decide(
                appeal,
                request.user,  # type: ignore[arg-type]
                accept=body["accept"],
                note=body["note"],
            )
        appeal.refresh_from_db()
        return Response(AppealSerializer(appeal_data(appeal)).data)


urlpatterns: list[URLPattern] = [
    path("ratings/satisfaction/", SatisfactionView.as_view(), name="ratings-satisfaction"),
    *(
        path(
            f"ratings/satisfaction/{kind}/",
            _rows_view(kind).as_view(),
            name=f"ratings-satisfaction-{kind}",
        )
        for kind in ("departments", "windows", "items")
    ),
    path("ratings/ranking/", RankingView.as_view(), name="ratings-ranking"),
    path("ratings/links/<str:token>/", LinkView.as_view(), name="ratings-link"),
    path("ratings/pads/<id:window_id>/<str:token>/", PadView.as_view(), name="ratings-pad"),
    path("ratings/cases/<id:case_id>/", CaseRatingView.as_view(), name="ratings-case"),
    path("ratings/mine/", MineView.as_view(), name="ratings-mine"),
    path("ratings/mine/<id:review_id>/respond/", RespondView.as_view(), name="ratings-respond"),
    path("ratings/windows/<id:window_id>/arm/", ArmView.as_view(), name="ratings-arm"),
    path("ratings/windows/<id:window_id>/token/", PadTokenView.as_view(), name="ratings-pad-token"),
    path("ratings/bad-reviews/", BadReviewsView.as_view(), name="ratings-bad-reviews"),
    path("ratings/bad-reviews/<id:review_id>/", BadReviewView.as_view(), name="ratings-bad-review"),
    path(
        "ratings/bad-reviews/<id:review_id>/<str:step>/",
        BadReviewStepView.as_view(),
        name="ratings-bad-review-step",
    ),
    path("ratings/appeals/", AppealsView.as_view(), name="ratings-appeals"),
    path(
        "ratings/appeals/<id:appeal_id>/decide/", DecideView.as_view(), name="ratings-appeal-decide"
    ),
]
