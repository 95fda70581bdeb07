"""Department inbox and task pages (docs/product.md §C5), and the applicant's answer to a material
request.

Views are thin: a selector fetches and checks access (another department's task is a logged 404),
a small form parses the input, a service decides. A refused action shows the service's message
and changes nothing; a task changed by someone else meanwhile answers 409 with a clear message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.catalog.models import StepKind
from onewindow.catalog.risks import risk_points_at_step
from onewindow.core import clock
from onewindow.core.pagination import count_label
from onewindow.review import selectors, services
from onewindow.review.models import (
    MaterialAnswerFile,
    MaterialRequest,
    OpinionKind,
    Task,
    TaskStatus,
)
from onewindow.review.selectors import materials as material_selectors
from onewindow.review.task_marks import department_mark_count, marks_by_pair
from onewindow.review.views.decisions import history_context

# What the file picker offers; the service judges the type by content anyway.
INBOX_PAGE = 50
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"

STATUS_CHOICES = [
    ("pending", gettext_lazy("待办（审查中及待补充材料）")),
    *TaskStatus.choices,
    ("all", gettext_lazy("全部")),
]
URGENCY_CHOICES = [
    ("", gettext_lazy("全部期限")),
    ("overdue", gettext_lazy("已逾期")),
    ("soon", gettext_lazy("两个工作日内到期")),
]


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("状态"), choices=STATUS_CHOICES, required=False)
    urgency = forms.ChoiceField(label=gettext_lazy("期限"), choices=URGENCY_CHOICES, required=False)
    item = forms.TypedChoiceField(
        label=gettext_lazy("事项"), coerce=int, empty_value=None, required=False
    )
    number = forms.CharField(label=gettext_lazy("办件编号"), max_length=40, required=False)

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", _("全部事项")), *items]  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=gettext_lazy("意见/说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class OpinionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        label=gettext_lazy("部门审查意见"),
        choices=[(k.value, k.label) for k in services.GIVEN_KINDS],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("理由/所附条件（不同意、附条件同意时必填）"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class MaterialRequestForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=gettext_lazy("需要申请人补充的材料及要求"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AnswerForm(forms.Form):
    """The text of the answer; its files come as the repeated multipart field ``files`` and are
    checked by the service (``cases.uploads``), as the application's materials are."""

    answer = forms.CharField(
        label=gettext_lazy("补充说明（已补充的材料及内容）"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


def _with_files(requests: QuerySet[MaterialRequest]) -> QuerySet[MaterialRequest]:
    return requests.prefetch_related(
        Prefetch("answer_files", queryset=MaterialAnswerFile.objects.select_related("stored"))
    )


def _staff(request: HttpRequest) -> Any:
    """A department's reviewing staff or a supervisor; anyone else gets a logged 404."""
    if has_perm(request.user, Perm.CASE_READ_ALL):
        return request.user
    return require_perm(request, Perm.TASK_HANDLE, target="review")


# --- inbox ------------------------------------------------------------------------------------
@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The department's tasks, the nearest due date first, with warning colours and counts."""
    user = _staff(request)
    today = clock.today()
    items = [(i.pk, str(i)) for i in selectors.inbox_items(user)]
    form = InboxFilterForm(request.GET or None, items=items)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.InboxFilters(
        status=data.get("status") or "pending",
        urgency=data.get("urgency") or "",
        item_id=data.get("item"),
        number=data.get("number") or "",
    )
    # docs/rules/scale.md §Y2: pages by cursor (previous/next), bounded counts above the list.
    page = selectors.inbox_page(
        user, filters, cursor=request.GET.get("cursor"), size=INBOX_PAGE, today=today
    )
    tasks = page.rows
    # docs/product.md §C10: each row shows the open cards of its case for the row's department, all
    # fetched in one query for the page (no query per row).
    cards = marks_by_pair((t.case_id, t.department_id) for t in tasks)
    rows = [
        (task, selectors.urgency(task, today=today), cards.get((task.case_id, task.department_id)))
        for task in tasks
    ]
    department_id = getattr(user, "department_id", None)
    read_only = selectors.reads_all(user)
    return render(
        request,
        "review/tasks/inbox.html",
        {
            "form": form,
            "rows": rows,
            "counts": {
                key: count_label(value)
                for key, value in selectors.inbox_counts(user, today=today).items()
            },
            "today": today,
            "page": page,
            "read_only": read_only,
            "open_cards": open_cards_label(department_id)
            if department_id and not read_only
            else None,
        },
    )


def open_cards_label(department_id: int) -> str | None:
    """The department's open cards as the inbox shows them ("1000+" past the bound)."""
    count = department_mark_count(department_id)
    return None if count is None else count_label(count)


# --- the task ---------------------------------------------------------------------------------
def _context(request: HttpRequest, task: Task, **forms_in: Any) -> dict[str, Any]:
    user = request.user
    act = selectors.task_may_act(user, task) and task.status == TaskStatus.OPEN
    may_step = act and services.may_do_step(user, task)
    final = task.step >= len(task.steps) - 1
    initial = {"revision": task.revision}
    steps = [
        {
            "index": i,
            "kind": StepKind.label_of(s.get("kind", "")),
            "role": s.get("role", ""),
            "current": i == task.step and task.status == TaskStatus.OPEN,
            "done": i < task.step or task.status not in (TaskStatus.OPEN,),
        }
        for i, s in enumerate(task.steps)
    ]
    return {
        # The lead's decision, extensions and special procedures, as every department sees them.
        **history_context(task.case),
        "task": task,
        "case": task.case,
        "steps": steps,
        "records": selectors.task_steps(task),
        "lines": selectors.case_material_lines(task.case),
        "requests": _with_files(selectors.task_requests(task)),
        "others": selectors.other_opinions(task),
        "own": getattr(task, "opinion", None) if task.status in ("done", "deemed") else None,
        "urgency": selectors.urgency(task),
        "may_step": may_step and not final,
        "may_return": may_step and task.step > 0,
        "may_opinion": may_step and final,
        "may_request": may_step,
        "step_form": forms_in.get("step_form") or ActionForm(initial=initial),
        "return_form": forms_in.get("return_form") or ActionForm(initial=initial),
        "opinion_form": forms_in.get("opinion_form") or OpinionForm(initial=initial),
        "request_form": forms_in.get("request_form") or MaterialRequestForm(initial=initial),
        "error": forms_in.get("error", ""),
        # docs/product.md §C10 integrity-risk register: the risk points of the step the task stands
        # at.
        "risk_points": _risk_points(task),
        # docs/product.md §C10: the open yellow/red cards of this case for this task's department.
        "cards": marks_by_pair([(task.case_id, task.department_id)]).get(
            (task.case_id, task.department_id), []
        ),
    }


def _risk_points(task: Task) -> list[Any]:
    if task.status != TaskStatus.OPEN or not 0 <= task.step < len(task.steps):
        return []
    return list(
        risk_points_at_step(
            version_id=task.case.item_version_id,
            department_id=task.department_id,
            step_kind=task.steps[task.step].get("kind", ""),
        )
    )


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    _staff(request)
    task = selectors.task_get_for_staff(request, task_id=task_id)
    return render(request, "review/tasks/task.html", _context(request, task))


def _act(request: HttpRequest, task_id: int, form_class: type[forms.Form], slot: str, run: Any):
    _staff(request)
    task = selectors.task_get_for_action(request, task_id=task_id)
    form = form_class(request.POST)
    if not form.is_valid():
        ctx = _context(request, task, **{slot: form, "error": _("请检查填写的内容。")})
        return render(request, "review/tasks/task.html", ctx, status=400)
    try:
        message = run(task, form.cleaned_data)
    except ConcurrentChange as err:
        fresh = selectors.task_get_for_staff(request, task_id=task_id)
        ctx = _context(request, fresh, error=err.message)
        return render(request, "review/tasks/task.html", ctx, status=409)
    except CaseError as err:
        ctx = _context(request, task, **{slot: form, "error": err.message})
        return render(request, "review/tasks/task.html", ctx, status=400)
    messages.success(request, message)
    return redirect("review:task", task_id=task.pk)


@login_required
@require_POST
def task_step(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: Task, data: dict[str, Any]) -> str:
        services.task_step_complete(
            task=task, actor=request.user, comment=data["comment"], revision=data["revision"]
        )
        return _("本环节已办结，已转下一环节。")

    return _act(request, task_id, ActionForm, "step_form", run)


@login_required
@require_POST
def task_return(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: Task, data: dict[str, Any]) -> str:
        services.task_return(
            task=task, actor=request.user, comment=data["comment"], revision=data["revision"]
        )
        return _("已退回上一环节。")

    return _act(request, task_id, ActionForm, "return_form", run)


@login_required
@require_POST
def task_opinion(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: Task, data: dict[str, Any]) -> str:
        opinion = services.task_opinion_give(
            task=task,
            actor=request.user,
            kind=data["kind"],
            text=data["text"],
            revision=data["revision"],
        )
        return _("已提出部门审查意见：%(k)s。") % {"k": OpinionKind(opinion.kind).label}

    return _act(request, task_id, OpinionForm, "opinion_form", run)


@login_required
@require_POST
def task_material_request(request: HttpRequest, task_id: int) -> HttpResponse:
    def run(task: Task, data: dict[str, Any]) -> str:
        services.task_material_request(
            task=task, actor=request.user, text=data["text"], revision=data["revision"]
        )
        return _("已通过受理窗口通知申请人补充材料。")

    return _act(request, task_id, MaterialRequestForm, "request_form", run)


@login_required
@require_GET
def task_file(request: HttpRequest, task_id: int, file_id: int) -> FileResponse:
    """A material file of the task's case, always as an attachment, never by its path."""
    _staff(request)
    task = selectors.task_get_for_staff(request, task_id=task_id)
    stored = selectors.task_file_get(request, task=task, file_id=file_id).stored
    response = FileResponse(
        default_storage.open(stored.path, "rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- the applicant answers a material request -------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def material_answer(request: HttpRequest, request_id: int) -> HttpResponse:
    """The applicant (or the window clerk for them, with the scanned files) answers a
    department's material request: text, files or both."""
    found = selectors.material_request_get_for_answer(request, request_id=request_id)
    form = AnswerForm(request.POST if request.method == "POST" else None)
    at_window = has_perm(request.user, Perm.CASE_INTAKE)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.material_request_answer(
                    request=found,
                    actor=request.user,
                    answer=form.cleaned_data["answer"],
                    files=request.FILES.getlist("files"),
                )
            except CaseError as err:
                error, status = err.message, 409 if isinstance(err, ConcurrentChange) else 400
            else:
                if at_window:
                    messages.success(
                        request,
                        _("办件 %(n)s 的补充材料已登记，审查部门将继续审查。")
                        % {"n": found.task.case.number},
                    )
                    return redirect("review:intake_material_requests")
                messages.success(request, _("补充材料已提交，审查部门将继续审查。"))
                return redirect("review:material_answer", request_id=found.pk)
        else:
            error, status = _("请检查补充说明。"), 400
    found.refresh_from_db()
    return render(
        request,
        "review/tasks/answer.html",
        {
            "req": found,
            "case": found.task.case,
            "form": form,
            "error": error,
            "files": material_selectors.answer_files(found),
            "at_window": at_window,
            "max_mb": settings.MAX_UPLOAD_MB,
            "accept": ACCEPT,
        },
        status=status,
    )


@login_required
@require_GET
def material_file(request: HttpRequest, file_id: int) -> FileResponse:
    """A file handed in with the answer to a material request, always as an attachment: for the
    applicant or mandated agent, staff of the case's departments and supervisors (others: 404,
    logged)."""
    stored = material_selectors.material_file_get(request, file_id=file_id).stored
    response = FileResponse(
        default_storage.open(stored.path, "rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("review/", inbox, name="inbox"),
    path("review/tasks/<id:task_id>/", task_detail, name="task"),
    path("review/tasks/<id:task_id>/step/", task_step, name="task_step"),
    path("review/tasks/<id:task_id>/return/", task_return, name="task_return"),
    path("review/tasks/<id:task_id>/opinion/", task_opinion, name="task_opinion"),
    path(
        "review/tasks/<id:task_id>/material-request/",
        task_material_request,
        name="task_material_request",
    ),
    path("review/tasks/<id:task_id>/files/<id:file_id>/", task_file, name="task_file"),
    path("review/material-requests/<id:request_id>/", material_answer, name="material_answer"),
    path("review/material-files/<id:file_id>/", material_file, name="material_file"),
]
