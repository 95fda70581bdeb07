"""docs/rules/publicity.md §L2, §L3: a grant on an item with a PublicityRule is published in the
decision's transaction, with exactly the configured fields (a person's name masked); an item
without a rule, a switched-off rule and a refusal publish nothing; the job archives it after
the last day."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.calendars.selectors import add_working_days
from onewindow.certificates.models import Certificate
from onewindow.core.jobs import JOBS
from onewindow.publicity import jobs  # noqa: F401  (registers the job)
from onewindow.publicity.models import Publicity, PublicityStatus
from onewindow.publicity.selectors import publicity_archived, publicity_current
from onewindow.publicity.services import mask_person_name
from onewindow.publicity.tests.world import FIELDS, decided, on, rule_for

pytestmark = pytest.mark.django_db


def test_a_grant_publishes_exactly_the_configured_fields_with_the_name_masked(dworld):
    rule_for(dworld)
    case = decided(dworld)
    publicity = Publicity.objects.get(case=case)
    certificate = Certificate.objects.get(case=case)
    assert [f["code"] for f in publicity.fields] == FIELDS
    values = {f["code"]: f["value"] for f in publicity.fields}
    assert values == {
        "applicant": "张*",  # 张伟, a natural person
        "case_number": case.number,
        "decision": "准予行政许可",
        "certificate_serial": certificate.serial,
    }
    assert "张伟" not in str(publicity.fields) and "张伟" not in publicity.search_text
    assert publicity.department == dworld.p.dept_a  # the lead department
    assert publicity.title == "食品经营许可（并联审批测试）审批结果公示"
    # Five working days after Tue 2025-10-21, the decision day not counted.
    assert (publicity.starts_on, publicity.ends_on) == (
        dt.date(2025, 10, 21),
        dt.date(2025, 10, 28),
    )
    assert publicity.status == PublicityStatus.OPEN


def test_an_enterprise_is_published_by_its_full_name(dworld):
    rule_for(dworld, fields=["item_name", "applicant", "valid_until"])
    case = decided(dworld, applicant=dworld.p.enterprise)
    publicity = Publicity.objects.get(case=case)
    # Shown in the fixed order, whatever the order chosen.
    assert [f["code"] for f in publicity.fields] == ["applicant", "item_name", "valid_until"]
    assert publicity.fields[0]["value"] == "鄂州市示范科技有限公司"
    until = Certificate.objects.get(case=case).valid_until
    assert publicity.fields[2]["value"] == (until.isoformat() if until else "长期有效")


def test_no_rule_no_publicity(dworld):
    decided(dworld)
    assert not Publicity.objects.exists()


def test_a_rule_switched_off_publishes_nothing(dworld):
    rule = rule_for(dworld)
    rule.required = False
    rule.save()
    decided(dworld)
    assert not Publicity.objects.exists()


def test_a_refusal_is_not_published(dworld):
    rule_for(dworld)
    decided(dworld, kind="refuse")
    assert not Publicity.objects.exists()


def test_the_period_skips_the_national_day_holiday():
    # A grant on Fri 2025-09-26 with 5 days: Sun 09-28 (a working Sunday), 09-29, 09-30, then
    # the holiday to 10-08, then 10-09 and 10-10.
    assert add_working_days(dt.date(2025, 9, 26), 5).date == dt.date(2025, 10, 10)


def test_the_job_archives_after_the_last_day_and_not_before(dworld):
    rule_for(dworld)
    case = decided(dworld)
    job = JOBS["publicity.archive"].func
    with on("2025-10-28", 23):  # the last day, late evening: still open
        assert job() == 0
        assert list(publicity_current()) == [case.publicity]
    with on("2025-10-29", 0):
        assert job() == 1
        assert not publicity_current().exists()
    publicity = Publicity.objects.get(case=case)
    assert publicity.status == PublicityStatus.ARCHIVED and publicity.archived_at is not None
    # Archived publicity is searchable by its published values, never by the unmasked name.
    assert list(publicity_archived(str(case.number))) == [publicity]
    assert list(publicity_archived("张*")) == [publicity]
    assert not publicity_archived("张伟").exists()
    assert not publicity_archived("不存在的关键词").exists()


def test_masking():
    assert mask_person_name("张伟") == "张*"
    assert mask_person_name("欧阳娜娜") == "欧***"
    assert mask_person_name("李") == "李*"
    assert mask_person_name("") == ""
