"""Writes of the intermediary services market (docs/rules/agencies.md §I1–§I11).

Every refusal is a domain error raised before anything is written, so a refused action changes
nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from onewindow.accounts.roles import DEPARTMENT_ROLES, Perm, has_perm
from onewindow.agencies.errors import (
    AgencyError,
    BiddingClosed,
    JobState,
    NotQualified,
    NotTheChooser,
)
from onewindow.agencies.models import (
    CLOSED_CASE,
    Agency,
    AgencyStatus,
    Assessment,
    Bid,
    FeeStandard,
    Grade,
    JobRating,
    JobStatus,
    Method,
    Qualification,
    RaterKind,
    Selection,
    ServiceRequirement,
    ServiceType,
    Violation,
)
from onewindow.calendars.selectors import add_working_days, get_calendar
from onewindow.cases.models import Case, CaseFile, CaseStatus
from onewindow.cases.selectors import cases_of_applicant
from onewindow.cases.uploads import case_file_add
from onewindow.core import clock
from onewindow.core.errors import Invalid
from onewindow.lib.idnumbers import check_credit_code

# docs/rules/agencies.md §I6: the longest a lowest-quote selection stays open.
MAX_BID_DAYS = 30
MAX_AMOUNT = Decimal("100000000")
# Jobs still holding an agency (a new selection for the same requirement waits for them).
LIVE = (
    JobStatus.BIDDING,
    JobStatus.OFFERED,
    JobStatus.ACCEPTED,
    JobStatus.REPORTED,
    JobStatus.RETURNED,
    JobStatus.APPROVED,
)


# --- money --------------------------------------------------------------------------------------
def amount_parse(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount in yuan with at most two decimals (docs/rules/agencies.md §I6)."""
    text = str(value if value is not None else "").strip()
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise Invalid({field: [_("金额格式不正确，请填写数字（元），最多两位小数。")]}) from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid({field: [_("金额格式不正确，请填写数字（元），最多两位小数。")]})
    if amount <= 0:
        raise Invalid({field: [_("金额必须大于零。")]})
    if amount >= MAX_AMOUNT:
        raise Invalid({field: [_("金额过大，请核对。")]})
    return amount.quantize(Decimal("0.01"))


# --- qualification ------------------------------------------------------------------------------
def qualification_valid(agency: Agency, name: str, day: dt.date) -> bool:
    return any(q.name == name and q.valid_on(day) for q in agency.qualifications.all())


def unqualified_reason(agency: Agency, requirement: ServiceRequirement, day: dt.date) -> str:
    """Why ``agency`` may not serve ``requirement`` on ``day`` (docs/rules/agencies.md §I4), or
    an empty string when it may."""
    if agency.status != AgencyStatus.ACTIVE:
        return _("“%(a)s”处于“%(s)s”状态，不能承接中介服务。") % {
            "a": agency.name,
            "s": AgencyStatus(agency.status).label,
        }
    if not agency.service_types.filter(pk=requirement.service_type_id).exists():
        return _("“%(a)s”未登记提供“%(t)s”服务。") % {
            "a": agency.name,
            "t": requirement.service_type.name,
        }
    if not qualification_valid(agency, requirement.qualification_name, day):
        return _("“%(a)s”在 %(d)s 没有有效的“%(q)s”资质（资质未登记或已过有效期）。") % {
            "a": agency.name,
            "d": day.isoformat(),
            "q": requirement.qualification_name,
        }
    return ""


def qualified_agencies(requirement: ServiceRequirement, day: dt.date) -> QuerySet[Agency]:
    """docs/rules/agencies.md §I4: active, offering the service type, holding the required
    qualification valid on ``day``; ordered by id (the order of the draw, I5)."""
    return (
        Agency.objects.filter(
            status=AgencyStatus.ACTIVE,
            service_types=requirement.service_type_id,
            qualifications__name=requirement.qualification_name,
            qualifications__valid_from__lte=day,
            qualifications__valid_to__gte=day,
        )
        .distinct()
        .order_by("pk")
    )


# --- registry -----------------------------------------------------------------------------------
def credit_code_check(value: str) -> str:
    """docs/rules/identity.md §F2 as the registry applies it: only a valid code is registered."""
    result = check_credit_code(value or "")
    if not result.ok:
        raise Invalid({"credit_code": [_(result.message)]})
    return result.code


@transaction.atomic
def agency_save(
    *,
    agency: Agency | None = None,
    name: str,
    credit_code: str,
    promised_days: int = 10,
    service_types: list[ServiceType] | None = None,
    departments: list[Any] | None = None,
    items: list[Any] | None = None,
    address: str = "",
    contact: str = "",
    phone: str = "",
    intro: str = "",
) -> Agency:
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = [_("请填写机构名称。")]
    elif len(name) > 200:
        errors["name"] = [_("机构名称不能超过 200 个字。")]
    try:
        code = credit_code_check(credit_code)
    except Invalid as err:
        errors.update(err.errors)
        code = ""
    same = Agency.objects.filter(credit_code=code)
    if agency is not None and agency.pk is not None:
        same = same.exclude(pk=agency.pk)
    if code and same.exists():
        errors["credit_code"] = [_("该统一社会信用代码已登记。")]
    if not isinstance(promised_days, int) or not 1 <= promised_days <= 120:
        errors["promised_days"] = [_("承诺办理时限应为 1 至 120 个工作日。")]
    if errors:
        raise Invalid(errors)
    agency = agency or Agency()
    agency.name, agency.credit_code, agency.promised_days = name, code, promised_days
    agency.address, agency.contact, agency.phone = address[:200], contact[:50], phone[:30]
    agency.intro = intro[:2000]
    agency.save()
    if service_types is not None:
        agency.service_types.set(service_types)
    if departments is not None:
        agency.departments.set(departments)
    if items is not None:
        agency.items.set(items)
    return agency


def qualification_add(
    *,
    agency: Agency,
    name: str,
    level: str,
    certificate_number: str,
    valid_from: dt.date,
    valid_to: dt.date,
) -> Qualification:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("请填写资质名称。")]
    if not (certificate_number or "").strip():
        errors["certificate_number"] = [_("请填写证书编号。")]
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = [_("有效期截止日不能早于起始日。")]
    if errors:
        raise Invalid(errors)
    return Qualification.objects.create(
        agency=agency,
        name=name.strip()[:100],
        level=(level or "").strip()[:30],
        certificate_number=certificate_number.strip()[:60],
        valid_from=valid_from,
        valid_to=valid_to,
    )


def fee_set(
    *, agency: Agency, service_type: ServiceType, amount_min: object, amount_max: object, unit: str
) -> FeeStandard:
    low = amount_parse(amount_min, field="amount_min")
    high = amount_parse(amount_max, field="amount_max")
    if high < low:
        raise Invalid({"amount_max": [_("收费上限不能低于下限。")]})
    fee, _created = FeeStandard.objects.update_or_create(
        agency=agency,
        service_type=service_type,
        defaults={"amount_min": low, "amount_max": high, "unit": (unit or "项")[:30]},
    )
    return fee


# --- selection ----------------------------------------------------------------------------------
def _chooser_check(case: Case, requirement: ServiceRequirement, actor: Any) -> None:
    """docs/rules/agencies.md §I1, §I7: the applicant (or their agent) chooses; the department
    only where the requirement says the law has it choose — and then the applicant does not."""
    if requirement.item_id != case.item_version.item_id:
        raise AgencyError(_("该中介服务不是本办件事项所需的中介服务。"))
    if case.status in CLOSED_CASE:
        raise AgencyError(
            _("办件当前状态为“%(s)s”，不能再选取中介机构。") % {"s": CaseStatus(case.status).label}
        )
    is_applicant = cases_of_applicant(actor).filter(pk=case.pk).exists()
    is_department = (
        actor.role in DEPARTMENT_ROLES
        and actor.department_id == case.department_id
        and has_perm(actor, Perm.AGENCY_REPORT_REVIEW)
    )
    if requirement.department_selects and not is_department:
        raise NotTheChooser(_("依法由审批部门选取该项中介服务，申请人无需选择。"))
    if not requirement.department_selects and not is_applicant:
        raise NotTheChooser(_("该项中介服务由申请人自主选择，审批部门不得指定中介机构。"))
    if Selection.objects.filter(case=case, requirement=requirement, status__in=LIVE).exists():
        raise AgencyError(_("本办件已为该项中介服务选取了机构（或竞价进行中）。"))


def _fee_max(agency: Agency, requirement: ServiceRequirement) -> Decimal | None:
    fee = FeeStandard.objects.filter(
        agency=agency, service_type=requirement.service_type_id
    ).first()
    return fee.amount_max if fee else None


@transaction.atomic
def select_direct(
    *, case: Case, requirement: ServiceRequirement, agency: Agency, actor: Any
) -> Selection:
    """docs/rules/agencies.md §I2, §I4: the chooser names a qualified agency."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _chooser_check(case, requirement, actor)
    now = clock.now()
    reason = unqualified_reason(agency, requirement, clock.today())
    if reason:
        raise NotQualified(reason)
    return Selection.objects.create(
        case=case,
        requirement=requirement,
        method=Method.DIRECT,
        status=JobStatus.OFFERED,
        chosen_by=actor,
        chosen_at=now,
        decided_at=now,
        candidate_ids=[agency.pk],
        agency=agency,
        fee_max=_fee_max(agency, requirement),
    )


def draw(candidate_ids: list[int], seed: str) -> int:
    """docs/rules/agencies.md §I5: the drawn id — ``random.Random(seed)`` choosing among the ids
    sorted ascending, so anyone holding the record can repeat the draw."""
    if not candidate_ids:
        raise ValueError("no candidates")
    return random.Random(seed).choice(sorted(candidate_ids))


@transaction.atomic
def select_draw(
    *, case: Case, requirement: ServiceRequirement, actor: Any, seed: str | None = None
) -> Selection:
    """docs/rules/agencies.md §I5: a random draw among the agencies qualified today."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _chooser_check(case, requirement, actor)
    candidates = list(qualified_agencies(requirement, clock.today()).values_list("pk", flat=True))
    if not candidates:
        raise NotQualified(_("目前没有符合条件的中介机构可供抽取。"))
    seed = seed or secrets.token_hex(16)
    chosen = Agency.objects.get(pk=draw(candidates, seed))
    now = clock.now()
    return Selection.objects.create(
        case=case,
        requirement=requirement,
        method=Method.DRAW,
        status=JobStatus.OFFERED,
        chosen_by=actor,
        chosen_at=now,
        decided_at=now,
        candidate_ids=candidates,
        seed=seed,
        agency=chosen,
        fee_max=_fee_max(chosen, requirement),
    )


@transaction.atomic
def select_bidding(
    *, case: Case, requirement: ServiceRequirement, actor: Any, deadline: dt.datetime
) -> Selection:
    """docs/rules/agencies.md §I6: open a lowest-quote selection until ``deadline``."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _chooser_check(case, requirement, actor)
    now = clock.now()
    if deadline <= now:
        raise Invalid({"deadline": [_("报价截止时间必须晚于当前时间。")]})
    if deadline > now + dt.timedelta(days=MAX_BID_DAYS):
        raise Invalid({"deadline": [_("报价截止时间不能超过 %(n)s 天。") % {"n": MAX_BID_DAYS}]})
    candidates = list(qualified_agencies(requirement, clock.today()).values_list("pk", flat=True))
    if not candidates:
        raise NotQualified(_("目前没有符合条件的中介机构可以报价。"))
    return Selection.objects.create(
        case=case,
        requirement=requirement,
        method=Method.BID,
        status=JobStatus.BIDDING,
        chosen_by=actor,
        chosen_at=now,
        bid_deadline=deadline,
        candidate_ids=candidates,
    )


@transaction.atomic
def bid_place(*, selection: Selection, agency: Agency, actor: Any, amount: object) -> Bid:
    """docs/rules/agencies.md §I6: a qualified agency quotes once, before the deadline."""
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    value = amount_parse(amount)
    now = clock.now()
    if selection.method != Method.BID or selection.status != JobStatus.BIDDING:
        raise BiddingClosed(_("该选取不在竞价中。"))
    assert selection.bid_deadline is not None
    if now >= selection.bid_deadline:
        raise BiddingClosed(_("报价已截止，不能再报价。"))
    reason = unqualified_reason(agency, selection.requirement, clock.today())
    if reason:
        raise NotQualified(reason)
    if selection.bids.filter(agency=agency).exists():
        raise AgencyError(_("本机构已报价，每家机构只能报价一次。"))
    return Bid.objects.create(
        selection=selection, agency=agency, amount=value, placed_by=actor, placed_at=now
    )


@transaction.atomic
def bidding_close(*, selection: Selection) -> Selection:
    """docs/rules/agencies.md §I6: after the deadline the lowest bid of an agency still qualified
    wins, ties by the earliest bid; none → the selection failed."""
    selection = Selection.objects.select_for_update().get(pk=selection.pk)
    if selection.method != Method.BID or selection.status != JobStatus.BIDDING:
        return selection
    now = clock.now()
    assert selection.bid_deadline is not None
    if now < selection.bid_deadline:
        raise BiddingClosed(_("报价尚未截止，截止后方可确定中标机构。"))
    today = clock.today()
    winner = next(
        (
            bid
            for bid in selection.bids.select_related("agency").order_by("amount", "placed_at", "pk")
            if not unqualified_reason(bid.agency, selection.requirement, today)
        ),
        None,
    )
    selection.decided_at = now
    if winner is None:
        selection.status = JobStatus.FAILED
    else:
        selection.status = JobStatus.OFFERED
        selection.agency = winner.agency
        selection.fee_max = _fee_max(winner.agency, selection.requirement)
    selection.save(update_fields=["status", "agency", "decided_at", "fee_max"])
    return selection


def biddings_close_due() -> int:
    """The job: close every lowest-quote selection whose deadline has passed."""
    due = Selection.objects.filter(
        method=Method.BID, status=JobStatus.BIDDING, bid_deadline__lte=clock.now()
    )
    count = 0
    for selection in due:
        bidding_close(selection=selection)
        count += 1
    return count


# --- the agency's job ---------------------------------------------------------------------------
def _job_locked(selection: Selection, agency: Agency) -> Selection:
    job = Selection.objects.select_for_update().get(pk=selection.pk)
    if job.agency_id != agency.pk:
        raise JobState(_("这不是本机构的业务。"))
    return job


@transaction.atomic
def job_accept(*, selection: Selection, agency: Agency) -> Selection:
    """docs/rules/agencies.md §I3, §I8: from acceptance the agency's own promised working days
    run."""
    job = _job_locked(selection, agency)
    if job.status != JobStatus.OFFERED:
        raise JobState(_("该业务当前状态为“%(s)s”，不能接受。") % {"s": job.get_status_display()})
    today = clock.today()
    job.status = JobStatus.ACCEPTED
    job.accepted_on = today
    job.due_on = add_working_days(today, agency.promised_days).date
    job.save(update_fields=["status", "accepted_on", "due_on"])
    return job


@transaction.atomic
def job_decline(*, selection: Selection, agency: Agency, reason: str) -> Selection:
    job = _job_locked(selection, agency)
    if job.status != JobStatus.OFFERED:
        raise JobState(_("该业务当前状态为“%(s)s”，不能拒绝。") % {"s": job.get_status_display()})
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid({"reason": [_("请说明拒绝的理由。")]})
    job.status = JobStatus.DECLINED
    job.remark = reason[:500]
    job.save(update_fields=["status", "remark"])
    return job


def report_line(job: Selection) -> Any:
    """The case's checklist line the report belongs to (the requirement's material)."""
    name = job.requirement.material_name
    line = (
        job.case.materials.select_related("material").filter(material__name=name).first()
        if name
        else None
    )
    if line is None:
        raise AgencyError(_("本办件没有对应该中介服务报告的申请材料栏目，请联系申请人。"))
    return line


def job_report(
    *, selection: Selection, agency: Agency, actor: Any, upload: UploadedFile, fee: object
) -> CaseFile:
    """docs/rules/agencies.md §I8: the agency's report becomes a material of the applicant's case
    (checked like every case file); the working days it took are counted against its promise."""
    amount = amount_parse(fee, field="fee")
    with transaction.atomic():
        job = _job_locked(selection, agency)
        if job.status not in (JobStatus.ACCEPTED, JobStatus.RETURNED):
            raise JobState(
                _("该业务当前状态为“%(s)s”，不能提交报告。") % {"s": job.get_status_display()}
            )
        line = report_line(job)
        attached = case_file_add(case_material=line, upload=upload, actor=actor)
        today = clock.today()
        assert job.accepted_on is not None
        job.status = JobStatus.REPORTED
        job.reported_on = today
        job.days_taken = get_calendar().count_working_days(job.accepted_on, today)
        job.fee = amount
        job.save(update_fields=["status", "reported_on", "days_taken", "fee"])
    return attached


def _department_check(job: Selection, actor: Any) -> None:
    if not (
        has_perm(actor, Perm.AGENCY_REPORT_REVIEW) and actor.department_id == job.case.department_id
    ):
        raise NotTheChooser(_("只有办件所属部门的审查人员可以审查中介报告。"))


@transaction.atomic
def report_review(*, selection: Selection, actor: Any, accept: bool, remark: str = "") -> Selection:
    """docs/rules/agencies.md §I9: the department accepts the report or returns it for
    correction; a return counts against the agency's first-pass rate."""
    job = Selection.objects.select_for_update().get(pk=selection.pk)
    _department_check(job, actor)
    if job.status != JobStatus.REPORTED:
        raise JobState(_("该业务当前没有待审查的报告。"))
    remark = " ".join((remark or "").split())
    if not accept and not remark:
        raise Invalid({"remark": [_("退回修改时请写明需要修改的内容。")]})
    if accept:
        job.status = JobStatus.APPROVED
    else:
        job.status = JobStatus.RETURNED
        job.corrections += 1
    job.remark = remark[:500]
    job.save(update_fields=["status", "corrections", "remark"])
    return job


@transaction.atomic
def job_rate(*, selection: Selection, actor: Any, score: object, comment: str = "") -> JobRating:
    """docs/rules/agencies.md §I9: the applicant and the department each rate a job once (1–5),
    after its report."""
    selection = Selection.objects.select_for_update().select_related("case").get(pk=selection.pk)
    if selection.status not in (JobStatus.REPORTED, JobStatus.RETURNED, JobStatus.APPROVED):
        raise JobState(_("机构提交报告后才能评价。"))
    if cases_of_applicant(actor).filter(pk=selection.case_id).exists():
        kind = RaterKind.APPLICANT
    else:
        _department_check(selection, actor)
        kind = RaterKind.DEPARTMENT
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise Invalid({"score": [_("评分应为 1 至 5 的整数。")]})
    if JobRating.objects.filter(selection=selection, kind=kind).exists():
        raise AgencyError(_("已评价过该业务。"))
    return JobRating.objects.create(
        selection=selection,
        kind=kind,
        score=score,
        comment=" ".join((comment or "").split())[:500],
        rated_by=actor,
        rated_at=clock.now(),
    )


# --- assessment, violations ---------------------------------------------------------------------
# docs/rules/agencies.md §I10: the weights of the score and the grade bands.
WEIGHTS = {"rating": 40, "first_pass": 25, "on_time": 20, "fee": 15}
NO_DATA = Decimal(80)  # a part without any job in the period
VIOLATION_PENALTY = Decimal(10)
BANDS = ((Decimal(90), Grade.A), (Decimal(75), Grade.B), (Decimal(60), Grade.C))


def _percent(hits: int, total: int) -> Decimal:
    return NO_DATA if total == 0 else Decimal(100 * hits) / Decimal(total)


def assessment_compute(agency: Agency, start: dt.date, end: dt.date) -> dict[str, Any]:
    """docs/rules/agencies.md §I10: the parts, the score and the grade for one period."""
    jobs = list(
        Selection.objects.filter(agency=agency, reported_on__gte=start, reported_on__lte=end)
    )
    scores = list(
        JobRating.objects.filter(
            selection__agency=agency, rated_at__date__gte=start, rated_at__date__lte=end
        ).values_list("score", flat=True)
    )
    rating = NO_DATA if not scores else Decimal(sum(scores)) * 20 / Decimal(len(scores))
    approved = [j for j in jobs if j.status == JobStatus.APPROVED]
    first = _percent(sum(1 for j in approved if j.corrections == 0), len(approved))
    on_time = _percent(
        sum(1 for j in jobs if j.days_taken is not None and j.days_taken <= agency.promised_days),
        len(jobs),
    )
    priced = [j for j in jobs if j.fee is not None and j.fee_max is not None]
    fee = _percent(sum(1 for j in priced if j.fee_within_standard), len(priced))
    violations = agency.violations.filter(occurred_on__gte=start, occurred_on__lte=end).count()
    parts = {"rating": rating, "first_pass": first, "on_time": on_time, "fee": fee}
    total = sum(parts[k] * WEIGHTS[k] for k in WEIGHTS) / Decimal(100)
    total = max(Decimal(0), total - VIOLATION_PENALTY * violations).quantize(Decimal("0.1"))
    grade = next((g for floor, g in BANDS if total >= floor), Grade.D)
    return {
        "parts": {k: str(v.quantize(Decimal("0.1"))) for k, v in parts.items()},
        "jobs": len(jobs),
        "ratings": len(scores),
        "corrections": sum(j.corrections for j in jobs),
        "violations": violations,
        "score": total,
        "grade": grade,
    }


def agency_metrics(agency: Agency, today: dt.date) -> dict[str, Any]:
    """The outcome figures of the last 365 days as the assessment counts them (I10), for the
    agency's public page: first-pass acceptance, corrections, timeliness, fees, ratings."""
    return assessment_compute(agency, today - dt.timedelta(days=365), today)


@transaction.atomic
def assess_period(*, start: dt.date, end: dt.date, actor: Any) -> list[Assessment]:
    """Assess every registered agency for the period (once per period) and set its grade."""
    if end < start:
        raise Invalid({"period_end": [_("考核期截止日不能早于起始日。")]})
    if end >= clock.today():
        raise Invalid({"period_end": [_("只能考核已经结束的考核期。")]})
    if Assessment.objects.filter(period_start=start, period_end=end).exists():
        raise AgencyError(_("该考核期已经考核过。"))
    done = []
    for agency in Agency.objects.exclude(status=AgencyStatus.REVOKED).order_by("pk"):
        result = assessment_compute(agency, start, end)
        done.append(
            Assessment.objects.create(
                agency=agency,
                period_start=start,
                period_end=end,
                score=result["score"],
                grade=result["grade"],
                details={k: v for k, v in result.items() if k not in ("score", "grade")},
                assessed_by=actor,
                assessed_at=clock.now(),
            )
        )
        Agency.objects.filter(pk=agency.pk).update(grade=result["grade"])
    return done


@transaction.atomic
def violation_record(
    *, agency: Agency, actor: Any, occurred_on: dt.date, description: str, suspend: bool
) -> Violation:
    """docs/rules/agencies.md §I11: the centre's administrator records a violation; a serious one
    suspends the agency, which is then never selected."""
    description = (description or "").strip()
    if not description:
        raise Invalid({"description": [_("请填写违规情形。")]})
    if occurred_on > clock.today():
        raise Invalid({"occurred_on": [_("发生日期不能晚于今天。")]})
    violation = Violation.objects.create(
        agency=agency,
        occurred_on=occurred_on,
        description=description[:2000],
        suspended=suspend,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    if suspend:
        agency_status_set(agency=agency, status=AgencyStatus.SUSPENDED, reason=description)
    return violation


def agency_status_set(*, agency: Agency, status: str, reason: str) -> Agency:
    if status not in AgencyStatus.values:
        raise Invalid({"status": [_("未知的机构状态。")]})
    agency.status = status
    agency.status_reason = (reason or "")[:500]
    agency.save(update_fields=["status", "status_reason"])
    # docs/rules/agencies.md §I11: a suspended agency's offers not yet accepted lapse.
    if status != AgencyStatus.ACTIVE:
        Selection.objects.filter(agency=agency, status=JobStatus.OFFERED).update(
            status=JobStatus.DECLINED, remark=_("机构已被暂停服务或清退。")
        )
    return agency
