"""A granted case through the real services: intake, parallel review (department A leads,
department B co-reviews), the lead's grant decision (review.services.decision_make), which
issues the certificate and — with a PublicityRule on the item — publishes the result."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine

from onewindow.cases import services as case_services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.uploads import case_file_add
from onewindow.publicity.models import PublicityRule
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import DecisionWorld, all_agree, at

FIELDS = ["applicant", "case_number", "decision", "certificate_serial"]
REMEDIES = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内向鄂州市人民政府申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


def rule_for(w: DecisionWorld, *, fields: list[str] | None = None, days: int = 5) -> PublicityRule:
    return PublicityRule.objects.create(
        item=w.version.item, fields=fields or list(FIELDS), days=days
    )


def case_in_review(w: DecisionWorld, applicant: Any, accepted: str = "2025-09-30") -> Case:
    case = case_services.case_create_draft(
        item_version=w.version, applicant=applicant, created_by=applicant, region=w.region
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=applicant)
    with time_machine.travel(at(accepted, 9), tick=False):
        case_services.case_submit(case=case, actor=applicant)
    with time_machine.travel(at(accepted, 10), tick=False):
        case.refresh_from_db()
        case_services.case_accept(case=case, actor=w.p.clerk)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    return case


def decided(
    w: DecisionWorld, *, applicant: Any = None, kind: str = "grant", day: str = "2025-10-21"
) -> Case:
    """A case of ``applicant`` (the person 张伟 by default) decided by department A on ``day``."""
    case = case_in_review(w, applicant or w.p.applicant)
    all_agree(w, case)
    fields: dict[str, str] = {}
    if kind == "refuse":
        fields = {"reasons": "经营场所不符合条件。", "remedies": REMEDIES}
    with time_machine.travel(at(day), tick=False):
        decision_make(case=case, actor=w.p.approver_a, kind=kind, now=at(day), **fields)
    case.refresh_from_db()
    return case


def on(day: str, hour: int = 10) -> Any:
    """The clock frozen at ``day`` ``hour``:00 Shanghai time."""
    return time_machine.travel(at(day, hour), tick=False)


def today_is(day: str) -> dt.date:
    return dt.date.fromisoformat(day)
