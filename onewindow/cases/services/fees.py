"""The fee ledger (收费登记): what the window actually charged on a case.

The catalog's fee list (收费清单, ``catalog.Fee``) says what an item may cost; this ledger records
what was charged, by the window clerk at the counter or by a department system through the API.
The ledger is a record of fact, so a charge that is not on the list, or above its standard, is
recorded as it happened and the electronic supervision rule ``fee_off_list`` gives it a red card
(docs/rules/supervision.md §D1 "fees not on the fee list or above it") — refusing to record it would
only hide it. The form says so before the clerk submits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases.errors import CaseError
from onewindow.cases.models import Case, CaseFee, CaseStatus
from onewindow.cases.transitions import event_record
from onewindow.catalog.delegation import fee_standards
from onewindow.catalog.models import Fee
from onewindow.core import clock

# Fees are charged once the application is accepted (a rejected or withdrawn one costs nothing).
CHARGEABLE = (
    CaseStatus.ACCEPTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.SUSPENDED,
    CaseStatus.GRANTED,
    CaseStatus.REFUSED,
    CaseStatus.COMPLETED,
)
AMOUNT_MAX = Decimal("99999999.99")
QUANTITY_MAX = 9999
NAME_MAX = 200
RECEIPT_MAX = 50


@dataclass(frozen=True)
class FeeCharge:
    """One charge as entered: a fee-list line (``fee_id``) or a name for a charge off the list."""

    amount: Any
    fee_id: int | None = None
    name: str = ""
    quantity: Any = 1
    receipt: str = ""
    charged_on: dt.date | None = None


def fee_standard(
    fee: Fee | None, quantity: int, unit_standard: Decimal | None = None
) -> Decimal | None:
    """The most the fee list allows for ``quantity`` units of ``fee``; None when off the list.
    ``unit_standard``: the case's own standard (a district's amount under
    docs/rules/delegation.md §V5), else the city's line."""
    if fee is None:
        return None
    return (unit_standard if unit_standard is not None else fee.amount) * quantity


def fee_is_off_list(charge: CaseFee) -> bool:
    standard = fee_standard(charge.fee, charge.quantity, charge.unit_standard)
    return standard is None or charge.amount > standard


def case_fee_standards(case: Case) -> dict[int, Decimal]:
    """Fee-list line id → the standard per unit for this case: the district's amount when the
    case is handled by a district bureau that set one (docs/rules/delegation.md §V5)."""
    return fee_standards(case.item_version, case.department.region_id)


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CaseError(_("实收金额须为数字，例如 10 或 12.50。")) from None
    if not amount.is_finite() or amount <= 0:
        raise CaseError(_("实收金额须大于 0 元。"))
    if amount > AMOUNT_MAX or amount != amount.quantize(Decimal("0.01")):
        raise CaseError(_("实收金额最多两位小数，且不超过 99999999.99 元。"))
    return amount.quantize(Decimal("0.01"))


def _quantity(value: Any) -> int:
    try:
        quantity = int(str(value).strip())
    except (TypeError, ValueError):
        raise CaseError(_("数量须为 1 至 9999 之间的整数。")) from None
    if not 1 <= quantity <= QUANTITY_MAX:
        raise CaseError(_("数量须为 1 至 9999 之间的整数。"))
    return quantity


def _line(case: Case, fee_id: int | None, name: str) -> tuple[Fee | None, str]:
    if fee_id is not None:
        fee = Fee.objects.filter(pk=fee_id, version_id=case.item_version_id).first()
        if fee is None:
            raise CaseError(_("所选收费项目不属于本事项的收费清单。"))
        return fee, fee.name
    name = name.strip()
    if not name:
        raise CaseError(_("请选择收费清单中的项目，或填写清单外收费的项目名称。"))
    if len(name) > NAME_MAX:
        raise CaseError(_("收费项目名称不能超过 200 个字。"))
    return None, name


@transaction.atomic
def case_fee_record(
    *, case: Case, actor: Any, charge: FeeCharge, now: dt.datetime | None = None
) -> CaseFee:
    """Record one charge on ``case`` with an event row; the supervision sweep checks it."""
    if not has_perm(actor, Perm.CASE_INTAKE) or actor.department_id != case.department_id:
        raise CaseError(_("您无权为该部门的办件登记收费。"))
    if case.status not in CHARGEABLE:
        raise CaseError(
            _("办件当前状态为“%(status)s”，不能登记收费。") % {"status": case.get_status_display()}
        )
    fee, name = _line(case, charge.fee_id, charge.name)
    quantity, amount = _quantity(charge.quantity), _amount(charge.amount)
    receipt = charge.receipt.strip()
    if len(receipt) > RECEIPT_MAX:
        raise CaseError(_("票据号不能超过 50 个字符。"))
    now = now or clock.now()
    today = clock.local_date(now)
    charged_on = charge.charged_on or today
    if charged_on > today:
        raise CaseError(_("收费日期不能晚于今天。"))
    if case.accepted_on and charged_on < case.accepted_on:
        raise CaseError(_("收费日期不能早于受理日期 %(d)s。") % {"d": case.accepted_on})
    record = CaseFee.objects.create(
        case=case,
        fee=fee,
        name=name,
        quantity=quantity,
        amount=amount,
        unit_standard=None if fee is None else case_fee_standards(case).get(fee.pk),
        receipt=receipt,
        charged_on=charged_on,
        recorded_by=actor,
        recorded_at=now,
    )
    event_record(
        case,
        actor=actor,
        action="fee_recorded",
        old=case.status,
        reason=_("%(name)s × %(q)s，实收 %(amount)s 元")
        % {"name": name, "q": quantity, "amount": amount},
        now=now,
        data={"fee_record": record.pk},
    )
    return record
