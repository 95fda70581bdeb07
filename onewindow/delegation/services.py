"""Writes of the delegation app: a community point's receipt on behalf of the implementing
department (docs/rules/delegation.md §V3). The implementation list's writes are the catalog's
(``catalog.delegation``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.accounts.roles import Perm, has_perm
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.services.walk_in import WalkInApplicant, case_register_walk_in
from onewindow.cases.transitions import event_record
from onewindow.catalog.delegation import point_accepts
from onewindow.catalog.models import ItemVersion, Region
from onewindow.core import clock
from onewindow.core.errors import DomainError
from onewindow.delegation.events import POINT_RECEIVED


class PointRefused(DomainError):
    code = "point_refused"


def point_receive_check(*, point: Region | None, staff: Any, item_version: ItemVersion) -> Region:
    """The point may receive this item (V3), else ``PointRefused`` with a clear reason."""
    if point is None or not has_perm(staff, Perm.POINT_RECEIVE) or staff.region_id != point.pk:
        raise PointRefused(_("只有本便民服务点的工作人员可以代收申请。"))
    if not point_accepts(region=point, item_id=item_version.item_id):
        raise PointRefused(
            _(
                "“%(item)s”不在“%(point)s”的代收事项清单中，本服务点不能代收，请引导申请人到实施部门窗口或网上办理。"
            )
            % {"item": item_version.name, "point": point.name}
        )
    return point


def point_receive(
    *,
    point: Region | None,
    staff: Any,
    item_version: ItemVersion,
    applicant: WalkInApplicant,
    form_data: dict[str, Any] | None = None,
    files: dict[int, list[UploadedFile]] | None = None,
    idempotency_key: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """docs/rules/delegation.md §V3: register and submit the application for the applicant, record
    the receipt (代收) naming the point, and hand the case on to the department it is routed to
    (its intake queue). Nothing is stored on a refusal."""
    point = point_receive_check(point=point, staff=staff, item_version=item_version)
    now = now or clock.now()
    with transaction.atomic():
        case = case_register_walk_in(
            item_version=item_version,
            region=point,
            clerk=staff,
            applicant=applicant,
            form_data=form_data,
            files=files,
            idempotency_key=idempotency_key,
            now=now,
        )
        if not CaseEvent.objects.filter(case=case, action=POINT_RECEIVED).exists():
            event_record(
                case,
                actor=staff,
                action=POINT_RECEIVED,
                reason=_("%(point)s代收申请，已转%(department)s受理。")
                % {"point": point.name, "department": case.department.name},
                now=now,
                data={
                    "point": point.pk,
                    "point_name": point.name,
                    "department": case.department_id,
                },
            )
    return case
