"""REST endpoints of this app, included under /api/v1/: due dates, counts, a year's arrangement.

Public and read-only. A result that touches a year without a loaded official arrangement
carries ``"provisional": true`` (docs/rules/workdays.md §A4).
"""

from __future__ import annotations

import datetime as dt

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.api.body import request_query
from onewindow.calendars.selectors import get_calendar, year_view
from onewindow.lib.workdays import FIRST_YEAR, LAST_YEAR

# More working days than the whole covered span holds is never a real time limit.
MAX_DAYS = 25_000


class OutOfRange(exceptions.APIException):
    status_code = 400
    default_code = "out_of_range"
    default_detail = "超出日历覆盖范围。"


# The shape onewindow.api.errors gives every error ("errors" clashes with Serializer.errors).
ERROR_SERIALIZER = inline_serializer(
    name="CalendarError",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(help_text="中文错误说明"),
        "errors": serializers.DictField(required=False, help_text="各字段的错误"),
    },
)


class DueQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="起算日 YYYY-MM-DD（当日不计入）")
    days = serializers.IntegerField(min_value=0, max_value=MAX_DAYS, help_text="工作日数")


class DueSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    due = serializers.DateField(help_text="第 N 个工作日")
    provisional = serializers.BooleanField(help_text="涉及尚未载入官方安排的年份")


class CountQuerySerializer(serializers.Serializer):
    start = serializers.DateField(help_text="起算日 YYYY-MM-DD（当日不计入）")
    end = serializers.DateField(help_text="截止日 YYYY-MM-DD（当日计入）")

    def validate(self, attrs: dict[str, dt.date]) -> dict[str, dt.date]:
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(_("结束日期不能早于开始日期。"), code="reversed")
        return attrs


class CountSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    working_days = serializers.IntegerField(help_text="开始日之后至结束日（含）的工作日数")
    provisional = serializers.BooleanField()


class NamedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(allow_blank=True)


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    loaded = serializers.BooleanField(help_text="已载入国务院办公厅的年度安排")
    provisional = serializers.BooleanField(help_text="未载入，按法定节假日临时计算")
    source = serializers.CharField(allow_blank=True)  # type: ignore[assignment]  # JSON key
    holidays = NamedDaySerializer(many=True)
    workdays = NamedDaySerializer(many=True, help_text="调休上班的周末")


BAD_REQUEST = OpenApiResponse(ERROR_SERIALIZER, description="参数无效")


class DueView(APIView):
    """The N-th working day after a start date."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_due",
        summary="期限到期日",
        description="docs/rules/workdays.md §A2: the start day is not counted; N working days from D end "
        "on the N-th working day after D. days=0 returns the start date.",
        parameters=[DueQuerySerializer],
        responses={200: DueSerializer, 400: BAD_REQUEST},
        examples=[
            OpenApiExample(
                "国庆",
                value={"start": "2025-09-30", "days": 5, "due": "2025-10-14", "provisional": False},
                response_only=True,
            )
        ],
        tags=["calendar"],
    )
    def get(self, request: Request) -> Response:
        query = request_query(DueQuerySerializer, request)
        start, days = query["start"], query["days"]
        try:
            due = get_calendar().add_working_days(start, days)
        except ValueError as exc:
            raise OutOfRange(_span_message()) from exc
        data = {"start": start, "days": days, "due": due.date, "provisional": due.provisional}
        return Response(DueSerializer(data).data)


class CountView(APIView):
    """Working days after a start date up to and including an end date."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_count",
        summary="工作日数",
        parameters=[CountQuerySerializer],
        responses={200: CountSerializer, 400: BAD_REQUEST},
        tags=["calendar"],
    )
    def get(self, request: Request) -> Response:
        query = request_query(CountQuerySerializer, request)
        start, end = query["start"], query["end"]
        calendar = get_calendar()
        try:
            days = calendar.count_working_days(start, end)
        except ValueError as exc:
            raise OutOfRange(_span_message()) from exc
        provisional = calendar.is_provisional(start, end)
        data = {"start": start, "end": end, "working_days": days, "provisional": provisional}
        return Response(CountSerializer(data).data)


class YearArrangementView(APIView):
    """A year's holidays and working weekend days, and whether they are official."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="calendar_year",
        summary="年度节假日安排",
        responses={200: YearSerializer, 404: OpenApiResponse(ERROR_SERIALIZER)},
        tags=["calendar"],
    )
    def get(self, request: Request, year: int) -> Response:
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise exceptions.NotFound(_span_message())
        view = year_view(year)
        data = {
            "year": year,
            "loaded": view.arrangement.loaded,
            "provisional": view.provisional,
            "source": view.source,
            "holidays": _named_days(view.arrangement.holidays),
            "workdays": _named_days(view.arrangement.workdays),
        }
        return Response(YearSerializer(data).data)


def _named_days(days: dict[dt.date, str]) -> list[dict[str, object]]:
    return [{"date": day, "name": name} for day, name in days.items()]


def _span_message() -> str:
    return _("超出日历覆盖范围（%(first)d–%(last)d 年）。") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


urlpatterns: list[URLPattern] = [
    path("calendar/due", DueView.as_view(), name="calendar-due"),
    path("calendar/count", CountView.as_view(), name="calendar-count"),
    path("calendar/years/<int:year>", YearArrangementView.as_view(), name="calendar-year"),
]
