"""Who reads an applicant's full identity number (docs/rules/identity.md §F3).

Full: the applicant themselves and an agent holding their mandate (they file with it), staff of
the case's department (the window clerk at intake, the handler, reviewer, approver and chief
deciding it) and staff of a co-department with a review task on the case. Everyone else
(supervisors, auditors, other departments, the public) reads it masked by
``lib.idnumbers.mask_id_number``, through ``api.fields.IdentityNumberField`` in the API and the
``identity`` template filter on pages.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop as _

from onewindow.accounts.roles import DEPARTMENT_ROLES
from onewindow.accounts.selectors import staff_in_department
from onewindow.audit.access import AccessKind, case_access_record
from onewindow.cases.models import Case
from onewindow.cases.selectors import mandate_covers
from onewindow.core import clock


def identity_visible(user: Any, case: Case) -> bool:
    """True when ``user`` needs the full identity number of ``case``'s applicant."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == case.applicant_id or staff_in_department(user, case.department_id):
        return True
    co_department = user.role in DEPARTMENT_ROLES and user.department_id is not None
    if co_department and case.tasks.filter(department_id=user.department_id).exists():  # type: ignore[attr-defined]
        return True
    return mandate_covers(
        agent=user,
        applicant_id=case.applicant_id,
        item_id=case.item_version.item_id,
        today=clock.today(),
        case=case,
    )


def identity_shown(request: Any, case: Case) -> bool:
    """``identity_visible`` for the requesting user, recording that a staff member was shown the
    applicant's full identity number, phone or address (docs/rules/privacy.md §P4; an applicant
    or agent reading their own case is not recorded, as for every view)."""
    visible = identity_visible(request.user, case)
    if visible:
        case_access_record(
            request, case, kind=AccessKind.PERSONAL, detail=_("完整证件号码和联系方式")
        )
    return visible
