"""A district bureau's cases follow the district's implementation (docs/rules/delegation.md §V5):
its checklist (extra material added, non-core material left out) and its fee standard. The city's
cases keep the city's guide; a checklist is fixed when the case is created."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseFee, MaterialStatus, Notice
from onewindow.cases.services.fees import FeeCharge, case_fee_record, fee_is_off_list
from onewindow.cases.tests.conftest import pdf
from onewindow.cases.tests.test_intake_rules import at
from onewindow.cases.uploads import case_file_add
from onewindow.catalog import delegation
from onewindow.catalog.models import (
    Fee,
    ItemImplementation,
    Material,
    PublishedVersionError,
    ToleranceSetting,
)
from onewindow.delegation.tests.conftest import City, filed
from onewindow.supervision.models import Card
from onewindow.supervision.tests.world import sweep_on

EXTRA = "食品安全管理制度文本"


def deviate(town: City) -> ItemImplementation:
    """The worked example of V5: 鄂城区 adds a material (with its legal basis), leaves out the
    non-core 场所平面图 and charges 5.00 元 instead of the city's 10.00 元."""
    row = ItemImplementation.objects.get(item=town.version.item, region=town.district)
    return delegation.implementation_update(
        implementation=row,
        actor=town.region_admin,
        wanted=delegation.Deviations(
            extra_materials=[EXTRA],
            omitted_materials=["场所平面图"],
            fee_amounts={"证书工本费": "5.00"},
            legal_basis="《湖北省食品小作坊小经营店和食品摊贩管理条例》第十二条",
            reason="本区试点",
        ),
    )


def names(case) -> list[str]:
    return [line.material.name for line in case.materials.select_related("material")]


def accepted(town: City, case):
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.case_accept(case=case, actor=town.district_clerk)
    case.refresh_from_db()
    return case


def test_a_district_case_has_the_district_checklist_and_a_city_case_the_city_one(town):
    deviate(town)
    district_case = filed(town, town.district)
    city_case = filed(town, town.city)
    assert names(district_case) == ["申请书", EXTRA]
    assert names(city_case) == ["申请书", "场所平面图"]
    extra = Material.all_objects.get(name=EXTRA)
    assert (extra.region, extra.required, extra.is_core) == (town.district, True, False)
    # the extra material is not part of the city's guide
    assert [m.name for m in town.version.materials.all()] == ["申请书", "场所平面图"]
    assert not Material.objects.filter(name=EXTRA).exists()


def test_a_street_case_follows_its_district_and_the_extra_row_is_shared(town):
    deviate(town)
    first = filed(town, town.street)
    second = filed(town, town.district)
    assert names(first) == names(second) == ["申请书", EXTRA]
    assert Material.all_objects.filter(name=EXTRA).count() == 1


def test_the_checklist_is_fixed_when_the_case_is_created(town):
    before = filed(town, town.district)
    deviate(town)
    after = filed(town, town.district)
    assert names(before) == ["申请书", "场所平面图"]
    assert names(after) == ["申请书", EXTRA]


def test_a_district_without_a_bureau_keeps_the_city_checklist(town):
    row = ItemImplementation.objects.create(
        item=town.version.item, region=town.other_district, delegated=True
    )
    delegation.implementation_update(
        implementation=row,
        actor=town.admin,
        wanted=delegation.Deviations(omitted_materials=["场所平面图"], reason="精简"),
    )
    case = filed(town, town.other_district)
    assert case.department == town.department
    assert names(case) == ["申请书", "场所平面图"]


def test_the_extra_material_counts_as_non_core_for_the_tolerance(town):
    deviate(town)
    ToleranceSetting.objects.filter(category=town.version.tolerance_category).update(max_missing=1)
    case = services.case_create_draft(
        item_version=town.version,
        applicant=town.applicant,
        created_by=town.applicant,
        region=town.district,
    )
    core = case.materials.get(material__name="申请书")
    case_file_add(case_material=core, upload=pdf(), actor=town.applicant)
    # the version's category tolerates one missing non-core material: the extra one is non-core
    with time_machine.travel(at("2026-03-02"), tick=False):
        services.case_submit(case=case, actor=town.applicant)
    case.refresh_from_db()
    assert case.submitted_at is not None


def test_the_extra_material_must_be_there_when_the_tolerance_is_zero(town):
    deviate(town)
    ToleranceSetting.objects.filter(category=town.version.tolerance_category).update(max_missing=0)
    case = services.case_create_draft(
        item_version=town.version,
        applicant=town.applicant,
        created_by=town.applicant,
        region=town.district,
    )
    core = case.materials.get(material__name="申请书")
    case_file_add(case_material=core, upload=pdf(), actor=town.applicant)
    with pytest.raises(CaseError, match=EXTRA):
        services.case_submit(case=case, actor=town.applicant)
    # the city's case of the same item asks for 场所平面图 instead
    city = services.case_create_draft(
        item_version=town.version,
        applicant=town.applicant,
        created_by=town.applicant,
        region=town.city,
    )
    case_file_add(
        case_material=city.materials.get(material__name="申请书"),
        upload=pdf(),
        actor=town.applicant,
    )
    with pytest.raises(CaseError, match="场所平面图"):
        services.case_submit(case=city, actor=town.applicant)


def test_a_correction_notice_lists_the_missing_district_material(town):
    deviate(town)
    case = filed(town, town.district)
    line = case.materials.get(material__name=EXTRA)
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.case_request_correction(
            case=case,
            actor=town.district_clerk,
            findings=[
                services.MaterialFinding(
                    case_material_id=line.pk,
                    problem=MaterialStatus.MISSING,
                    remark="未提交本区要求的管理制度文本",
                )
            ],
        )
    notice = Notice.objects.get(case=case, kind="correction")
    assert [row["material"] for row in notice.content["lines"]] == [EXTRA]


def test_a_city_line_the_district_left_out_cannot_be_named_in_a_correction(town):
    deviate(town)
    district_case = filed(town, town.district)
    city_case = filed(town, town.city)
    foreign = city_case.materials.get(material__name="场所平面图")
    with pytest.raises(CaseError, match="补正材料不属于本办件"):
        services.case_request_correction(
            case=district_case,
            actor=town.district_clerk,
            findings=[services.MaterialFinding(foreign.pk, MaterialStatus.MISSING, "缺")],
        )
    assert not Notice.objects.filter(case=district_case).exists()


def charge(town: City, case, amount: str, actor=None) -> CaseFee:
    fee = Fee.objects.get(version=town.version)
    with time_machine.travel(at("2026-03-04"), tick=False):
        return case_fee_record(
            case=case,
            actor=actor or town.district_clerk,
            charge=FeeCharge(fee_id=fee.pk, amount=amount),
        )


def test_a_fee_above_the_district_standard_raises_the_fee_card(town):
    deviate(town)
    case = accepted(town, filed(town, town.district))
    within = charge(town, case, "5.00")
    above = charge(town, case, "8.00")  # within the city's 10.00, above the district's 5.00
    assert within.unit_standard == Decimal("5.00")
    assert [fee_is_off_list(c) for c in (within, above)] == [False, True]
    sweep_on("2026-03-05")
    cards = Card.objects.filter(rule__code="fee_off_list")
    assert [(c.object_id, c.case_id, c.department_id) for c in cards] == [
        (above.pk, case.pk, town.district_department.pk)
    ]


def test_a_city_case_of_the_same_item_is_checked_against_the_city_standard(town):
    deviate(town)
    case = filed(town, town.city)
    with time_machine.travel(at("2026-03-03"), tick=False):
        services.case_accept(case=case, actor=town.city_clerk)
    case.refresh_from_db()
    record = charge(town, case, "8.00", actor=town.city_clerk)
    assert record.unit_standard == Decimal("10.00")
    assert not fee_is_off_list(record)
    sweep_on("2026-03-05")
    assert not Card.objects.filter(rule__code="fee_off_list").exists()


def test_a_charge_keeps_the_standard_in_force_when_it_was_recorded(town):
    deviate(town)
    case = accepted(town, filed(town, town.district))
    record = charge(town, case, "5.00")
    row = ItemImplementation.objects.get(item=town.version.item, region=town.district)
    delegation.implementation_update(
        implementation=row,
        actor=town.region_admin,
        wanted=delegation.Deviations(
            extra_materials=[EXTRA],
            omitted_materials=["场所平面图"],
            fee_amounts={"证书工本费": "3.00"},
            legal_basis=row.legal_basis,
            reason="再降费",
        ),
    )
    sweep_on("2026-03-05")
    assert not Card.objects.filter(rule__code="fee_off_list", object_id=record.pk).exists()
    assert charge(town, case, "5.00").unit_standard == Decimal("3.00")


def test_the_fee_form_offers_the_district_standard(town, client):
    deviate(town)
    case = accepted(town, filed(town, town.district))
    client.force_login(town.district_clerk)
    response = client.get(reverse("cases:intake_case", args=[case.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "证书工本费（5.00 元）" in page or "证书工本费(5.00 元" in page


# --- the public guide ---------------------------------------------------------------------------


def test_the_guide_shows_each_deviating_district_with_its_lists_and_legal_basis(town, client):
    page = client.get(reverse("portal:guide_detail", args=[town.version.item.code]))
    assert page.status_code == 200 and "各区实施差异" not in page.content.decode()
    deviate(town)
    html = client.get(reverse("portal:guide_detail", args=[town.version.item.code])).content
    text = html.decode()
    assert "各区实施差异" in text and "鄂城区市场监督管理局" in text
    assert f"材料：{EXTRA}" in text and "材料：场所平面图" in text
    assert "该区申请材料清单：申请书、" + EXTRA in text
    assert "第十二条" in text and "10.00" in text and "5.00" in text
    # no district material row is written by reading the guide
    assert not Material.all_objects.filter(region__isnull=False).exists()


def test_a_district_without_its_bureau_is_not_shown_as_deviating(town, client):
    row = ItemImplementation.objects.create(
        item=town.version.item, region=town.other_district, delegated=True
    )
    delegation.implementation_update(
        implementation=row,
        actor=town.admin,
        wanted=delegation.Deviations(fee_amounts={"证书工本费": "1.00"}, reason="降费"),
    )
    # its cases go to the city bureau with the city's guide (V1), so nothing differs for them
    text = client.get(reverse("portal:guide_detail", args=[town.version.item.code])).content
    assert "各区实施差异" not in text.decode()


def test_the_guide_api_gives_the_district_versions(town):
    from rest_framework.test import APIClient

    deviate(town)
    data = APIClient().get(reverse("api:catalog-item-detail", args=[town.version.item.code])).json()
    assert [m["name"] for m in data["materials"]] == ["申请书", "场所平面图"]
    [district] = data["district_versions"]
    assert district["region_name"] == "鄂城区"
    assert district["department"] == "鄂城区市场监督管理局"
    assert district["materials"] == ["申请书", EXTRA]
    assert district["extra_materials"] == [EXTRA]
    assert district["omitted_materials"] == ["场所平面图"]
    assert district["fees"] == [
        {"name": "证书工本费", "unit": "", "city": "10.00", "district": "5.00"}
    ]
    assert district["committed_days"] == district["city_committed_days"] == 15
    assert "第十二条" in district["legal_basis"]


def test_the_apply_start_page_shows_the_district_lists(town, client):
    deviate(town)
    client.force_login(town.applicant)
    page = client.get(reverse("cases:apply_start", args=[town.version.item.code]))
    assert page.status_code == 200
    assert "该区申请材料清单：申请书、" + EXTRA in page.content.decode()


# --- the window's and the point's registration forms -------------------------------------------


def _district_materials(town: City) -> list[Material]:
    return delegation.checklist_materials(town.version, town.district.pk)


def test_the_point_form_shows_and_takes_the_district_list(town, client):
    from onewindow.cases.models import Case
    from onewindow.delegation.tests.test_points import APPLICANT

    deviate(town)
    client.force_login(town.point_clerk)
    url = reverse("delegation:point_receive", args=[town.version.pk])
    form = client.get(url)
    assert form.status_code == 200
    text = form.content.decode()
    assert EXTRA in text and "场所平面图" not in text
    data = {
        "idempotency_key": form.context["form"].initial["idempotency_key"],
        "applicant_kind": "person",
        "id_number": APPLICANT.id_number,
        "full_name": APPLICANT.full_name,
        "phone": APPLICANT.phone,
        "region": town.point.pk,
        "f_project_name": "鄂州市李四小吃店",
        "f_premises_address__province": "湖北省",
        "f_premises_address__city": "鄂州市",
        "f_premises_address__district": "鄂城区",
        "f_premises_address__detail": "古城路129号",
        "f_contact_name": "李四",
        "f_contact_phone": "13907112222",
        "f_application_date": "2026-03-02",
        "f_application_type": "新办",
    }
    for m in _district_materials(town):
        data[f"material_{m.pk}"] = pdf()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get()
    assert names(case) == ["申请书", EXTRA]
    assert all(line.files.exists() for line in case.materials.all())


def test_the_point_api_refuses_a_file_for_a_material_the_district_left_out(town):
    from rest_framework.test import APIClient

    from onewindow.cases.models import Case, StoredFile
    from onewindow.delegation.tests.test_points import _api_body

    deviate(town)
    api = APIClient()
    api.force_authenticate(town.point_clerk)
    url = reverse("api:delegation_point_receive")
    body = _api_body(town.version, "T-SP-001")  # the city's list: 场所平面图 included
    response = api.post(url, body, format="multipart")
    assert response.status_code == 400
    dropped = Material.objects.get(version=town.version, name="场所平面图")
    assert f"material_{dropped.pk}" in response.json()["errors"]
    assert not Case.objects.exists() and not StoredFile.objects.exists()
    good = _api_body(town.version, "T-SP-001")
    del good[f"material_{dropped.pk}"]
    good[f"material_{Material.all_objects.get(name=EXTRA).pk}"] = pdf()
    created = api.post(url, good, format="multipart")
    assert created.status_code == 201, created.content.decode()[:2000]
    assert names(Case.objects.get()) == ["申请书", EXTRA]


def test_the_district_clerk_walk_in_form_and_intake_checklist_show_the_district_list(town, client):
    deviate(town)
    client.force_login(town.district_clerk)
    form = client.get(reverse("cases:intake_walk_in_form", args=[town.version.pk]))
    assert form.status_code == 200
    text = form.content.decode()
    assert EXTRA in text and "场所平面图" not in text
    case = filed(town, town.district)
    page = client.get(reverse("cases:intake_case", args=[case.pk])).content.decode()
    assert EXTRA in page and "场所平面图" not in page


def test_a_new_city_draft_copies_the_city_materials_only(town):
    from onewindow.catalog.services import item_version_create_draft

    deviate(town)
    filed(town, town.district)  # writes the district's extra material row on version 1
    draft = item_version_create_draft(item=town.version.item)
    assert [m.name for m in Material.all_objects.filter(version=draft)] == ["申请书", "场所平面图"]
    # the district's extra row is never edited or removed through the catalog's checks
    extra = Material.all_objects.get(version=town.version, name=EXTRA)
    extra.note = "改"
    with pytest.raises(PublishedVersionError):
        extra.save()
