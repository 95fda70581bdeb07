"""Per-item form fields, agents' mandates (docs/rules/mandates.md) and false-commitment records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApplicantKind
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.cases import fields as form_fields
from onewindow.cases import mandate_scopes
from onewindow.cases.errors import CaseError
from onewindow.cases.mandate_scopes import ProjectName, ProjectScope
from onewindow.cases.models import (
    ApplicationField,
    Case,
    FalseCommitmentRecord,
    Mandate,
    MandateChannel,
    MandateConfirmation,
    StoredFile,
)
from onewindow.cases.selectors.mandates import CLOSED_FOR_MANDATES
from onewindow.cases.uploads import files_delete, files_write, uploads_check
from onewindow.catalog.models import Item, ItemVersion, PublishedVersionError, VersionStatus
from onewindow.core import clock
from onewindow.lib.idnumbers import normalise

# --- per-item form fields, mandates, false commitments ----------------------------------------


@transaction.atomic
def application_fields_set(
    *, version: ItemVersion, specs: list[form_fields.FieldSpec]
) -> list[ApplicationField]:
    """Replace the extra form fields of a draft version (frozen once it is published)."""
    status = (
        ItemVersion.objects.select_for_update()
        .filter(pk=version.pk)
        .values_list("status", flat=True)
        .first()
    )
    if status != VersionStatus.DRAFT:
        raise PublishedVersionError(_("已发布的版本不可修改，请创建新的草稿版本。"))
    problems = [problem for spec in specs for problem in form_fields.spec_check(spec)]
    names = [spec.name for spec in specs]
    problems += [
        _("字段标识“%(n)s”重复。") % {"n": name}
        for name in sorted(set(names))
        if names.count(name) > 1
    ]
    if problems:
        raise ValidationError({"fields": problems})
    ApplicationField.objects.filter(version=version).delete()
    return [
        ApplicationField.objects.create(
            version=version,
            sort=sort,
            name=spec.name,
            label=spec.label.strip(),
            type=spec.type,
            required=spec.required,
            choices=[str(c).strip() for c in spec.choices],
            help=spec.help,
            min_length=spec.min_length,
            max_length=spec.max_length,
            min_value=spec.min_value,
            max_value=spec.max_value,
            text_format=spec.text_format,
        )
        for sort, spec in enumerate(specs, start=1)
    ]


def application_fields_copy(*, source: ItemVersion, draft: ItemVersion) -> list[ApplicationField]:
    """Carry a version's own form fields over to its next draft (call after creating the draft)."""
    specs = [form_fields.spec_from_row(row) for row in source.application_fields.all()]
    return application_fields_set(version=draft, specs=specs) if specs else []


# --- mandates (代办委托, docs/product.md §C8, docs/rules/mandates.md) ------------------------------

# docs/product.md §C8: a mandate is a scoped, time-limited authorisation; two years is the longest
# we record, after which the applicant renews it (an open-ended power of attorney is not a mandate).
MANDATE_LONGEST_YEARS = 2


def register_project_scope(fn: ProjectScope | None, *, name: ProjectName | None = None) -> None:
    """Let the app that knows key projects answer for project mandates
    (docs/rules/mandates.md §T1).

    ``fn(project_id, item_id, case)`` says whether a new filing of ``item_id`` (``case`` None) or
    the existing ``case`` is inside the project; ``name(project_id)`` gives the project's name
    or None when there is no such project. Called from that app's ``AppConfig.ready``; with
    nothing registered a project mandate covers nothing and none can be recorded.
    """
    mandate_scopes.register(fn, name=name)


@dataclass(frozen=True)
class MandateScope:
    """What a mandate covers: at most one of item, case and project; none of them: every item."""

    item: Item | None = None
    case: Case | None = None
    project_id: int | None = None

    def count(self) -> int:
        return sum(x is not None for x in (self.item, self.case, self.project_id))


EVERY_ITEM = MandateScope()


@transaction.atomic
def mandate_record(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    item: Item | None = None,
    case: Case | None = None,
    project_id: int | None = None,
    valid_from: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Mandate:
    """Record a mandate the applicant gives online (or a user administrator records for them):
    for every item, one item, one key project or one case (docs/rules/mandates.md §T1). It is in
    force at once (from ``valid_from``, today unless given)."""
    today = today or clock.today()
    scope = MandateScope(item=item, case=case, project_id=project_id)
    start = valid_from or today
    mandate_check(
        agent=agent,
        applicant=applicant,
        valid_until=valid_until,
        recorded_by=recorded_by,
        item=item,
        case=case,
        project_id=project_id,
        valid_from=start,
        today=today,
    )
    return Mandate.objects.create(
        agent=agent,
        applicant=applicant,
        item=scope.item,
        case=scope.case,
        project_id=scope.project_id,
        valid_from=start,
        valid_until=valid_until,
        recorded_by=recorded_by,
        channel=MandateChannel.ONLINE,
        note=note.strip()[:300],
    )


def mandate_check(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    item: Item | None = None,
    case: Case | None = None,
    project_id: int | None = None,
    valid_from: dt.date | None = None,
    today: dt.date,
    paper: bool = False,
) -> None:
    """Every rule ``mandate_record`` (or, with ``paper``, ``mandate_record_paper``) enforces, for
    forms that must answer before saving."""
    if not has_perm(agent, Perm.CASE_APPLY_FOR_OTHERS):
        raise CaseError(_("受托人不是代办员，不能登记代办委托。"))
    if applicant.role != Role.APPLICANT:
        raise CaseError(_("委托人须为申请人。"))
    if paper:
        if not has_perm(recorded_by, Perm.MANDATE_PAPER):
            raise CaseError(_("纸质委托书须由窗口或社区代办点工作人员登记。"))
    elif recorded_by.pk != applicant.pk and not has_perm(recorded_by, Perm.USER_MANAGE):
        raise CaseError(_("代办委托须由申请人本人或中心管理员登记。"))
    mandate_dates_check(valid_from=valid_from or today, valid_until=valid_until, today=today)
    _mandate_scope_check(
        agent=agent,
        applicant=applicant,
        scope=MandateScope(item=item, case=case, project_id=project_id),
        today=today,
    )


def mandate_latest_end(today: dt.date) -> dt.date:
    """The last day a mandate recorded ``today`` may run to (29 February → 28 February)."""
    year = today.year + MANDATE_LONGEST_YEARS
    return (
        today.replace(year=year, day=28)
        if (today.month, today.day) == (2, 29)
        else today.replace(year=year)
    )


def mandate_dates_check(*, valid_from: dt.date, valid_until: dt.date, today: dt.date) -> None:
    """docs/rules/mandates.md §T4: not dated in the past, not ending before it starts, at most
    two years from the day it is recorded."""
    if valid_from < today:
        raise CaseError(_("委托生效日期不能早于今天（不能补登过去的委托）。"))
    if valid_until < today:
        raise CaseError(_("委托有效期不能早于今天。"))
    if valid_until < valid_from:
        raise CaseError(
            _("委托有效期至（%(u)s）不能早于生效日期（%(f)s）。")
            % {"u": valid_until.isoformat(), "f": valid_from.isoformat()}
        )
    latest = mandate_latest_end(today)
    if valid_until > latest:
        raise CaseError(
            _("委托有效期最长 %(n)s 年，请选择 %(d)s 或更早的日期。")
            % {"n": MANDATE_LONGEST_YEARS, "d": latest.isoformat()}
        )


def _mandate_scope_check(
    *, agent: Any, applicant: Any, scope: MandateScope, today: dt.date
) -> None:
    if agent.pk == applicant.pk:
        raise CaseError(_("不能委托自己。"))
    if scope.count() > 1:
        raise CaseError(_("委托范围只能是全部事项、一个事项、一个重点项目或一个办件中的一种。"))
    if scope.item is not None and scope.item.published_version_id is None:
        raise CaseError(_("该事项尚未发布，不能委托办理。"))
    if scope.case is not None:
        if scope.case.applicant_id != applicant.pk:
            raise CaseError(_("只能委托办理委托人本人的办件。"))
        if scope.case.status in CLOSED_FOR_MANDATES:
            raise CaseError(
                _("办件 %(n)s 已办结，不能再委托代办。") % {"n": scope.case.number or scope.case.pk}
            )
    if scope.project_id is not None and (
        scope.project_id <= 0 or mandate_scopes.project_name(scope.project_id) is None
    ):
        raise CaseError(_("没有找到编号为 %(n)s 的重点项目。") % {"n": scope.project_id})
    # A pending paper mandate counts: the citizen confirms one, not two of the same scope.
    same = Mandate.objects.filter(
        agent_id=agent.pk,
        applicant_id=applicant.pk,
        revoked_at__isnull=True,
        refused_at__isnull=True,
        item=scope.item,
        case=scope.case,
        project_id=scope.project_id,
        valid_until__gte=today,
    )
    if same.exists():
        raise CaseError(
            _("您已有一份相同范围、仍在有效期内的委托给该代办员；如需变更有效期，请先撤销原委托。")
        )


@transaction.atomic
def mandate_revoke(
    *, mandate: Mandate, actor: Any = None, id_number: str = "", now: dt.datetime | None = None
) -> Mandate:
    """End a mandate at once; the agent can no longer see or act on the principal's cases
    (docs/rules/mandates.md §T6).

    ``actor``: the principal, a user administrator, or window staff recording the principal's
    revocation in person (``id_number`` checked against the principal's). Nobody else — the
    agent least of all — may revoke; None is a system call (the admin's bulk action).
    """
    if actor is not None:
        mandate_revoke_check(mandate=mandate, actor=actor, id_number=id_number)
    Mandate.objects.filter(pk=mandate.pk, revoked_at__isnull=True).update(
        revoked_at=now or clock.now(), revoked_by=actor if getattr(actor, "pk", None) else None
    )
    mandate.refresh_from_db()
    return mandate


def mandate_may_revoke(mandate: Mandate, actor: Any) -> bool:
    """The principal, a user administrator or window staff (who must also check the ID)."""
    return (
        (has_perm(actor, Perm.CASE_APPLY) and actor.pk == mandate.applicant_id)
        or has_perm(actor, Perm.USER_MANAGE)
        or has_perm(actor, Perm.MANDATE_PAPER)
    )


def mandate_revoke_check(*, mandate: Mandate, actor: Any, id_number: str = "") -> None:
    if actor.pk == mandate.agent_id:
        raise CaseError(_("代办员不能代委托人撤销委托；请由委托人本人撤销。"))
    if not mandate_may_revoke(mandate, actor):
        raise CaseError(_("只有委托人本人（或在窗口当面办理）可以撤销委托。"))
    at_window = (
        has_perm(actor, Perm.MANDATE_PAPER)
        and actor.pk != mandate.applicant_id
        and not has_perm(actor, Perm.USER_MANAGE)
    )
    if at_window:
        identity_check(mandate.applicant, id_number)


# --- paper mandates (纸质委托书, docs/rules/mandates.md §T3) -----------------------------------------


def mandate_record_paper(
    *,
    agent: Any,
    applicant: Any,
    valid_until: dt.date,
    recorded_by: Any,
    scan: UploadedFile,
    item: Item | None = None,
    case: Case | None = None,
    project_id: int | None = None,
    valid_from: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Mandate:
    """Window or community-point staff record a signed printed mandate from its scan.

    The scan passes the case uploads' checks (type by content, size, parsed) before anything is
    written. The mandate is pending — it authorises nothing — until the principal confirms it
    in their account or staff verify it at the window with the principal present.
    """
    today = today or clock.today()
    start = valid_from or today
    mandate_check(
        agent=agent,
        applicant=applicant,
        valid_until=valid_until,
        recorded_by=recorded_by,
        item=item,
        case=case,
        project_id=project_id,
        valid_from=start,
        today=today,
        paper=True,
    )
    written = files_write(uploads_check([scan]))
    try:
        with transaction.atomic():
            file = written[0]
            stored = StoredFile.objects.create(
                owner=applicant,
                path=file.path,
                original_name=file.upload.name,
                content_type=file.upload.mime,
                size=len(file.upload.content),
                sha256=file.upload.sha256,
                uploaded_by=recorded_by,
            )
            return Mandate.objects.create(
                agent=agent,
                applicant=applicant,
                item=item,
                case=case,
                project_id=project_id,
                valid_from=start,
                valid_until=valid_until,
                recorded_by=recorded_by,
                channel=MandateChannel.PAPER,
                scan=stored,
                note=note.strip()[:300],
            )
    except BaseException:
        files_delete(w.path for w in written)
        raise


def _pending_locked(mandate: Mandate, today: dt.date) -> Mandate:
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.channel != MandateChannel.PAPER:
        raise CaseError(_("该委托由委托人本人网上作出，无需确认。"))
    if locked.revoked_at is not None:
        raise CaseError(_("该委托已撤销。"))
    if locked.refused_at is not None:
        raise CaseError(_("委托人已拒绝该委托书。"))
    if locked.confirmed_at is not None:
        raise CaseError(_("该委托已确认，无需重复操作。"))
    if locked.valid_until < today:
        raise CaseError(_("该委托书的有效期已过，不能再确认；请重新办理委托。"))
    return locked


@transaction.atomic
def mandate_confirm(*, mandate: Mandate, actor: Any, now: dt.datetime | None = None) -> Mandate:
    """The principal confirms, in their own account, a paper mandate given in their name."""
    now = now or clock.now()
    if actor.pk != mandate.applicant_id or not has_perm(actor, Perm.CASE_APPLY):
        raise CaseError(_("只有委托人本人可以确认委托书。"))
    locked = _pending_locked(mandate, clock.local_date(now))
    locked.confirmed_at, locked.confirmed_by = now, actor
    locked.confirmation = MandateConfirmation.ACCOUNT
    locked.save(update_fields=["confirmed_at", "confirmed_by", "confirmation"])
    mandate.refresh_from_db()
    return mandate


@transaction.atomic
def mandate_refuse(*, mandate: Mandate, actor: Any, now: dt.datetime | None = None) -> Mandate:
    """The principal refuses a paper mandate given in their name: it never comes into force."""
    now = now or clock.now()
    if actor.pk != mandate.applicant_id or not has_perm(actor, Perm.CASE_APPLY):
        raise CaseError(_("只有委托人本人可以拒绝委托书。"))
    locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
    if locked.channel != MandateChannel.PAPER or locked.confirmed_at is not None:
        raise CaseError(_("该委托已生效，如不再委托请撤销。"))
    if locked.refused_at is not None or locked.revoked_at is not None:
        raise CaseError(_("该委托书已被拒绝或撤销，无需重复操作。"))
    locked.refused_at = now
    locked.save(update_fields=["refused_at"])
    mandate.refresh_from_db()
    return mandate


@transaction.atomic
def mandate_verify(
    *, mandate: Mandate, actor: Any, id_number: str, now: dt.datetime | None = None
) -> Mandate:
    """Window staff verify a paper mandate with the principal present: the number on the ID
    card (person) or business licence (enterprise) must be the principal's registered one; the
    verifier is recorded."""
    now = now or clock.now()
    if not has_perm(actor, Perm.MANDATE_PAPER):
        raise CaseError(_("只有窗口或社区代办点工作人员可以当面核验委托书。"))
    locked = _pending_locked(mandate, clock.local_date(now))
    identity_check(locked.applicant, id_number)
    locked.confirmed_at, locked.confirmed_by = now, actor
    locked.confirmation = MandateConfirmation.WINDOW
    locked.save(update_fields=["confirmed_at", "confirmed_by", "confirmation"])
    mandate.refresh_from_db()
    return mandate


def identity_check(principal: Any, number: str) -> None:
    """The number shown at the window is the principal's registered ID number (person) or
    credit code (enterprise); a clear error otherwise (docs/rules/identity.md §F1, §F2)."""
    typed = normalise(number)
    enterprise = principal.applicant_kind == ApplicantKind.ENTERPRISE
    registered = principal.credit_code if enterprise else principal.id_number
    if not registered:
        raise CaseError(
            _("委托人账号未登记身份证号或统一社会信用代码，无法当面核验；请委托人登录账号确认。")
        )
    if not typed:
        raise CaseError(_("请填写委托人出示的身份证号或统一社会信用代码。"))
    if typed != registered:
        raise CaseError(_("填写的证件号码与委托人账号登记的不一致，核验未通过。"))


@transaction.atomic
def false_commitment_record(
    *,
    applicant: Any,
    note: str,
    recorded_by: Any,
    case: Case | None = None,
    now: dt.datetime | None = None,
) -> FalseCommitmentRecord:
    """G1: record a false commitment; the applicant may no longer choose 告知承诺制."""
    if not any(
        has_perm(recorded_by, perm)
        for perm in (Perm.CASE_INTAKE, Perm.TASK_APPROVE, Perm.SUPERVISE)
    ):
        raise CaseError(_("您无权登记虚假承诺记录。"))
    if not note.strip():
        raise CaseError(_("请说明虚假承诺的情况。"))
    if case is not None and case.applicant_id != applicant.pk:
        raise CaseError(_("办件的申请人与记录对象不一致。"))
    return FalseCommitmentRecord.objects.create(
        applicant=applicant,
        case=case,
        recorded_at=now or clock.now(),
        recorded_by=recorded_by,
        note=note.strip(),
    )
