"""Reads of the intermediary services market, each with its access check: a refused object is a
logged 404 (``core.access.deny``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from rest_framework.request import Request

from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.accounts.selectors import require_perm
from onewindow.agencies.models import (
    CLOSED_CASE,
    Agency,
    AgencyAccount,
    AgencyStatus,
    JobStatus,
    Qualification,
    Selection,
    ServiceRequirement,
)
from onewindow.cases.models import Case
from onewindow.cases.selectors import cases_of_applicant
from onewindow.core import clock
from onewindow.core.access import deny

QUERY_MAX = 100


def _django(request: HttpRequest | Request) -> HttpRequest:
    return request._request if isinstance(request, Request) else request


def _deny(request: HttpRequest | Request, *, target: str, reason: str) -> Exception:
    return deny(_django(request), target=target, reason=reason)


# --- public -------------------------------------------------------------------------------------
def agencies_public(q: str = "", service_type: str = "", grade: str = "") -> QuerySet[Agency]:
    """docs/rules/agencies.md §I1: the public listing — every registered agency that is not
    revoked (suspended ones shown as such), searchable by name, credit code, service and
    qualification."""
    rows = Agency.objects.exclude(status=AgencyStatus.REVOKED)
    q = " ".join((q or "").split())[:QUERY_MAX]
    for word in q.split(" ") if q else []:
        rows = rows.filter(
            Q(name__icontains=word)
            | Q(credit_code__iexact=word)
            | Q(service_types__name__icontains=word)
            | Q(qualifications__name__icontains=word)
        )
    if service_type:
        rows = rows.filter(service_types__code=service_type)
    if grade:
        rows = rows.filter(grade=grade)
    return (
        rows.distinct()
        .prefetch_related(
            "service_types", Prefetch("qualifications", queryset=Qualification.objects.all())
        )
        .order_by("pk")
    )


def agency_public(agency_id: int) -> Agency:
    found = agencies_public().filter(pk=agency_id).first()
    if found is None:
        raise Http404
    return found


def requirements_of_item(item_id: int) -> QuerySet[ServiceRequirement]:
    return ServiceRequirement.objects.filter(item_id=item_id).select_related("service_type")


def requirements_all() -> QuerySet[ServiceRequirement]:
    return ServiceRequirement.objects.select_related("service_type", "item__published_version")


# --- selections ---------------------------------------------------------------------------------
def _case_department_staff(user: Any, case: Case) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.role in DEPARTMENT_ROLES
        and user.department_id == case.department_id
        and has_perm(user, Perm.AGENCY_REPORT_REVIEW)
    )


def case_for_selection(request: HttpRequest | Request, case_id: int) -> Case:
    """A case whose requirements the user may choose for: the applicant's (or agent's) own, or a
    case of the staff member's department (docs/rules/agencies.md §I7); else a logged 404."""
    user = request.user
    case = (
        Case.objects.select_related("item_version", "department").filter(pk=case_id).first()
        if user.is_authenticated
        else None
    )
    if case is not None and (
        cases_of_applicant(user).filter(pk=case.pk).exists() or _case_department_staff(user, case)
    ):
        return case
    raise _deny(request, target=f"case:{case_id}", reason="not applicant nor case department")


def agency_of(user: Any) -> Agency | None:
    if not has_perm(user, Perm.AGENCY_WORK):
        return None
    account = AgencyAccount.objects.select_related("agency").filter(user=user).first()
    return account.agency if account else None


def selection_get(request: HttpRequest | Request, selection_id: int) -> Selection:
    """The record for its applicant, the case's department, the chosen or bidding agency (its
    candidates see a bidding one) and the centre's administrator; else a logged 404."""
    user = request.user
    selection = (
        Selection.objects.select_related(
            "case", "case__item_version", "requirement__service_type", "agency", "chosen_by"
        )
        .filter(pk=selection_id)
        .first()
    )
    if selection is not None and user.is_authenticated:
        agency = agency_of(user)
        if (
            has_perm(user, Perm.AGENCY_MANAGE)
            or cases_of_applicant(user).filter(pk=selection.case_id).exists()
            or _case_department_staff(user, selection.case)
            or (agency is not None and agency.pk == selection.agency_id)
            or (
                agency is not None
                and selection.status == JobStatus.BIDDING
                and agency.pk in selection.candidate_ids
            )
        ):
            return selection
    raise _deny(request, target=f"agency_selection:{selection_id}", reason="not a party")


def selections_of_case(case: Case) -> QuerySet[Selection]:
    return Selection.objects.filter(case=case).select_related(
        "requirement__service_type", "agency", "chosen_by"
    )


def desk_agency(request: HttpRequest | Request) -> Agency:
    """The agency of the signed-in agency user (docs/rules/agencies.md §I8); else a logged 404."""
    require_perm(request, Perm.AGENCY_WORK, target="agency_desk")
    agency = agency_of(request.user)
    if agency is None:
        raise _deny(request, target="agency_desk", reason="no agency account")
    return agency


def jobs_of(agency: Agency) -> QuerySet[Selection]:
    return Selection.objects.filter(agency=agency).select_related(
        "case", "requirement__service_type"
    )


def biddings_open_for(agency: Agency) -> list[Selection]:
    rows = Selection.objects.filter(
        status=JobStatus.BIDDING, bid_deadline__gt=clock.now()
    ).select_related("requirement__service_type", "case")
    return [s for s in rows if agency.pk in s.candidate_ids]


def job_get(request: HttpRequest | Request, selection_id: int) -> tuple[Agency, Selection]:
    """One job of the signed-in agency; another agency's is a logged 404."""
    agency = desk_agency(request)
    job = jobs_of(agency).filter(pk=selection_id).first()
    if job is None:
        bidding = Selection.objects.filter(pk=selection_id, status=JobStatus.BIDDING).first()
        if bidding is not None and agency.pk in bidding.candidate_ids:
            return agency, bidding
        raise _deny(request, target=f"agency_job:{selection_id}", reason="not this agency's job")
    return agency, job


def manage(request: HttpRequest | Request) -> Any:
    return require_perm(request, Perm.AGENCY_MANAGE, target="agencies")


def my_cases(user: Any) -> QuerySet[Case]:
    """The signed-in applicant's (or agent's) cases still open whose item requires an
    intermediary service (docs/rules/agencies.md §I7)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return (
        cases_of_applicant(user)
        .filter(item_version__item__agency_requirements__isnull=False)
        .exclude(status__in=CLOSED_CASE)
        .distinct()
        .order_by("-pk")
    )


def department_jobs(user: Any) -> QuerySet[Selection]:
    """The jobs on the staff member's department's cases (reports to review, choices the law
    gives the department), newest first."""
    if not (
        getattr(user, "is_authenticated", False)
        and user.role in DEPARTMENT_ROLES
        and has_perm(user, Perm.AGENCY_REPORT_REVIEW)
    ):
        return Selection.objects.none()
    return (
        Selection.objects.filter(case__department_id=user.department_id)
        .select_related("case", "requirement__service_type", "agency")
        .order_by("-pk")
    )
