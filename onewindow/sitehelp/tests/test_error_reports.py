"""docs/rules/publicity.md §L8, §L9: error reports — bad input refused in Chinese with nothing
stored, HTML shown escaped, floods rate-limited (page and API together), read by SITE_EDIT
holders only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from onewindow.sitehelp.models import ErrorReport

pytestmark = pytest.mark.django_db
GOOD = {"page_url": "/guides/", "description": "办事指南页的电话号码有误。", "contact": ""}


@pytest.fixture(autouse=True)
def _budget(settings):
    settings.ERROR_REPORT_PER_MINUTE = 3


def test_a_report_is_stored_and_thanked(client):
    response = client.post("/report-error/", GOOD, follow=True)
    assert "感谢您的反馈" in response.content.decode()
    report = ErrorReport.objects.get()
    assert (report.page_url, report.description, report.ip) == (
        "/guides/",
        GOOD["description"],
        "127.0.0.1",
    )


def test_the_form_is_prefilled_with_the_page(client):
    html = client.get("/report-error/", {"page": "/guides/420700-SCJG-001/"}).content.decode()
    assert 'value="/guides/420700-SCJG-001/"' in html
    html = client.get("/report-error/", {"page": "javascript:alert(1)"}).content.decode()
    assert "javascript:" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"description": ""}, "请填写问题描述"),
        ({"description": "   "}, "请填写问题描述"),
        ({"description": "错" * 10_000}, "问题描述最多 2000 个字"),
        ({"page_url": ""}, "请填写出错页面"),
        ({"page_url": "javascript:alert(1)"}, "出错页面须是以 http:// 或 https:// 开头的完整网址"),
        ({"page_url": "//evil.example/x"}, "出错页面须是以 http:// 或 https:// 开头的完整网址"),
        ({"page_url": "/" + "a" * 10_000}, "出错页面最多 500 个字"),
        ({"contact": "1" * 10_000}, "联系方式最多 100 个字"),
    ],
)
def test_bad_reports_are_refused_in_chinese(client, fields, message):
    body = {**GOOD, **fields}
    api = APIClient().post("/api/v1/error-reports/", body, format="json")
    assert api.status_code == 400 and message in str(api.json()), api.json()
    page = client.post("/report-error/", body)
    assert page.status_code == 400
    assert ErrorReport.objects.count() == 0


def test_html_is_stored_as_text_and_shown_escaped(client, personas):
    script = "<script>alert('x')</script>"
    client.post("/report-error/", {**GOOD, "description": script})
    assert ErrorReport.objects.get().description == script
    client.force_login(personas.admin)
    html = client.get("/site-admin/error-reports/").content.decode()
    assert script not in html and "&lt;script&gt;" in html


def test_a_flood_is_rate_limited_page_and_api_together(client):
    assert client.post("/report-error/", GOOD).status_code == 302
    assert APIClient().post("/api/v1/error-reports/", GOOD, format="json").status_code == 201
    assert client.post("/report-error/", GOOD).status_code == 302
    page = client.post("/report-error/", GOOD)
    api = APIClient().post("/api/v1/error-reports/", GOOD, format="json")
    assert page.status_code == 429 and "提交过于频繁" in page.content.decode()
    assert api.status_code == 429 and "过于频繁" in api.json()["message"]
    assert "Retry-After" in api
    assert ErrorReport.objects.count() == 3


def test_only_site_editors_read_and_handle_reports(client, personas):
    client.post("/report-error/", GOOD)
    report = ErrorReport.objects.get()
    for user in (personas.applicant, personas.reviewer_a, personas.supervisor):
        client.force_login(user)
        assert client.get("/site-admin/error-reports/").status_code == 404
        assert client.post(f"/site-admin/error-reports/{report.pk}/handle/").status_code == 404
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/v1/error-reports/").status_code == 404
    client.force_login(personas.admin)
    assert GOOD["description"] in client.get("/site-admin/error-reports/").content.decode()
    client.post(f"/site-admin/error-reports/{report.pk}/handle/", {"note": "已更正电话号码。"})
    report.refresh_from_db()
    assert report.handled and report.note == "已更正电话号码。"
    api = APIClient()
    api.force_authenticate(personas.admin)
    assert api.get("/api/v1/error-reports/").json()["count"] == 1
    assert client.get("/admin/sitehelp/errorreport/").status_code == 200
