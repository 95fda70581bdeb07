"""The delegation pages (docs/product.md §C1; docs/rules/delegation.md §V3–§V7): the community
point's 代收, the region administrator's implementation list, and the drift monitor.

Thin views: a selector reads and checks access (another region's row is a logged 404), the
catalog's or this app's services decide; a refusal shows its message and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.roles import Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.cases import fields as form_fields
from onewindow.cases.errors import CaseError
from onewindow.cases.forms.intake import WalkInForm
from onewindow.catalog import delegation
from onewindow.catalog.models import Item, ItemVersion, Region
from onewindow.core.access import deny
from onewindow.core.errors import DomainError
from onewindow.core.export import export_response
from onewindow.delegation import selectors
from onewindow.delegation.services import PointRefused, point_receive, point_receive_check
from onewindow.lib.export import ExportColumn


# --- community points (V3) --------------------------------------------------------------------
def _point(request: HttpRequest) -> Region:
    require_perm(request, Perm.POINT_RECEIVE)
    point = selectors.point_of(request.user)
    if point is None:
        raise deny(request, target="delegation:point", reason="no community point")
    return point


@login_required
@require_GET
def point_home(request: HttpRequest) -> HttpResponse:
    """The point's list of items it may receive, and the applications it received."""
    point = _point(request)
    return render(
        request,
        "delegation/point_home.html",
        {
            "point": point,
            "versions": selectors.point_items(point),
            "cases": selectors.point_cases(point)[:50],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_receive_page(request: HttpRequest, version_id: int) -> HttpResponse:
    """Receive an application (代收); an item not on the point's list is refused (400)."""
    point = _point(request)
    version = ItemVersion.objects.select_related("item").filter(pk=version_id).first()
    if version is None:
        raise deny(request, target=f"itemversion:{version_id}", reason="no such item version")
    try:
        point_receive_check(point=point, staff=request.user, item_version=version)
    except PointRefused as exc:
        return render(
            request,
            "delegation/point_refused.html",
            {"point": point, "version": version, "message": exc.message},
            status=400,
        )
    specs = form_fields.fields_for(version)
    regions = Region.objects.filter(pk=point.pk)
    # docs/rules/delegation.md §V5: the list of the department the point hands the case on to.
    materials = delegation.checklist_materials(
        version, delegation.checklist_region_id(version=version, region=point)
    )
    if request.method == "GET":
        form = WalkInForm(
            initial={"idempotency_key": uuid.uuid4().hex, "region": point},
            specs=specs,
            regions=regions,
        )
        return _render_receive(request, point, version, form, materials)
    form = WalkInForm(request.POST, specs=specs, regions=regions)
    if not form.is_valid():
        return _render_receive(request, point, version, form, materials, status=400)
    files = {
        m.pk: uploads for m in materials if (uploads := request.FILES.getlist(f"material_{m.pk}"))
    }
    try:
        case = point_receive(
            point=point,
            staff=request.user,
            item_version=version,
            applicant=form.applicant(),
            form_data=form.form_data,
            files=files,
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except ValidationError as exc:
        form.set_service_errors(exc)
        return _render_receive(request, point, version, form, materials, status=400)
    except (CaseError, DomainError) as exc:
        form.add_error(None, exc.message)
        return _render_receive(request, point, version, form, materials, status=400)
    messages.success(
        request,
        _("已代收并转%(d)s受理。办件编号 %(n)s，查询码 %(c)s，请告知申请人。")
        % {"d": case.department.name, "n": case.number, "c": case.query_code},
    )
    return redirect("delegation:point_home")


def _render_receive(
    request: HttpRequest,
    point: Region,
    version: ItemVersion,
    form: WalkInForm,
    materials: list[Any],
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "delegation/point_receive.html",
        {"point": point, "version": version, "form": form, "materials": materials},
        status=status,
    )


# --- implementation lists (V4, V5) --------------------------------------------------------------
def _manager(request: HttpRequest) -> Any:
    user = request.user
    if not (
        has_perm(user, Perm.IMPLEMENTATION_EDIT) or has_perm(user, Perm.IMPLEMENTATION_EDIT_ALL)
    ):
        raise deny(request, target="delegation:implementations", reason="not a region manager")
    return user


@login_required
@require_GET
def implementations(request: HttpRequest) -> HttpResponse:
    """The implementation lists of the regions the user manages, filtered by region."""
    user = _manager(request)
    rows = delegation.managed_implementations(user)
    region = None
    code = request.GET.get("region", "").strip()
    if code:
        region = selectors.region_get_for_manager(request, code=code)
        rows = rows.filter(region=region)
    regions = delegation.managed_regions(user).order_by("sort", "code")
    return render(
        request,
        "delegation/implementations.html",
        {
            "rows": rows[:500],
            "region": region,
            "regions": regions,
            "addable": selectors.addable_versions(region) if region else None,
        },
    )


@login_required
@require_POST
def implementation_add_page(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    region = selectors.region_get_for_manager(request, code=request.POST.get("region", ""))
    item_id = _int(request.POST.get("item"))
    item = Item.objects.filter(pk=item_id).first() if item_id is not None else None
    if item is None:
        messages.error(request, _("请选择要纳入清单的事项。"))
    else:
        try:
            delegation.implementation_add(
                region=region, item=item, actor=user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已纳入“%(r)s”的实施清单。") % {"r": region.name})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(f"{_url('delegation:implementations')}?region={region.code}")


def _int(raw: Any) -> int | None:
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _url(name: str, **kwargs: Any) -> str:
    return reverse(name, kwargs=kwargs or None)


class DeviationForm(forms.Form):
    committed_days = forms.IntegerField(
        label=gettext_lazy("本区域承诺时限（工作日）"),
        required=False,
        min_value=0,
        max_value=999,
        help_text=gettext_lazy("留空：与市级相同。"),
    )
    extra_materials = forms.CharField(
        label=gettext_lazy("增加的材料（每行一项）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("法律依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("时限长于市级、增加材料或收费高于市级标准时必填。"),
    )
    reason = forms.CharField(
        label=gettext_lazy("修改理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )


def _edit_context(row: Any, form: DeviationForm, fees: list[dict[str, Any]]) -> dict[str, Any]:
    version = row.item.published_version
    return {
        "row": row,
        "version": version,
        "form": form,
        "fees": fees,
        "materials": list(version.materials.all()) if version else [],
        "omitted": set(row.omitted_materials or []),
        "history": selectors.implementation_history(row)[:50],
        "drift": delegation.drift_lines(row, version) if version else [],
    }


def _fee_rows(row: Any, posted: Any = None) -> list[dict[str, Any]]:
    version = row.item.published_version
    fees = list(version.fees.all()) if version else []
    return [
        {
            "n": n,
            "name": f.name,
            "city": f.amount,
            "value": posted.get(f"fee_{n}", "")
            if posted is not None
            else (row.fee_amounts or {}).get(f.name, ""),
        }
        for n, f in enumerate(fees)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def implementation_edit(request: HttpRequest, implementation_id: int) -> HttpResponse:
    """One implementation: the city's guide beside the region's deviations, and its record."""
    user = _manager(request)
    row = selectors.implementation_get_for_manager(request, implementation_id=implementation_id)
    if request.method == "GET":
        form = DeviationForm(
            initial={
                "committed_days": row.committed_days,
                "extra_materials": "\n".join(row.extra_materials or []),
                "legal_basis": row.legal_basis,
            }
        )
        return render(
            request, "delegation/implementation.html", _edit_context(row, form, _fee_rows(row))
        )
    form = DeviationForm(request.POST)
    fees = _fee_rows(row, request.POST)
    if not form.is_valid():
        return render(
            request, "delegation/implementation.html", _edit_context(row, form, fees), status=400
        )
    data = form.cleaned_data
    wanted = delegation.Deviations(
        committed_days=data["committed_days"],
        fee_amounts={f["name"]: f["value"] for f in fees if str(f["value"]).strip()},
        extra_materials=data["extra_materials"].splitlines(),
        omitted_materials=request.POST.getlist("omitted"),
        legal_basis=data["legal_basis"],
        reason=data["reason"],
    )
    try:
        delegation.implementation_update(implementation=row, actor=user, wanted=wanted)
    except delegation.DeviationRefused as exc:
        for reason in exc.reasons:
            form.add_error(None, reason)
        return render(
            request, "delegation/implementation.html", _edit_context(row, form, fees), status=400
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render(
            request, "delegation/implementation.html", _edit_context(row, form, fees), status=400
        )
    messages.success(request, _("已保存，修改已记录。"))
    return redirect("delegation:implementation", implementation_id=row.pk)


@login_required
@require_POST
def implementation_remove_page(request: HttpRequest, implementation_id: int) -> HttpResponse:
    user = _manager(request)
    row = selectors.implementation_get_for_manager(request, implementation_id=implementation_id)
    code = row.region.code
    try:
        delegation.implementation_remove(
            implementation=row, actor=user, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("delegation:implementation", implementation_id=row.pk)
    messages.success(request, _("已移出实施清单，修改已记录。"))
    return redirect(f"{_url('delegation:implementations')}?region={code}")


# --- drift monitor (V7) -----------------------------------------------------------------------
def drift_columns() -> list[ExportColumn]:
    """The export's headers, in the request's language."""
    titles = (
        _("区域"),
        _("事项编码"),
        _("事项名称"),
        _("偏离内容"),
        _("市级"),
        _("本区域"),
        _("法律依据"),
        _("修改时间"),
        _("修改人"),
        _("修改理由"),
    )
    return [ExportColumn(title) for title in titles]


def drift_rows(drifts: list[delegation.Drift]) -> list[list[Any]]:
    rows = []
    for d in drifts:
        change = d.last_change
        for line in d.lines:
            row = d.implementation
            rows.append(
                [
                    row.region.name,
                    row.item.code,
                    row.item.published_version.name if row.item.published_version else "",
                    line.what,
                    line.city,
                    line.region,
                    row.legal_basis,
                    timezone.localtime(change.at).strftime("%Y-%m-%d %H:%M") if change else "",
                    str(change.actor) if change else "",
                    change.reason if change else "",
                ]
            )
    return rows


def _drift(request: HttpRequest) -> tuple[list[delegation.Drift], Region | None, str]:
    require_perm(request, Perm.DRIFT_READ)
    region, error = selectors.drift_region(request.GET.get("region", ""))
    drifts = [] if error else delegation.drift_list(region=region)
    return drifts, region, error


@login_required
@require_GET
def drift(request: HttpRequest) -> HttpResponse:
    drifts, region, error = _drift(request)
    return render(
        request,
        "delegation/drift.html",
        {
            "drifts": drifts,
            "region": region,
            "error": error,
            "regions": selectors.drift_regions(),
            "query": request.GET.urlencode(),
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def drift_export(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    drifts, _region, error = _drift(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return export_response(
        fmt, filename=_("下放事项偏离监测"), columns=drift_columns(), rows=drift_rows(drifts)
    )
