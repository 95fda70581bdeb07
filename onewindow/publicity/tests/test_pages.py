"""The public publicity pages and API: the current list, the searchable archive, the record;
the rule's admin form refuses a bad choice (docs/rules/publicity.md §L2, §L3, §L9)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onewindow.core.jobs import JOBS
from onewindow.publicity import jobs  # noqa: F401  (registers the job)
from onewindow.publicity.admin import PublicityRuleForm
from onewindow.publicity.models import PublicityRule
from onewindow.publicity.tests.world import decided, on, rule_for

pytestmark = pytest.mark.django_db


def test_current_and_archived_pages_and_api(dworld, client):
    rule_for(dworld)
    case = decided(dworld)
    p = case.publicity
    with on("2025-10-24"):
        current = client.get("/publicity/").content.decode()
        assert p.title in current and "2025-10-28" in current
        detail = client.get(f"/publicity/{p.pk}/").content.decode()
        assert "张*" in detail and case.number in detail and "张伟" not in detail
        assert "登录后提出异议" in detail
        api = APIClient().get("/api/v1/publicity/").json()
        assert [r["id"] for r in api["results"]] == [p.pk]
        assert api["results"][0]["accepts_objections"] is True
        assert APIClient().get("/api/v1/publicity/?state=archived").json()["count"] == 0
    with on("2025-10-29", 1):
        JOBS["publicity.archive"].func()
        assert p.title not in client.get("/publicity/").content.decode()
        archive = client.get("/publicity/archive/", {"q": str(case.number)}).content.decode()
        assert p.title in archive
        none = client.get("/publicity/archive/", {"q": "<script>x</script>"}).content.decode()
        assert "没有符合条件的公示" in none and "<script>x</script>" not in none
        long_q = client.get("/publicity/archive/", {"q": "字" * 10_000})
        assert long_q.status_code == 200
        api = APIClient().get("/api/v1/publicity/", {"state": "archived", "q": str(case.number)})
        assert [r["id"] for r in api.json()["results"]] == [p.pk]
        record = APIClient().get(f"/api/v1/publicity/{p.pk}/").json()
        assert record["status"] == "archived" and record["accepts_objections"] is False
        assert [f["code"] for f in record["fields"]] == [
            "applicant",
            "case_number",
            "decision",
            "certificate_serial",
        ]
    assert client.get("/publicity/999999/").status_code == 404
    assert APIClient().get("/api/v1/publicity/999999/").status_code == 404


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"fields": [], "days": 5}, "fields"),
        ({"fields": ["applicant", "id_number"], "days": 5}, "fields"),
        ({"fields": ["applicant"], "days": 0}, "days"),
        ({"fields": ["applicant"], "days": 31}, "days"),
    ],
)
def test_the_rule_form_refuses_bad_choices(dworld, data, field):
    form = PublicityRuleForm(data={"item": dworld.version.item.pk, "required": "on", **data})
    assert not form.is_valid()
    assert field in form.errors
    assert not PublicityRule.objects.exists()


def test_the_admin_role_edits_announcements_and_rules_in_the_admin(personas, dworld, client):
    client.force_login(personas.admin)
    assert client.get("/admin/publicity/announcement/add/").status_code == 200
    assert client.get("/admin/publicity/publicityrule/add/").status_code == 200
    response = client.post(
        "/admin/publicity/publicityrule/add/",
        {"item": dworld.version.item.pk, "required": "on", "fields": ["applicant"], "days": "7"},
    )
    assert response.status_code == 302
    assert PublicityRule.objects.get().fields == ["applicant"]
    client.force_login(personas.reviewer_a)
    assert client.get("/admin/publicity/announcement/").status_code in (302, 403)
