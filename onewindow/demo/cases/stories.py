"""One generated case, told as a story: a generator that yields the moment of its next step and,
when the simulation resumes it at that moment, calls the real service with ``now=`` that moment.

The fate says where the story ends (``FATES``); in-progress fates start a few working days
before the demo's "today" so they stop half-way: steps due after the cut-off never run. A story
re-reads the case before each step (deadline jobs, suspensions and extensions move it on between
steps) and ends quietly, counted in ``Sim.skipped``, if a service refuses a step.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.cases.services import (
    APPEAL_RIGHTS,
    ApplicationChanges,
    CommitmentSignature,
    MaterialFinding,
    WalkInApplicant,
    application_resubmit,
    application_save,
    application_start,
    application_submit,
    application_withdraw,
    case_accept,
    case_register_walk_in,
    case_reject,
    case_request_correction,
    case_resubmit,
    commitment_fulfil,
)
from onewindow.cases.uploads import case_file_add
from onewindow.certificates.services import (
    certificate_download_record,
    delivery_choose,
    delivery_confirm,
    delivery_handover,
    delivery_send,
)
from onewindow.review.models import Extension, MaterialRequest
from onewindow.review.selectors import case_opinions_complete
from onewindow.review.services import (
    material_request_answer,
    task_material_request,
    task_opinion_give,
    task_step_complete,
)
from onewindow.review.services.decisions import (
    decision_make,
    extension_decide,
    extension_request,
    suspension_end,
    suspension_start,
)

if TYPE_CHECKING:
    from onewindow.demo.cases.run import Sim

Steps = Generator[dt.datetime, None, None]

# A one-page PDF (magic bytes, one empty page, trailer; pypdf rebuilds the missing xref): every generated upload is this file.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\nstartxref\n0\n%%EOF\n"
)

# Where a story stops (in-progress fates) or how it ends (the others).
TERMINAL: tuple[str, ...] = (
    "completed",
    "early",
    "late_decision",
    "late_delivery",
    "refused",
    "rejected",
    "withdrawn",
    "deemed_acceptance",
)
IN_PROGRESS = (
    "awaiting_intake",
    "intake_near_due",
    "correction_open",
    "tolerated_open",
    "in_review",
    "in_review_overdue",
    "suspended",
    "suspension_overdue",
    "granted_pending",
    "certificate_overdue",
    *(
        # docs/decisions.md §O2: today's work for the demo department's staff (planning puts these
        # cases there): the lead task waiting at the handler's, reviewer's or approver's step
        # (the other departments have answered), every opinion in and the decision to sign,
        # an extension waiting for approval.
        "at_handle",
        "at_review",
        "at_approve",
        "awaiting_decision",
        "extension_pending",
    ),
)
FATES = TERMINAL + IN_PROGRESS
# The step kind the lead task of an ``at_<kind>`` case waits at.
HELD_AT = {"at_handle": "handle", "at_review": "review", "at_approve": "approve"}
# Fates whose review runs on the day of acceptance (every step, each department), so that the
# case is where its fate says by the cut-off although it started only a few days before.
QUEUE_FATES = (*HELD_AT, "awaiting_decision", "extension_pending")

STREETS = ("滨湖北路", "古楼街", "寒溪路", "南浦路", "凤凰路", "武昌大道", "吴都大道", "江碧路")
DISTRICTS = ("鄂城区", "华容区", "梁子湖区")
CARRIERS = ("中国邮政EMS", "顺丰速运", "京东物流")


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass(frozen=True)
class ItemInfo:
    version: Any
    department: str  # the lead department's code
    committed: int
    on_the_spot: bool
    joint: bool
    commitment_allowed: bool
    tolerance: int
    materials: list[Any]  # catalog Material rows
    delivery: list[str]
    licensing: bool

    @property
    def tolerable(self) -> list[Any]:
        """Required non-core materials that may be left out for 容缺受理."""
        return [m for m in self.materials if m.required and not m.is_core]


@dataclass
class Plan:
    n: int
    fate: str
    item: ItemInfo
    applicant: Any
    channel: str  # online | window | agent
    day: dt.date  # the submission day
    rng: random.Random
    features: set[str] = field(default_factory=set)
    intake_k: int = 1  # working days from receipt to the intake decision
    agent: Any = None  # the agent acting under a mandate (channel agent)


class Story:
    def __init__(self, sim: Sim, plan: Plan) -> None:
        self.sim, self.plan, self.r = sim, plan, plan.rng
        self.case: Any = None
        self.cast = sim.cast
        dept = plan.item.department
        self.clerk = self.cast.of(dept, "clerk")
        self.handler = self.cast.of(dept, "handler")
        self.approver = self.cast.of(dept, "approver")
        self.chief = self.cast.of(dept, "chief")
        # ALL Art. 42: the agency head approves an extension; joint handling the government head.
        self.extension_head = (
            self.cast.demo["gov_head"]
            if plan.item.version.joint_handling
            else self.cast.of(dept, "head")
        )
        self.actor = plan.agent or plan.applicant

    # --- time ---------------------------------------------------------------------------------
    @property
    def now(self) -> dt.datetime:
        return self.sim.now

    def at(self, day: dt.date, hour: float) -> dt.datetime:
        """``day`` at ``hour`` (local), but always a little after the story's last step."""
        moment = self.sim.at(day, hour)
        floor = self.sim.now + dt.timedelta(minutes=7)
        return max(moment, floor)

    def wd(self, day: dt.date, n: int) -> dt.date:
        return self.sim.add_wd(day, n)

    def today(self) -> dt.date:
        return self.sim.local_date(self.now)

    def fresh(self) -> Any:
        self.case.refresh_from_db()
        return self.case

    # --- the story ----------------------------------------------------------------------------
    def run(self) -> Steps:
        p = self.plan
        yield self.sim.at(p.day, self.r.choice((9.2, 10.4, 14.8, 16.1)))
        if not self.submit():
            return
        fate = p.fate
        if fate in ("awaiting_intake", "intake_near_due"):
            return
        received = self.case.received_on
        if fate == "deemed_acceptance":
            yield from self.wait_for(lambda c: c.status != "submitted", self.case.intake_due)
        else:
            if "correction" in p.features or fate == "correction_open":
                yield self.at(self.wd(received, self.r.choice((0, 1, 1, 2))), 10.5)
                self.correction()
                if fate == "correction_open":
                    return
                yield self.at(self.wd(self.today(), self.r.randint(2, 5)), 15.2)
                self.resubmit()
                received = self.fresh().received_on
            yield self.at(self.wd(received, p.intake_k), self.r.choice((9.6, 10.8, 15.4)))
            if fate == "rejected":
                self.sim.act(self, self.reject)
                return
            if not self.sim.act(self, self.accept):
                return
        if fate == "withdrawn":
            yield self.at(self.wd(self.today(), self.r.randint(1, 3)), 11.0)
            self.sim.act(self, self.withdraw)
            return
        yield from self.review()

    def wait_for(self, done: Callable[[Any], bool], after: dt.date) -> Steps:
        day = after
        for _ in range(15):
            day = self.wd(day, 1)
            yield self.at(day, 9.0)
            if done(self.fresh()):
                return
        self.sim.skip(self, "waited in vain")

    # --- submission ---------------------------------------------------------------------------
    def form(self) -> dict[str, Any]:
        applicant, item, r = self.plan.applicant, self.plan.item, self.r
        data: dict[str, Any] = {
            "project_name": (applicant.full_name + item.version.name)[:100],
            "premises_address": {
                "province": "湖北省",
                "city": "鄂州市",
                "district": r.choice(DISTRICTS),
                "detail": f"{r.choice(STREETS)}{r.randint(1, 300)}号",
            },
            "contact_name": applicant.legal_representative or applicant.full_name,
            "contact_phone": applicant.phone or "13907110000",
            "application_date": self.today().isoformat(),
        }
        if item.licensing:
            data["application_type"] = r.choice(("新办", "新办", "新办", "变更", "延续"))
        return data

    def materials_given(self) -> list[Any]:
        """Every material (optional ones mostly too), less the one tolerated (容缺)."""
        left_out = self.plan.item.tolerable[:1] if "tolerated" in self.plan.features else []
        return [
            m
            for m in self.plan.item.materials
            if m not in left_out and (m.required or self.r.random() < 0.6)
        ]

    def submit(self) -> bool:
        return self.sim.act(self, self.walk_in if self.plan.channel == "window" else self.online)

    def walk_in(self) -> None:

        applicant = self.plan.applicant
        person = applicant.applicant_kind == "person"
        self.case = case_register_walk_in(
            item_version=self.plan.item.version,
            region=self.sim.region_for(self.r, self.plan.item.version),
            clerk=self.clerk,
            applicant=WalkInApplicant(
                kind=applicant.applicant_kind,
                full_name=applicant.full_name,
                id_number=applicant.id_number if person else "",
                credit_code="" if person else applicant.credit_code,
                legal_representative=applicant.legal_representative,
                phone=applicant.phone,
            ),
            form_data=self.form(),
            files={m.pk: [upload(f"{m.name[:40]}.pdf")] for m in self.materials_given()},
            now=self.now,
        )

    def online(self) -> None:

        p = self.plan
        route = "commitment" if "commitment" in p.features else "standard"
        case = application_start(
            item_version=p.item.version,
            actor=self.actor,
            region=self.sim.region_for(self.r, p.item.version),
            applicant=p.applicant if self.actor is not p.applicant else None,
            route=route,
            today=self.today(),
            now=self.now,
        )
        self.case = case
        later = self.now + dt.timedelta(minutes=3)
        application_save(
            case=case,
            actor=self.actor,
            changes=ApplicationChanges(form_data=self.form()),
            now=later,
        )
        given = {m.pk for m in self.materials_given()}
        for line in case.materials.select_related("material"):
            if line.material_id in given:
                case_file_add(
                    case_material=line,
                    upload=upload(f"{line.material.name[:40]}.pdf"),
                    actor=self.actor,
                    now=later,
                )
        signature = None
        if route == "commitment":
            name = p.applicant.legal_representative or p.applicant.full_name
            signature = CommitmentSignature(agreed=True, signature=name)
        application_submit(
            case=case,
            actor=self.actor,
            commitment=signature,
            now=later + dt.timedelta(minutes=2),
        )
        case.refresh_from_db()

    # --- intake -------------------------------------------------------------------------------
    def correction(self) -> None:

        lines = list(self.fresh().materials.select_related("material").filter(files__isnull=False))
        chosen = self.r.sample(lines, k=min(len(lines), self.r.choice((1, 1, 2))))
        findings = [
            MaterialFinding(
                case_material_id=line.pk,
                problem="defective",
                remark=self.r.choice(
                    ("复印件不清晰，请重新提交", "未加盖公章", "签字不完整", "内容与申请表不一致")
                ),
            )
            for line in chosen
        ]
        self.sim.act(
            self,
            lambda: case_request_correction(
                case=self.case, actor=self.clerk, findings=findings, now=self.now
            ),
        )

    def resubmit(self) -> None:

        def go() -> None:
            by = self.clerk if self.plan.channel == "window" else self.actor
            for line in (
                self.fresh().materials.filter(status="defective").select_related("material")
            ):
                case_file_add(
                    case_material=line,
                    upload=upload(f"{line.material.name[:36]}（补正）.pdf"),
                    actor=by,
                    now=self.now,
                )
            if self.plan.channel == "window":
                case_resubmit(case=self.case, actor=by, now=self.now)
            else:
                application_resubmit(case=self.case, actor=by, now=self.now)

        self.sim.act(self, go)

    def accept(self) -> None:

        case = self.fresh()
        tolerated: list[int] = []
        due = None
        if "tolerated" in self.plan.features:
            tolerated = list(
                case.materials.filter(files__isnull=True, material__required=True)
                .filter(material__is_core=False)
                .values_list("pk", flat=True)
            )
            due = self.wd(self.today(), min(3, max(1, self.plan.item.committed - 1)))
        case_accept(
            case=case,
            actor=self.clerk,
            tolerated_material_ids=tolerated,
            commitment_due=due if tolerated else None,
            now=self.now,
        )

    def reject(self) -> None:

        reasons = self.r.choice(
            (
                "申请事项依法不需要取得行政许可。",
                "申请事项不属于本机关职权范围，请向有权机关申请。",
                "申请人不具备申请资格：营业执照经营范围不含申请事项。",
            )
        )
        agency = "鄂州市相关主管部门" if "职权" in reasons else ""
        case_reject(
            case=self.fresh(),
            actor=self.clerk,
            reasons=reasons,
            competent_agency=agency,
            now=self.now,
        )

    def withdraw(self) -> None:

        application_withdraw(
            case=self.fresh(),
            actor=self.actor,
            reason="申请人经营计划调整，申请撤回。",
            now=self.now,
        )

    # --- review -------------------------------------------------------------------------------
    def tasks(self) -> list[Any]:
        return list(self.case.tasks.select_related("department").order_by("pk"))

    def review(self) -> Steps:
        p, case = self.plan, self.fresh()
        opened = case.accepted_on or self.today()
        if "tolerated" in p.features or p.fate == "tolerated_open":
            yield from self.fulfil()
            if p.fate == "tolerated_open":
                return
        if "material" in p.features:
            yield from self.material_request()
        if "suspension" in p.features or p.fate in ("suspended", "suspension_overdue"):
            yield from self.suspension()
            if p.fate in ("suspended", "suspension_overdue"):
                return
        yield from self.answers(opened)
        if p.fate == "in_review" or p.fate in HELD_AT or p.fate == "awaiting_decision":
            return
        if p.fate == "extension_pending":
            yield from self.extension_requested()
            return
        if "extension" in p.features:
            yield from self.extension()
        if p.fate == "in_review_overdue":
            return
        yield from self.decide()
        case = self.fresh()
        if case.status != "granted" or p.fate in ("granted_pending", "certificate_overdue"):
            return
        yield from self.deliver()

    def fulfil(self) -> Steps:

        if self.plan.fate == "tolerated_open":
            return
        for commitment in self.case.commitments.filter(status="open").select_related("material"):
            day = max(self.wd(self.today(), 1), self.wd(commitment.due_on, -1))
            yield self.at(min(day, commitment.due_on), 9.8)
            self.sim.act(
                self,
                lambda c=commitment: commitment_fulfil(
                    commitment=c,
                    actor=self.clerk,
                    upload=upload(f"{c.material.name[:36]}（补齐）.pdf"),
                    now=self.now,
                ),
            )

    def lead_task(self) -> Any:
        return next(t for t in self.tasks() if t.is_lead)

    def material_request(self) -> Steps:

        yield self.at(self.wd(self.today(), 1), 10.2)
        task = self.lead_task()
        if task.step != 0 or task.status != "open":
            return
        text = self.r.choice(
            ("请补充提供经营场所产权证明复印件。", "请补充提供设备清单及检测报告。")
        )
        if not self.sim.act(
            self,
            lambda: task_material_request(
                task=task, actor=self.handler, text=text, revision=None, now=self.now
            ),
        ):
            return
        yield self.at(self.wd(self.today(), self.r.randint(1, 2)), 15.5)
        request = MaterialRequest.objects.filter(task=task, answered_on__isnull=True).first()
        if request is None:
            return
        by = self.clerk if self.plan.channel == "window" else self.actor
        self.sim.act(
            self,
            lambda: material_request_answer(
                request=request,
                actor=by,
                answer="已按要求补充相关材料。",
                files=[upload("补充材料.pdf")],
                now=self.now,
            ),
        )

    def suspension(self) -> Steps:

        fate = self.plan.fate
        yield self.at(self.wd(self.today(), 1), 11.2)
        kind, reason = self.r.choice(
            (
                ("inspection", "对经营场所进行现场核查"),
                ("expert_review", "组织专家对技术方案进行评审"),
                ("testing", "委托第三方机构对设备进行检测"),
                ("public_notice", "对申请事项进行社会公示"),
            )
        )
        expected = self.r.randint(3, 6)
        started = self.sim.act(
            self,
            lambda: suspension_start(
                case=self.fresh(),
                actor=self.handler,
                kind=kind,
                reason=reason,
                expected_days=expected,
                now=self.now,
            ),
        )
        if not started or fate in ("suspended", "suspension_overdue"):
            return
        suspension = self.case.suspensions.filter(ended_on__isnull=True).first()
        yield self.at(self.wd(self.today(), expected - self.r.randint(0, 1)), 16.0)
        self.sim.act(
            self,
            lambda: suspension_end(
                suspension=suspension,
                actor=self.handler,
                result="程序已结束，符合要求。",
                now=self.now,
            ),
        )

    def answers(self, opened: dt.date) -> Steps:
        """Every department's steps and opinion, interleaved in time order."""
        p = self.plan
        self.fresh()
        tasks = self.tasks()
        silent = None
        if "deemed_consent" in p.features:
            others = [t for t in tasks if not t.is_lead]
            silent = self.r.choice(others) if others else None
        refuse_by = None
        if p.fate == "refused" and len(tasks) > 1 and self.r.random() < 0.6:
            refuse_by = self.r.choice([t for t in tasks if not t.is_lead])
        actions: list[tuple[dt.datetime, int, Callable[[], None]]] = []
        start = max(self.today(), opened)
        for task in tasks:
            if task is silent or task.status not in ("open",):
                continue
            room = max(0, self.sim.wd_between(start, task.due))
            if p.item.on_the_spot or p.fate in QUEUE_FATES:
                answer = 0
            elif p.fate == "early":
                answer = self.r.randint(0, min(1, room))
            elif p.fate == "in_review_overdue":
                answer = self.r.randint(max(0, room - 2), room)
            else:
                answer = self.r.randint(max(0, room - 3), room)
            n = len(task.steps)
            for index, step in enumerate(task.steps):
                if task.is_lead and step.get("kind") == HELD_AT.get(p.fate):
                    break  # the lead task waits at this step today
                offset = answer * (index + 1) // n
                day = self.wd(start, offset) if offset else start
                moment = self.sim.at(day, 9.0 + 2.2 * index + self.r.random())
                last = index == n - 1
                actor = self.cast.of(task.department.code, step["role"])
                actions.append(
                    (moment, len(actions), self.step_action(task, actor, last, refuse_by))
                )
        actions.sort(key=lambda a: (a[0], a[1]))
        for moment, _n, action in actions:
            yield max(moment, self.now + dt.timedelta(minutes=5))
            if not self.sim.act(self, action):
                return

    def step_action(self, task: Any, actor: Any, last: bool, refuse_by: Any) -> Callable[[], None]:

        def act() -> None:
            task.refresh_from_db()
            if task.status != "open":
                return
            if not last:
                task_step_complete(task=task, actor=actor, revision=None, now=self.now)
                return
            if task is refuse_by:
                kind, text = "disagree", "经审查，申请人的条件不符合本部门的要求，不同意。"
            elif self.r.random() < 0.12:
                kind, text = "agree_conditions", "须在开业前完成设施整改并报本部门备案。"
            else:
                kind, text = "agree", ""
            task_opinion_give(
                task=task, actor=actor, kind=kind, text=text, revision=None, now=self.now
            )

        return act

    def extension(self) -> Steps:

        case = self.fresh()
        if case.decision_due is None:
            return
        yield self.at(max(self.today(), self.wd(case.decision_due, -1)), 9.5)
        days = self.r.choice((5, 10))
        if not self.sim.act(
            self,
            lambda: extension_request(
                case=self.fresh(),
                actor=self.handler,
                days=days,
                reasons="案情复杂，需进一步核实申请材料。",
                now=self.now,
            ),
        ):
            return
        yield self.at(self.today(), 15.0)
        extension = Extension.objects.filter(case=case, status="requested").first()
        if extension is None:
            return
        self.sim.act(
            self,
            lambda: extension_decide(
                extension=extension,
                actor=self.extension_head,
                approve=True,
                note="同意延期",
                now=self.now,
            ),
        )

    def extension_requested(self) -> Steps:
        """The handler asks for more time the working day after the opinions are in; the
        request waits for approval at the cut-off (docs/decisions.md §O2)."""

        yield self.at(self.wd(self.today(), 1), 9.5)
        self.sim.act(
            self,
            lambda: extension_request(
                case=self.fresh(),
                actor=self.handler,
                days=5,
                reasons="需对申请人提交的技术资料组织进一步核实。",
                now=self.now,
            ),
        )

    def decide(self) -> Steps:

        p, case = self.plan, self.fresh()
        due = case.decision_due or self.today()
        if p.fate == "late_decision":
            day = self.wd(due, self.r.randint(1, 3))
        elif p.fate == "early" or p.item.on_the_spot:
            day = self.today()
        elif "extension" in p.features:
            day = max(self.today(), self.wd(due, -self.r.randint(1, 4)))
        else:
            day = max(self.today(), self.wd(due, -self.r.randint(0, 1)))
        yield self.at(day, 14.6 if p.item.on_the_spot else 16.2)
        for _attempt in range(8):
            case = self.fresh()
            if case.status != "in_review":
                self.sim.skip(self, f"no decision in {case.status}")
                return
            if case_opinions_complete(case):
                break
            yield self.at(self.wd(self.today(), 1), 10.0)
        else:
            self.sim.skip(self, "opinions never complete")
            return
        decider = self.chief if p.item.on_the_spot else self.approver
        if p.fate == "refused":
            self.sim.act(
                self,
                lambda: decision_make(
                    case=self.fresh(),
                    actor=decider,
                    kind="refuse",
                    reasons="经审查，申请人提交的材料不能证明其符合法定条件。",
                    remedies=str(APPEAL_RIGHTS),
                    now=self.now,
                ),
            )
            return
        self.sim.act(
            self,
            lambda: decision_make(
                case=self.fresh(),
                actor=decider,
                kind="grant",
                reasons="" if not self._disagreed() else "经综合审查，相关问题已整改到位。",
                now=self.now,
            ),
        )

    def _disagreed(self) -> bool:
        return self.case.tasks.filter(opinion__kind="disagree").exists()

    # --- delivery -----------------------------------------------------------------------------
    def deliver(self) -> Steps:

        p, r = self.plan, self.r
        decision = self.case.decision
        offered = list(p.item.delivery)
        has_certificate = hasattr(self.case, "certificate")
        if not has_certificate and "electronic" in offered:
            offered.remove("electronic")
        if self.actor is not p.applicant and "electronic" in offered:
            offered.remove("electronic")  # the applicant downloads it themself
        method = r.choice(offered)
        late = p.fate == "late_delivery"
        if late:
            handover = self.wd(decision.certificate_due, r.randint(1, 2))
        else:
            handover = self.wd(decision.decided_on, r.randint(0 if p.fate == "early" else 1, 6))
        yield self.at(max(self.today(), self.wd(handover, -1)), 10.1)
        chooser = self.actor if r.random() < 0.7 else self.clerk
        if method == "window":
            chooser = self.clerk if self.plan.channel == "window" else chooser
        address = f"湖北省鄂州市{r.choice(DISTRICTS)}{r.choice(STREETS)}{r.randint(1, 300)}号"
        if not self.sim.act(
            self,
            lambda: delivery_choose(
                case=self.fresh(),
                actor=chooser,
                method=method,
                address=address if method == "post" else "",
                phone=p.applicant.phone if method == "post" else "",
                now=self.now,
            ),
        ):
            return
        if method == "electronic":
            yield self.at(handover, 20.3)
            self.sim.act(
                self,
                lambda: certificate_download_record(
                    case=self.fresh(), actor=p.applicant, now=self.now
                ),
            )
        elif method == "window":
            yield self.at(handover, 15.3)
            name, number = self.receiver()
            self.sim.act(
                self,
                lambda: delivery_handover(
                    case=self.fresh(),
                    actor=self.clerk,
                    receiver_name=name,
                    receiver_id_number=number,
                    now=self.now,
                ),
            )
        else:
            yield self.at(self.wd(handover, -1), 16.5)
            tracking = f"{r.choice(('EA', 'SF', 'JD'))}{r.randrange(10**11, 10**12)}"
            if not self.sim.act(
                self,
                lambda: delivery_send(
                    case=self.fresh(),
                    actor=self.clerk,
                    carrier=r.choice(CARRIERS),
                    tracking_number=tracking,
                    now=self.now,
                ),
            ):
                return
            yield self.at(handover, 11.0)
            self.sim.act(
                self, lambda: delivery_confirm(case=self.fresh(), actor=self.clerk, now=self.now)
            )

    def receiver(self) -> tuple[str, str]:
        applicant = self.plan.applicant
        if applicant.applicant_kind == "person":
            return applicant.full_name, applicant.id_number
        return applicant.legal_representative, self.cast.representative_ids[applicant.pk]


def story_steps(sim: Sim, plan: Plan) -> Iterator[dt.datetime]:
    return Story(sim, plan).run()
