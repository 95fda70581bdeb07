"""Pages of consultation and complaints (docs/rules/consultation.md).

Public: the consultation page with the FAQ (``home``) and one FAQ entry. Signed-in applicants:
ask, my questions and complaints, file a complaint. Department staff: their department's
questions, reply, publish as FAQ. Supervisors: complaints and staff records. Object access
outside role, department or ownership is the logged 404 (``core.access.deny``).
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onewindow.accounts.models import User
from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.consult import selectors, services
from onewindow.consult.errors import ConsultError, ConsultForbidden, ConsultInvalid
from onewindow.consult.forms import (
    ComplaintForm,
    ConcludeForm,
    HandleForm,
    PublishForm,
    QuestionForm,
    ReplyForm,
    errors_onto,
)
from onewindow.consult.models import Complaint, ComplaintStatus, Question, QuestionStatus
from onewindow.core.access import deny
from onewindow.core.errors import DomainError
from onewindow.lib.ids import parse_id


def _actor(request: HttpRequest) -> User:
    """The signed-in user (the views that act require one)."""
    return cast(User, request.user)


# --- public ------------------------------------------------------------------------------------
def home(request: HttpRequest) -> HttpResponse:
    """网上咨询: the published FAQ (by department), the way to ask and to complain."""
    department_id = parse_id(request.GET.get("department", ""))
    rows = selectors.faq_list(department_id=department_id)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/home.html",
        {
            "page": page,
            "departments": selectors.askable_departments(),
            "department_id": department_id,
        },
    )


def faq_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.faq_get(request, question_id)
    return render(request, "consult/faq_detail.html", {"question": question})


# --- the asker --------------------------------------------------------------------------------
@login_required
def ask(request: HttpRequest) -> HttpResponse:
    user = require_perm(request, Perm.CONSULT_ASK, target="consult.ask")
    departments = selectors.askable_departments()
    item_code = (request.GET.get("item") or request.POST.get("item") or "").strip()[:40]
    item = (
        Item.objects.select_related("published_version", "department")
        .filter(code=item_code, published_version__isnull=False)
        .first()
        if item_code
        else None
    )
    if request.method != "POST":
        form = QuestionForm(departments=departments, initial={"item": item_code})
        return _ask_page(request, form, item)
    form = QuestionForm(request.POST, departments=departments)
    form.is_valid()
    data = form.cleaned_data
    try:
        question = services.question_ask(
            asker=user,
            title=data.get("title", ""),
            text=data.get("text", ""),
            department_id=data.get("department"),
            item_code=data.get("item") or None,
            consent_publish=bool(data.get("consent_publish")),
        )
    except ConsultInvalid as err:
        errors_onto(form, err)
        return _ask_page(request, form, item, status=400)
    messages.success(
        request,
        _("咨询已提交，%(d)s将在 %(due)s 前答复。")
        % {"d": question.department.name, "due": question.reply_due.isoformat()},
    )
    return redirect("consult:question", question.pk)


def _ask_page(
    request: HttpRequest, form: QuestionForm, item: Item | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "consult/ask.html",
        {"form": form, "item": item, "reply_days": settings.CONSULT_REPLY_DAYS},
        status=status,
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的咨询和投诉: the asker's questions with their replies, the complainant's complaints."""
    return render(
        request,
        "consult/mine.html",
        {
            "questions": selectors.questions_of_asker(request.user)[:100],
            "complaints": selectors.complaints_of(request.user)[:100],
            "may_ask": has_perm(request.user, Perm.CONSULT_ASK),
        },
    )


# --- a question ---------------------------------------------------------------------------------
def _question_context(request: HttpRequest, question: Question, **extra: Any) -> dict[str, Any]:
    user = request.user
    answer = services.may_answer(user, question)
    publish = services.may_publish(user, question)
    return {
        "question": question,
        "is_staff_view": answer or has_perm(user, Perm.SUPERVISE),
        "may_answer": answer,
        "reply_form": extra.pop("reply_form", None)
        or (ReplyForm() if answer and question.status == QuestionStatus.OPEN else None),
        "may_publish": publish
        and question.consent_publish
        and question.status == QuestionStatus.ANSWERED,
        **extra,
    }


@login_required
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(request, question_id)
    return render(request, "consult/question.html", _question_context(request, question))


@login_required
@require_POST
def question_reply(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(request, question_id)
    if not services.may_answer(request.user, question):
        raise deny(request, target=f"consult.question:{question_id}", reason="may not answer")
    form = ReplyForm(request.POST)
    form.is_valid()
    try:
        services.question_reply(
            question=question, actor=_actor(request), reply=form.cleaned_data.get("reply", "")
        )
    except ConsultInvalid as err:
        errors_onto(form, err)
        ctx = _question_context(request, question, reply_form=form)
        return render(request, "consult/question.html", ctx, status=400)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("consult:question", question.pk)
    messages.success(request, _("已答复，咨询人将收到通知。"))
    return redirect("consult:question", question.pk)


@login_required
def question_publish(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(request, question_id)
    if not services.may_publish(request.user, question):
        raise deny(request, target=f"consult.question:{question_id}", reason="may not publish")
    if request.method != "POST":
        if not question.consent_publish or question.status != QuestionStatus.ANSWERED:
            messages.error(
                request,
                _("咨询人未同意公开，该咨询不能作为常见问题公开。")
                if not question.consent_publish
                else _("咨询答复后才能公开为常见问题。"),
            )
            return redirect("consult:question", question.pk)
        initial = (
            {
                "public_title": question.public_title,
                "public_text": question.public_text,
                "public_reply": question.public_reply,
            }
            if question.published
            else services.faq_proposal(question)
        )
        return _publish_page(request, question, PublishForm(initial=initial))
    form = PublishForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.question_publish(
            question=question,
            actor=_actor(request),
            public_title=data.get("public_title", ""),
            public_text=data.get("public_text", ""),
            public_reply=data.get("public_reply", ""),
        )
    except ConsultInvalid as err:
        errors_onto(form, err)
        return _publish_page(request, question, form, status=400)
    except DomainError as err:
        messages.error(request, err.message)
        return redirect("consult:question", question.pk)
    messages.success(request, _("已公开为常见问题。"))
    return redirect("consult:question", question.pk)


def _publish_page(
    request: HttpRequest, question: Question, form: PublishForm, status: int = 200
) -> HttpResponse:
    return render(
        request, "consult/publish.html", {"question": question, "form": form}, status=status
    )


@login_required
@require_POST
def question_unpublish(request: HttpRequest, question_id: int) -> HttpResponse:
    question = selectors.question_get(request, question_id)
    if not services.may_publish(request.user, question):
        raise deny(request, target=f"consult.question:{question_id}", reason="may not publish")
    try:
        services.question_unpublish(question=question, actor=_actor(request))
    except DomainError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("已撤下该常见问题。"))
    return redirect("consult:question", question.pk)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The department's questions (workbench): open ones first, nearest due date first."""
    user = require_perm(request, Perm.CONSULT_ANSWER, target="consult.inbox")
    if not user.department_id:
        raise deny(request, target="consult.inbox", reason="no department")
    status = request.GET.get("status", "")
    rows = selectors.questions_for_department(user, status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/inbox.html",
        {"page": page, "status": status, "statuses": QuestionStatus.choices},
    )


# --- complaints --------------------------------------------------------------------------------
def _complaint_cases(user: Any) -> Any:
    return Case.objects.filter(applicant=user, number__isnull=False).order_by("-pk")[:50]


@login_required
def complaint_new(request: HttpRequest) -> HttpResponse:
    user = require_perm(request, Perm.COMPLAINT_FILE, target="consult.complaint_new")
    options = {"windows": selectors.complainable_windows(), "cases": _complaint_cases(user)}
    if request.method != "POST":
        initial = {"case": parse_id(request.GET.get("case", ""))}
        return _complaint_page(request, ComplaintForm(initial=initial, **options))
    form = ComplaintForm(request.POST, **options)
    form.is_valid()
    data = form.cleaned_data
    try:
        complaint = services.complaint_file(
            complainant=user,
            title=data.get("title", ""),
            text=data.get("text", ""),
            window_id=data.get("window"),
            staff_number=data.get("staff_number") or None,
            case_id=data.get("case"),
        )
    except ConsultInvalid as err:
        errors_onto(form, err)
        return _complaint_page(request, form, status=400)
    messages.success(request, _("投诉已提交，电子监察人员将调查处理并答复您。"))
    return redirect("consult:complaint", complaint.pk)


def _complaint_page(request: HttpRequest, form: ComplaintForm, status: int = 200) -> HttpResponse:
    return render(request, "consult/complaint_new.html", {"form": form}, status=status)


def _complaint_context(complaint: Complaint, handler: bool, **extra: Any) -> dict[str, Any]:
    open_ = complaint.status != ComplaintStatus.CLOSED
    return {
        "complaint": complaint,
        "handler": handler,
        "events": list(complaint.events.select_related("actor")) if handler else [],
        "handle_form": extra.pop("handle_form", None)
        or (HandleForm() if handler and open_ else None),
        "conclude_form": extra.pop("conclude_form", None)
        or (ConcludeForm() if handler and complaint.status == ComplaintStatus.HANDLING else None),
        **extra,
    }


@login_required
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint, handler = selectors.complaint_get(request, complaint_id)
    return render(request, "consult/complaint.html", _complaint_context(complaint, handler))


@login_required
@require_POST
def complaint_act(request: HttpRequest, complaint_id: int, action: str) -> HttpResponse:
    complaint, handler = selectors.complaint_get(request, complaint_id)
    if not handler or action not in ("handle", "conclude"):
        raise deny(request, target=f"consult.complaint:{complaint_id}", reason=f"may not {action}")
    try:
        if action == "handle":
            form: HandleForm | ConcludeForm = HandleForm(request.POST)
            form.is_valid()
            services.complaint_handle(
                complaint=complaint, actor=_actor(request), notes=form.cleaned_data.get("notes", "")
            )
            messages.success(request, _("已记录调查处理情况。"))
        else:
            form = ConcludeForm(request.POST)
            form.is_valid()
            services.complaint_conclude(
                complaint=complaint,
                actor=_actor(request),
                result=form.cleaned_data.get("result", ""),
                reply=form.cleaned_data.get("reply", ""),
            )
            messages.success(request, _("投诉已办结，投诉人将收到答复。"))
    except ConsultInvalid as err:
        errors_onto(form, err)
        key = "handle_form" if action == "handle" else "conclude_form"
        ctx = _complaint_context(complaint, handler, **{key: form})
        return render(request, "consult/complaint.html", ctx, status=400)
    except (ConsultError, ConsultForbidden, DomainError) as err:
        messages.error(request, err.message)
    return redirect("consult:complaint", complaint.pk)


@login_required
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Every complaint, for supervisors (workbench)."""
    require_perm(request, Perm.COMPLAINT_HANDLE, target="consult.complaints")
    status = request.GET.get("status", "")
    rows = selectors.complaints_for_supervisor(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "consult/complaints.html",
        {
            "page": page,
            "status": status,
            "statuses": ComplaintStatus.choices,
            "staff_rows": selectors.staff_with_complaints()[:50],
        },
    )


@login_required
def staff_record(request: HttpRequest, staff_id: int) -> HttpResponse:
    """A staff member's record (个人记录), for supervisors only (docs/rules/consultation.md §K4)."""
    record = selectors.staff_record(request, staff_id)
    return render(request, "consult/record/staff.html", {"record": record})
