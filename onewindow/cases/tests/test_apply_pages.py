"""The online application pages end to end with the Django test client (docs/decisions.md §U6)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseNumberSequence,
    CaseStatus,
    MaterialStatus,
    StoredFile,
)
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.conftest import PDF_BYTES
from onewindow.cases.tests.test_apply_fixtures import (
    VALID_FORM,
    complete_draft,
    draft,
    files_on_disk,
    page_data,
    pdf,
    png,
)
from onewindow.core.models import AccessDenied

aw = fx.aw  # the fixture, shared with the other application tests


def page(case: Case) -> str:
    return reverse("cases:application", args=[case.pk])


@pytest.fixture
def applicant_client(client, aw):
    client.force_login(aw.applicant)
    return client


def test_guide_start_page_offers_the_implementing_regions_and_opens_a_draft(applicant_client, aw):
    url = reverse("cases:apply_start", args=[aw.version.item.code])
    response = applicant_client.get(url)
    assert response.status_code == 200
    assert aw.region.name in response.content.decode()
    response = applicant_client.post(url, {"region": aw.region.pk})
    case = Case.objects.get(applicant=aw.applicant)
    assert response.status_code == 302
    assert response["Location"] == page(case)
    assert case.status == CaseStatus.DRAFT
    assert case.materials.count() == 1 + len(aw.non_core)


def test_start_refuses_a_region_where_the_item_is_not_implemented(applicant_client, aw):
    from onewindow.catalog.models import Region, RegionLevel

    elsewhere = Region.objects.create(
        code="420702", name="梁子湖区", level=RegionLevel.DISTRICT, parent=aw.region
    )
    url = reverse("cases:apply_start", args=[aw.version.item.code])
    response = applicant_client.post(url, {"region": elsewhere.pk})
    assert response.status_code == 200
    assert "所选区域不办理该事项" in response.content.decode()
    assert not Case.objects.exists()


def test_application_page_shows_fields_materials_and_an_upload_input(applicant_client, aw):
    case = draft(aw)
    html = applicant_client.get(page(case)).content.decode()
    for label in ("项目名称", "经营场所（项目）地址", "联系电话", "申请日期", "申请类型"):
        assert label in html
    for line in case.materials.all():
        assert f'name="files-{line.pk}" multiple' in html
    assert aw.core.name in html and "主要材料" in html and "必需" in html


def test_draft_is_saved_with_several_files_per_material(applicant_client, aw):
    case = draft(aw)
    core = case.materials.get(material=aw.core)
    data = page_data(action="save", token="t" * 32)
    data[f"files-{core.pk}"] = [pdf("申请书第1页.pdf"), png("申请书第2页.png")]
    response = applicant_client.post(page(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.form_data == VALID_FORM
    names = sorted(f.stored.original_name for f in CaseFile.objects.filter(case_material=core))
    assert names == ["申请书第1页.pdf", "申请书第2页.png"]
    assert len(files_on_disk()) == 2
    html = applicant_client.get(page(case)).content.decode()
    assert "申请书第1页.pdf" in html and "申请书第2页.png" in html
    assert "已保存" in html


def test_one_line_address_in_the_street_input_is_accepted_when_long_enough(applicant_client, aw):
    case = draft(aw)
    form = {**VALID_FORM, "premises_address": {"detail": "湖北省鄂州市鄂城区滨湖北路1号"}}
    applicant_client.post(page(case), page_data(form, action="save", token="t" * 32))
    case.refresh_from_db()
    assert case.form_data["premises_address"] == "湖北省鄂州市鄂城区滨湖北路1号"


def test_invalid_field_value_changes_nothing_and_stores_no_file(applicant_client, aw):
    case = draft(aw)
    core = case.materials.get(material=aw.core)
    form = {**VALID_FORM, "contact_phone": "12345", "application_type": "注销"}
    data = page_data(form, action="save", token="t" * 32)
    data[f"files-{core.pk}"] = [pdf()]
    response = applicant_client.post(page(case), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "“联系电话”不是有效的电话号码" in html
    assert "“申请类型”只能选择：新办、变更、延续" in html
    case.refresh_from_db()
    assert case.form_data == {}
    assert not StoredFile.objects.exists()
    assert files_on_disk() == []


def test_submit_shows_the_case_number_and_query_code(applicant_client, aw):
    case = draft(aw)
    data = page_data(action="submit", token="submit-token-0001")
    for line in case.materials.all():
        data[f"files-{line.pk}"] = [pdf(f"m{line.pk}.pdf", PDF_BYTES + bytes([line.pk % 250]))]
    response = applicant_client.post(page(case), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:apply_done", args=[case.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    html = applicant_client.get(response["Location"]).content.decode()
    assert case.number in html and case.query_code in html
    assert "申请已提交" in html


def test_double_submit_with_the_same_token_creates_one_case(applicant_client, aw):
    case = draft(aw)
    data = page_data(action="submit", token="double-click-token-1")
    lines = list(case.materials.all())

    def post():
        body = dict(data)
        for line in lines:
            body[f"files-{line.pk}"] = [pdf(f"m{line.pk}.pdf", PDF_BYTES + bytes([line.pk % 250]))]
        return applicant_client.post(page(case), body)

    first, second = post(), post()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert CaseEvent.objects.filter(case=case, action="submitted").count() == 1
    assert CaseNumberSequence.objects.get().last == 1
    # The second request's identical files were not attached again, nor left on disk.
    assert CaseFile.objects.filter(case_material__case=case).count() == len(lines)
    assert len(files_on_disk()) == len(lines)


def test_submit_without_a_required_material_is_refused_with_its_name(applicant_client, aw):
    case = draft(aw)
    response = applicant_client.post(page(case), page_data(action="submit", token="s" * 20))
    html = response.content.decode()
    assert response.status_code == 200
    assert "以下必需材料尚未上传" in html and aw.core.name in html
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.number is None


def test_submit_with_a_required_field_empty_names_the_field(applicant_client, aw):
    case = complete_draft(aw)
    form = {**VALID_FORM, "contact_name": ""}
    response = applicant_client.post(page(case), page_data(form, action="submit", token="s" * 20))
    assert "请填写“联系人”" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.form_data["contact_name"] == "张三"  # nothing changed


def test_a_document_from_an_earlier_case_can_be_reused(applicant_client, aw):
    earlier = complete_draft(aw)
    services.application_withdraw(case=earlier, actor=aw.applicant)
    earlier_file = fx.any_file(earlier).stored
    case = draft(aw)
    core = case.materials.get(material=aw.core)
    html = applicant_client.get(page(case)).content.decode()
    assert f'name="reuse-{core.pk}" value="{earlier_file.pk}"' in html
    data = page_data(action="save", token="t" * 32, **{f"reuse-{core.pk}": [earlier_file.pk]})
    applicant_client.post(page(case), data)
    assert CaseFile.objects.get(case_material=core).stored == earlier_file
    assert StoredFile.objects.count() == len(earlier.materials.all())  # nothing copied


def test_another_applicants_document_cannot_be_reused(client, aw):
    theirs = complete_draft(aw, applicant=aw.other_applicant)
    their_file = fx.any_file(theirs).stored
    case = draft(aw)
    core = case.materials.get(material=aw.core)
    client.force_login(aw.applicant)
    data = page_data(action="save", token="t" * 32, **{f"reuse-{core.pk}": [their_file.pk]})
    response = client.post(page(case), data)
    assert "不能在本办件中复用" in response.content.decode()
    assert not CaseFile.objects.filter(case_material=core).exists()
    case.refresh_from_db()
    assert case.form_data == {}


def test_removing_a_file_deletes_it_from_disk(
    applicant_client, aw, django_capture_on_commit_callbacks
):
    case = complete_draft(aw)
    attached = fx.any_file(case)
    before = len(files_on_disk())
    url = reverse("cases:case_file_remove", args=[case.pk, attached.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(url)
    assert response.status_code == 302
    assert not CaseFile.objects.filter(pk=attached.pk).exists()
    assert not StoredFile.objects.filter(pk=attached.stored_id).exists()
    assert len(files_on_disk()) == before - 1


def test_download_is_an_attachment_with_a_utf8_file_name(applicant_client, aw):
    case = draft(aw)
    core = case.materials.get(material=aw.core)
    changes = services.ApplicationChanges(uploads={core.pk: [pdf("营业执照.pdf")]})
    services.application_save(case=case, actor=aw.applicant, changes=changes)
    attached = CaseFile.objects.get(case_material=core)
    response = applicant_client.get(reverse("cases:case_file", args=[case.pk, attached.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('营业执照.pdf')}" in disposition
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_withdraw_asks_for_confirmation_then_records_the_reason(applicant_client, aw):
    case = complete_draft(aw)
    services.application_submit(case=case, actor=aw.applicant)
    url = reverse("cases:apply_withdraw", args=[case.pk])
    confirm = applicant_client.get(url)
    assert "确认撤回" in confirm.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED  # a GET changes nothing
    response = applicant_client.post(url, {"reason": "经营场所变更，重新申请"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    event = CaseEvent.objects.get(case=case, action="withdrawn")
    assert event.reason == "经营场所变更，重新申请"
    again = applicant_client.post(url, {"reason": ""})
    assert "已不能撤回" in again.content.decode()


def test_resubmit_after_a_correction_notice(applicant_client, aw):
    case = complete_draft(aw)
    services.application_submit(case=case, actor=aw.applicant)
    core = case.materials.get(material=aw.core)
    services.case_request_correction(
        case=case,
        actor=aw.clerk,
        findings=[
            services.MaterialFinding(
                case_material_id=core.pk,
                problem=MaterialStatus.DEFECTIVE,
                remark="申请书未加盖公章",
            )
        ],
    )
    html = applicant_client.get(page(case)).content.decode()
    assert "补正材料通知" in html
    assert "申请书未加盖公章" in html
    assert f'class="material-line material-flagged" id="line-{core.pk}"' in html
    data = {
        "action": "resubmit",
        "token": "resubmit-token-001",
        f"files-{core.pk}": [png("盖章.png")],
    }
    response = applicant_client.post(page(case), data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert case.corrections.get().answered_at is not None
    assert CaseFile.objects.filter(case_material=core).count() == 2
    assert "补正材料已提交" in applicant_client.get(response["Location"]).content.decode()
    # The same form sent again (a reload) changes nothing more.
    data[f"files-{core.pk}"] = [png("盖章.png")]
    assert applicant_client.post(page(case), data).status_code == 302
    assert CaseEvent.objects.filter(case=case, action="resubmitted").count() == 1


def test_form_fields_cannot_change_during_correction(applicant_client, aw):
    case = complete_draft(aw)
    services.application_submit(case=case, actor=aw.applicant)
    core = case.materials.get(material=aw.core)
    finding = services.MaterialFinding(core.pk, MaterialStatus.MISSING, "缺少申请书原件")
    services.case_request_correction(case=case, actor=aw.clerk, findings=[finding])
    html = applicant_client.get(page(case)).content.decode()
    assert 'name="form-contact_name"' not in html
    assert "张三" in html  # shown as filed


@pytest.mark.parametrize("name", ["application", "apply_done", "apply_withdraw"])
def test_another_applicants_case_is_404_and_logged(client, aw, name):
    case = complete_draft(aw)
    client.force_login(aw.other_applicant)
    response = client.get(reverse(f"cases:{name}", args=[case.pk]))
    assert response.status_code == 404
    assert AccessDenied.objects.filter(user=aw.other_applicant, target=f"case:{case.pk}").exists()


def test_another_applicant_cannot_download_or_remove_a_file(client, aw):
    case = complete_draft(aw)
    attached = fx.any_file(case)
    client.force_login(aw.other_applicant)
    assert client.get(reverse("cases:case_file", args=[case.pk, attached.pk])).status_code == 404
    remove = reverse("cases:case_file_remove", args=[case.pk, attached.pk])
    assert client.post(remove).status_code == 404
    assert CaseFile.objects.filter(pk=attached.pk).exists()
    assert AccessDenied.objects.filter(user=aw.other_applicant).count() == 2


def test_a_file_id_of_another_case_is_404(applicant_client, aw):
    mine = draft(aw)
    theirs = complete_draft(aw, applicant=aw.other_applicant)
    attached = fx.any_file(theirs)
    url = reverse("cases:case_file", args=[mine.pk, attached.pk])
    assert applicant_client.get(url).status_code == 404


def test_clerk_of_the_department_downloads_files_of_a_submitted_case(client, aw):
    case = complete_draft(aw)
    attached = fx.any_file(case)
    url = reverse("cases:case_file", args=[case.pk, attached.pk])
    client.force_login(aw.clerk)
    assert client.get(url).status_code == 404  # a draft is the applicant's alone
    services.application_submit(case=case, actor=aw.applicant)
    assert client.get(url).status_code == 200
    client.force_login(aw.other_clerk)
    assert client.get(url).status_code == 404


def test_staff_get_403_on_the_application_pages(client, aw):
    client.force_login(aw.clerk)
    assert client.get(reverse("cases:apply_home")).status_code == 403
    url = reverse("cases:apply_start", args=[aw.version.item.code])
    assert client.post(url, {"region": aw.region.pk}).status_code == 403
    assert not Case.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, aw):
    response = client.get(reverse("cases:apply_home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_home_lists_my_drafts_with_the_action_they_need(applicant_client, aw):
    draft(aw)
    html = applicant_client.get(reverse("cases:apply_home")).content.decode()
    assert aw.version.name in html
    assert "填写申请表、上传材料后提交申请" in html
    assert reverse("cases:apply_start", args=[aw.version.item.code]) in html
