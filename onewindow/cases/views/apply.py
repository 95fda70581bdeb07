"""Online application pages (网上申报, docs/product.md §C3; 告知承诺制, docs/rules/licensing.md §G1).

Thin views: selectors fetch and check access (another user's case is a logged 404), forms parse
input, services decide and write. A refused action re-renders the page with the reason and
leaves the case as it was.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.audit.access import ORDER as ACCESS_ORDER
from onewindow.audit.access import case_accesses, public_row
from onewindow.cases import fields as form_fields
from onewindow.cases import forms, selectors, services
from onewindow.cases.errors import CaseError
from onewindow.cases.fields import FormInvalid
from onewindow.cases.models import WITHDRAWABLE, Case, CaseStatus, MaterialStatus
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.trail import agent_steps
from onewindow.catalog.delegation import district_guides
from onewindow.catalog.selectors import guide_search, published_guide
from onewindow.core import clock
from onewindow.core.pagination import keyset_page_html

ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
HOME_ITEMS = 20
HOME_CASES = 50


def _require_applicant(request: HttpRequest) -> None:
    if not has_perm(request.user, Perm.CASE_APPLY):
        raise PermissionDenied(_("只有申请人或代办员可以网上申报。"))


# --- start ------------------------------------------------------------------------------------


@login_required
@require_GET
def apply_home(request: HttpRequest) -> HttpResponse:
    """网上申报: find an item to apply for; the user's drafts and cases needing them."""
    _require_applicant(request)
    query = request.GET.get("q", "").strip()[:100]
    cases = list(application_selectors.applicant_cases(request.user)[:HOME_CASES])
    context = {
        "query": query,
        "items": guide_search(query=query)[:HOME_ITEMS],
        "rows": [(case, application_selectors.applicant_action(case)) for case in cases],
    }
    return render(request, "cases/apply/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply_start(request: HttpRequest, code: str) -> HttpResponse:
    """Start from a guide: choose the region (and, for agents, the mandating applicant)."""
    _require_applicant(request)
    version = published_guide(code=code[:40])
    if version is None:
        raise Http404(_("没有找到该事项，或该事项暂不能网上申报。"))
    user: Any = request.user
    applicants = None
    if has_perm(user, Perm.CASE_APPLY_FOR_OTHERS):
        applicants = selectors.mandating_applicants(
            agent=user, item_id=version.item_id, today=clock.today()
        )
    form = forms.StartForm(
        request.POST or None,
        regions=application_selectors.implementing_regions(version),
        applicants=applicants,
        commitment_allowed=version.commitment_allowed,
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.application_start(
                item_version=version,
                actor=user,
                region=form.cleaned_data["region"],
                applicant=form.cleaned_data.get("applicant"),
                route=form.cleaned_data.get("route") or "standard",
            )
        except CaseError as err:
            form.add_error(None, err.message)
        else:
            messages.success(request, _("申请草稿已创建，请填写申请表并上传材料。"))
            return redirect("cases:application", case_id=case.pk)
    context = {
        "version": version,
        "form": form,
        # docs/rules/delegation.md §V5: the region chosen decides the list the draft gets.
        "district_guides": district_guides(version),
        "is_agent": applicants is not None,
        "no_mandate": applicants is not None and not applicants.exists(),
        "statement": application_selectors.commitment_statement(version)
        if version.commitment_allowed
        else None,
    }
    return render(request, "cases/apply/start.html", context)


# --- the application page ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, case_id: int) -> HttpResponse:
    """The application: form and materials while editable, otherwise what was filed."""
    case = selectors.case_get_for_applicant(request, case_id=case_id)
    if request.method == "POST":
        return _application_post(request, case)
    return _application_page(request, case)


def _application_page(
    request: HttpRequest,
    case: Case,
    *,
    page_forms: forms.ApplicationForms | None = None,
    token: str = "",
    error: str = "",
) -> HttpResponse:
    case.refresh_from_db()
    version = case.item_version
    specs = form_fields.fields_for(version)
    editable = case.status in (CaseStatus.DRAFT, CaseStatus.CORRECTION)
    page_forms = page_forms or forms.ApplicationForms.for_case(case, specs)
    correction = case.corrections.select_related("notice").order_by("-sequence").first()
    lines = list(application_selectors.case_lines(case))
    choices = application_selectors.reuse_choices(case, lines) if editable else {}
    for line in lines:  # each upload widget's "使用已有材料" (materials.html)
        setattr(line, "reuse", choices.get(line.pk))  # noqa: B010 (not a model field)
    context = {
        "case": case,
        "version": version,
        "form": page_forms.application,
        "route_form": page_forms.route,
        "commitment_form": page_forms.commitment,
        "page_forms": [f for f in page_forms.members() if f is not None],
        "statement": application_selectors.commitment_statement(version)
        if version.commitment_allowed
        else None,
        "values": [
            (spec, form_fields.display(spec, case.form_data.get(spec.name))) for spec in specs
        ],
        "lines": lines,
        "correction": correction if case.status == CaseStatus.CORRECTION else None,
        "flagged": (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE),
        "draft": case.status == CaseStatus.DRAFT,
        "editable": editable,
        "withdrawable": case.status in WITHDRAWABLE,
        "agent_steps": agent_steps(case),
        # docs/rules/audit.md §Z11: who viewed the case (units and roles, no staff names)
        "accesses": [public_row(a) for a in case_accesses(case.pk)[:ACCESSES_SHOWN]]
        if case.status != CaseStatus.DRAFT
        else [],
        "token": token or forms.token_new(),
        "error": error,
        "accept": ACCEPT,
        "max_upload_mb": settings.MAX_UPLOAD_MB,
    }
    return render(request, "cases/apply/application.html", context)


def _application_post(request: HttpRequest, case: Case) -> HttpResponse:
    action = request.POST.get("action", "")
    token = request.POST.get("token", "")
    if action not in ("save", "submit", "resubmit"):
        return _application_page(request, case, error=_("请求无效，请刷新页面后重试。"))
    specs = form_fields.fields_for(case.item_version)
    page_forms = forms.ApplicationForms.for_case(
        case, specs, request.POST, complete=action == "submit"
    )
    again = partial(_application_page, request, case, page_forms=page_forms, token=token)
    if not page_forms.is_valid():
        return again(error=_("申请表填写有误，请按提示更正。"))
    try:
        changes = _changes(request, case, page_forms)
        if action == "save":
            saved = services.application_save(case=case, actor=request.user, changes=changes)
            return _saved(request, saved)
        submission = services.application_save_and_send(
            case=case,
            actor=request.user,
            changes=changes,
            idempotency_key=forms.token_clean(token),
            commitment=page_forms.signature(),
            resubmit=action == "resubmit",
        )
    except FormInvalid as err:
        if page_forms.application is not None:
            page_forms.application.add_invalid(err)
        error = _("申请表尚未填写完整，请按提示补充后再提交。")
        return again(error=error)
    except CaseError as err:
        return again(error=err.message)
    return redirect("cases:apply_done", case_id=submission.case.pk)


def _changes(
    request: HttpRequest, case: Case, page_forms: forms.ApplicationForms
) -> services.ApplicationChanges:
    line_ids = list(case.materials.values_list("pk", flat=True))
    uploads, reuse = forms.materials_from_post(request, line_ids)
    application, route = page_forms.application, page_forms.route
    return services.ApplicationChanges(
        form_data=application.form_data if application is not None else None,
        route=route.cleaned_data["route"] if route is not None else None,
        uploads=uploads,
        reuse=reuse,
    )


def _saved(request: HttpRequest, result: services.SaveResult) -> HttpResponse:
    text = _("已保存。")
    if result.attached:
        text += ngettext("新增 %(n)d 个材料文件。", "新增 %(n)d 个材料文件。", result.attached) % {
            "n": result.attached
        }
    if result.duplicates:
        text += _("以下文件与该材料已有的文件完全相同，未重复保存：%(names)s。") % {
            "names": "、".join(result.duplicates)
        }
    messages.success(request, text)
    return redirect("cases:application", case_id=result.case.pk)


@login_required
@require_GET
def apply_done(request: HttpRequest, case_id: int) -> HttpResponse:
    """After submission: the case number and the query code for the progress page."""
    case = selectors.case_get_for_applicant(request, case_id=case_id)
    if case.status == CaseStatus.DRAFT:
        return redirect("cases:application", case_id=case.pk)
    context = {
        "case": case,
        "commitment": case.notices.filter(kind="commitment").first(),
        "resubmitted": case.corrections.filter(answered_at__isnull=False).exists()
        and case.status == CaseStatus.SUBMITTED,
    }
    return render(request, "cases/apply/done.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def apply_withdraw(request: HttpRequest, case_id: int) -> HttpResponse:
    """Withdraw before a decision: a confirmation page, then a POST with an optional reason."""
    case = selectors.case_get_for_applicant(request, case_id=case_id)
    form = forms.WithdrawForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(
                case=case, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except CaseError as err:
            error = err.message
        else:
            messages.success(request, _("申请已撤回。"))
            return redirect("cases:application", case_id=case.pk)
    context = {
        "case": case,
        "form": form,
        "error": error,
        "withdrawable": case.status in WITHDRAWABLE,
    }
    return render(request, "cases/apply/withdraw.html", context)


# --- files ------------------------------------------------------------------------------------


@login_required
@require_GET
def case_file(request: HttpRequest, case_id: int, file_id: int) -> FileResponse:
    """A material file, always as an attachment, for whoever may read the case."""
    case = application_selectors.case_get_with_files(request, case_id=case_id)
    attached = application_selectors.case_file_get(request, case=case, file_id=file_id)
    stored = attached.stored
    try:
        handle = default_storage.open(stored.path, "rb")
    except FileNotFoundError:
        raise Http404(_("文件已不存在。")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )


@login_required
@require_POST
def case_file_remove(request: HttpRequest, case_id: int, file_id: int) -> HttpResponse:
    case = selectors.case_get_for_applicant(request, case_id=case_id)
    attached = application_selectors.case_file_get(request, case=case, file_id=file_id)
    try:
        services.application_file_remove(case=case, case_file=attached, actor=request.user)
    except CaseError as err:
        messages.error(request, err.message)
    else:
        messages.success(request, _("已删除文件“%(n)s”。") % {"n": attached.stored.original_name})
    return redirect("cases:application", case_id=case.pk)


# The latest staff views shown on the application page; the rest on the accesses page.
ACCESSES_SHOWN = 5


@login_required
@require_GET
def accesses(request: HttpRequest, case_id: int) -> HttpResponse:
    """谁查看过我的办件: every staff view of the applicant's case, newest first, by cursor
    (docs/rules/audit.md §Z11): when, which unit, which role, what; never a staff name."""
    case = selectors.case_get_for_applicant(request, case_id=case_id)
    page = keyset_page_html(
        case_accesses(case.pk), ACCESS_ORDER, cursor=request.GET.get("cursor"), size=50
    )
    rows = [public_row(access) for access in page.rows]
    return render(request, "cases/apply/accesses.html", {"case": case, "page": page, "rows": rows})


urlpatterns: list[URLPattern] = [
    path("apply/", apply_home, name="apply_home"),
    path("apply/<str:code>/", apply_start, name="apply_start"),
    path("cases/<id:case_id>/application/", application, name="application"),
    path("cases/<id:case_id>/submitted/", apply_done, name="apply_done"),
    path("cases/<id:case_id>/withdraw/", apply_withdraw, name="apply_withdraw"),
    path("cases/<id:case_id>/accesses/", accesses, name="accesses"),
    path("cases/<id:case_id>/files/<id:file_id>/", case_file, name="case_file"),
    path(
        "cases/<id:case_id>/files/<id:file_id>/remove/",
        case_file_remove,
        name="case_file_remove",
    ),
]
