"""The situation reports API (情况通报): request → poll → figures → PDF, the archive per role,
JSON errors with nothing saved, 403 / 404 logged, everything in the OpenAPI schema."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import at
from onewindow.supervision.models import ReportStatus, SituationReport
from onewindow.supervision.services import reports

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supervision/reports"


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _post(user, **body):
    data = {"period_kind": "month", "period_start": "2026-10-01", **body}
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        return _api(user).post(f"{BASE}/", data, format="json")


def _generate(report_id: int) -> None:
    with time_machine.travel(at("2026-11-20", 10), tick=False):
        reports.report_generate(SituationReport.objects.get(pk=report_id))


def test_request_poll_and_download_over_the_api(personas):
    r = _post(personas.supervisor)
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == ReportStatus.PENDING and body["progress"] == 0
    assert body["period_label"] == "2026年10月" and body["period_end"] == "2026-10-31"
    assert body["figures"] is None and body["pdf_url"] is None
    url = f"{BASE}/{body['id']}"
    _generate(body["id"])
    done = _api(personas.supervisor).get(f"{url}/").json()
    assert done["status"] == ReportStatus.DONE and done["progress"] == 100
    assert done["number"] == "情况通报〔2026〕第1期"
    assert done["figures"]["headline"]["closed"] == 0
    assert done["figures"]["headline"]["on_time_rate"] is None
    assert done["pdf_url"] == f"{url}/pdf/"
    pdf = _api(personas.chief_a).get(f"{url}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_archive_follows_the_role(personas):
    done = _post(personas.supervisor).json()
    _generate(done["id"])
    pending = _post(personas.supervisor, period_start="2026-09-01").json()
    everything = _api(personas.supervisor).get(f"{BASE}/").json()
    assert {row["id"] for row in everything["results"]} == {done["id"], pending["id"]}
    circulated = _api(personas.reviewer_b).get(f"{BASE}/").json()
    assert [row["id"] for row in circulated["results"]] == [done["id"]]
    assert _api(personas.admin).get(f"{BASE}/", {"year": 2026}).json()["count"] == 1
    assert _api(personas.admin).get(f"{BASE}/", {"kind": "quarter"}).json()["count"] == 0
    bad = _api(personas.supervisor).get(f"{BASE}/", {"kind": "week"})
    assert bad.status_code == 400 and "kind" in str(bad.json())
    assert _api(personas.reviewer_b).get(f"{BASE}/{pending['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"period_start": "2026-12-01"}, "2026年12月尚未开始"),
        ({"period_kind": "week"}, "通报周期须为"),
        ({"period_start": "yesterday"}, "日期格式"),
    ],
)
def test_bad_input_is_a_json_error_and_nothing_is_saved(personas, body, message):
    r = _post(personas.supervisor, **body)
    assert r.status_code == 400 and message in str(r.json())
    assert not SituationReport.objects.exists()


def test_others_are_refused_and_logged(personas):
    r = _post(personas.chief_a)
    assert r.status_code == 403 and r.json()["code"] == "permission_denied"
    assert AccessDenied.objects.filter(user=personas.chief_a).exists()
    assert _post(personas.applicant).status_code == 404
    assert _post(personas.clerk).status_code == 404
    assert not SituationReport.objects.exists()
    report = _post(personas.supervisor).json()
    _generate(report["id"])
    for path in ("", "pdf/"):
        assert _api(personas.clerk).get(f"{BASE}/{report['id']}/{path}").status_code == 404
    assert _api(personas.applicant).get(f"{BASE}/").status_code == 404
    assert AccessDenied.objects.filter(user=personas.clerk).count() == 3
    assert APIClient().get(f"{BASE}/").status_code in (401, 403)


def test_the_pdf_of_an_unfinished_report_is_a_404(personas):
    report = _post(personas.supervisor).json()
    r = _api(personas.supervisor).get(f"{BASE}/{report['id']}/pdf/")
    assert r.status_code == 404 and "尚未生成" in str(r.json())


def test_every_report_endpoint_is_in_the_schema(personas):
    schema = _api(personas.supervisor).get("/api/v1/openapi.json").json()
    ops = {
        op["operationId"]
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for name in ("list", "create", "retrieve", "pdf"):
        assert f"supervision_reports_{name}" in ops
    assert "SituationReport" in schema["components"]["schemas"]
