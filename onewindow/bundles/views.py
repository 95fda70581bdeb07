"""Theme and bundle pages (docs/rules/bundles.md): the public theme list and detail, the merged
application form, the bundle's progress page with its combined correction notice, and the
comprehensive window's intake and delivery."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.bundles import selectors, services
from onewindow.bundles.errors import BundleInvalid
from onewindow.bundles.models import Bundle
from onewindow.cases.errors import CaseError
from onewindow.cases.fields import FormInvalid
from onewindow.cases.forms import ApplicationForm, token_clean, token_new
from onewindow.cases.models import MaterialStatus
from onewindow.cases.services.intake import MaterialFinding
from onewindow.core.errors import DomainError

ACCEPT = ".pdf,.jpg,.jpeg,.png"


@require_GET
def theme_list(request: HttpRequest) -> HttpResponse:
    """Every published theme by audience and life event (docs/rules/bundles.md §R1)."""
    return render(request, "bundles/theme_list.html", {"groups": selectors.themes_by_life_event()})


@require_GET
def theme_detail(request: HttpRequest, code: str) -> HttpResponse:
    theme = selectors.theme_get_public(request, code)
    items = selectors.theme_items(theme)
    context = {
        "theme": theme,
        "items": items,
        "fields": selectors.merged_fields(items),
        "materials": selectors.merged_materials(items),
    }
    return render(request, "bundles/theme_detail.html", context)


def _conditions(entries: list[Any]) -> dict[str, str]:
    """``data-when`` of each conditional field or material: "key:yes key2:no" (page script)."""
    out = {}
    for entry in entries:
        if entry.conditional:
            key = entry.spec.name if hasattr(entry, "spec") else str(entry.index)
            out[key] = " ".join(
                f"{ti.question.key}:{'yes' if ti.when_yes else 'no'}" for ti in entry.items
            )
    return out


def _raw_values(form: ApplicationForm) -> dict[str, Any]:
    """What the merged form's inputs carry, before any rule (the service judges them)."""
    raw = {}
    for name, field in form.fields.items():
        value = field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
        try:
            raw[name] = field.clean(value)
        except ValidationError:
            raw[name] = value
    return raw


@login_required
@require_http_methods(["GET", "POST"])
def theme_apply(request: HttpRequest, code: str) -> HttpResponse:
    """The merged form: answers, shared fields once, shared materials once (R2–R4)."""
    theme = selectors.theme_get_public(request, code)
    require_perm(request, Perm.CASE_APPLY, target=f"theme:{theme.code}")
    items = selectors.theme_items(theme)
    merged = selectors.merged_fields(items)
    specs = [m.spec for m in merged]
    materials = selectors.merged_materials(items)
    answers: dict[str, str] = {}
    error = ""
    answer_errors: list[str] = []
    form = ApplicationForm(specs=specs)
    token = token_new()
    if request.method == "POST":
        answers = {
            q.key: request.POST.get(f"answer-{q.key}", "") for q in selectors.answers_needed(theme)
        }
        form = ApplicationForm(request.POST, specs=specs)
        token = request.POST.get("token", "")
        uploads = {m.index: request.FILES.getlist(f"material-{m.index}") for m in materials}
        try:
            bundle = services.bundle_submit(
                theme=theme,
                actor=request.user,
                answers=answers,
                form_data=_raw_values(form),
                uploads={k: v for k, v in uploads.items() if v},
                key=token_clean(token),
            )
        except FormInvalid as err:
            form.full_clean()
            form.add_invalid(err)
            error = _("申请表填写有误，请按提示更正。")
        except BundleInvalid as err:
            answer_errors = err.errors.get("answers", [])
            error = "；".join(m for ms in err.errors.values() for m in ms)
        except DomainError as err:
            error = err.message
        else:
            messages.success(
                request,
                _("已提交“%(t)s”，共 %(n)s 个事项，请等待窗口统一受理。")
                % {"t": theme.name, "n": bundle.parts.count()},
            )
            return redirect("bundles:detail", bundle_id=bundle.pk)
    by_name = {m.spec.name: m for m in merged}
    context = {
        "theme": theme,
        "questions": selectors.answers_needed(theme),
        "answers": answers,
        "answer_errors": answer_errors,
        "items": items,
        "rows": [(form[name], by_name[name]) for name in form.fields],
        "field_when": _conditions(merged),
        "materials": materials,
        "material_when": _conditions(materials),
        "token": token,
        "error": error,
        "accept": ACCEPT,
        "max_upload_mb": settings.MAX_UPLOAD_MB,
    }
    return render(request, "bundles/apply.html", context, status=400 if error else 200)


@login_required
@require_GET
def bundle_list(request: HttpRequest) -> HttpResponse:
    user = require_perm(request, Perm.CASE_APPLY, target="bundles.mine")
    views = [selectors.bundle_view(b) for b in selectors.bundles_of_applicant(user)]
    return render(request, "bundles/mine.html", {"views": views})


@login_required
@require_GET
def window_desk(request: HttpRequest) -> HttpResponse:
    """The comprehensive window's bundles awaiting intake or delivery (R5, R8)."""
    user = require_perm(request, Perm.CASE_INTAKE, target="bundles.desk")
    views = [selectors.bundle_view(b) for b in selectors.bundles_at_window(user)]
    return render(request, "bundles/desk.html", {"views": views})


def _page(
    request: HttpRequest, bundle: Bundle, *, error: str = "", status: int = 200
) -> HttpResponse:
    view = selectors.bundle_view(bundle)
    user = request.user
    departments = {row.case.department_id for row in view.rows}
    at_window = any(selectors.window_serves(user, d) for d in departments)
    context = {
        "view": view,
        "bundle": bundle,
        "theme": bundle.theme,
        "is_applicant": user.pk == bundle.applicant_id,
        "may_intake": has_perm(user, Perm.CASE_INTAKE) and at_window and view.waiting_intake > 0,
        "may_deliver": has_perm(user, Perm.CASE_HANDOVER) and at_window and view.deliverable,
        "notices": selectors.correction_notices(bundle, view.correction) if view.correction else [],
        "problems": (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE),
        "error": error,
        "accept": ACCEPT,
    }
    return render(request, "bundles/detail.html", context, status=status)


@login_required
@require_GET
def bundle_detail(request: HttpRequest, bundle_id: int) -> HttpResponse:
    return _page(request, selectors.bundle_get(request, bundle_id))


def _findings(request: HttpRequest, bundle: Bundle) -> dict[int, list[MaterialFinding]]:
    """The clerk's ticked lines: ``problem-<line id>`` (missing/defective) and ``remark-<id>``."""
    findings: dict[int, list[MaterialFinding]] = {}
    for part in bundle.parts.all():
        for line in part.case.materials.all():
            problem = request.POST.get(f"problem-{line.pk}", "")
            if problem in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE):
                remark = request.POST.get(f"remark-{line.pk}", "")
                findings.setdefault(part.case_id, []).append(
                    MaterialFinding(line.pk, problem, remark)
                )
    return findings


@login_required
@require_POST
def bundle_intake(request: HttpRequest, bundle_id: int) -> HttpResponse:
    bundle = selectors.bundle_get(request, bundle_id)
    require_perm(request, Perm.CASE_INTAKE, target=f"bundle:{bundle.pk}")
    try:
        cases = services.bundle_intake(
            bundle=bundle, actor=request.user, findings=_findings(request, bundle)
        )
    except (DomainError, CaseError) as err:
        return _page(request, bundle, error=err.message, status=400)
    messages.success(request, _("已统一受理 %(n)s 个子办件。") % {"n": len(cases)})
    return redirect("bundles:detail", bundle_id=bundle.pk)


@login_required
@require_POST
def bundle_answer(request: HttpRequest, bundle_id: int) -> HttpResponse:
    bundle = selectors.bundle_get(request, bundle_id)
    groups = selectors.correction_groups(bundle)
    uploads = {g.index: request.FILES.getlist(f"correction-{g.index}") for g in groups}
    try:
        services.bundle_correction_answer(bundle=bundle, actor=request.user, uploads=uploads)
    except BundleInvalid as err:
        message = "；".join(m for ms in err.errors.values() for m in ms)
        return _page(request, bundle, error=message, status=400)
    except DomainError as err:
        return _page(request, bundle, error=err.message, status=400)
    messages.success(request, _("补正材料已提交，等待窗口重新受理。"))
    return redirect("bundles:detail", bundle_id=bundle.pk)


@login_required
@require_POST
def bundle_deliver(request: HttpRequest, bundle_id: int) -> HttpResponse:
    bundle = selectors.bundle_get(request, bundle_id)
    require_perm(request, Perm.CASE_HANDOVER, target=f"bundle:{bundle.pk}")
    try:
        cases = services.bundle_deliver(
            bundle=bundle,
            actor=request.user,
            receiver_name=request.POST.get("receiver_name", ""),
            receiver_id_number=request.POST.get("receiver_id_number", ""),
        )
    except DomainError as err:
        return _page(request, bundle, error=err.message, status=400)
    messages.success(request, _("已统一送达 %(n)s 个审批结果。") % {"n": len(cases)})
    return redirect("bundles:detail", bundle_id=bundle.pk)
