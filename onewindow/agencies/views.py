"""Pages of the intermediary services market (docs/rules/agencies.md §I1–§I11): the public
listing and an agency's page, an applicant's selection on their case and the record, the
agency's desk, and the administrator's registry, assessment and violations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.agencies import forms as f
from onewindow.agencies import selectors, services
from onewindow.agencies.models import Agency, Assessment, JobStatus, Method, ServiceRequirement
from onewindow.core import clock
from onewindow.core.errors import DomainError, Invalid
from onewindow.lib.ids import parse_id

PER_PAGE = 20


def _error(request: HttpRequest, err: DomainError) -> None:
    if isinstance(err, Invalid):
        for texts in err.errors.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.error(request, err.message)


def _invalid(form: Any) -> Invalid:
    return Invalid({k: [str(e) for e in v] for k, v in form.errors.items()})


def _form_errors(request: HttpRequest, form: Any) -> None:
    for texts in form.errors.values():
        for text in texts:
            messages.error(request, text)


# --- public -------------------------------------------------------------------------------------
@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    search = f.SearchForm(request.GET)
    q, code = "", ""
    if search.is_valid():
        q = search.cleaned_data["q"]
        code = (
            search.cleaned_data["service_type"].code if search.cleaned_data["service_type"] else ""
        )
    page = Paginator(selectors.agencies_public(q, code), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/agency_list.html",
        {"page": page, "agencies": page.object_list, "search": search, "today": clock.today()},
    )


@require_GET
def agency_detail(request: HttpRequest, agency_id: int) -> HttpResponse:
    agency = selectors.agency_public(agency_id)
    return render(
        request,
        "agencies/agency_detail.html",
        {
            "a": agency,
            "today": clock.today(),
            "fees": agency.fees.select_related("service_type"),
            "assessments": agency.assessments.all()[:8],
            "metrics": services.agency_metrics(agency, clock.today()),
        },
    )


# --- selection ----------------------------------------------------------------------------------
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """An applicant's cases needing an intermediary service; a department's agency jobs."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(
        request,
        "agencies/mine.html",
        {
            "cases": selectors.my_cases(request.user)[:100],
            "jobs": selectors.department_jobs(request.user)[:200],
        },
    )


@require_http_methods(["GET", "POST"])
def case_selection(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_for_selection(request, case_id)
    requirements = list(selectors.requirements_of_item(case.item_version.item_id))
    if request.method == "POST":
        form = f.SelectForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            data = form.cleaned_data
            requirement = next((r for r in requirements if r.pk == data["requirement"]), None)
            try:
                if requirement is None:
                    raise Invalid({"requirement": [_("该中介服务不是本办件事项所需的中介服务。")]})
                selection = _select(request, case, requirement, data)
            except DomainError as err:
                _error(request, err)
            else:
                messages.success(request, _("已保存选取记录。"))
                return redirect("agencies:selection", selection_id=selection.pk)
        status = 400
    else:
        status = 200
    today = clock.today()
    rows = [
        {
            "r": r,
            "qualified": services.qualified_agencies(r, today),
            "form": f.SelectForm(initial={"requirement": r.pk}),
        }
        for r in requirements
    ]
    return render(
        request,
        "agencies/case_selection.html",
        {"case": case, "rows": rows, "selections": selectors.selections_of_case(case)},
        status=status,
    )


def _select(
    request: HttpRequest, case: Any, requirement: ServiceRequirement, data: dict[str, Any]
) -> Any:
    if data["method"] == Method.DIRECT:
        agency = Agency.objects.filter(pk=data.get("agency") or 0).first()
        if agency is None:
            raise Invalid({"agency": [_("请选择中介机构。")]})
        return services.select_direct(
            case=case, requirement=requirement, agency=agency, actor=request.user
        )
    if data["method"] == Method.DRAW:
        return services.select_draw(case=case, requirement=requirement, actor=request.user)
    if data.get("deadline") is None:
        raise Invalid({"deadline": [_("请填写报价截止时间。")]})
    return services.select_bidding(
        case=case, requirement=requirement, actor=request.user, deadline=data["deadline"]
    )


@require_http_methods(["GET", "POST"])
def selection_detail(request: HttpRequest, selection_id: int) -> HttpResponse:
    selection = selectors.selection_get(request, selection_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "close":
                services.bidding_close(selection=selection)
            elif action == "review":
                form = f.ReviewForm(request.POST)
                if not form.is_valid():
                    raise _invalid(form)
                services.report_review(selection=selection, actor=request.user, **form.cleaned_data)
            elif action == "rate":
                rform = f.RatingForm(request.POST)
                if not rform.is_valid():
                    raise _invalid(rform)
                services.job_rate(selection=selection, actor=request.user, **rform.cleaned_data)
            else:
                raise Invalid({"action": [_("未知的操作。")]})
        except DomainError as err:
            _error(request, err)
        else:
            messages.success(request, _("已保存。"))
            return redirect("agencies:selection", selection_id=selection.pk)
    bids = selection.bids.select_related("agency") if selection.status != JobStatus.BIDDING else []
    candidates = Agency.objects.filter(pk__in=selection.candidate_ids).order_by("pk")
    return render(
        request,
        "agencies/selection_detail.html",
        {
            "s": selection,
            "bids": bids,
            "candidates": candidates,
            "now": clock.now(),
            "review_form": f.ReviewForm(),
            "rating_form": f.RatingForm(),
            "ratings": selection.ratings.all(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- the agency's desk --------------------------------------------------------------------------
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    agency = selectors.desk_agency(request)
    return render(
        request,
        "agencies/desk.html",
        {
            "agency": agency,
            "jobs": selectors.jobs_of(agency),
            "biddings": selectors.biddings_open_for(agency),
            "bid_form": f.BidForm(),
            "decline_form": f.DeclineForm(),
            "report_form": f.ReportForm(),
        },
    )


@require_POST
def desk_action(request: HttpRequest, selection_id: int) -> HttpResponse:
    agency, job = selectors.job_get(request, selection_id)
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            services.job_accept(selection=job, agency=agency)
        elif action == "decline":
            services.job_decline(
                selection=job, agency=agency, reason=request.POST.get("reason", "")
            )
        elif action == "bid":
            services.bid_place(
                selection=job,
                agency=agency,
                actor=request.user,
                amount=request.POST.get("amount", ""),
            )
        elif action == "report":
            upload = request.FILES.get("file")
            if upload is None:
                raise Invalid({"file": [_("请选择报告文件。")]})
            services.job_report(
                selection=job,
                agency=agency,
                actor=request.user,
                upload=upload,
                fee=request.POST.get("fee", ""),
            )
        else:
            raise Invalid({"action": [_("未知的操作。")]})
    except DomainError as err:
        _error(request, err)
        return render(
            request,
            "agencies/desk.html",
            {
                "agency": agency,
                "jobs": selectors.jobs_of(agency),
                "biddings": selectors.biddings_open_for(agency),
                "bid_form": f.BidForm(),
                "decline_form": f.DeclineForm(),
                "report_form": f.ReportForm(),
            },
            status=400,
        )
    messages.success(request, _("已保存。"))
    return redirect("agencies:desk")


# --- the centre's administrator -----------------------------------------------------------------
def _manage_page(request: HttpRequest, status: int = 200, agency_form: Any = None) -> HttpResponse:
    return render(
        request,
        "agencies/manage.html",
        {
            "agencies": Agency.objects.prefetch_related("qualifications", "service_types").order_by(
                "pk"
            ),
            "agency_form": agency_form or f.AgencyForm(),
            "status_form": f.StatusForm(),
            "violation_form": f.ViolationForm(),
            "assessment_form": f.AssessmentForm(),
            "assessments": Assessment.objects.select_related("agency")[:50],
            "today": clock.today(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest) -> HttpResponse:
    selectors.manage(request)
    if request.method != "POST":
        return _manage_page(request)
    action = request.POST.get("action", "")
    form: Any = None
    try:
        if action == "register":
            form = f.AgencyForm(request.POST)
            if not form.is_valid():
                raise _invalid(form)
            data = dict(form.cleaned_data)
            services.agency_save(service_types=list(data.pop("service_types")), **data)
        elif action == "assess":
            aform = f.AssessmentForm(request.POST)
            if not aform.is_valid():
                raise _invalid(aform)
            services.assess_period(
                start=aform.cleaned_data["period_start"],
                end=aform.cleaned_data["period_end"],
                actor=request.user,
            )
        elif action in ("status", "violation"):
            agency_id = parse_id(request.POST.get("agency", ""))
            agency = Agency.objects.filter(pk=agency_id).first() if agency_id else None
            if agency is None:
                raise Invalid({"agency": [_("请选择中介机构。")]})
            if action == "status":
                sform = f.StatusForm(request.POST)
                if not sform.is_valid():
                    raise _invalid(sform)
                services.agency_status_set(agency=agency, **sform.cleaned_data)
            else:
                vform = f.ViolationForm(request.POST)
                if not vform.is_valid():
                    raise _invalid(vform)
                services.violation_record(
                    agency=agency,
                    actor=request.user,
                    **{
                        "occurred_on": vform.cleaned_data["occurred_on"],
                        "description": vform.cleaned_data["description"],
                        "suspend": vform.cleaned_data["suspend"],
                    },
                )
        else:
            raise Invalid({"action": [_("未知的操作。")]})
    except DomainError as err:
        _error(request, err)
        return _manage_page(request, status=400, agency_form=form)
    messages.success(request, _("已保存。"))
    return redirect("agencies:manage")
