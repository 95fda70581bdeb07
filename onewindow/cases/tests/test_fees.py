"""收费登记: the window records what it charged; the ledger is checked against the item's fee
list (DOMAIN-RULES D1 "fees not on the fee list or above it") — by the page, the API and the
supervision rule ``fee_off_list``. Bad input changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases.errors import CaseError
from onewindow.cases.models import CaseEvent, CaseFee
from onewindow.cases.services.fees import FeeCharge, case_fee_record, fee_is_off_list
from onewindow.catalog.models import Fee
from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.models import Card
from onewindow.supervision.tests.world import D, submitted_case, sweep_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


@pytest.fixture
def case(tworld):
    return accepted_case(tworld)  # accepted 2025-09-30 by the clerk of department A


def fee_line(version, name, amount, unit=""):
    # Published versions are immutable through save(); the fee list is written as the catalog
    # loader writes a version's children (bulk insert before publication would be the same).
    (line,) = Fee.objects.bulk_create(
        [
            Fee(
                version=version,
                name=name,
                amount=Decimal(amount),
                unit=unit,
                legal_basis="鄂价费〔2015〕1号",
            )
        ]
    )
    return line


@pytest.fixture
def fee(tworld):
    return fee_line(tworld.version, "证书工本费", "10.00", "本")


def record(personas, case, day="2025-10-09", **kw):
    with time_machine.travel(at(day, 11), tick=False):
        return case_fee_record(case=case, actor=personas.clerk, charge=FeeCharge(**kw))


def test_a_charge_on_the_list_within_its_standard_is_recorded_with_an_event(personas, case, fee):
    charge = record(personas, case, fee_id=fee.pk, quantity=2, amount="20", receipt="No.0001")
    assert (charge.name, charge.quantity, charge.amount, charge.charged_on) == (
        "证书工本费",
        2,
        Decimal("20.00"),
        D("2025-10-09"),
    )
    assert not fee_is_off_list(charge)
    event = CaseEvent.objects.get(case=case, action="fee_recorded")
    assert "证书工本费" in event.reason and event.actor == personas.clerk


def test_a_charge_above_the_standard_or_off_the_list_is_recorded_and_red_carded(
    personas, case, fee
):
    ok = record(personas, case, fee_id=fee.pk, quantity=2, amount="20")
    above = record(personas, case, fee_id=fee.pk, quantity=1, amount="15")
    off = record(personas, case, name="加急服务费", amount="50")
    assert [fee_is_off_list(c) for c in (ok, above, off)] == [False, True, True]
    sweep_on("2025-10-10")
    cards = Card.objects.filter(rule__code="fee_off_list").order_by("object_id")
    assert [(c.level, c.object_kind, c.object_id, c.case_id, c.department_id) for c in cards] == [
        ("red", "fee", above.pk, case.pk, personas.dept_a.pk),
        ("red", "fee", off.pk, case.pk, personas.dept_a.pk),
    ]
    sweep_on("2025-10-13")  # once per record
    assert Card.objects.filter(rule__code="fee_off_list").count() == 2


def test_the_fee_rule_stays_quiet_when_every_charge_is_on_the_list(personas, case, fee):
    record(personas, case, fee_id=fee.pk, amount="10")
    record(personas, case, fee_id=fee.pk, quantity=3, amount="25")  # below the standard
    sweep_on("2025-10-10")
    assert not Card.objects.filter(rule__code="fee_off_list").exists()


@pytest.mark.parametrize(
    ("charge", "message"),
    [
        ({"amount": "0", "name": "工本费"}, "大于 0"),
        ({"amount": "-5", "name": "工本费"}, "大于 0"),
        ({"amount": "abc", "name": "工本费"}, "须为数字"),
        ({"amount": "1.005", "name": "工本费"}, "两位小数"),
        ({"amount": "NaN", "name": "工本费"}, "大于 0"),
        ({"amount": "10"}, "项目名称"),
        ({"amount": "10", "name": "   "}, "项目名称"),
        ({"amount": "10", "name": "工本费", "quantity": 0}, "1 至 9999"),
        ({"amount": "10", "name": "工本费", "quantity": "x"}, "1 至 9999"),
        ({"amount": "10", "name": "工本费", "receipt": "N" * 51}, "票据号"),
        ({"amount": "10", "name": "工本费", "charged_on": D("2025-10-10")}, "晚于今天"),
        ({"amount": "10", "name": "工本费", "charged_on": D("2025-09-29")}, "早于受理日期"),
    ],
)
def test_bad_charges_are_refused_with_a_clear_message_and_nothing_recorded(
    personas, case, charge, message
):
    with pytest.raises(CaseError, match=message):
        record(personas, case, **charge)
    assert not CaseFee.objects.exists()
    assert not CaseEvent.objects.filter(action="fee_recorded").exists()


def test_a_fee_line_of_another_item_is_refused(personas, case, tworld):
    from onewindow.supervision.tests.world import single_branch_version

    other = fee_line(single_branch_version(tworld), "其他", "1")
    with pytest.raises(CaseError, match="不属于本事项"):
        record(personas, case, fee_id=other.pk, amount="1")
    assert not CaseFee.objects.exists()


def test_only_the_case_departments_window_may_record_and_only_after_acceptance(
    personas, tworld, case
):
    other_clerk = User.objects.create_user(
        "clerk_b", password="x", role=Role.CLERK, department=personas.dept_b
    )
    for actor in (other_clerk, personas.reviewer_a, personas.supervisor):
        with pytest.raises(CaseError, match="无权"):
            case_fee_record(case=case, actor=actor, charge=FeeCharge(amount="1", name="x"))
    waiting = submitted_case(tworld)
    with pytest.raises(CaseError, match="不能登记收费"):
        case_fee_record(case=waiting, actor=personas.clerk, charge=FeeCharge(amount="1", name="x"))
    assert not CaseFee.objects.exists()


# --- the page -----------------------------------------------------------------------------------
def test_the_clerk_records_a_charge_on_the_intake_page(client, personas, case, fee):
    client.force_login(personas.clerk)
    page = client.get(f"/intake/{case.pk}/")
    assert "收费登记" in page.content.decode() and "证书工本费" in page.content.decode()
    with time_machine.travel(at("2025-10-09", 11), tick=False):
        done = client.post(
            f"/intake/{case.pk}/fees/",
            {"fee": str(fee.pk), "quantity": "1", "amount": "10", "receipt": "A1"},
            follow=True,
        )
    body = done.content.decode()
    assert done.status_code == 200 and "已登记收费" in body and "符合收费清单" in body
    with time_machine.travel(at("2025-10-09", 11), tick=False):
        off = client.post(
            f"/intake/{case.pk}/fees/",
            {"fee": "off", "name": "加急费", "quantity": "1", "amount": "30"},
            follow=True,
        )
    assert "电子监察将对其发红牌" in off.content.decode()
    assert "不在收费清单内或高于标准" in off.content.decode()
    assert CaseFee.objects.count() == 2


def test_a_bad_charge_on_the_page_shows_the_errors_and_records_nothing(client, personas, case, fee):
    client.force_login(personas.clerk)
    bad = client.post(f"/intake/{case.pk}/fees/", {"fee": str(fee.pk), "amount": "x"})
    assert bad.status_code == 400 and "实收金额须为数字" in bad.content.decode()
    off_unnamed = client.post(
        f"/intake/{case.pk}/fees/", {"fee": "off", "amount": "3", "quantity": "1"}
    )
    assert off_unnamed.status_code == 400 and "项目名称" in off_unnamed.content.decode()
    assert not CaseFee.objects.exists()


def test_another_department_cannot_reach_the_fee_form(client, personas, case):
    client.force_login(personas.reviewer_b)
    response = client.post(f"/intake/{case.pk}/fees/", {"fee": "off", "name": "x", "amount": "1"})
    assert response.status_code == 404
    assert AccessDenied.objects.filter(target=f"case:{case.pk}").exists()
    assert not CaseFee.objects.exists()


# --- the API ------------------------------------------------------------------------------------
def test_the_api_records_and_lists_charges_with_the_list_check(client, personas, case, fee):
    client.force_login(personas.clerk)
    url = f"/api/v1/intake/cases/{case.pk}/fees/"
    with time_machine.travel(at("2025-10-09", 11), tick=False):
        made = client.post(
            url,
            {"fee_id": fee.pk, "quantity": 1, "amount": "12.00"},
            content_type="application/json",
        )
    assert made.status_code == 201
    assert made.json()["off_list"] is True and made.json()["standard"] == "10.00"
    listed = client.get(url).json()
    assert [(r["name"], r["amount"], r["off_list"]) for r in listed] == [
        ("证书工本费", "12.00", True)
    ]


def test_the_api_refuses_bad_charges_and_other_departments(client, personas, case, fee):
    client.force_login(personas.clerk)
    url = f"/api/v1/intake/cases/{case.pk}/fees/"
    for body in (
        {},
        {"amount": "x", "name": "a"},
        {"amount": "5"},
        {"amount": "5", "fee_id": 999999},
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, body
    client.force_login(personas.reviewer_b)
    assert client.get(url).status_code in (403, 404)
    client.force_login(personas.applicant)
    assert client.post(
        url, {"amount": "1", "name": "x"}, content_type="application/json"
    ).status_code in (403, 404)
    assert not CaseFee.objects.exists()
