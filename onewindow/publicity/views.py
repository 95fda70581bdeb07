"""Pages of announcements and result publicity (docs/rules/publicity.md §L1–§L4): the public
lists and details, the objection form, the lead department's objection inbox and the
announcement editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.core import clock
from onewindow.core.errors import DomainError, Invalid
from onewindow.publicity import selectors, services
from onewindow.publicity.forms import AnnouncementForm, AnswerForm, ObjectionForm, SearchForm
from onewindow.publicity.models import Announcement, AnnouncementCategory, ObjectionStatus

PER_PAGE = 20


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _errors_on(form: Any, errors: dict[str, list[str]]) -> None:
    for field, texts in errors.items():
        name = field if field in form.fields else None
        if name is not None and form.errors.get(name):
            continue  # the form already says what is wrong with this field
        for text in texts:
            form.add_error(name, text)


# --- announcements ----------------------------------------------------------------------------
@require_GET
def announcement_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category", "")
    category = category if category in AnnouncementCategory.values else ""
    page = _page(request, selectors.announcements_visible(category))
    return render(
        request,
        "publicity/announcement_list.html",
        {
            "page": page,
            "announcements": page.object_list,
            "categories": AnnouncementCategory.choices,
            "category": category,
            "current": selectors.publicity_current()[:5],
        },
    )


@require_GET
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    announcement = selectors.announcement_visible(request, announcement_id)
    return render(request, "publicity/announcement_detail.html", {"a": announcement})


@require_GET
def announcement_manage(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.announcements_for_editor(request))
    return render(
        request,
        "publicity/announcement_manage.html",
        {"page": page, "announcements": page.object_list, "now": clock.now()},
    )


def _announcement_initial(a: Announcement) -> dict[str, Any]:
    return {
        "title": a.title,
        "category": a.category,
        "body": a.body,
        "publish_at": timezone.localtime(a.publish_at),
        "expire_at": timezone.localtime(a.expire_at) if a.expire_at else None,
        "published": a.published,
    }


@require_http_methods(["GET", "POST"])
def announcement_edit(request: HttpRequest, announcement_id: int | None = None) -> HttpResponse:
    editing = (
        selectors.announcement_for_editor(request, announcement_id)
        if announcement_id is not None
        else None
    )
    if editing is None:
        selectors.announcements_for_editor(request)  # the permission check (404 + log)
    if request.method != "POST":
        form = AnnouncementForm(initial=_announcement_initial(editing) if editing else None)
        return render(request, "publicity/announcement_edit.html", {"form": form, "a": editing})
    form = AnnouncementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if editing is None:
                saved = services.announcement_create(actor=request.user, **data)
            else:
                saved = services.announcement_update(announcement=editing, changes=data)
        except Invalid as err:
            _errors_on(form, err.errors)
        else:
            messages.success(request, _("公告已保存。"))
            return redirect("publicity:announcement_edit", announcement_id=saved.pk)
    return render(
        request, "publicity/announcement_edit.html", {"form": form, "a": editing}, status=400
    )


# --- result publicity -------------------------------------------------------------------------
def _publicity_list(request: HttpRequest, *, archived: bool) -> HttpResponse:
    search = SearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    rows = selectors.publicity_archived(q) if archived else selectors.publicity_current(q)
    page = _page(request, rows)
    return render(
        request,
        "publicity/publicity_list.html",
        {"page": page, "rows": page.object_list, "search": search, "archived": archived, "q": q},
    )


@require_GET
def publicity_current(request: HttpRequest) -> HttpResponse:
    return _publicity_list(request, archived=False)


@require_GET
def publicity_archive(request: HttpRequest) -> HttpResponse:
    return _publicity_list(request, archived=True)


def _publicity_page(
    request: HttpRequest, publicity_id: int, form: ObjectionForm | None, status: int = 200
) -> HttpResponse:
    publicity = selectors.publicity_get(publicity_id)
    today = clock.today()
    return render(
        request,
        "publicity/publicity_detail.html",
        {
            "p": publicity,
            "open": publicity.accepts_objections(today),
            "form": form or ObjectionForm(),
            "mine": selectors.objections_of(request.user, publicity),
            "login_url": reverse("accounts:login") + "?next=" + request.path,
        },
        status=status,
    )


@require_GET
def publicity_detail(request: HttpRequest, publicity_id: int) -> HttpResponse:
    return _publicity_page(request, publicity_id, None)


@require_POST
def objection_lodge(request: HttpRequest, publicity_id: int) -> HttpResponse:
    publicity = selectors.publicity_get(publicity_id)
    if not request.user.is_authenticated:
        return redirect(reverse("accounts:login") + "?next=" + publicity_path(publicity_id))
    form = ObjectionForm(request.POST)
    form.is_valid()
    try:
        services.objection_lodge(
            publicity=publicity,
            user=request.user,
            text=request.POST.get("text", ""),
            contact=request.POST.get("contact", ""),
        )
    except Invalid as err:
        _errors_on(form, err.errors)
        return _publicity_page(request, publicity_id, form, status=400)
    except DomainError as err:
        messages.error(request, err.message)
        return _publicity_page(request, publicity_id, form, status=400)
    messages.success(
        request, _("异议已提交，%(d)s将核实后答复您。") % {"d": publicity.department.name}
    )
    return redirect("publicity:detail", publicity_id=publicity_id)


def publicity_path(publicity_id: int) -> str:
    return reverse("publicity:detail", kwargs={"publicity_id": publicity_id})


# --- the lead department's objections -----------------------------------------------------------
@require_GET
def objection_inbox(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("status", ObjectionStatus.OPEN)
    show = show if show in (*ObjectionStatus.values, "all") else ObjectionStatus.OPEN
    rows = selectors.objections_for_department(request, status="" if show == "all" else show)
    page = _page(request, rows)
    return render(
        request,
        "publicity/objection_inbox.html",
        {"page": page, "rows": page.object_list, "show": show},
    )


@require_http_methods(["GET", "POST"])
def objection_detail(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = selectors.objection_get(request, objection_id, staff_only=True)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        form.is_valid()
        try:
            services.objection_answer(
                objection=objection, actor=request.user, answer=request.POST.get("answer", "")
            )
        except Invalid as err:
            _errors_on(form, err.errors)
            status = 400
        except DomainError as err:
            messages.error(request, err.message)
            status = 400
        else:
            messages.success(request, _("答复已保存，并已通知异议人。"))
            return redirect("publicity:objection", objection_id=objection_id)
    return render(
        request, "publicity/objection_detail.html", {"o": objection, "form": form}, status=status
    )
