"""The Must-show chain through the services: a four-item theme with one conditional item, shared
fields asked once, sub-cases in four departments, one intake, one correction notice, one
combined delivery, a refused sub-case and its effect (docs/rules/bundles.md §R1–§R9)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.bundles import selectors, services
from onewindow.bundles.errors import BundleWrongStatus
from onewindow.bundles.models import Bundle, BundleCorrection
from onewindow.bundles.tests.world import (
    SHARED_MATERIAL,
    cases_of,
    decide,
    make_world,
    pdf,
    submit,
)
from onewindow.cases.models import Case, CaseFile, CaseStatus, MaterialStatus
from onewindow.cases.services.intake import MaterialFinding
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.review.tests.decision_world import at


@pytest.fixture
def w(personas):
    return make_world(personas)


def test_the_signboard_question_decides_the_fourth_item(w):
    with_sign = submit(w, signboard="yes")
    without = submit(w, signboard="no")
    assert [c.department for c in cases_of(with_sign)] == w.departments
    assert [c.department for c in cases_of(without)] == w.departments[:3]
    assert all(c.status == CaseStatus.SUBMITTED for c in cases_of(with_sign))


def test_shared_fields_are_asked_once_and_reach_every_sub_case(w):
    merged = selectors.merged_fields(w.theme.items.all())
    names = [m.spec.name for m in merged]
    assert len(names) == len(set(names))
    assert next(m for m in merged if m.spec.name == "project_name").shared
    bundle = submit(w)
    for case in cases_of(bundle):
        assert case.form_data["project_name"] == "鄂州市示范餐饮店"


def test_a_shared_material_is_uploaded_once_and_attached_to_each_sub_case(w):
    bundle = submit(w)
    files = CaseFile.objects.filter(
        case_material__case__bundle_part__bundle=bundle,
        case_material__material__name=SHARED_MATERIAL,
    )
    assert files.count() == 4
    assert len({f.stored_id for f in files}) == 1


def test_one_intake_one_correction_notice_one_answer(w):
    bundle = submit(w)
    food, fire = cases_of(bundle)[1], cases_of(bundle)[2]
    findings = {}
    for case in (food, fire):
        line = case.materials.get(material__name__endswith="专项材料")
        findings[case.pk] = [MaterialFinding(line.pk, MaterialStatus.MISSING, "请补充盖章件")]
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        services.bundle_intake(bundle=bundle, actor=w.window_clerk, findings=findings)
    statuses = [c.status for c in cases_of(bundle)]
    assert statuses == [
        CaseStatus.IN_REVIEW,
        CaseStatus.CORRECTION,
        CaseStatus.CORRECTION,
        CaseStatus.IN_REVIEW,
    ]
    # One combined notice listing both sub-cases' missing materials.
    assert BundleCorrection.objects.filter(bundle=bundle).count() == 1
    groups = selectors.correction_groups(bundle)
    assert len(groups) == 2
    assert {p["department"] for g in groups for p in g.problems} == {
        w.departments[1].name,
        w.departments[2].name,
    }
    view = selectors.bundle_view(bundle)
    assert view.status == "correction"
    # An answer missing one of the listed materials changes nothing.
    with pytest.raises(services.BundleInvalid):
        services.bundle_correction_answer(
            bundle=bundle, actor=w.p.enterprise, uploads={groups[0].index: [pdf()]}
        )
    assert Case.objects.filter(pk=food.pk, status=CaseStatus.CORRECTION).exists()
    with time_machine.travel(at("2025-10-08", 10), tick=False):
        services.bundle_correction_answer(
            bundle=bundle,
            actor=w.p.enterprise,
            uploads={g.index: [pdf(f"c{g.index}.pdf")] for g in groups},
        )
    food.refresh_from_db()
    fire.refresh_from_db()
    assert food.status == fire.status == CaseStatus.SUBMITTED
    correction = BundleCorrection.objects.get(bundle=bundle)
    assert correction.answered_at is not None
    assert selectors.correction_notices(bundle, correction).count() == 2
    with time_machine.travel(at("2025-10-09", 10), tick=False):
        services.bundle_intake(bundle=bundle, actor=w.window_clerk)
    assert all(c.status == CaseStatus.IN_REVIEW for c in cases_of(bundle))


def _accepted(w) -> Bundle:
    bundle = submit(w)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        services.bundle_intake(bundle=bundle, actor=w.window_clerk)
    return bundle


def test_combined_delivery_waits_for_every_decision(w):
    bundle = _accepted(w)
    cases = cases_of(bundle)
    for case in cases[:3]:
        decide(w, case)
    with pytest.raises(BundleWrongStatus, match="统一送达"):
        services.bundle_deliver(
            bundle=bundle, actor=w.window_clerk, receiver_name="孙强", receiver_id_number=""
        )
    decide(w, cases[3])
    applicant_id = make_citizen_id("420700", dt.date(1980, 1, 2), 5)
    with time_machine.travel(at("2025-10-13", 10), tick=False):
        delivered = services.bundle_deliver(
            bundle=bundle,
            actor=w.window_clerk,
            receiver_name="孙强",
            receiver_id_number=applicant_id,
        )
    assert len(delivered) == 4
    assert all(c.status == CaseStatus.COMPLETED for c in cases_of(bundle))
    bundle.refresh_from_db()
    assert bundle.delivered_at is not None
    assert selectors.bundle_view(selectors._bundles().get(pk=bundle.pk)).status == "done"


def test_a_refused_sub_case_is_shown_with_its_effect(w):
    bundle = _accepted(w)
    cases = cases_of(bundle)
    decide(w, cases[1], kind="refuse")
    view = selectors.bundle_view(selectors._bundles().get(pk=bundle.pk))
    refused = next(r for r in view.rows if r.negative)
    assert refused.case == cases[1]
    assert "不符合" in refused.reason
    assert "统一送达" in refused.effect
    assert view.status == "in_progress"
