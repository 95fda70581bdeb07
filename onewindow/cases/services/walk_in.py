"""Walk-in registration at the window: applicant record, case, files and submission at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.accounts.models import ApplicantKind, User, identity_q, person_username
from onewindow.accounts.roles import Perm, Role, has_perm
from onewindow.accounts.validators import citizen_id_clean, credit_code_clean, mobile_clean
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import Case, Channel, SubmissionKey
from onewindow.cases.services.application import case_create_draft, case_submit
from onewindow.cases.uploads import (
    WrittenFile,
    case_files_attach,
    files_delete,
    files_write,
    uploads_check,
)
from onewindow.catalog.delegation import point_accepts, routed_department_id
from onewindow.catalog.models import ItemVersion, Region

# --- walk-in registration at the window (docs/product.md §C4) -------------------------------------


@dataclass(frozen=True)
class WalkInApplicant:
    """Who the walk-in applicant is, as the clerk read it from their ID card or licence."""

    kind: str  # ApplicantKind
    full_name: str
    id_number: str = ""
    credit_code: str = ""
    legal_representative: str = ""
    phone: str = ""
    # F2: the clerk checked the business licence for a code that fails its check digit.
    confirm_credit_code: bool = False


def applicant_for_window(*, data: WalkInApplicant) -> User:
    """The existing applicant account, or a new applicant record without a password.

    Raises ``ValidationError`` naming the fields at fault (F1/F2 checks, a name that does not
    match the record). A record made here has no password: the applicant signs in later only
    after setting one through the account pages.
    """
    if data.kind == ApplicantKind.PERSON:
        number = _field_clean("id_number", citizen_id_clean, data.id_number)
        check_failed = False
    elif data.kind == ApplicantKind.ENTERPRISE:
        number, check_failed = _field_clean(
            "credit_code", credit_code_clean, data.credit_code, confirmed=data.confirm_credit_code
        )
    else:
        raise ValidationError({"kind": _("请选择申请人类型。")})
    existing = _identity_holder(data.kind, number)
    if existing is not None:
        return _matching(existing, data)
    return _applicant_record_create(data, number, check_failed)


def _field_clean(field: str, fn: Any, value: str, **kwargs: Any) -> Any:
    try:
        return fn(value, **kwargs)
    except ValidationError as exc:
        raise ValidationError({field: exc.error_list}) from exc


def _identity_holder(kind: str, number: str) -> User | None:
    field = "id_number" if kind == ApplicantKind.PERSON else "credit_code"
    holder = User.objects.filter(identity_q(field, number)).first()
    if holder is not None and holder.role not in (Role.APPLICANT, Role.AGENT):
        raise ValidationError({field: _("该证件号码属于工作人员账号，不能作为申请人办件。")})
    return holder


def _matching(user: User, data: WalkInApplicant) -> User:
    name = " ".join(data.full_name.split())
    if name and name != user.full_name:
        raise ValidationError(
            {
                "full_name": _(
                    "该证件号码已登记的名称为“%(name)s”，与填写的“%(given)s”不一致，请核对证件。"
                )
                % {"name": user.full_name, "given": name}
            }
        )
    return user


def _applicant_record_create(data: WalkInApplicant, number: str, check_failed: bool) -> User:
    errors: dict[str, Any] = {}
    name = " ".join(data.full_name.split())
    if not name:
        errors["full_name"] = _("请填写申请人姓名或名称。")
    representative = " ".join(data.legal_representative.split())
    if data.kind == ApplicantKind.ENTERPRISE and not representative:
        errors["legal_representative"] = _("请填写法定代表人姓名。")
    try:
        phone = mobile_clean(data.phone)
    except ValidationError as exc:
        errors["phone"] = exc.error_list
        phone = ""
    if errors:
        raise ValidationError(errors)
    person = data.kind == ApplicantKind.PERSON
    user = User(
        username=person_username(number) if person else number,
        role=Role.APPLICANT,
        applicant_kind=data.kind,
        full_name=name,
        id_number=number if person else "",
        credit_code="" if person else number,
        credit_code_check_failed=check_failed,
        legal_representative="" if person else representative,
        phone=phone,
    )
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def _walk_in_create(
    *,
    item_version: ItemVersion,
    region: Region,
    clerk: Any,
    applicant: WalkInApplicant,
    form_data: dict[str, Any],
    files: dict[int, list[WrittenFile]],
    idempotency_key: str,
    now: dt.datetime | None,
) -> tuple[Case, list[WrittenFile]]:
    user = applicant_for_window(data=applicant)
    case = case_create_draft(
        item_version=item_version,
        applicant=user,
        created_by=clerk,
        region=region,
        channel=Channel.WINDOW,
        form_data=form_data,
        now=now,
    )
    lines = {line.material_id: line for line in case.materials.select_related("material", "case")}
    if set(files) - set(lines):
        raise CaseError(_("上传的材料不属于该事项的材料清单。"))
    duplicates: list[WrittenFile] = []
    for material_id, written in files.items():
        _attached, same = case_files_attach(
            line=lines[material_id], written=written, actor=clerk, now=now
        )
        duplicates += same
    case = case_submit(case=case, actor=clerk, idempotency_key=idempotency_key, now=now)
    return case, duplicates


def may_register(clerk: Any, *, item_version: ItemVersion, region: Region) -> bool:
    """A clerk registers what their department handles: the item's department, or the district
    bureau the item is routed to in ``region`` (docs/rules/delegation.md §V1); a community
    point's staff the items on their point's list (V3)."""
    if has_perm(clerk, Perm.POINT_RECEIVE):
        return clerk.region_id == region.pk and point_accepts(
            region=region, item_id=item_version.item_id
        )
    return has_perm(clerk, Perm.CASE_INTAKE) and clerk.department_id == routed_department_id(
        item_id=item_version.item_id, department_id=item_version.item.department_id, region=region
    )


def case_register_walk_in(
    *,
    item_version: ItemVersion,
    region: Region,
    clerk: Any,
    applicant: WalkInApplicant,
    form_data: dict[str, Any] | None = None,
    files: dict[int, list[UploadedFile]] | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """A clerk registers an application handed in at the window and submits it (channel window).

    All or nothing: the applicant record, the case, its files and the submission are written in
    one transaction; every file is checked before any is written, and on any refusal the files
    already stored are deleted again. Repeating the call with the same ``idempotency_key`` (a
    double click) returns the first case.
    """
    if not may_register(clerk, item_version=item_version, region=region):
        raise CaseError(_("只能登记本部门的事项。"))
    if idempotency_key and (previous := _keyed_case(clerk, idempotency_key)) is not None:
        return previous
    checked = {material_id: uploads_check(ups) for material_id, ups in (files or {}).items()}
    written: dict[int, list[WrittenFile]] = {}
    try:
        for material_id, uploads in checked.items():
            written[material_id] = files_write(uploads)
        case, duplicates = _walk_in_create(
            item_version=item_version,
            region=region,
            clerk=clerk,
            applicant=applicant,
            form_data=form_data or {},
            files=written,
            idempotency_key=idempotency_key,
            now=now,
        )
    except IntegrityError as exc:
        files_delete(w.path for ws in written.values() for w in ws)
        if idempotency_key and (previous := _keyed_case(clerk, idempotency_key)) is not None:
            return previous  # the same form submitted twice at once: the first one won
        raise ConcurrentChange(_("保存时与另一项操作冲突，请重新提交。")) from exc
    except BaseException:
        files_delete(w.path for ws in written.values() for w in ws)
        raise
    files_delete(w.path for w in duplicates)
    return case


def _keyed_case(user: Any, key: str) -> Case | None:
    used = SubmissionKey.objects.filter(user=user, key=key).select_related("case").first()
    return used.case if used else None
