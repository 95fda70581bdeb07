"""Rules of the online application: the field schema, agents' mandates, 告知承诺制 (G1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onewindow.cases import fields, services
from onewindow.cases.errors import CaseError
from onewindow.cases.fields import FieldSpec, FormInvalid
from onewindow.cases.models import (
    ApplicationField,
    ApprovalRoute,
    Case,
    CaseEvent,
    Commitment,
    CommitmentKind,
    FieldType,
    Notice,
    NoticeKind,
    TextFormat,
)
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.test_apply_fixtures import (
    VALID_FORM,
    draft,
    page_data,
    pdf,
    tomorrow,
)
from onewindow.catalog.models import Item, ItemVersion, PublishedVersionError
from onewindow.core.models import AccessDenied

TEXT = FieldSpec("name", "名称", FieldType.TEXT, min_length=2, max_length=5)
PHONE = FieldSpec("phone", "电话", FieldType.TEXT, text_format=TextFormat.PHONE)
NUMBER = FieldSpec(
    "area", "面积", FieldType.NUMBER, min_value=Decimal("10"), max_value=Decimal("1000")
)
DATE = FieldSpec("day", "日期", FieldType.DATE)
CHOICE = FieldSpec("kind", "类型", FieldType.CHOICE, choices=("新办", "变更"))
ADDRESS = FieldSpec("addr", "地址", FieldType.ADDRESS)
OPTIONAL = FieldSpec("note", "备注", FieldType.TEXT, required=False)
SCHEMA = [TEXT, PHONE, NUMBER, DATE, CHOICE, ADDRESS, OPTIONAL]
GOOD = {
    "name": "超市",
    "phone": "027-88886666",
    "area": "120.5",
    "day": "2025-09-30",
    "kind": "新办",
    "addr": {"province": "湖北省", "city": "鄂州市", "district": "鄂城区", "detail": "古楼街1号"},
}

aw = fx.aw  # the fixture, shared with the other application tests


def errors_of(data, *, partial=False, schema=SCHEMA):
    with pytest.raises(FormInvalid) as caught:
        fields.validate(schema, data, partial=partial)
    return caught.value.errors


# --- the field schema -------------------------------------------------------------------------


def test_valid_values_come_back_cleaned():
    cleaned = fields.validate(SCHEMA, {**GOOD, "name": "  超市 ", "area": 30, "note": ""})
    assert cleaned["name"] == "超市"
    assert cleaned["area"] == 30
    assert fields.validate(SCHEMA, GOOD)["area"] == 120.5
    assert "note" not in cleaned


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("name", "超", "“名称”至少填写 2 个字"),
        ("name", "鄂州市示范超市", "“名称”最多填写 5 个字"),
        ("name", 12, "“名称”应填写文字"),
        ("phone", "1234", "“电话”不是有效的电话号码"),
        ("area", "abc", "“面积”应填写数字"),
        ("area", "5", "“面积”不能小于 10"),
        ("area", "1000.5", "“面积”不能大于 1000"),
        ("area", "12.123456", "“面积”最多保留 4 位小数"),
        ("area", True, "“面积”应填写数字"),
        ("area", "NaN", "“面积”应填写数字"),
        ("day", "2025-02-30", "“日期”应为有效日期"),
        ("day", "1800-01-01", "“日期”的年份不合理"),
        ("kind", "注销", "“类型”只能选择：新办、变更"),
        ("addr", "湖北鄂州", "“地址”至少填写 8 个字"),
        (
            "addr",
            {"province": "湖北省", "city": "鄂州市", "detail": "古楼街1号"},
            "请填写“地址（区（县））”",
        ),
        ("addr", {"street": "x"}, "“地址”应填写省、市、区（县）和详细地址"),
    ],
)
def test_each_bad_value_gets_a_chinese_message_on_its_field(name, value, message):
    errors = errors_of({**GOOD, name: value})
    assert list(errors) == [name]
    assert message in errors[name][0]


def test_a_one_line_address_long_enough_is_accepted():
    cleaned = fields.validate(SCHEMA, {**GOOD, "addr": "湖北省鄂州市鄂城区古楼街1号"})
    assert cleaned["addr"] == "湖北省鄂州市鄂城区古楼街1号"


def test_required_fields_are_demanded_on_submission_but_not_in_a_draft():
    assert fields.validate(SCHEMA, {"name": "超市"}, partial=True) == {"name": "超市"}
    errors = errors_of({"name": "超市"})
    assert errors["phone"] == ["请填写“电话”。"]
    assert set(errors) == {"phone", "area", "day", "kind", "addr"}


def test_a_filled_in_value_must_be_valid_even_in_a_draft():
    assert "phone" in errors_of({"phone": "x"}, partial=True)


def test_unknown_fields_and_non_objects_are_refused():
    assert "申请表中没有“extra”这一项" in errors_of({**GOOD, "extra": 1})["extra"][0]
    assert errors_of(["not", "a", "dict"]) == {"__all__": ["申请表内容格式不正确。"]}


def test_every_item_gets_a_default_form_when_it_defines_none(aw):
    specs = fields.fields_for(aw.version)
    assert [s.name for s in specs][:5] == [
        "project_name",
        "premises_address",
        "contact_name",
        "contact_phone",
        "application_date",
    ]
    assert {s.type for s in specs} == set(FieldType.values)
    assert fields.validate(specs, VALID_FORM) == VALID_FORM


def test_fields_are_set_on_a_draft_version_and_frozen_once_published(aw):
    item = Item.objects.create(code="CASE-T-FLD", department=aw.department)
    version = ItemVersion.objects.create(
        item=item, number=1, name="测试事项", legal_basis="依据", statutory_days=20,
        committed_days=10, result_name="证", delivery_methods=["window"],
    )  # fmt: skip
    services.application_fields_set(version=version, specs=[TEXT, CHOICE])
    assert [s.name for s in fields.fields_for(version)] == ["name", "kind"]
    ItemVersion.objects.filter(pk=version.pk).update(status="published")
    with pytest.raises(PublishedVersionError):
        services.application_fields_set(version=version, specs=[TEXT])
    row = ApplicationField.objects.get(version=version, name="name")
    row.label = "改名"
    with pytest.raises(PublishedVersionError):
        row.save()
    with pytest.raises(PublishedVersionError):
        row.delete()


def test_bad_field_definitions_are_refused_all_at_once(aw):
    version = ItemVersion.objects.create(
        item=Item.objects.create(code="CASE-T-BAD", department=aw.department), number=1,
        name="测试", legal_basis="依据", statutory_days=5, committed_days=5, result_name="证",
    )  # fmt: skip
    specs = [
        FieldSpec("Bad Name", "x", FieldType.TEXT),
        FieldSpec("kind", "类型", FieldType.CHOICE),
        FieldSpec("dup", "a", FieldType.TEXT),
        FieldSpec("dup", "b", FieldType.NUMBER, min_value=Decimal(5), max_value=Decimal(1)),
    ]
    with pytest.raises(ValidationError) as caught:
        services.application_fields_set(version=version, specs=specs)
    problems = caught.value.message_dict["fields"]
    assert len(problems) == 4
    assert not ApplicationField.objects.exists()


# --- agents and mandates ----------------------------------------------------------------------


def _mandate(aw, **kw):
    return services.mandate_record(
        agent=aw.agent,
        applicant=aw.applicant,
        valid_until=kw.pop("valid_until", tomorrow()),
        recorded_by=aw.applicant,
        **kw,
    )


def test_an_agent_without_a_mandate_is_refused(aw):
    with pytest.raises(CaseError, match="没有“张三”有效的代办委托"):
        draft(aw, actor=aw.agent, applicant=aw.applicant)
    assert not Case.objects.exists()


def test_an_agent_files_for_a_mandating_applicant(aw):
    _mandate(aw)
    case = services.application_start(
        item_version=aw.version, actor=aw.agent, region=aw.region, applicant=aw.applicant
    )
    assert (case.applicant, case.agent, case.created_by) == (aw.applicant, aw.agent, aw.agent)


def test_a_mandate_for_another_item_or_expired_does_not_count(aw):
    _mandate(aw, item=aw.commitment_version.item)
    with pytest.raises(CaseError):
        services.application_start(
            item_version=aw.version, actor=aw.agent, region=aw.region, applicant=aw.applicant
        )
    with pytest.raises(CaseError, match="有效期"):
        _mandate(aw, valid_until=dt.date(2000, 1, 1))


def test_a_revoked_mandate_stops_the_agent_from_submitting(aw):
    mandate = _mandate(aw)
    case = services.application_start(
        item_version=aw.version, actor=aw.agent, region=aw.region, applicant=aw.applicant
    )
    uploads = {line.pk: [pdf(f"{line.pk}.pdf")] for line in case.materials.all()}
    services.application_save(
        case=case,
        actor=aw.agent,
        changes=services.ApplicationChanges(form_data=dict(VALID_FORM), uploads=uploads),
    )
    services.mandate_revoke(mandate=mandate)
    with pytest.raises(CaseError, match="委托已失效"):
        services.application_submit(case=case, actor=aw.agent)
    case.refresh_from_db()
    assert case.number is None
    # The applicant can still submit their own application.
    assert services.application_submit(case=case, actor=aw.applicant).created


def test_the_agent_start_page_lists_only_mandating_applicants(client, aw):
    client.force_login(aw.agent)
    url = reverse("cases:apply_start", args=[aw.version.item.code])
    assert "没有任何申请人委托您办理该事项" in client.get(url).content.decode()
    response = client.post(url, {"region": aw.region.pk, "applicant": aw.applicant.pk})
    assert "没有任何申请人委托您办理该事项" in response.content.decode()
    assert not Case.objects.exists()
    _mandate(aw)
    stranger = {"region": aw.region.pk, "applicant": aw.other_applicant.pk}
    assert "所选申请人没有委托您办理该事项" in client.post(url, stranger).content.decode()
    html = client.get(url).content.decode()
    assert "张三" in html and "李四" not in html
    response = client.post(url, {"region": aw.region.pk, "applicant": aw.applicant.pk})
    assert response.status_code == 302
    assert Case.objects.get().agent == aw.agent


def test_an_applicant_cannot_file_in_someone_elses_name(aw):
    with pytest.raises(CaseError, match="只能以本人名义申报"):
        draft(aw, applicant=aw.other_applicant)


def test_the_agents_case_is_hidden_from_other_agents(client, aw):
    from onewindow.accounts.models import User

    _mandate(aw)
    case = services.application_start(
        item_version=aw.version, actor=aw.agent, region=aw.region, applicant=aw.applicant
    )
    stranger = User.objects.create_user(username="agent_2", password="x", role="agent")
    client.force_login(stranger)
    assert client.get(reverse("cases:application", args=[case.pk])).status_code == 404
    assert AccessDenied.objects.filter(user=stranger).exists()


# --- 告知承诺制 (G1) ---------------------------------------------------------------------------


def _commitment_case(aw):
    case = draft(aw, version=aw.commitment_version, route=ApprovalRoute.COMMITMENT)
    uploads = {line.pk: [pdf(f"{line.pk}.pdf")] for line in case.materials.all()}
    changes = services.ApplicationChanges(form_data=dict(VALID_FORM), uploads=uploads)
    services.application_save(case=case, actor=aw.applicant, changes=changes)
    return case


def test_commitment_route_is_refused_for_an_item_that_does_not_allow_it(aw):
    with pytest.raises(CaseError, match="该事项不适用告知承诺制"):
        draft(aw, route=ApprovalRoute.COMMITMENT)
    case = draft(aw)
    with pytest.raises(CaseError, match="该事项不适用告知承诺制"):
        services.application_save(
            case=case,
            actor=aw.applicant,
            changes=services.ApplicationChanges(route=ApprovalRoute.COMMITMENT),
        )
    case.refresh_from_db()
    assert case.route == ApprovalRoute.STANDARD


def test_commitment_route_is_refused_to_an_applicant_with_a_false_commitment(aw):
    services.false_commitment_record(
        applicant=aw.applicant, note="承诺持有健康证明，核查发现无证上岗", recorded_by=aw.clerk
    )
    with pytest.raises(CaseError, match="虚假承诺记录"):
        draft(aw, version=aw.commitment_version, route=ApprovalRoute.COMMITMENT)
    assert not Case.objects.exists()


def test_a_false_commitment_recorded_after_the_draft_blocks_its_submission(aw):
    case = _commitment_case(aw)
    services.false_commitment_record(
        applicant=aw.applicant, note="另案虚假承诺", recorded_by=aw.clerk
    )
    signature = services.CommitmentSignature(agreed=True, signature="张三")
    with pytest.raises(CaseError, match="虚假承诺记录"):
        services.application_submit(case=case, actor=aw.applicant, commitment=signature)
    assert not Commitment.objects.exists()


def test_only_staff_record_false_commitments(aw):
    with pytest.raises(CaseError):
        services.false_commitment_record(
            applicant=aw.applicant, note="x", recorded_by=aw.other_applicant
        )


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        (None, "请阅读告知承诺书并勾选"),
        (services.CommitmentSignature(agreed=False, signature="张三"), "请阅读告知承诺书并勾选"),
        (
            services.CommitmentSignature(agreed=True, signature="王五"),
            "请在告知承诺书上签署申请人姓名",
        ),
    ],
)
def test_commitment_must_be_ticked_and_signed_with_the_applicants_name(aw, signature, message):
    case = _commitment_case(aw)
    with pytest.raises(CaseError, match=message):
        services.application_submit(case=case, actor=aw.applicant, commitment=signature)
    case.refresh_from_db()
    assert case.number is None
    assert not Commitment.objects.exists() and not Notice.objects.exists()


def test_signed_commitment_is_recorded_with_its_notice(aw):
    case = _commitment_case(aw)
    signature = services.CommitmentSignature(agreed=True, signature=" 张三 ")
    services.application_submit(case=case, actor=aw.applicant, commitment=signature)
    commitment = Commitment.objects.get(case=case)
    assert commitment.kind == CommitmentKind.NOTIFICATION
    assert "经营场所面积不少于50平方米" in commitment.text
    assert "从业人员持有效健康证明" in commitment.text
    assert "撤销" in commitment.liability and "信用记录" in commitment.liability
    notice = Notice.objects.get(case=case, kind=NoticeKind.COMMITMENT)
    assert notice.content["text"] == commitment.text
    assert notice.content["liability"] == commitment.liability
    assert notice.content["signed_by"] == "张三"
    assert notice.number.startswith(case.number)
    assert CaseEvent.objects.filter(case=case, action="commitment_signed").exists()


def test_commitment_route_through_the_pages(client, aw):
    client.force_login(aw.applicant)
    url = reverse("cases:apply_start", args=[aw.commitment_version.item.code])
    start = client.get(url).content.decode()
    assert "告知承诺制" in start
    response = client.post(url, {"region": aw.region.pk, "route": "commitment"})
    case = Case.objects.get()
    assert case.route == ApprovalRoute.COMMITMENT
    page = reverse("cases:application", args=[case.pk])
    html = client.get(page).content.decode()
    assert "经营场所面积不少于50平方米" in html and "虚假承诺的法律责任" in html
    line = case.materials.get()
    data = page_data(action="submit", token="commit-token-0001", **{f"files-{line.pk}": [pdf()]})
    data["route"] = "commitment"
    refused = client.post(page, data)
    assert "请阅读告知承诺书并勾选" in refused.content.decode()
    assert Case.objects.get().number is None
    data.update({"agreed": "on", "signature": "张三", f"files-{line.pk}": []})
    response = client.post(page, data)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    assert "告知承诺书" in done and "从业人员持有效健康证明" in done
    assert Commitment.objects.filter(case=case, kind=CommitmentKind.NOTIFICATION).count() == 1
