"""Walk-in registration at the window: the clerk identifies the applicant, types the form,
uploads the scans and submits (channel window); any refusal leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.accounts.models import ApplicantKind, User, identity_q
from onewindow.accounts.roles import Role
from onewindow.cases.models import Case, CaseStatus, Channel, StoredFile
from onewindow.cases.tests.conftest import PDF_BYTES, World, make_version
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id, make_credit_code

ID_NUMBER = make_citizen_id("420702", dt.date(1980, 5, 1), 17)


@pytest.fixture
def clerk_client(client: Any, world: World) -> Any:
    client.force_login(world.clerk)
    return client


def _url(world: World) -> str:
    return reverse("cases:intake_walk_in_form", args=[world.version.pk])


def _scan(name: str = "scan.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _data(world: World, *, skip: int = 0, **overrides: Any) -> dict[str, Any]:
    materials = list(world.version.materials.order_by("sort"))
    data: dict[str, Any] = {
        "idempotency_key": "k-1",
        "applicant_kind": ApplicantKind.PERSON,
        "id_number": ID_NUMBER,
        "full_name": "李四",
        "phone": "13907112222",
        "region": world.region.pk,
        "f_project_name": "鄂州市李四小吃店",
        "f_premises_address__province": "湖北省",
        "f_premises_address__city": "鄂州市",
        "f_premises_address__district": "鄂城区",
        "f_premises_address__detail": "古城路129号",
        "f_contact_name": "李四",
        "f_contact_phone": "13907112222",
        "f_application_date": "2026-03-02",
        "f_application_type": "新办",
        **{f"material_{m.pk}": _scan(f"{m.name}.pdf") for m in materials[: len(materials) - skip]},
    }
    data.update(overrides)
    return data


def _files_on_disk(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_item_list_offers_only_the_department_published_items(clerk_client, world):
    make_version(world.other_department, code="OTHER-WALK")
    html = clerk_client.get(reverse("cases:intake_walk_in")).content.decode()
    assert _url(world) in html
    assert "OTHER-WALK" not in html


def test_another_departments_item_form_is_a_logged_404(clerk_client, world):
    version, _c, _o = make_version(world.other_department, code="OTHER-WALK")
    url = reverse("cases:intake_walk_in_form", args=[version.pk])
    assert clerk_client.get(url).status_code == 404
    assert AccessDenied.objects.filter(target=f"itemversion:{version.pk}").exists()


def test_form_shows_applicant_application_fields_and_each_material(clerk_client, world):
    html = clerk_client.get(_url(world)).content.decode()
    assert 'name="id_number"' in html and 'name="f_project_name"' in html
    assert 'name="f_premises_address__detail"' in html
    for material in world.version.materials.all():
        assert f'name="material_{material.pk}"' in html


def test_walk_in_creates_the_applicant_record_and_submits_the_case(clerk_client, world):
    response = clerk_client.post(_url(world), _data(world))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:intake_case", args=[case.pk])
    assert case.status == CaseStatus.SUBMITTED and case.channel == Channel.WINDOW
    assert case.created_by == world.clerk
    assert case.form_data["premises_address"]["detail"] == "古城路129号"
    applicant = case.applicant
    assert (applicant.full_name, applicant.id_number, applicant.role) == (
        "李四",
        ID_NUMBER,
        Role.APPLICANT,
    )
    assert not applicant.has_usable_password()
    assert all(line.files.count() == 1 for line in case.materials.all())
    page = clerk_client.get(response["Location"]).content.decode()
    assert f"已登记并提交。办件编号 {case.number}" in page
    # A double click posts the same key again: still one case.
    again = clerk_client.post(_url(world), _data(world))
    assert again.status_code == 302 and Case.objects.count() == 1


def test_bad_id_number_is_refused_and_nothing_is_created(clerk_client, world, settings):
    users = User.objects.count()
    response = clerk_client.post(_url(world), _data(world, id_number="110105194912310021"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "身份证号校验位不正确，请核对后重新输入。" in html
    assert "本次上传的文件没有保存" in html
    assert Case.objects.count() == 0 and User.objects.count() == users
    assert StoredFile.objects.count() == 0 and _files_on_disk(settings) == []


def test_existing_applicant_is_linked_and_the_name_must_match(clerk_client, world):
    existing = User.objects.create_user(
        username=ID_NUMBER,
        role=Role.APPLICANT,
        applicant_kind=ApplicantKind.PERSON,
        full_name="李四",
        id_number=ID_NUMBER,
    )
    response = clerk_client.post(_url(world), _data(world, full_name="李五"))
    assert response.status_code == 400
    assert "已登记的名称为“李四”，与填写的“李五”不一致" in response.content.decode()
    assert Case.objects.count() == 0
    response = clerk_client.post(_url(world), _data(world, full_name="", phone=""))
    assert response.status_code == 302
    assert Case.objects.get().applicant == existing


def test_lookup_tells_whether_the_applicant_is_known(clerk_client, world):
    data = _data(world, action="lookup")
    html = clerk_client.post(_url(world), data).content.decode()
    assert f"证件号码 {ID_NUMBER} 尚未登记" in html
    User.objects.create_user(
        username="li4", role=Role.APPLICANT, full_name="李四", id_number=ID_NUMBER
    )
    html = clerk_client.post(_url(world), data).content.decode()
    assert "已登记的申请人：李四" in html
    assert "未能提交" not in html  # a look-up does not judge the unfinished form
    assert f'value="{ID_NUMBER}"' in html
    assert Case.objects.count() == 0


def test_enterprise_with_a_failing_check_digit_needs_the_clerks_confirmation(clerk_client, world):
    valid = make_credit_code("91420700MA4K00009")
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    enterprise: dict[str, Any] = {
        "applicant_kind": ApplicantKind.ENTERPRISE,
        "id_number": "",
        "credit_code": wrong,
        "full_name": "鄂州市某某餐饮有限公司",
        "legal_representative": "王五",
    }
    response = clerk_client.post(_url(world), _data(world, **enterprise))
    assert response.status_code == 400
    assert "校验位与编码规则不符" in response.content.decode()
    assert Case.objects.count() == 0
    data = _data(world, **enterprise, confirm_credit_code="on")
    response = clerk_client.post(_url(world), data)
    assert response.status_code == 302
    applicant = Case.objects.get().applicant
    assert applicant.credit_code == wrong and applicant.credit_code_pending


def test_missing_core_material_is_refused_and_no_file_is_left(clerk_client, world, settings):
    core = world.version.materials.get(is_core=True)
    data = _data(world)
    del data[f"material_{core.pk}"]
    response = clerk_client.post(_url(world), data)
    assert response.status_code == 400
    assert "以下必需材料尚未上传：食品经营许可申请书" in response.content.decode()
    assert Case.objects.count() == 0 and StoredFile.objects.count() == 0
    assert _files_on_disk(settings) == []
    assert not User.objects.filter(identity_q("id_number", ID_NUMBER)).exists()


def test_executable_renamed_pdf_is_refused_before_anything_is_written(
    clerk_client, world, settings
):
    core = world.version.materials.get(is_core=True)
    exe: dict[str, Any] = {f"material_{core.pk}": _scan("申请书.pdf", b"MZ\x90\x00" * 50)}
    data = _data(world, **exe)
    response = clerk_client.post(_url(world), data)
    assert response.status_code == 400
    assert "不是 PDF、JPEG 或 PNG 格式" in response.content.decode()
    assert Case.objects.count() == 0 and _files_on_disk(settings) == []


def test_invalid_form_values_are_shown_per_field(clerk_client, world):
    response = clerk_client.post(
        _url(world), _data(world, f_contact_phone="abc", f_project_name="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“联系电话”不是有效的电话号码" in html
    assert "请填写“项目名称”" in html
    assert Case.objects.count() == 0


def test_missing_non_core_within_tolerance_can_be_registered_for_tolerated_acceptance(
    clerk_client, world
):
    response = clerk_client.post(_url(world), _data(world, skip=1))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED
    assert not case.materials.get(material__name="次要材料2").files.exists()
