"""Demo key projects (docs/product.md §C8, docs/rules/projects.md §H1–§H8), made through the real
services at simulated moments before "today":

- 鄂州临空经济区智能制造产业园一期厂房 (特急, target 62 working days): stage 1 (立项用地规划许可)
  done, one item with an expert review (special procedure) and a joint site survey with every
  department's finding; stage 2 (工程建设许可) under way: one item delivered, two in review, a
  joint drawing review with one finding still missing;
- 葛店新城·滨湖花园住宅小区（二期） (重点): stage 1 just started, one item in review, one waiting
  at the window, one not filed yet.

The enterprise is the demo enterprise, the designated agent the demo agent (its all-items mandate
recorded if it has none). Deterministic: dates are counted back from ``today`` in working days.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.calendars.selectors import get_calendar
from onewindow.cases import services as case_services
from onewindow.cases.models import Case, Mandate
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import Item
from onewindow.certificates import services as certificate_services
from onewindow.core.errors import DomainError
from onewindow.projects import services
from onewindow.projects.models import ActivityKind, FindingResult, Project, ProjectPriority
from onewindow.review import services as review_services
from onewindow.review.models import TASK_PENDING, Task
from onewindow.review.services import decisions as decision_services

log = logging.getLogger("onewindow.demo")

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)
STAGE_1 = ("420700-FGW-001", "420700-ZRZY-002", "420700-ZRZY-004")
STAGE_2 = ("420700-ZRZY-001", "420700-ZJJ-005", "420700-STHJ-001")
STAGE_3 = ("420700-ZJJ-003",)
STAGE_4 = ("420700-ZJJ-006",)
STAGE_NAMES = ("立项用地规划许可", "工程建设许可", "施工许可", "竣工验收")


class _Run:
    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.cal = get_calendar()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.agent = User.objects.get(username="agent")
        self.enterprise = User.objects.get(username="enterprise")
        self.admin = User.objects.get(username="admin")

    def day(self, n: int) -> dt.date:
        """The working day ``n`` working days before today (0: today if working)."""
        day = self.today
        if not self.cal.is_working_day(day):
            day = self.cal.previous_working_day(day).date
        for _ in range(n):
            day = self.cal.previous_working_day(day).date
        return day

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = round(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)

    def staff(self, department_id: int, role: str) -> User | None:
        return (
            User.objects.filter(department_id=department_id, role=role, is_active=True)
            .order_by("pk")
            .first()
        )

    # --- one case's life ------------------------------------------------------------------
    def file(self, project: Project, sort: int, code: str, day: dt.date) -> Case:
        stage = project.stages.get(sort=sort)
        item = Item.objects.get(code=code)
        moment = self.at(day, 9.0)
        case = services.stage_case_file(stage=stage, item=item, actor=self.agent, now=moment)
        form = {
            "project_name": project.name[:100],
            "premises_address": {
                "province": "湖北省",
                "city": "鄂州市",
                "district": "鄂城区",
                "detail": project.location or "临空经济区",
            },
            "contact_name": self.enterprise.legal_representative or self.agent.full_name,
            "contact_phone": self.enterprise.phone or "13907110000",
            "application_date": day.isoformat(),
            "application_type": "新办",
        }
        later = moment + dt.timedelta(minutes=5)
        case_services.application_save(
            case=case,
            actor=self.agent,
            changes=case_services.ApplicationChanges(form_data=form),
            now=later,
        )
        for line in case.materials.select_related("material"):
            case_file_add(
                case_material=line,
                upload=SimpleUploadedFile(
                    f"{line.material.name[:40]}.pdf", PDF, content_type="application/pdf"
                ),
                actor=self.agent,
                now=later,
            )
        case_services.case_submit(case=case, actor=self.agent, now=later + dt.timedelta(minutes=5))
        case.refresh_from_db()
        return case

    def accept(self, case: Case, day: dt.date) -> Case:
        clerk = self.staff(case.department_id, Role.CLERK) or self.staff(
            case.department_id, Role.CHIEF
        )
        case_services.case_accept(case=case, actor=clerk, now=self.at(day, 10.0))
        case.refresh_from_db()
        return case

    def review(self, case: Case, day: dt.date, *, only_lead: bool = False) -> None:
        """Every (or only the lead) department's steps and its agreement on ``day``."""
        moment = self.at(day, 11.0)
        for task in Task.objects.filter(case=case, status__in=TASK_PENDING).order_by("pk"):
            if only_lead and not task.is_lead:
                continue
            while True:
                task.refresh_from_db()
                role = task.steps[task.step].get("role", Role.HANDLER)
                actor = self.staff(task.department_id, role)
                if actor is None:
                    return
                moment += dt.timedelta(minutes=10)
                if task.step < len(task.steps) - 1:
                    review_services.task_step_complete(
                        task=task, actor=actor, revision=None, now=moment
                    )
                    continue
                review_services.task_opinion_give(
                    task=task, actor=actor, kind="agree", text="", revision=None, now=moment
                )
                break

    def grant_and_deliver(self, case: Case, decide: dt.date, deliver: dt.date) -> None:
        case.refresh_from_db()
        approver = self.staff(case.department_id, Role.APPROVER)
        decision_services.decision_make(
            case=case, actor=approver, kind="grant", now=self.at(decide, 15.0)
        )
        case.refresh_from_db()
        certificate_services.delivery_choose(
            case=case, actor=self.agent, method="window", now=self.at(deliver, 9.5)
        )
        case.refresh_from_db()
        clerk = self.staff(case.department_id, Role.CLERK) or self.staff(
            case.department_id, Role.CHIEF
        )
        certificate_services.delivery_handover(
            case=case,
            actor=clerk,
            receiver_name=self.agent.full_name,
            receiver_id_number=self.agent.id_number,
            now=self.at(deliver, 10.0),
        )

    def expert_review(self, case: Case, start: dt.date, end: dt.date) -> None:
        approver = self.staff(case.department_id, Role.APPROVER)
        case.refresh_from_db()
        suspension = decision_services.suspension_start(
            case=case,
            actor=approver,
            kind="expert_review",
            reason="组织专家评审用地选址方案",
            expected_days=3,
            now=self.at(start, 15.0),
        )
        decision_services.suspension_end(
            suspension=suspension, actor=approver, result="专家评审通过", now=self.at(end, 16.0)
        )

    def survey(
        self, project: Project, sort: int, kind: str, scheduled: dt.date, held: dt.date, place: str
    ) -> Any:
        return services.activity_schedule(
            stage=project.stages.get(sort=sort),
            kind=kind,
            date=held,
            place=place,
            actor=self.agent,
            note="建设单位、设计单位、各审批部门共同参加",
            now=self.at(scheduled, 16.0),
        )

    def findings(self, activity: Any, day: dt.date, texts: list[str], skip: int = 0) -> None:
        departments = list(activity.departments.order_by("pk"))
        for index, department in enumerate(departments[: len(departments) - skip]):
            actor = self.staff(department.pk, Role.REVIEWER) or self.staff(
                department.pk, Role.HANDLER
            )
            if actor is None:
                continue
            services.finding_record(
                activity=activity,
                actor=actor,
                result=FindingResult.CONDITIONS if index == 1 else FindingResult.PASS,
                text=texts[index % len(texts)],
                now=self.at(day, 17.0 + index * 0.1),
            )


def _mandate(run: _Run, first: dt.date) -> None:
    """The enterprise's all-items mandate for the agent, from ``first`` (unless one is in force)."""
    in_force = Mandate.objects.filter(
        agent=run.agent,
        applicant=run.enterprise,
        item__isnull=True,
        revoked_at__isnull=True,
        valid_until__gte=run.today,
    )
    if in_force.exists():
        return
    case_services.mandate_record(
        agent=run.agent,
        applicant=run.enterprise,
        item=None,
        valid_until=first.replace(year=first.year + 1),
        recorded_by=run.enterprise,
        note="重点项目全程代办",
        today=first,
    )


def _stages(codes: tuple[tuple[str, ...], ...]) -> list[services.StageSpec]:
    ids = dict(Item.objects.values_list("code", "pk"))
    return [
        services.StageSpec(name, [ids[c] for c in group if c in ids])
        for name, group in zip(STAGE_NAMES, codes, strict=False)
    ]


def _plant(run: _Run) -> Project:
    start = run.day(40)
    project = services.project_create(
        actor=run.admin,
        name="鄂州临空经济区智能制造产业园一期厂房",
        enterprise=run.enterprise,
        agent=run.agent,
        priority=ProjectPriority.URGENT,
        target_days=62,
        location="鄂州临空经济区燕矶镇临空大道以东",
        description="新建标准化厂房 6 栋及配套用房，总建筑面积约 12.6 万平方米。",
        stages=_stages((STAGE_1, STAGE_2, STAGE_3, STAGE_4)),
        now=run.at(start, 9.0) - dt.timedelta(days=1),
    )
    d = run.day
    cases = [run.file(project, 1, code, d(40)) for code in STAGE_1]
    cases = [run.accept(case, d(39)) for case in cases]
    survey = run.survey(
        project, 1, ActivityKind.SITE_SURVEY, d(39), d(37), "临空大道以东项目红线范围"
    )
    run.findings(
        survey,
        d(37),
        ["选址符合国土空间规划，用地红线清楚。", "需补充场地排水方案后报送。", "现场与申报一致。"],
    )
    run.expert_review(cases[1], d(36), d(33))
    for case in cases:
        run.review(case, d(32))
    for case in cases:
        run.grant_and_deliver(case, d(31), d(30))
    second = [run.file(project, 2, code, d(27)) for code in STAGE_2]
    second = [run.accept(case, d(26)) for case in second]
    drawings = run.survey(
        project, 2, ActivityKind.DRAWING_REVIEW, d(26), d(22), "市民中心三楼联合审图室"
    )
    run.findings(
        drawings,
        d(22),
        ["规划指标符合设计条件。", "消防车道转弯半径需按规范调整。", "环评措施已落实在图纸中。"],
        skip=1,
    )
    run.review(second[0], d(20))
    run.grant_and_deliver(second[0], d(19), d(18))
    run.review(second[1], d(15), only_lead=True)
    return project


def _housing(run: _Run) -> Project:
    start = run.day(4)
    project = services.project_create(
        actor=run.admin,
        name="葛店新城·滨湖花园住宅小区（二期）",
        enterprise=run.enterprise,
        agent=run.agent,
        priority=ProjectPriority.KEY,
        target_days=62,
        location="葛店开发区滨湖路与高新大道交汇处",
        description="住宅 14 栋、幼儿园 1 所及地下车库，总建筑面积约 21 万平方米。",
        stages=_stages((STAGE_1, STAGE_2, STAGE_3, STAGE_4)),
        now=run.at(start, 8.0),
    )
    first = run.file(project, 1, STAGE_1[0], run.day(4))
    run.accept(first, run.day(3))
    run.file(project, 1, STAGE_1[1], run.day(1))  # waits at the window
    return project


def load(today: dt.date) -> list[Project]:
    """Two key projects through the services; none when the catalog lacks the items."""
    codes = set(STAGE_1 + STAGE_2 + STAGE_3 + STAGE_4)
    if Item.objects.filter(code__in=codes, published_version__isnull=False).count() < len(codes):
        log.warning("demo projects: construction items missing, none loaded")
        return []
    run = _Run(today)
    _mandate(run, run.day(45))
    made = []
    for build in (_plant, _housing):
        try:
            with transaction.atomic():
                made.append(build(run))
        except DomainError as err:
            log.warning("demo project skipped: %s", err.message)
    return made


def reset() -> None:
    """Delete the demo's projects (their stages, links, activities and findings go with them)."""
    Project.objects.all().delete()
