"""The process template of an item version (权力运行流程, docs/product.md §C5): which departments
review a case, who leads, each department's ordered steps and allotted working days, and the
lead's consolidation time.

Validation lives here, in one pure function over the would-be template (``template_errors``), so
the admin can check a whole edited template before anything is saved and publication can check
the stored one (``process_template_errors``). A version without branches is valid: the review
then falls back to one branch for the item's own department (``catalog.deadlines.process_plan``).

The row services check what one row can get wrong (department, steps, days, its own path, a
second lead, a repeated department); "exactly one lead" is a rule of the whole template and is
checked at publication and in the admin, so a draft can be built up one row at a time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Role
from onewindow.catalog.deadlines import (
    DEFAULT_STEPS,
    EXTENSION_MAX_DAYS_JOINT,
    JOINT_HANDLING_DAYS,
    critical_path_days,
    process_plan,
)
from onewindow.catalog.models import Department, Item, ItemVersion, ProcessBranch, StepKind
from onewindow.catalog.selectors import version_locked_draft
from onewindow.lib import flowchart

__all__ = [
    "BRANCH_FIELDS",
    "STEP_ROLES",
    "BranchSpec",
    "ProcessView",
    "joint_limit_errors",
    "limit_basis_recorded",
    "process_branch_add",
    "process_branch_remove",
    "process_branch_update",
    "process_flowchart",
    "process_template_errors",
    "process_template_replace",
    "process_view",
    "steps_format",
    "steps_parse",
    "template_errors",
]

# The roles that do a department's review steps: staff bound to a department (docs/product.md §C2),
# the window clerk excepted — intake is not review.
STEP_ROLES = (Role.HANDLER, Role.REVIEWER, Role.APPROVER, Role.CHIEF)
# The role a step of each kind gets when the text names only the kind ("承办 → 审核 → 批准").
DEFAULT_ROLE = {StepKind.HANDLE: Role.HANDLER, StepKind.REVIEW: Role.REVIEWER}
DEFAULT_ROLE[StepKind.APPROVE] = Role.APPROVER
BRANCH_FIELDS = ("department", "is_lead", "allotted_days", "steps", "sort")
# The key of the template's errors in a publication's error dict.
ERROR_KEY = "process_branches"


@dataclass(frozen=True)
class BranchSpec:
    """One department's branch as it would be saved (a stored row or an admin form's data)."""

    department: Department | None
    is_lead: bool
    allotted_days: int | None
    steps: Any

    @classmethod
    def of(cls, branch: ProcessBranch) -> BranchSpec:
        return cls(branch.department, branch.is_lead, branch.allotted_days, branch.steps)


# --- steps as text ------------------------------------------------------------------------------
# The admin types these with or without a Chinese input method: "，" and "；" part steps like
# "," and ";", and "：" parts a step's kind from its role like ":".
_ARROW = re.compile(r"\s*(?:→|->|=>|>|,|，|;|；|、|\n)\s*")
_COLON = re.compile(r"\s*[:：]\s*")


def steps_format(steps: Any) -> str:
    """The admin's text for a chain of steps: "承办：承办人 → 审核：审核人 → 批准：批准人"."""
    kinds, roles = dict(StepKind.choices), dict(Role.choices)
    parts = []
    for step in steps if isinstance(steps, list) else []:
        if not isinstance(step, dict):
            continue
        kind, role = step.get("kind", ""), step.get("role", "")
        parts.append(f"{kinds.get(kind, kind)}：{roles.get(role, role)}")
    return " → ".join(str(p) for p in parts)


def steps_parse(text: str) -> list[dict[str, str]]:
    """Read the admin's text back into steps. Each step is "环节：角色" (Chinese labels or the
    codes, e.g. "review:reviewer"; the ASCII and the full-width marks alike); a step given as its
    kind alone gets that kind's usual role. Raises ``ValidationError`` naming the first part it
    cannot read."""
    kinds = _lookup(StepKind.choices)
    roles = _lookup([(r.value, r.label) for r in STEP_ROLES])
    steps = []
    for n, part in enumerate((p for p in _ARROW.split(text.strip()) if p), start=1):
        kind_text, _sep, role_text = _COLON.sub(":", part).partition(":")
        kind = kinds.get(kind_text.strip().lower())
        if kind is None:
            raise ValidationError(
                _("第%(n)s个环节“%(part)s”无法识别：环节须为承办、审核或批准。")
                % {"n": n, "part": part}
            )
        role = roles.get(role_text.strip().lower()) if role_text.strip() else DEFAULT_ROLE[kind]
        if role is None:
            raise ValidationError(
                _("第%(n)s个环节“%(part)s”的角色无法识别：角色须为%(roles)s。")
                % {"n": n, "part": part, "roles": _role_names()}
            )
        steps.append({"kind": str(kind), "role": str(role)})
    return steps


def _lookup(choices: Sequence[tuple[Any, Any]]) -> dict[str, Any]:
    table = {}
    for value, label in choices:
        table[str(value).lower()] = value
        table[str(label).lower()] = value
    return table


def _role_names() -> str:
    return "、".join(str(r.label) for r in STEP_ROLES)


# --- validation ---------------------------------------------------------------------------------
def _name(spec: BranchSpec) -> str:
    return spec.department.name if spec.department is not None else _("（未选择部门）")


def _path_limit(version: ItemVersion) -> int:
    """The longest critical path the version allows: its committed limit. A 即办件 (ALL Art. 34:
    decided on the spot) commits 0 days; its template then describes who decides, and a task
    needs at least one working day (``allotted_days`` ≥ 1), so the bound is one day."""
    committed = version.committed_days or 0
    return max(committed, 1) if version.on_the_spot else committed


def step_errors(spec: BranchSpec) -> list[str]:
    """A non-empty chain of known kinds, each done by a department role, ending in 批准."""
    name, steps = _name(spec), spec.steps
    if not isinstance(steps, list) or not steps:
        return [_("部门“%(d)s”的办理环节不能为空。") % {"d": name}]
    errors = []
    for n, step in enumerate(steps, start=1):
        kind = step.get("kind") if isinstance(step, dict) else None
        role = step.get("role") if isinstance(step, dict) else None
        if kind not in StepKind.values:
            errors.append(
                _("部门“%(d)s”第%(n)s个环节的类型“%(k)s”无效：须为承办、审核或批准。")
                % {"d": name, "n": n, "k": kind}
            )
        if role not in STEP_ROLES:
            errors.append(
                _("部门“%(d)s”第%(n)s个环节的角色“%(r)s”不是部门审查角色（%(roles)s）。")
                % {"d": name, "n": n, "r": role, "roles": _role_names()}
            )
    last = steps[-1]
    if not (isinstance(last, dict) and last.get("kind") == StepKind.APPROVE):
        errors.append(_("部门“%(d)s”的办理环节须以“批准”环节结束。") % {"d": name})
    return errors


def branch_errors(version: ItemVersion, spec: BranchSpec, *, path: bool = True) -> list[str]:
    """What one branch can get wrong on its own, with (``path``) its path through the template:
    the critical path is the longest branch, so each branch must fit the limits by itself."""
    name, errors = _name(spec), []
    if spec.department is None:
        errors.append(_("请选择部门。"))
    elif not spec.department.is_active:
        errors.append(_("部门“%(d)s”已停用，不能承担审查。") % {"d": name})
    days = spec.allotted_days
    if days is None or days < 1:
        errors.append(_("部门“%(d)s”的审查时限至少为1个工作日。") % {"d": name})
    errors += step_errors(spec)
    if path and days is not None and days >= 1:
        errors += _path_errors(version, [days], who=name)
    return errors


def _path_errors(version: ItemVersion, allotted: list[int], who: str = "") -> list[str]:
    consolidation = version.consolidation_days or 0
    # docs/rules/licensing.md §C3: the case deadline is the latest branch plus consolidation, never
    # the sum.
    path = critical_path_days(allotted, consolidation)
    longest = max(allotted, default=0)
    values = {"p": path, "b": longest, "c": consolidation, "who": who}
    errors = []
    limit = _path_limit(version)
    if path > limit:
        values["l"] = limit
        if version.on_the_spot:
            message = _(
                "即办件须当场办结：审批流程的关键路径为%(p)s个工作日（最长的部门审查%(b)s个"
                "工作日 + 牵头部门汇总%(c)s个工作日），最多为1个工作日。"
            )
        else:
            message = _(
                "审批流程的关键路径为%(p)s个工作日（最长的部门审查%(b)s个工作日 + 牵头部门"
                "汇总%(c)s个工作日），超过承诺时限%(l)s个工作日。"
            )
        errors.append((_("部门“%(who)s”：") % values if who else "") + message % values)
    # ALL Art. 42 (docs/rules/licensing.md §B2, §C3): joint handling is decided within 45 working
    # days, unless a law or regulation recorded on the version provides otherwise.
    if version.joint_handling and path > JOINT_HANDLING_DAYS and not limit_basis_recorded(version):
        values["j"] = JOINT_HANDLING_DAYS
        errors.append(
            _(
                "联合办理的审批流程关键路径为%(p)s个工作日，超过《中华人民共和国行政许可法》"
                "第四十二条规定的%(j)s个工作日。"
            )
            % values
        )
    return errors


# An article reference: 第二十二条, 第22条, 第十七条第一款 …
ARTICLE = re.compile(r"^第[一二三四五六七八九十百千零〇两\d]+条")


def limit_basis_recorded(version: ItemVersion) -> bool:
    """The version names the law and article that set a limit other than Art. 42's."""
    law = (version.limit_basis_law or "").strip()
    article = (version.limit_basis_article or "").strip()
    return bool(law) and bool(ARTICLE.match(article))


def joint_limit_errors(version: ItemVersion) -> dict[str, list[str]]:
    """ALL Art. 26, 42 para. 2 (docs/rules/licensing.md §B2, §C3): joint handling is decided within
    45 working days, +15 once with the government head's approval — "法律、法规另有规定的，依照其规定". A
    joint-handling version with a longer statutory limit must record that law and article."""
    errors: dict[str, list[str]] = {}
    law = (version.limit_basis_law or "").strip()
    article = (version.limit_basis_article or "").strip()
    if law and not article:
        errors["limit_basis_article"] = [_("请填写时限依据的条款（如“第二十二条”）。")]
    elif article and not ARTICLE.match(article):
        errors["limit_basis_article"] = [
            _("时限依据的条款“%(a)s”不是条款编号：请写成“第……条”（可含款、项）。") % {"a": article}
        ]
    elif article and not law:
        errors["limit_basis_law"] = [_("请填写规定该时限的法律、法规名称。")]
    statutory = version.statutory_days or 0
    if version.joint_handling and statutory > JOINT_HANDLING_DAYS and not (law and article):
        errors["statutory_days"] = [
            _(
                "联合办理的事项法定办结时限为%(s)s个工作日，超过行政许可法第四十二条第二款规定的"
                "%(j)s个工作日（经本级人民政府负责人批准可延长%(e)s个工作日）。法律、法规另有"
                "规定的，请写明该法律、法规名称及条款；否则请将法定时限改为不超过%(j)s个工作日。"
            )
            % {"s": statutory, "j": JOINT_HANDLING_DAYS, "e": EXTENSION_MAX_DAYS_JOINT}
        ]
    return errors


def template_errors(version: ItemVersion, branches: Sequence[BranchSpec]) -> dict[str, list[str]]:
    """Everything wrong with ``version``'s process template if it had ``branches``; empty when
    valid. ``version``'s limits are read from the instance (unsaved edits count)."""
    errors: dict[str, list[str]] = {}
    committed, statutory = version.committed_days, version.statutory_days
    # docs/rules/licensing.md §B2: committed ≤ statutory is a catalog invariant.
    if committed is not None and statutory is not None and committed > statutory:
        errors["committed_days"] = [
            _("承诺时限不得超过法定时限：承诺%(c)s个工作日，法定%(s)s个工作日。")
            % {"c": committed, "s": statutory}
        ]
    if not branches:
        return errors  # the fallback: one branch for the item's department
    found: list[str] = []
    for spec in branches:
        # The whole template's path is reported once below, not once per branch.
        found += branch_errors(version, spec, path=False)
    found += _duplicate_errors(branches)
    found += _lead_errors(branches)
    allotted = [s.allotted_days for s in branches if s.allotted_days and s.allotted_days >= 1]
    found += _path_errors(version, allotted)
    if found:
        errors[ERROR_KEY] = found
    return errors


def _duplicate_errors(branches: Sequence[BranchSpec]) -> list[str]:
    seen: set[int] = set()
    errors = []
    for spec in branches:
        if spec.department is None:
            continue
        if spec.department.pk in seen:
            errors.append(_("部门“%(d)s”在流程中重复出现。") % {"d": spec.department.name})
        seen.add(spec.department.pk)
    return errors


def _lead_errors(branches: Sequence[BranchSpec]) -> list[str]:
    """docs/product.md §C5: one lead department consolidates the opinions and decides."""
    leads = [_name(s) for s in branches if s.is_lead]
    if not leads:
        return [_("请指定一个牵头部门（负责汇总各部门意见并作出决定）。")]
    if len(leads) > 1:
        return [_("只能有一个牵头部门，现为：%(d)s。") % {"d": "、".join(leads)}]
    return []


def process_template_errors(version: ItemVersion) -> dict[str, list[str]]:
    """What is wrong with the stored process template of ``version`` (empty when valid)."""
    branches = version.process_branches.select_related("department").order_by("sort", "pk")
    return template_errors(version, [BranchSpec.of(b) for b in branches])


# --- services -----------------------------------------------------------------------------------
@transaction.atomic
def process_branch_add(
    *,
    version: ItemVersion,
    department: Department,
    allotted_days: int,
    steps: list[dict[str, str]] | None = None,
    is_lead: bool = False,
    sort: int | None = None,
) -> ProcessBranch:
    """Add a department's branch to a draft's template (steps default to 承办 → 审核 → 批准)."""
    version = version_locked_draft(version)
    steps = [dict(s) for s in DEFAULT_STEPS] if steps is None else steps
    spec = BranchSpec(department, is_lead, allotted_days, steps)
    _raise_row_errors(version, spec, others=list(version.process_branches.all()))
    if sort is None:
        last = version.process_branches.aggregate(n=Max("sort"))["n"]
        sort = 0 if last is None else last + 1
    branch = ProcessBranch(version=version, sort=sort, **_values(spec))
    branch.save()
    return branch


@transaction.atomic
def process_branch_update(*, branch: ProcessBranch, **fields: Any) -> ProcessBranch:
    """Change a draft's branch (``BRANCH_FIELDS``)."""
    unknown = sorted(set(fields) - set(BRANCH_FIELDS))
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(unknown)}")
    version = version_locked_draft(branch.version)
    branch = ProcessBranch.objects.select_related("department").get(pk=branch.pk)
    for field, value in fields.items():
        setattr(branch, field, value)
    others = list(version.process_branches.exclude(pk=branch.pk))
    _raise_row_errors(version, BranchSpec.of(branch), others=others)
    branch.save()
    return branch


@transaction.atomic
def process_branch_remove(*, branch: ProcessBranch) -> None:
    """Take a branch out of a draft's template (without branches the fallback applies)."""
    version_locked_draft(branch.version)
    branch.delete()


@transaction.atomic
def process_template_replace(
    *, version: ItemVersion, branches: Sequence[BranchSpec]
) -> list[ProcessBranch]:
    """Set a draft's whole template at once, checked as a whole first (the admin's save: the
    lead can move from one department to another in one go)."""
    version = version_locked_draft(version)
    errors = template_errors(version, branches)
    if errors:
        raise ValidationError(errors)
    version.process_branches.all().delete()
    rows = [
        ProcessBranch(version=version, sort=n, **_values(spec)) for n, spec in enumerate(branches)
    ]
    return ProcessBranch.objects.bulk_create(rows)


def _raise_row_errors(
    version: ItemVersion, spec: BranchSpec, *, others: list[ProcessBranch]
) -> None:
    errors = branch_errors(version, spec)
    if spec.department is not None and any(o.department_id == spec.department.pk for o in others):
        errors.append(_("部门“%(d)s”在流程中重复出现。") % {"d": spec.department.name})
    lead = next((o for o in others if o.is_lead), None)
    if spec.is_lead and lead is not None:
        errors.append(_("只能有一个牵头部门：“%(d)s”已是牵头部门。") % {"d": lead.department.name})
    if errors:
        raise ValidationError({ERROR_KEY: errors})


def _values(spec: BranchSpec) -> dict[str, Any]:
    return {
        "department": spec.department,
        "is_lead": spec.is_lead,
        "allotted_days": spec.allotted_days,
        "steps": [{"kind": s["kind"], "role": s["role"]} for s in spec.steps],
    }


# --- what the guide, the admin and the API show -------------------------------------------------
@dataclass(frozen=True)
class BranchView:
    department: Department
    is_lead: bool
    allotted_days: int
    steps: list[dict[str, str]]

    @property
    def step_labels(self) -> list[tuple[str, str]]:
        kinds, roles = dict(StepKind.choices), dict(Role.choices)
        return [
            (str(kinds.get(s["kind"], s["kind"])), str(roles.get(s["role"], s["role"])))
            for s in self.steps
        ]


@dataclass(frozen=True)
class ProcessView:
    """The process a case of the version gets: the template, or the fallback without one."""

    branches: list[BranchView]
    consolidation_days: int
    critical_path_days: int
    is_default: bool  # no template: one branch for the item's department


def process_view(version: ItemVersion) -> ProcessView:
    """``catalog.deadlines.process_plan`` with the departments, for display (lead first)."""
    plan = process_plan(version)
    ids = {p.department_id for p in plan}
    departments = {d.pk: d for d in _departments(version, ids)}
    branches = [
        BranchView(departments[p.department_id], p.is_lead, p.allotted_days, p.steps) for p in plan
    ]
    path = critical_path_days([b.allotted_days for b in branches], version.consolidation_days)
    return ProcessView(branches, version.consolidation_days, path, plan[0].branch_id is None)


def _departments(version: ItemVersion, ids: set[int]) -> list[Department]:
    """Already loaded departments (prefetched branches, the item's), else one query."""
    known = [
        b.department
        for b in version.process_branches.all()
        if ProcessBranch.department.is_cached(b)
    ]
    if Item.department.is_cached(version.item):
        known.append(version.item.department)
    if {d.pk for d in known} >= ids:
        return known
    return list(Department.objects.filter(pk__in=ids))


def process_flowchart(version: ItemVersion) -> flowchart.Chart:
    """The version's 权力运行流程图 as plain data for ``lib.flowchart.render_svg``."""
    view = process_view(version)
    lanes = tuple(
        flowchart.Lane(
            department=b.department.name,
            lead=b.is_lead,
            # ALL Art. 34: a 即办件 is decided on the spot; its one day is only a task's due date.
            days=_("当场办结") if version.on_the_spot else _days(b.allotted_days),
            steps=tuple(flowchart.Step(kind, role) for kind, role in b.step_labels),
        )
        for b in view.branches
    )
    summary = _summary(version, view)
    lane_texts = [
        _("%(d)s%(lead)s：%(steps)s，%(days)s。")
        % {
            "d": lane.department,
            "lead": _("（牵头）") if lane.lead and len(lanes) > 1 else "",
            "steps": " → ".join(f"{s.kind}（{s.role}）" for s in lane.steps),
            "days": lane.days,
        }
        for lane in lanes
    ]
    return flowchart.Chart(
        title=_("%(name)s 审批流程图") % {"name": version.name},
        description=" ".join([_description(view), *lane_texts, summary]),
        intake=_("窗口受理"),
        intake_note=_("一窗受理 · 抄告相关部门") if len(lanes) > 1 else _("一窗受理"),
        lanes=lanes,
        parallel_note=_("并联审查") if len(lanes) > 1 else _("部门审查"),
        lead_mark=_("牵头"),
        days_label=_("审查时限"),
        decision=_("汇总决定") if len(lanes) > 1 else _("作出决定"),
        decision_note=(
            _("牵头部门 %(n)s个工作日") % {"n": view.consolidation_days}
            if view.consolidation_days
            else _("当场决定")
        ),
        delivery=_("送达"),
        delivery_note=_("制证 · 统一送达"),
        summary=summary,
    )


def _description(view: ProcessView) -> str:
    names = [b.department.name for b in view.branches]
    if len(names) == 1:
        return _("窗口受理后，由%(d)s审查并作出决定，统一送达。") % {"d": names[0]}
    lead = next(b.department.name for b in view.branches if b.is_lead)
    return _(
        "窗口受理后，%(n)s个部门同时审查：%(names)s。%(lead)s牵头，汇总各部门意见后作出决定，统一送达。"
    ) % {"n": len(names), "names": "、".join(names), "lead": lead}


def _summary(version: ItemVersion, view: ProcessView) -> str:
    if version.on_the_spot:
        return _(
            "即办件：申请材料齐全、符合法定形式的，当场作出决定（《中华人民共和国行政许可法》第三十四条）。"
        )
    return _(
        "承诺办结时限：%(c)s；办结时限 = 最长的部门审查%(b)s个工作日 + 牵头部门汇总%(s)s个工作日 = "
        "%(p)s个工作日（各部门同时审查，不累加）。"
    ) % {
        "c": _days(version.committed_days),
        "b": max(b.allotted_days for b in view.branches),
        "s": view.consolidation_days,
        "p": view.critical_path_days,
    }


def _days(n: int) -> str:
    return _("当场办结") if not n else _("%(n)s个工作日") % {"n": n}
