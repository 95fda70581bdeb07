"""Admin for the calendar (docs/product.md §C16): load a year's arrangement, edit single days.

Every change goes through ``services`` so the revision is bumped and every process rebuilds its
cached calendar. A loaded year is added only through the upload page (a HolidayYear row without
its days would make a year look official while holding no holidays).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.calendars import services
from onewindow.calendars.formats import MAX_FILE_BYTES
from onewindow.calendars.models import CalendarDay, DeadlineRecompute, HolidayYear
from onewindow.calendars.selectors import get_calendar, unloaded_years_alert

LOAD_PERMISSION = "calendars.add_holidayyear"


class ArrangementUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("安排文件"),
        help_text=gettext_lazy(
            "CSV（每行：日期,类型[,名称]，类型为 holiday/休 或 workday/班）"
            '或 JSON（{"year": 2027, "holidays": [...], "workdays": [...]}）。'
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("来源"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("例如：国务院办公厅关于2027年部分节假日安排的通知"),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("文件过大：节假日安排文件不应超过 256 KB。"))
        return upload


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "holiday_count", "workday_count", "loaded_at")
    fields = ("year", "source", "loaded_at")
    readonly_fields = ("year", "loaded_at")
    change_list_template = "admin/calendars/holidayyear/change_list.html"

    @admin.display(description=gettext_lazy("放假日"))
    def holiday_count(self, obj: HolidayYear) -> int:
        return len(get_calendar().arrangement(obj.year).holidays)

    @admin.display(description=gettext_lazy("调休上班日"))
    def workday_count(self, obj: HolidayYear) -> int:
        return len(get_calendar().arrangement(obj.year).workdays)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # years are added by uploading their arrangement (load_view)

    def save_model(self, request: HttpRequest, obj: HolidayYear, form: Any, change: bool) -> None:
        services.calendar_year_source_set(year=obj.year, source=obj.source)

    def delete_model(self, request: HttpRequest, obj: HolidayYear) -> None:
        services.calendar_year_unload(year=obj.year)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        for year in list(queryset.values_list("year", flat=True)):
            services.calendar_year_unload(year=year)

    def get_urls(self) -> list[URLPattern]:
        load = path(
            "load/",
            self.admin_site.admin_view(self.load_view),
            name="calendars_holidayyear_load",
        )
        return [load, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra = {"can_load": request.user.has_perm(LOAD_PERMISSION), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def load_view(self, request: HttpRequest) -> HttpResponse:
        """Upload a CSV/JSON arrangement; on any error nothing is changed and the form says why."""
        if not request.user.has_perm(LOAD_PERMISSION):
            return redirect("admin:index")
        form = ArrangementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                row = services.calendar_file_load(
                    name=upload.name or "",
                    content=upload.read(),
                    source=form.cleaned_data["source"],
                )
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                arrangement = get_calendar().arrangement(row.year)
                messages.success(
                    request,
                    _(
                        "已载入 %(year)d 年节假日安排：放假 %(holidays)d 天，调休上班 %(workdays)d 天。"
                    )
                    % {
                        "year": row.year,
                        "holidays": len(arrangement.holidays),
                        "workdays": len(arrangement.workdays),
                    },
                )
                _recomputed_message(request, row.recomputed)
                return HttpResponseRedirect(reverse("admin:calendars_holidayyear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("载入年度节假日安排"),
            "form": form,
            "unloaded_years": unloaded_years_alert(),
        }
        return TemplateResponse(request, "admin/calendars/holidayyear/load.html", context)


def _recomputed_message(request: HttpRequest, recomputed: dict[str, int]) -> None:
    """docs/rules/workdays.md §A4: tell the administrator how many stored deadlines were counted
    again."""
    total = sum(recomputed.values())
    if total:
        messages.info(
            request,
            _("已按新的节假日安排重新计算 %(n)d 项受影响的期限；日期有变化的，已通知申请人。")
            % {"n": total},
        )


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day = cleaned.get("date") or (self.instance.date if self.instance.pk else None)
        if isinstance(day, dt.date) and cleaned.get("kind"):
            services.calendar_day_validate(
                day=day, kind=cleaned["kind"], name=cleaned.get("name") or ""
            )
        return cleaned


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    form = CalendarDayForm
    list_display = ("date", "weekday", "kind", "name", "year_status")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, obj: CalendarDay) -> str:
        return services.WEEKDAY_NAMES[obj.date.weekday()]

    @admin.display(description=gettext_lazy("该年安排"))
    def year_status(self, obj: CalendarDay) -> str:
        return _("已载入") if get_calendar().is_loaded(obj.date.year) else _("临时计算")

    def get_readonly_fields(self, request: HttpRequest, obj: CalendarDay | None = None) -> Any:
        return ("date",) if obj is not None else ()  # a changed date is a delete plus an add

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        row = services.calendar_day_set(day=obj.date, kind=obj.kind, name=obj.name)
        obj.pk = row.pk
        _recomputed_message(request, row.recomputed)

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        services.calendar_day_delete(day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in list(queryset.values_list("date", flat=True)):
            services.calendar_day_delete(day=day)


@admin.register(DeadlineRecompute)
class DeadlineRecomputeAdmin(admin.ModelAdmin):
    """Read-only: each calendar change and how many stored deadlines it moved (A4)."""

    list_display = ("created_at", "reason", "first", "last", "counts", "finished_at")
    readonly_fields = ("created_at", "reason", "first", "last", "cursors", "counts", "finished_at")
    exclude = ("before", "after")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
