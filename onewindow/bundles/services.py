"""Writes of themes and bundles (docs/rules/bundles.md). Every step on a sub-case goes through
the cases, review and certificates services; this module only strings them together, each
action in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.bundles import selectors
from onewindow.bundles.errors import (
    BundleError,
    BundleForbidden,
    BundleInvalid,
    BundleWrongStatus,
    ThemeInvalid,
)
from onewindow.bundles.models import (
    LIFE_EVENTS,
    Audience,
    Bundle,
    BundleCase,
    BundleCorrection,
    Theme,
    ThemeItem,
    ThemeQuestion,
)
from onewindow.cases import fields as form_fields
from onewindow.cases.fields import FormInvalid
from onewindow.cases.models import Case, CaseMaterial, CaseStatus, StoredFile
from onewindow.cases.services.intake import MaterialFinding, case_accept, case_request_correction
from onewindow.cases.services.online import (
    ApplicationChanges,
    application_resubmit,
    application_save,
    application_start,
    application_submit,
)
from onewindow.cases.uploads import (
    WrittenFile,
    case_file_reuse,
    case_files_attach,
    files_delete,
    files_write,
    uploads_check,
)
from onewindow.catalog.models import Item, Region
from onewindow.certificates.services import delivery_handover
from onewindow.core import clock

MAX_ITEMS = 20
MAX_QUESTIONS = 10

# --- themes (docs/rules/bundles.md §R1, §R2) ------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    text: str
    help: str = ""


@dataclass(frozen=True)
class ItemSpec:
    item_code: str
    question: str = ""  # a QuestionSpec key; empty: always included
    when_yes: bool = True


@dataclass(frozen=True)
class ThemeSpec:
    code: str
    name: str
    audience: str
    life_event: str
    summary: str = ""
    partial_delivery: bool = False
    published: bool = False
    sort: int = 0
    questions: list[QuestionSpec] = field(default_factory=list)
    items: list[ItemSpec] = field(default_factory=list)


def _theme_problems(
    spec: ThemeSpec, existing: Theme | None
) -> tuple[dict[str, list[str]], dict[str, Item]]:
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    code = spec.code.strip()
    if not form_fields.NAME_PATTERN.match(code.replace("-", "_")):
        add("code", _("主题编码只能由小写字母、数字、下划线和连字符组成，并以字母开头。"))
    elif (
        Theme.objects.filter(code=code)
        .exclude(pk=existing.pk if existing is not None else 0)
        .exists()
    ):
        add("code", _("主题编码“%(c)s”已被使用。") % {"c": code})
    if not spec.name.strip() or len(spec.name.strip()) > 100:
        add("name", _("请填写主题名称（最多 100 个字）。"))
    if spec.audience not in Audience.values:
        add("audience", _("服务对象只能是“个人”或“法人”。"))
    elif spec.life_event not in LIFE_EVENTS[spec.audience]:
        add("life_event", _("所选人生事件不属于该服务对象。"))
    keys = [q.key.strip() for q in spec.questions]
    if len(spec.questions) > MAX_QUESTIONS:
        add("questions", _("情形问题最多 %(n)s 个。") % {"n": MAX_QUESTIONS})
    for q in spec.questions:
        if not form_fields.NAME_PATTERN.match(q.key.strip()) or not q.text.strip():
            add("questions", _("每个问题须有标识（小写字母开头）和问题内容。"))
            break
    if len(set(keys)) != len(keys):
        add("questions", _("问题标识不能重复。"))
    if len(spec.items) < 2:
        add("items", _("主题至少包含两个事项。"))
    if len(spec.items) > MAX_ITEMS:
        add("items", _("主题最多包含 %(n)s 个事项。") % {"n": MAX_ITEMS})
    codes = [i.item_code.strip() for i in spec.items]
    if len(set(codes)) != len(codes):
        add("items", _("同一事项在主题中只能出现一次。"))
    found = {
        item.code: item
        for item in Item.objects.filter(code__in=codes).select_related("published_version")
    }
    for c in codes:
        if c not in found:
            add("items", _("事项“%(c)s”不存在。") % {"c": c})
        elif found[c].published_version is None:
            add("items", _("事项“%(c)s”没有已发布的版本，不能加入主题。") % {"c": c})
    used = set()
    for i in spec.items:
        if i.question.strip():
            if i.question.strip() not in keys:
                add(
                    "items",
                    _("事项“%(c)s”的条件问题“%(q)s”不存在。") % {"c": i.item_code, "q": i.question},
                )
            used.add(i.question.strip())
    for key in keys:
        if key not in used:
            add("questions", _("问题“%(q)s”没有事项以它为条件。") % {"q": key})
    if "items" not in errors:
        versions = [(v.name, v) for c in codes if (v := found[c].published_version) is not None]
        for problem in selectors.field_conflicts(versions):
            add("items", problem)
    return errors, found


@transaction.atomic
def theme_save(*, spec: ThemeSpec, actor: Any, theme: Theme | None = None) -> Theme:
    """Create or replace a theme, all or nothing (docs/rules/bundles.md §R1, §R2)."""
    if not has_perm(actor, Perm.CATALOG_EDIT):
        raise BundleForbidden(_("只有中心管理员可以定义主题。"))
    errors, items = _theme_problems(spec, theme)
    if errors:
        raise ThemeInvalid(errors)
    theme = theme or Theme()
    theme.code, theme.name = spec.code.strip(), spec.name.strip()
    theme.audience, theme.life_event = spec.audience, spec.life_event
    theme.summary, theme.partial_delivery = spec.summary.strip(), spec.partial_delivery
    theme.published, theme.sort = spec.published, spec.sort
    theme.save()
    if theme.bundles.exists() and _shape(theme) != _spec_shape(spec):
        raise BundleError(_("该主题已有申请，其事项和问题不能再修改；请新建主题。"))
    if theme.bundles.exists():
        return theme
    theme.items.all().delete()
    theme.questions.all().delete()
    questions = {
        q.key.strip(): ThemeQuestion.objects.create(
            theme=theme, key=q.key.strip(), text=q.text.strip(), help=q.help.strip(), sort=n
        )
        for n, q in enumerate(spec.questions)
    }
    for n, i in enumerate(spec.items):
        ThemeItem.objects.create(
            theme=theme,
            item=items[i.item_code.strip()],
            question=questions.get(i.question.strip()),
            when_yes=i.when_yes,
            sort=n,
        )
    return theme


def _shape(theme: Theme) -> list[tuple[str, str, bool]]:
    return [
        (ti.item.code, ti.question.key if ti.question else "", ti.when_yes)
        for ti in theme.items.select_related("item", "question")
    ]


def _spec_shape(spec: ThemeSpec) -> list[tuple[str, str, bool]]:
    return [(i.item_code.strip(), i.question.strip(), i.when_yes) for i in spec.items]


# --- one submission (R3, R4) -------------------------------------------------------------------

YES = {"yes", "true", "1", "是", True}
NO = {"no", "false", "0", "否", False}


def answers_clean(theme: Theme, raw: Any) -> dict[str, bool]:
    """Every question some item depends on, answered 是 or 否 (docs/rules/bundles.md §R4)."""
    if not isinstance(raw, Mapping):
        raise BundleInvalid({"answers": [_("情形问答格式不正确。")]})
    cleaned, errors = {}, []
    for question in selectors.answers_needed(theme):
        value = raw.get(question.key)
        value = value.strip() if isinstance(value, str) else value
        if value in YES:
            cleaned[question.key] = True
        elif value in NO:
            cleaned[question.key] = False
        else:
            errors.append(_("请回答“%(q)s”（是或否）。") % {"q": question.text})
    if errors:
        raise BundleInvalid({"answers": errors})
    return cleaned


def form_clean(items: list[ThemeItem], theme: Theme, raw: Any) -> dict[int, dict[str, Any]]:
    """The merged form checked against each included item's own form (R2, R3): per item the
    cleaned values; values of fields only excluded items ask are dropped (R4)."""
    if not isinstance(raw, Mapping):
        raise FormInvalid({"__all__": [_("申请表内容格式不正确。")]})
    known = {m.spec.name for m in selectors.merged_fields(theme.items.all())}
    errors: dict[str, list[str]] = {
        str(k): [_("申请表中没有“%(name)s”这一项。") % {"name": k}] for k in raw if k not in known
    }
    cleaned: dict[int, dict[str, Any]] = {}
    for ti in items:
        version = selectors.version_of(ti)
        assert version is not None
        specs = form_fields.fields_for(version)
        try:
            cleaned[ti.pk] = form_fields.validate(specs, {s.name: raw.get(s.name) for s in specs})
        except FormInvalid as err:
            for name, messages in err.errors.items():
                for message in messages:
                    if message not in errors.setdefault(name, []):
                        errors[name].append(message)
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _uploads_by_material(
    theme: Theme, items: list[ThemeItem], uploads: Mapping[int, list[Any]]
) -> dict[str, list[Any]]:
    materials = {m.index: m for m in selectors.merged_materials(theme.items.all())}
    included = {ti.pk for ti in items}
    by_name: dict[str, list[Any]] = {}
    for index, files in uploads.items():
        if index not in materials:
            raise BundleInvalid({"materials": [_("上传的材料不属于本主题。")]})
        material = materials[index]
        if files and any(ti.pk in included for ti in material.items):
            by_name[material.name] = list(files)
    return by_name


def _existing(actor: Any, key: str) -> Bundle | None:
    if not key:
        return None
    return Bundle.objects.filter(applicant_id=actor.pk, submission_key=key).first()


def bundle_submit(
    *,
    theme: Theme,
    actor: Any,
    answers: Any,
    form_data: Any,
    uploads: Mapping[int, list[Any]] | None = None,
    region: Region | None = None,
    key: str = "",
    now: dt.datetime | None = None,
) -> Bundle:
    """One submission: the bundle and a sub-case per included item, all or nothing (R3)."""
    if (done := _existing(actor, key)) is not None:
        return done
    if not theme.published:
        raise BundleError(_("该主题尚未发布，不能申请。"))
    if not has_perm(actor, Perm.CASE_APPLY) or has_perm(actor, Perm.CASE_APPLY_FOR_OTHERS):
        raise BundleForbidden(_("一件事申请须由申请人本人登录后提交。"))
    cleaned_answers = answers_clean(theme, answers)
    items = selectors.included_items(theme, cleaned_answers)
    if not items:
        raise BundleError(_("按您的回答，本主题没有需要办理的事项。"))
    values = form_clean(items, theme, form_data)
    if region is None:
        regions = selectors.regions_for(items)
        if not regions:
            raise BundleError(_("本主题的事项没有共同的办理区域，请分别申报。"))
        region = regions[0]
    checked = {
        name: uploads_check(files)
        for name, files in _uploads_by_material(theme, items, uploads or {}).items()
    }
    written: dict[str, list[WrittenFile]] = {}
    try:
        for name, files in checked.items():
            written[name] = files_write(files)
        return _file_all(theme, actor, cleaned_answers, items, values, region, written, key, now)
    except BaseException:
        files_delete(w.path for files in written.values() for w in files)
        raise


@transaction.atomic
def _file_all(
    theme: Theme,
    actor: Any,
    answers: dict[str, bool],
    items: list[ThemeItem],
    values: dict[int, dict[str, Any]],
    region: Region,
    written: dict[str, list[WrittenFile]],
    key: str,
    now: dt.datetime | None,
) -> Bundle:
    now = now or clock.now()
    merged: dict[str, Any] = {}
    for ti in items:
        merged.update(values[ti.pk])
    try:
        with transaction.atomic():
            bundle = Bundle.objects.create(
                theme=theme,
                applicant=actor,
                answers=answers,
                form_data=merged,
                submitted_at=now,
                submission_key=key,
            )
    except IntegrityError:
        existing = _existing(actor, key)
        if existing is None:
            raise
        return existing
    stored: dict[str, list[StoredFile]] = {}
    for n, ti in enumerate(items):
        version = selectors.version_of(ti)
        assert version is not None
        case = application_start(item_version=version, actor=actor, region=region, now=now)
        application_save(
            case=case, actor=actor, changes=ApplicationChanges(form_data=values[ti.pk]), now=now
        )
        _files_to_case(case, actor, written, stored)
        application_submit(case=case, actor=actor, now=now)
        BundleCase.objects.create(bundle=bundle, case=case, theme_item=ti, sort=n)
    return bundle


def _files_to_case(
    case: Case,
    actor: Any,
    written: dict[str, list[WrittenFile]],
    stored: dict[str, list[StoredFile]],
    *,
    only: set[int] | None = None,
) -> None:
    """A shared material's files: written once, attached to each case's line by that name
    (docs/rules/bundles.md §R2). ``only`` limits to those checklist lines."""
    for line in case.materials.select_related("material"):
        if only is not None and line.pk not in only:
            continue
        name = line.material.name
        if name not in written:
            continue
        line.case = case
        if name not in stored:
            attached, _duplicates = case_files_attach(line=line, written=written[name], actor=actor)
            stored[name] = [a.stored for a in attached]
        else:
            for file in stored[name]:
                case_file_reuse(case_material=line, stored=file, actor=actor)


# --- one intake (R5) -----------------------------------------------------------------------------


def _locked(bundle: Bundle) -> Bundle:
    return Bundle.objects.select_for_update().get(pk=bundle.pk)


@transaction.atomic
def bundle_intake(
    *,
    bundle: Bundle,
    actor: Any,
    findings: Mapping[int, list[MaterialFinding]] | None = None,
    now: dt.datetime | None = None,
) -> list[Case]:
    """One intake decision for every sub-case awaiting intake: accept the complete ones, send
    the others their correction notice (docs/rules/bundles.md §R5)."""
    _locked(bundle)
    if not has_perm(actor, Perm.CASE_INTAKE):
        raise BundleForbidden(_("只有窗口受理人员可以受理。"))
    now = now or clock.now()
    findings = findings or {}
    cases = [
        Case.objects.select_related("item_version__item", "department", "applicant").get(
            pk=part.case_id
        )
        for part in bundle.parts.all()
    ]
    waiting = [c for c in cases if c.status == CaseStatus.SUBMITTED]
    if not waiting:
        raise BundleWrongStatus(_("本申请没有待受理的子办件。"))
    if set(findings) - {c.pk for c in waiting}:
        raise BundleError(_("补正意见只能针对待受理的子办件。"))
    for case in waiting:
        if not selectors.window_serves(actor, case.department_id):
            raise BundleForbidden(
                _("您的窗口不受理“%(d)s”的事项，不能统一受理本申请。") % {"d": case.department.name}
            )
    for case in waiting:
        lines = findings.get(case.pk) or []
        if lines:
            case_request_correction(case=case, actor=actor, findings=list(lines), now=now)
        else:
            case_accept(case=case, actor=actor, now=now)
    return waiting


# --- one combined correction notice (R6) ---------------------------------------------------------


def correction_open_for(case: Case, at: dt.datetime) -> None:
    """A sub-case entered correction: the bundle's open combined notice includes it (R6)."""
    part = BundleCase.objects.filter(case_id=case.pk).select_related("bundle").first()
    if part is None:
        return
    bundle = _locked(part.bundle)
    if bundle.corrections.filter(answered_at__isnull=True).exists():
        return
    sequence = bundle.corrections.count() + 1
    BundleCorrection.objects.create(bundle=bundle, sequence=sequence, issued_at=at)


def correction_close_if_answered(case: Case, at: dt.datetime) -> None:
    """No sub-case left in correction: the combined notice is answered (R6)."""
    part = BundleCase.objects.filter(case_id=case.pk).first()
    if part is None:
        return
    still = Case.objects.filter(
        bundle_part__bundle_id=part.bundle_id, status=CaseStatus.CORRECTION
    ).exclude(pk=case.pk)
    if not still.exists():
        BundleCorrection.objects.filter(bundle_id=part.bundle_id, answered_at__isnull=True).update(
            answered_at=at
        )


def bundle_correction_answer(
    *,
    bundle: Bundle,
    actor: Any,
    uploads: Mapping[int, list[Any]],
    now: dt.datetime | None = None,
) -> list[Case]:
    """Answer the combined notice once: each listed material uploaded once, attached to every
    sub-case that asked for it, every sub-case in correction resubmitted (R6)."""
    if actor.pk != bundle.applicant_id:
        raise BundleForbidden(_("只有申请人本人可以提交补正材料。"))
    groups = selectors.correction_groups(bundle)
    if not groups:
        raise BundleWrongStatus(_("本申请目前没有需要补正的材料。"))
    by_index = {g.index: g for g in groups}
    if set(k for k, v in uploads.items() if v) - set(by_index):
        raise BundleInvalid({"materials": [_("上传的材料不在补正告知中。")]})
    missing = [g.material for g in groups if not uploads.get(g.index)]
    if missing:
        raise BundleInvalid(
            {
                "materials": [
                    _("请上传补正告知所列的全部材料，尚缺：%(m)s") % {"m": "、".join(missing)}
                ]
            }
        )
    checked = {by_index[i].material: uploads_check(files) for i, files in uploads.items() if files}
    written: dict[str, list[WrittenFile]] = {}
    try:
        for name, files in checked.items():
            written[name] = files_write(files)
        return _answer_all(bundle, actor, groups, written, now)
    except BaseException:
        files_delete(w.path for files in written.values() for w in files)
        raise


@transaction.atomic
def _answer_all(
    bundle: Bundle,
    actor: Any,
    groups: list[selectors.CorrectionGroup],
    written: dict[str, list[WrittenFile]],
    now: dt.datetime | None,
) -> list[Case]:
    _locked(bundle)
    now = now or clock.now()
    line_ids = {line.pk for g in groups for line in g.lines}
    cases = list(
        Case.objects.filter(bundle_part__bundle=bundle, status=CaseStatus.CORRECTION).order_by(
            "bundle_part__sort"
        )
    )
    stored: dict[str, list[StoredFile]] = {}
    for case in cases:
        _files_to_case(case, actor, written, stored, only=line_ids)
    for case in cases:
        application_resubmit(case=case, actor=actor, now=now)
    return cases


# --- combined delivery (R8) ----------------------------------------------------------------------


@transaction.atomic
def bundle_deliver(
    *,
    bundle: Bundle,
    actor: Any,
    receiver_name: str,
    receiver_id_number: str,
    now: dt.datetime | None = None,
) -> list[Case]:
    """Hand over the granted results together at the comprehensive window (R8)."""
    bundle = _locked(bundle)
    if not has_perm(actor, Perm.CASE_HANDOVER):
        raise BundleForbidden(_("只有窗口人员可以办理送达。"))
    now = now or clock.now()
    cases = list(
        Case.objects.filter(bundle_part__bundle=bundle)
        .select_related("item_version__item", "department", "applicant")
        .order_by("bundle_part__sort")
    )
    pending = [c for c in cases if c.status in selectors.PENDING]
    granted = [c for c in cases if c.status == CaseStatus.GRANTED]
    if not granted:
        raise BundleWrongStatus(_("本申请没有待送达的审批结果。"))
    if pending and not bundle.theme.partial_delivery:
        raise BundleWrongStatus(
            _("本主题须全部事项作出决定后统一送达，尚有 %(n)s 项在办理中：%(i)s。")
            % {"n": len(pending), "i": "、".join(c.item_version.name for c in pending)}
        )
    for case in granted:
        if not selectors.window_serves(actor, case.department_id):
            raise BundleForbidden(
                _("您的窗口不受理“%(d)s”的事项，不能统一送达本申请。") % {"d": case.department.name}
            )
    for case in granted:
        delivery_handover(
            case=case,
            actor=actor,
            receiver_name=receiver_name,
            receiver_id_number=receiver_id_number,
            now=now,
        )
    if not pending:
        Bundle.objects.filter(pk=bundle.pk).update(delivered_at=now, delivered_by=actor)
    return granted


def case_material_lines(case: Case) -> list[CaseMaterial]:
    return list(case.materials.select_related("material"))
