"""Window intake pages (docs/product.md §C4): the clerk's queue, the case file with the three intake
decisions, walk-in registration, the 容缺 commitments ledger, and notice and file downloads.

Views are thin: a selector fetches and checks access (a clerk of another department gets a
logged 404), a form parses the input, a service decides. A refused decision shows the service's
message and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases import fields as form_fields
from onewindow.cases import notices, selectors, services
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.events import event_label
from onewindow.cases.forms.intake import (
    AcceptForm,
    CorrectionForm,
    FeeForm,
    FulfilForm,
    RejectForm,
    WalkInForm,
)
from onewindow.cases.identity import identity_shown
from onewindow.cases.models import Case, CaseStatus, Commitment
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.services.fees import CHARGEABLE, fee_is_off_list
from onewindow.cases.window_tabs import tab_bar
from onewindow.catalog import deadlines
from onewindow.catalog.delegation import checklist_materials, committed_days_for
from onewindow.core import clock
from onewindow.core.access import deny
from onewindow.core.pagination import keyset_page_html

STALE = gettext_lazy(
    "该办件在您打开页面后已发生变化（例如申请人已撤回、重新提交或他人已处理），请查看最新情况后再操作。"
)


def _clerk(request: HttpRequest) -> Any:
    """The signed-in intake clerk (or chief representative); anyone else gets a logged 404."""
    return require_perm(request, Perm.CASE_INTAKE, target="intake")


# --- queue ------------------------------------------------------------------------------------
QUEUE_PAGE = 50
SORTS = {"due": gettext_lazy("按受理期限"), "submitted": gettext_lazy("按提交时间")}


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Submitted cases of the clerk's department, nearest intake deadline first (default)."""
    user = _clerk(request)
    sort = request.GET.get("sort", "due")
    if sort not in SORTS:
        sort = "due"
    cases, ordering = (
        (selectors.intake_queue(user), selectors.INTAKE_ORDER)
        if sort == "due"
        else (selectors.intake_queue_by_submission(user), selectors.INTAKE_ORDER_BY_SUBMISSION)
    )
    # docs/rules/scale.md §Y2: a department's queue can hold thousands: pages by cursor.
    page = keyset_page_html(cases, ordering, cursor=request.GET.get("cursor"), size=QUEUE_PAGE)
    today = clock.today()
    rows = [
        (case, selectors.due_state(case.intake_due, today=today) if case.intake_due else None)
        for case in page.rows
    ]
    return render(
        request,
        "cases/intake/queue.html",
        {
            "tab": "queue",
            "rows": rows,
            "page": page,
            "sort": sort,
            "sorts": SORTS,
            **tab_bar(user),
            "today": today,
        },
    )


@login_required
@require_GET
def corrections(request: HttpRequest) -> HttpResponse:
    """Cases waiting for the applicant's corrected materials (after a 补正告知)."""
    user = _clerk(request)
    return render(
        request,
        "cases/intake/corrections.html",
        {
            "tab": "corrections",
            "cases": selectors.corrections_pending(user),
            **tab_bar(user),
        },
    )


# --- the case file and the decisions ----------------------------------------------------------


def _latest_due(case: Case) -> Any:
    """G2: the supplement is due no later than the committed limit counted from the acceptance
    date an acceptance today would get (never before receipt, A2)."""
    version = case.item_version
    return deadlines.decision_dates(
        deadlines.acceptance_date(case.received_on, clock.today()),
        committed_days=committed_days_for(version, case.department),
        statutory_days=version.statutory_days,
    ).decision_due


def _forms(request: HttpRequest, case: Case, lines: list[Any], data: Any = None) -> dict[str, Any]:
    non_core = [line for line in lines if not line.material.is_core]
    return {
        "accept_form": AcceptForm(data, case=case, lines=non_core, latest_due=_latest_due(case)),
        "correction_form": CorrectionForm(data, case=case, lines=lines, request=request),
        "reject_form": RejectForm(data, case=case),
    }


def _form_rows(case: Case) -> list[tuple[str, str]]:
    specs = form_fields.fields_for(case.item_version)
    known = {spec.name for spec in specs}
    rows = [
        (spec.label, form_fields.display(spec, case.form_data.get(spec.name))) for spec in specs
    ]
    rows += [(str(key), str(value)) for key, value in case.form_data.items() if key not in known]
    return [(label, value) for label, value in rows if value]


def _status_label(status: str) -> str:
    return str(CaseStatus(status).label) if status in CaseStatus.values else status


def render_case(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    error: str = "",
    **bound: forms.Form,
) -> HttpResponse:
    lines = list(application_selectors.case_lines(case))
    forms = {**_forms(request, case, lines), **bound}
    status_value = CaseStatus(case.status)
    context = {
        "case": case,
        "identity_visible": identity_shown(request, case),
        "lines": lines,
        "form_rows": _form_rows(case),
        "events": [
            (
                event,
                event_label(event.action),
                _status_label(event.old_status),
                _status_label(event.new_status),
            )
            for event in selectors.case_history(case)
        ],
        "appeal_rights": services.APPEAL_RIGHTS,
        "notices": case.notices.order_by("issued_at", "pk"),
        "flags": case.flags.all(),
        "commitments": case.commitments.select_related("material"),
        "due": (
            selectors.due_state(case.intake_due)
            if case.intake_due and status_value == CaseStatus.SUBMITTED
            else None
        ),
        **fee_context(case, bound.get("fee_form")),
        "can_accept": status_value == CaseStatus.SUBMITTED,
        "can_reject": status_value in (CaseStatus.SUBMITTED, CaseStatus.CORRECTION),
        "tolerance_limit": selectors.tolerance_limit(case.item_version),
        "error": error,
        **tab_bar(request.user),
        **forms,
    }
    return render(request, "cases/intake/case.html", context, status=status)


@login_required
@require_GET
def case_page(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_clerk(request, case_id=case_id)
    return render_case(request, case)


FORM_TITLES = {
    "accept_form": gettext_lazy("受理"),
    "correction_form": gettext_lazy("补正告知"),
    "reject_form": gettext_lazy("不予受理"),
}


def _decide(
    request: HttpRequest,
    case_id: int,
    *,
    form_key: str,
    act: Callable[[Case, Any], str],
) -> HttpResponse:
    """Validate the posted decision form, call the service, report the outcome."""
    case = selectors.case_get_for_clerk(request, case_id=case_id)
    lines = list(application_selectors.case_lines(case))
    form = _forms(request, case, lines, request.POST)[form_key]
    if not form.is_valid():
        error = _("未能提交，请按“%(form)s”中的提示更正。") % {"form": FORM_TITLES[form_key]}
        return render_case(request, case, status=400, error=error, **{form_key: form})
    if form.stale():
        form.add_error(None, str(STALE))
        return render_case(request, case, status=409, error=str(STALE), **{form_key: form})
    try:
        done = act(case, form)
    except CaseError as exc:
        case.refresh_from_db()  # the service rolled back; show the case as it is
        form.add_error(None, exc.message)
        status = 409 if isinstance(exc, ConcurrentChange) else 400
        return render_case(request, case, status=status, error=exc.message, **{form_key: form})
    messages.success(request, done)
    return redirect("cases:intake_case", case_id=case.pk)


@login_required
@require_POST
def accept(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(case: Case, form: AcceptForm) -> str:
        services.case_accept(
            case=case,
            actor=request.user,
            tolerated_material_ids=form.tolerated_ids(),
            commitment_due=form.due(),
        )
        if form.tolerated_ids():
            return _("已容缺受理，容缺受理通知书已生成；补齐期限已记入承诺台账。")
        return _("已受理，受理通知书已生成。")

    return _decide(request, case_id, form_key="accept_form", act=act)


@sensitive_post_parameters("signer_password")
@login_required
@require_POST
def correction(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(case: Case, form: CorrectionForm) -> str:
        services.case_request_correction(
            case=case,
            actor=request.user,
            findings=form.findings(),
            sign_off_by=form.signer,
            sign_off_reason=form.cleaned_data.get("sign_off_reason", ""),
        )
        return _("已出具补正材料通知书（一次性告知），办件等待申请人补正。")

    return _decide(request, case_id, form_key="correction_form", act=act)


@login_required
@require_POST
def reject(request: HttpRequest, case_id: int) -> HttpResponse:
    def act(case: Case, form: RejectForm) -> str:
        services.case_reject(
            case=case,
            actor=request.user,
            reasons=form.cleaned_data["reasons"],
            competent_agency=form.cleaned_data["competent_agency"],
        )
        return _("已作出不予受理决定，不予受理决定书已生成。")

    return _decide(request, case_id, form_key="reject_form", act=act)


# --- downloads --------------------------------------------------------------------------------


@login_required
@require_GET
def case_file(request: HttpRequest, case_id: int, file_id: int) -> FileResponse:
    """A material file of a case the user may read, always as an attachment."""
    case = selectors.case_get_for_reader(request, case_id=case_id)
    attached = application_selectors.case_file_get(request, case=case, file_id=file_id)
    stored = attached.stored
    response = FileResponse(
        default_storage.open(stored.path, "rb"),
        as_attachment=True,
        filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def notice_pdf(request: HttpRequest, case_id: int, notice_id: int) -> HttpResponse:
    """A notice as PDF, for the applicant or agent and for staff with read access."""
    notice = selectors.notice_get_for_reader(request, case_id=case_id, notice_id=notice_id)
    return notices.notice_response(notice, request)


# --- 容缺 commitments ledger ------------------------------------------------------------------


def _render_commitments(
    request: HttpRequest, user: Any, *, error: str = "", error_for: int = 0, status: int = 200
) -> HttpResponse:
    today = clock.today()
    rows = [
        (
            commitment,
            selectors.due_state(commitment.due_on, today=today) if commitment.due_on else None,
        )
        for commitment in selectors.commitments_open_for_department(user)
    ]
    return render(
        request,
        "cases/intake/commitments.html",
        {
            "tab": "commitments",
            "rows": rows,
            "error": error,
            "error_for": error_for,
            "form": FulfilForm(),
            **tab_bar(user),
        },
        status=status,
    )


@login_required
@require_GET
def commitments(request: HttpRequest) -> HttpResponse:
    """Open 容缺 commitments of the department with their due dates, overdue ones highlighted."""
    return _render_commitments(request, _clerk(request))


@login_required
@require_POST
def commitment_fulfil(request: HttpRequest, commitment_id: int) -> HttpResponse:
    """The applicant brought the tolerated material: record the file, close the commitment."""
    user = _clerk(request)
    commitment: Commitment = selectors.commitment_get_for_clerk(
        request, commitment_id=commitment_id
    )
    form = FulfilForm(request.POST, request.FILES)
    if not form.is_valid():
        message = " ".join(str(e) for e in form.errors.get("file", [])) or _("请选择文件。")
        return _render_commitments(
            request, user, error=message, error_for=commitment.pk, status=400
        )
    try:
        services.commitment_fulfil(
            commitment=commitment, actor=user, upload=form.cleaned_data["file"]
        )
    except CaseError as exc:
        status = 409 if isinstance(exc, ConcurrentChange) else 400
        return _render_commitments(
            request, user, error=exc.message, error_for=commitment.pk, status=status
        )
    material = commitment.material.name if commitment.material else ""
    messages.success(
        request,
        _("办件 %(n)s 的容缺材料“%(m)s”已登记补齐。")
        % {"n": commitment.case.number, "m": material},
    )
    return redirect("cases:intake_commitments")


# --- walk-in registration ---------------------------------------------------------------------


@login_required
@require_GET
def walk_in_items(request: HttpRequest) -> HttpResponse:
    """Step 1 of a walk-in: pick the item (published items of the clerk's department)."""
    user = _clerk(request)
    query = request.GET.get("q", "").strip()[:100]
    versions = selectors.walk_in_items(user)
    if query:
        versions = versions.filter(Q(name__icontains=query) | Q(item__code__icontains=query))
    return render(
        request,
        "cases/intake/walk_in_items.html",
        {"tab": "walk_in", "versions": versions, "query": query, **tab_bar(user)},
    )


def _walk_in_version(request: HttpRequest, user: Any, version_id: int) -> Any:
    version = selectors.walk_in_items(user).filter(pk=version_id).first()
    if version is None:
        raise deny(
            request, target=f"itemversion:{version_id}", reason="not a walk-in item of the clerk"
        )
    return version


@sensitive_post_parameters()
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def walk_in(request: HttpRequest, version_id: int) -> HttpResponse:
    """Step 2: the applicant, the form and the scanned materials; submitting creates the case."""
    user = _clerk(request)
    version = _walk_in_version(request, user, version_id)
    specs = form_fields.fields_for(version)
    regions = application_selectors.implementing_regions(version)
    # docs/rules/delegation.md §V5: a district bureau's clerk registers against its own list.
    materials = checklist_materials(version, user.department.region_id if user.department else None)
    if request.method == "GET":
        form = WalkInForm(
            initial={"idempotency_key": uuid.uuid4().hex, "region": regions.first()},
            specs=specs,
            regions=regions,
        )
        return _render_walk_in(request, version, form, materials)
    if request.POST.get("action") == "lookup":
        # Only the look-up: show what was typed again, without judging the unfinished form.
        typed = WalkInForm(initial=request.POST.dict(), specs=specs, regions=regions)
        return _render_walk_in(request, version, typed, materials, lookup=_lookup(request))
    form = WalkInForm(request.POST, specs=specs, regions=regions)
    if not form.is_valid():
        return _render_walk_in(request, version, form, materials, status=400)
    files = {
        material.pk: uploads
        for material in materials
        if (uploads := request.FILES.getlist(f"material_{material.pk}"))
    }
    try:
        case = services.case_register_walk_in(
            item_version=version,
            region=form.cleaned_data["region"],
            clerk=user,
            applicant=form.applicant(),
            form_data=form.form_data,
            files=files,
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except ValidationError as exc:
        form.set_service_errors(exc)
        return _render_walk_in(request, version, form, materials, status=400)
    except CaseError as exc:
        form.add_error(None, exc.message)
        return _render_walk_in(request, version, form, materials, status=400)
    messages.success(
        request,
        _("已登记并提交。办件编号 %(n)s，查询码 %(c)s，请告知申请人。现在可以作出受理决定。")
        % {"n": case.number, "c": case.query_code},
    )
    return redirect("cases:intake_case", case_id=case.pk)


def _lookup(request: HttpRequest) -> dict[str, Any]:
    kind = request.POST.get("applicant_kind", ApplicantKind.PERSON)
    number = request.POST.get("id_number" if kind == ApplicantKind.PERSON else "credit_code", "")
    return {"number": number.strip(), "found": selectors.applicant_find(kind=kind, number=number)}


def _render_walk_in(
    request: HttpRequest,
    version: Any,
    form: WalkInForm,
    materials: list[Any],
    *,
    lookup: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "cases/intake/walk_in.html",
        {
            "tab": "walk_in",
            "version": version,
            "form": form,
            "materials": materials,
            "lookup": lookup,
            "files_posted": bool(request.FILES),
            "tolerance_limit": selectors.tolerance_limit(version),
            **tab_bar(request.user),
        },
        status=status,
    )


def fee_context(case: Case, form: Any = None) -> dict[str, Any]:
    """The fee ledger part of the case page (收费登记): what was charged, whether each charge is
    on the item's fee list, and the form while the case can still be charged."""
    records = list(case.fees.select_related("fee", "recorded_by"))
    chargeable = case.status in CHARGEABLE
    return {
        "fee_records": [(record, fee_is_off_list(record)) for record in records],
        "fee_total": sum((record.amount for record in records), Decimal("0")),
        "fee_form": form or (FeeForm(case=case) if chargeable else None),
        "fee_list_empty": not case.item_version.fees.exists(),
    }


urlpatterns = [
    path("intake/", queue, name="intake_queue"),
    path("intake/corrections/", corrections, name="intake_corrections"),
    path("intake/commitments/", commitments, name="intake_commitments"),
    path(
        "intake/commitments/<id:commitment_id>/fulfil/",
        commitment_fulfil,
        name="intake_commitment_fulfil",
    ),
    path("intake/new/", walk_in_items, name="intake_walk_in"),
    path("intake/new/<id:version_id>/", walk_in, name="intake_walk_in_form"),
    path("intake/<id:case_id>/", case_page, name="intake_case"),
    path("intake/<id:case_id>/accept/", accept, name="intake_accept"),
    path("intake/<id:case_id>/correction/", correction, name="intake_correction"),
    path("intake/<id:case_id>/reject/", reject, name="intake_reject"),
    path("intake/<id:case_id>/files/<id:file_id>/", case_file, name="intake_file"),
    path("cases/<id:case_id>/notices/<id:notice_id>.pdf", notice_pdf, name="notice_pdf"),
]
