"""Online application (网上申报): start, save, submit, resubmit and withdraw a case."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, cast

from django.db import transaction
from django.db.models import ForeignKey
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases import fields as form_fields
from onewindow.cases import selectors
from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import (
    ApprovalRoute,
    Case,
    CaseFile,
    CaseMaterial,
    CaseStatus,
    Channel,
    Commitment,
    CommitmentKind,
    NoticeKind,
    SubmissionKey,
)
from onewindow.cases.selectors import application as application_selectors
from onewindow.cases.services.application import (
    _draft_submit,
    case_create_draft,
    case_resubmit,
    case_withdraw,
)
from onewindow.cases.services.intake import notice_issue
from onewindow.cases.transitions import event_record
from onewindow.cases.uploads import (
    WrittenFile,
    case_file_remove,
    case_file_reuse,
    case_files_attach,
    files_delete,
    files_write,
    stored_file_discard_if_orphan,
    uploads_check,
)
from onewindow.catalog.models import ItemVersion, Region
from onewindow.core import clock
from onewindow.lib.prepared import Prepared

# --- online application (网上申报 docs/product.md §C3, 告知承诺制 G1) --------------------------------------


_LOCK_READS: dict[tuple[str, ...], Prepared[Case]] = {}


def _lock_read(related: tuple[str, ...]) -> Prepared[Case]:
    """The locking read of ``_locked`` for one set of related paths, compiled once
    (docs/decisions.md §O4)."""
    read = _LOCK_READS.get(related)
    if read is None:
        rows = Case.objects.select_for_update(of=("self",)).order_by()
        rows = rows.select_related(*related) if related else rows
        read = _LOCK_READS[related] = Prepared(lambda p: rows.filter(pk=p.case), case=int)
    return read


def _locked(case: Case, related: tuple[str, ...] = ()) -> Case:
    """Lock the case row until the end of the transaction and reload ``case`` from it.

    One query (SELECT … FOR UPDATE OF the case row only, which returns the row as it is once the
    lock is held). Unlike ``refresh_from_db`` it keeps the related objects already loaded with
    the case unless the row now points elsewhere; ``related`` (select_related paths) are loaded
    in the same query when the caller did not have them yet.
    """
    fresh = _lock_read(related).first(case=case.pk)
    if fresh is None:
        raise Case.DoesNotExist(f"case {case.pk}")
    for field in Case._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        moved = case.__dict__.get(field.attname) != value  # a foreign key now points elsewhere
        if isinstance(field, ForeignKey) and moved and field.is_cached(case):
            field.delete_cached_value(case)
        setattr(case, field.attname, value)
    for name in dict.fromkeys(path.split("__")[0] for path in related):
        relation = cast(ForeignKey, Case._meta.get_field(name))
        if not relation.is_cached(case):
            relation.set_cached_value(case, relation.get_cached_value(fresh))
    for reverse in Case._meta.related_objects:  # reverse one-to-one caches, as refresh_from_db
        if reverse.is_cached(case):
            reverse.delete_cached_value(case)
    case._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    return case


# What submitting reads besides the case row: the schema and tolerance (version; the item for
# the default form), the number (region), the notification (applicant, agent, department).
SUBMIT_RELATED = ("item_version__item", "department", "region", "applicant", "agent")


def _acting_check(case: Case, actor: Any, today: dt.date | None = None) -> None:
    """The applicant themself, or an agent a mandate in force lets act on the case
    (docs/rules/mandates.md §T2)."""
    if actor.pk == case.applicant_id and has_perm(actor, Perm.CASE_APPLY):
        return
    if has_perm(actor, Perm.CASE_APPLY_FOR_OTHERS):
        if selectors.agent_may_act(actor, case, today=today):
            return
        raise CaseError(_("您对该申请人的代办委托已失效、已撤销或不包括该办件，不能继续代为办理。"))
    raise CaseError(_("您无权办理该办件。"))


def _commitment_check(version: ItemVersion, applicant: Any) -> None:
    """G1: not for items that do not allow it, nor for applicants with a false-commitment record."""
    if not version.commitment_allowed:
        raise CaseError(_("该事项不适用告知承诺制，请按一般程序提交证明材料。"))
    if application_selectors.has_false_commitment(applicant):
        raise CaseError(
            _("申请人有虚假承诺记录，依法不再适用告知承诺制，请按一般程序提交证明材料。")
        )


@transaction.atomic
def application_start(
    *,
    item_version: ItemVersion,
    actor: Any,
    region: Region,
    applicant: Any = None,
    route: str = ApprovalRoute.STANDARD,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """Open an online draft: an applicant for themself, or an agent for a mandating applicant."""
    today = today or clock.today()
    agent = None
    if has_perm(actor, Perm.CASE_APPLY_FOR_OTHERS):
        if applicant is None or applicant.pk == actor.pk:
            raise CaseError(_("代办员须选择委托您办理的申请人。"))
        if not selectors.mandate_covers(
            agent=actor, applicant_id=applicant.pk, item_id=item_version.item_id, today=today
        ):
            raise CaseError(
                _("您没有“%(a)s”有效的代办委托（或委托不包括该事项），不能代为申报。")
                % {"a": applicant}
            )
        agent = actor
    elif has_perm(actor, Perm.CASE_APPLY):
        if applicant is not None and applicant.pk != actor.pk:
            raise CaseError(_("只能以本人名义申报；代他人申报须由代办员在委托范围内办理。"))
        applicant = actor
    else:
        raise CaseError(_("只有申请人或代办员可以网上申报。"))
    if route not in ApprovalRoute.values:
        raise CaseError(_("审批方式无效。"))
    if not application_selectors.implementing_regions(item_version).filter(pk=region.pk).exists():
        raise CaseError(_("该事项不在“%(r)s”办理，请在事项的实施区域中选择。") % {"r": region.name})
    if route == ApprovalRoute.COMMITMENT:
        _commitment_check(item_version, applicant)
    return case_create_draft(
        item_version=item_version,
        applicant=applicant,
        created_by=actor,
        region=region,
        agent=agent,
        channel=Channel.ONLINE,
        route=route,
        now=now,
    )


@dataclass
class ApplicationChanges:
    """What one save of the application form or API call changes on a case.

    ``form_data`` None leaves the form as it is; with ``merge`` the given values are merged into
    the stored ones (API PATCH), otherwise they replace them (the page posts every field).
    ``uploads`` and ``reuse`` are keyed by checklist line (CaseMaterial) id.
    """

    form_data: dict[str, Any] | None = None
    merge: bool = False
    route: str | None = None
    uploads: dict[int, list[Any]] = dataclass_field(default_factory=dict)
    reuse: dict[int, list[int]] = dataclass_field(default_factory=dict)

    def is_empty(self) -> bool:
        return (
            self.form_data is None
            and self.route is None
            and not any(self.uploads.values())
            and not any(self.reuse.values())
        )


@dataclass(frozen=True)
class SaveResult:
    case: Case
    attached: int  # files newly attached (uploaded or reused)
    duplicates: list[str]  # names of uploads identical to a file already on the line


def application_save(
    *, case: Case, actor: Any, changes: ApplicationChanges, now: dt.datetime | None = None
) -> SaveResult:
    """Save a draft's form and route, and attach uploaded or reused files, all or nothing.

    Every upload is checked (type by content, size, not empty) before anything is written; the
    files are written under generated names and deleted again if any row cannot be written, so
    a refused save leaves the case exactly as it was and no file behind.
    """
    checked = {line_id: uploads_check(files) for line_id, files in changes.uploads.items() if files}
    written: list[WrittenFile] = []
    duplicates: list[WrittenFile] = []
    try:
        with transaction.atomic():
            case = _locked(case)
            _acting_check(case, actor)
            _save_form(case, actor, changes, now or clock.now())
            wanted = set(checked) | {line_id for line_id, ids in changes.reuse.items() if ids}
            lines = _lines_of(case, wanted)
            by_line: dict[int, list[WrittenFile]] = {}
            for line_id, files in checked.items():
                by_line[line_id] = files_write(files)
                written += by_line[line_id]
            attached, duplicates = _attach_all(case, actor, lines, by_line, changes.reuse)
    except BaseException:
        files_delete(w.path for w in written)
        raise
    files_delete(w.path for w in duplicates)
    return SaveResult(case, attached, [w.upload.name for w in duplicates])


def _save_form(case: Case, actor: Any, changes: ApplicationChanges, now: dt.datetime) -> None:
    if case.status not in (CaseStatus.DRAFT, CaseStatus.CORRECTION):
        raise WrongStatus(
            _("办件当前状态为“%(s)s”，不能再修改。") % {"s": CaseStatus(case.status).label}
        )
    if changes.form_data is None and changes.route in (None, case.route):
        return
    if case.status != CaseStatus.DRAFT:
        raise CaseError(_("补正阶段只需补充材料，申请表内容和审批方式不能再修改。"))
    data = case.form_data
    if changes.form_data is not None:
        merged = {**case.form_data, **changes.form_data} if changes.merge else changes.form_data
        data = form_fields.validate(form_fields.fields_for(case.item_version), merged, partial=True)
    route = changes.route or case.route
    if route not in ApprovalRoute.values:
        raise CaseError(_("审批方式无效。"))
    if route == ApprovalRoute.COMMITMENT and route != case.route:
        _commitment_check(case.item_version, case.applicant)
    if data == case.form_data and route == case.route:
        return
    Case.objects.filter(pk=case.pk).update(form_data=data, route=route, updated_at=now)
    case.form_data, case.route = data, route
    event_record(case, actor=actor, action="draft_saved", public=False, now=now)


def _lines_of(case: Case, line_ids: set[int]) -> dict[int, CaseMaterial]:
    lines = {
        line.pk: line for line in case.materials.select_related("material").filter(pk__in=line_ids)
    }
    if set(lines) != line_ids:
        raise CaseError(_("所选材料不属于本办件。"))
    for line in lines.values():
        line.case = case
    return lines


def _attach_all(
    case: Case,
    actor: Any,
    lines: dict[int, CaseMaterial],
    written: dict[int, list[WrittenFile]],
    reuse: dict[int, list[int]],
) -> tuple[int, list[WrittenFile]]:
    count, duplicates = 0, []
    for line_id, files in written.items():
        attached, skipped = case_files_attach(line=lines[line_id], written=files, actor=actor)
        count += len(attached)
        duplicates += skipped
    wanted = {pk for ids in reuse.values() for pk in ids}
    reusable = {f.pk: f for f in application_selectors.reusable_files(case).filter(pk__in=wanted)}
    for line_id, ids in reuse.items():
        for pk in dict.fromkeys(ids):
            if pk not in reusable:
                raise CaseError(_("所选的已有材料不存在，或不能在本办件中复用。"))
            case_file_reuse(case_material=lines[line_id], stored=reusable[pk], actor=actor)
            count += 1
    return count, duplicates


@dataclass(frozen=True)
class CommitmentSignature:
    """The applicant's ticked box and typed full name under the 告知承诺书 (G1)."""

    agreed: bool
    signature: str


@dataclass(frozen=True)
class Submission:
    """The submitted case; ``created`` is False when an earlier call had already submitted it."""

    case: Case
    created: bool


def _key_for_another_case() -> CaseError:
    return CaseError(_("该幂等键（Idempotency-Key）已用于另一办件，请为每次提交生成新的键。"))


def _already_sent(case: Case, actor: Any, key: str) -> Submission | None:
    previous = application_selectors.submission_for_key(actor, key)
    if previous is None:
        return None
    if previous.pk != case.pk:
        raise _key_for_another_case()
    return Submission(previous, False)


def _already_sent_locked(case: Case, actor: Any, key: str) -> Submission | None:
    """``_already_sent`` for a case just reloaded under its row lock: the key's case is ``case``
    itself (already fresh), so only its id is read."""
    previous_id = application_selectors.submission_key_case_id(actor, key)
    if previous_id is None:
        return None
    if previous_id != case.pk:
        raise _key_for_another_case()
    return Submission(case, False)


@transaction.atomic
def application_submit(
    *,
    case: Case,
    actor: Any,
    idempotency_key: str = "",
    commitment: CommitmentSignature | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Submit an online draft once: form complete, materials present, commitment signed if chosen.

    The case row is locked first, so of two simultaneous submissions (a double click, a retry,
    two API calls with one Idempotency-Key) the second waits and then finds the case submitted.
    """
    case = _locked(case, SUBMIT_RELATED)
    if (done := _already_sent_locked(case, actor, idempotency_key)) is not None:
        return done
    if case.submitted_at is not None and case.status != CaseStatus.DRAFT:
        return Submission(case, False)
    _acting_check(case, actor)
    form_fields.validate(form_fields.fields_for(case.item_version), case.form_data)
    signature = ""
    if case.route == ApprovalRoute.COMMITMENT:
        _commitment_check(case.item_version, case.applicant)
        signature = _signature_check(case, commitment)
    now = now or clock.now()
    # The key and the status were checked above under the row lock: submit without asking again.
    _draft_submit(case=case, actor=actor, idempotency_key=idempotency_key, now=now)
    if signature:
        _commitment_record(case, actor, signature, now)
    return Submission(case, True)


def _signature_check(case: Case, commitment: CommitmentSignature | None) -> str:
    if commitment is None or not commitment.agreed:
        raise CaseError(_("选择告知承诺制的，请阅读告知承诺书并勾选“我已阅读并作出上述承诺”。"))
    applicant = case.applicant
    names = {n.strip() for n in (applicant.full_name, applicant.legal_representative) if n.strip()}
    signature = commitment.signature.strip()
    if signature not in names:
        raise CaseError(
            _("请在告知承诺书上签署申请人姓名（名称）“%(n)s”。")
            % {"n": applicant.full_name or applicant.username}
        )
    return signature


def _commitment_record(case: Case, actor: Any, signature: str, now: dt.datetime) -> None:
    statement = application_selectors.commitment_statement(case.item_version)
    Commitment.objects.create(
        case=case,
        kind=CommitmentKind.NOTIFICATION,
        text=statement.text,
        liability=statement.liability,
        signed_at=now,
    )
    notice_issue(
        case,
        kind=NoticeKind.COMMITMENT,
        actor=actor,
        now=now,
        content={
            "conditions": statement.conditions,
            "text": statement.text,
            "liability": statement.liability,
            "signed_by": signature,
            "signed_at": now.isoformat(),
        },
    )
    event_record(case, actor=actor, action="commitment_signed", now=now, data={"by": signature})


@transaction.atomic
def application_resubmit(
    *, case: Case, actor: Any, idempotency_key: str = "", now: dt.datetime | None = None
) -> Submission:
    """Answer the correction notice once; a repeated key returns the earlier answer."""
    case = _locked(case)
    if (done := _already_sent(case, actor, idempotency_key)) is not None:
        return done
    _acting_check(case, actor)
    case_resubmit(case=case, actor=actor, now=now)
    if idempotency_key:
        SubmissionKey.objects.create(user=actor, key=idempotency_key, case=case)
    return Submission(case, True)


def application_save_and_send(
    *,
    case: Case,
    actor: Any,
    changes: ApplicationChanges,
    idempotency_key: str,
    commitment: CommitmentSignature | None = None,
    resubmit: bool = False,
    now: dt.datetime | None = None,
) -> Submission:
    """The page's submit button: save what the form carries, then submit (or resubmit), once.

    The form's one-time token is the idempotency key: a reload or double click finds the key
    used and gets the same case; identical files sent twice are attached once.
    """
    if (done := _already_sent(case, actor, idempotency_key)) is not None:
        return done
    try:
        if not changes.is_empty():
            application_save(case=case, actor=actor, changes=changes, now=now)
    except WrongStatus:
        # The double click's first request won the race and has submitted meanwhile.
        if (done := _already_sent(case, actor, idempotency_key)) is not None:
            return done
        raise
    if resubmit:
        return application_resubmit(
            case=case, actor=actor, idempotency_key=idempotency_key, now=now
        )
    return application_submit(
        case=case, actor=actor, idempotency_key=idempotency_key, commitment=commitment, now=now
    )


@transaction.atomic
def application_withdraw(
    *, case: Case, actor: Any, reason: str = "", now: dt.datetime | None = None
) -> Case:
    """The applicant (or their agent) withdraws before a decision."""
    case = _locked(case)
    _acting_check(case, actor)
    reason = reason.strip()
    if len(reason) > 500:
        raise CaseError(_("撤回理由最多 500 个字。"))
    return case_withdraw(case=case, actor=actor, reason=reason, now=now)


@transaction.atomic
def application_file_remove(*, case: Case, case_file: CaseFile, actor: Any) -> None:
    """Take a file off a line; a file nothing else uses is deleted too (no orphan on disk)."""
    case = _locked(case)
    _acting_check(case, actor)
    if case_file.case_material.case_id != case.pk:
        raise CaseError(_("该文件不属于本办件。"))
    stored = case_file.stored
    case_file_remove(case_file=case_file, actor=actor)
    stored_file_discard_if_orphan(stored)
