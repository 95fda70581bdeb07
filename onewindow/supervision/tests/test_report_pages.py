"""The situation report pages (情况通报): the archive and the request form, the report as HTML
with a progress indicator while it is generated, the JSON status it polls, the PDF download;
who may see what (others: 404, logged)."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from onewindow.core.models import AccessDenied
from onewindow.review.tests.task_world import accepted_case, at, make_world
from onewindow.supervision.models import PeriodKind, ReportStatus, SituationReport
from onewindow.supervision.services import reports
from onewindow.supervision.tests.world import D, single_branch_version

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pending(personas, start: str = "2026-10-01") -> SituationReport:
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        return reports.report_request(
            kind=PeriodKind.MONTH, period_start=D(start), actor=personas.supervisor
        )


def _done(personas, start: str = "2026-10-01") -> SituationReport:
    report = _pending(personas, start)
    with time_machine.travel(at("2026-11-20", 10), tick=False):
        reports.report_generate(report)
    report.refresh_from_db()
    return report


def test_a_supervisor_requests_a_report_from_the_list_page(personas):
    sup = _client(personas.supervisor)
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        page = sup.get(reverse("supervision:reports")).content.decode()
        assert 'value="month:2026-11-01"' in page and 'value="quarter:2026-10-01"' in page
        assert "2026年第4季度" in page and "情况通报" in page
        r = sup.post(reverse("supervision:report_new"), {"period": "month:2026-10-01"})
    report = SituationReport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("supervision:report", args=[report.pk])
    assert report.period_start == D("2026-10-01") and report.requested_by == personas.supervisor


@pytest.mark.parametrize(
    ("period", "message"),
    [("month:2026-12-01", "2026年12月尚未开始"), ("nonsense", "请选择通报周期"), ("", "请选择")],
)
def test_a_bad_period_is_shown_and_nothing_saved(personas, period, message):
    with time_machine.travel(at("2026-11-20", 9), tick=False):
        r = _client(personas.supervisor).post(reverse("supervision:report_new"), {"period": period})
    assert r.status_code == 400 and message in r.content.decode()
    assert not SituationReport.objects.exists()


def test_a_pending_report_shows_a_progress_bar_that_polls_its_status(personas):
    report = _pending(personas)
    sup = _client(personas.supervisor)
    page = sup.get(reverse("supervision:report", args=[report.pk])).content.decode()
    assert "<progress" in page and 'max="100"' in page
    assert reverse("supervision:report_status", args=[report.pk]) in page
    assert "supervision/report-progress.js" in page and 'http-equiv="refresh"' in page
    status = sup.get(reverse("supervision:report_status", args=[report.pk])).json()
    assert status["status"] == ReportStatus.PENDING and status["done"] is False
    assert sup.get(reverse("supervision:report_pdf", args=[report.pk])).status_code == 404


def test_the_progress_script_is_served_from_our_own_static_files():
    path = finders.find("supervision/report-progress.js")
    assert path is not None
    with open(path, encoding="utf-8") as script:
        text = script.read()
    assert "fetch(" in text and "2000" in text and "://" not in text  # no CDN, no other host


def test_a_finished_report_reads_as_html_tables_and_downloads_as_pdf(personas):
    report = _done(personas)
    sup = _client(personas.supervisor)
    page = sup.get(reverse("supervision:report", args=[report.pk])).content.decode()
    assert report.number and report.number in page and "<progress" not in page
    for heading in (
        "一、总体情况",
        "二、各部门情况",
        "三、黄牌、红牌",
        "四、督办函",
        "六、与上期比较",
    ):
        assert heading in page
    assert 'scope="col"' in page and "本期没有发出黄牌或红牌" in page
    assert "—" in page  # nothing closed: rates shown as a dash
    status = sup.get(reverse("supervision:report_status", args=[report.pk])).json()
    assert status["done"] is True and status["progress"] == 100
    r = sup.get(reverse("supervision:report_pdf", args=[report.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"].startswith("attachment")
    assert r.content.startswith(b"%PDF")


@pytest.mark.parametrize("name", ["chief_a", "handler_a", "reviewer_b", "approver_a", "admin"])
def test_department_staff_and_administrators_read_finished_reports(personas, name):
    done = _done(personas)
    pending = _pending(personas, "2026-09-01")
    client = _client(personas.get(name))
    listing = client.get(reverse("supervision:reports")).content.decode()
    assert done.number and done.number in listing and 'name="period"' not in listing
    assert reverse("supervision:report", args=[pending.pk]) not in listing
    assert client.get(reverse("supervision:report", args=[done.pk])).status_code == 200
    assert client.get(reverse("supervision:report_pdf", args=[done.pk])).status_code == 200
    assert client.get(reverse("supervision:report", args=[pending.pk])).status_code == 404
    r = client.post(reverse("supervision:report_new"), {"period": "month:2026-10-01"})
    assert r.status_code == 404
    assert AccessDenied.objects.filter(user=personas.get(name)).count() == 2
    assert SituationReport.objects.count() == 2


@pytest.mark.parametrize("name", ["applicant", "clerk", "outsider"])
def test_others_get_a_logged_404(personas, name):
    report = _done(personas)
    client = _client(personas.get(name))
    urls = [
        reverse("supervision:reports"),
        reverse("supervision:report", args=[report.pk]),
        reverse("supervision:report_status", args=[report.pk]),
        reverse("supervision:report_pdf", args=[report.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert AccessDenied.objects.filter(user=personas.get(name)).count() == len(urls)


def test_anonymous_visitors_are_sent_to_sign_in(personas):
    report = _done(personas)
    r = Client().get(reverse("supervision:report", args=[report.pk]))
    assert r.status_code == 302 and "login" in r["Location"]


def test_the_archive_filters_by_kind_and_year(personas):
    october = reverse("supervision:report", args=[_done(personas).pk])
    july = reverse("supervision:report", args=[_done(personas, "2025-07-01").pk])
    sup = _client(personas.supervisor)
    page = sup.get(reverse("supervision:reports"), {"year": 2025}).content.decode()
    assert july in page and october not in page
    page = sup.get(reverse("supervision:reports"), {"kind": "quarter"}).content.decode()
    assert "还没有情况通报" in page and july not in page


def test_the_supervision_tabs_link_to_the_reports(personas):
    page = _client(personas.supervisor).get(reverse("supervision:console")).content.decode()
    assert reverse("supervision:reports") in page and "情况通报" in page


def test_overdue_cases_link_to_the_console_for_supervisors_only(personas):
    w = make_world(personas)
    case = accepted_case(w, version=single_branch_version(w))  # due 2025-10-14, never decided
    with time_machine.travel(at("2025-11-05", 9), tick=False):
        report = reports.report_request(
            kind=PeriodKind.MONTH, period_start=D("2025-10-01"), actor=personas.supervisor
        )
        reports.report_generate(report)
    link = reverse("supervision:console_case", args=[case.pk])
    url = reverse("supervision:report", args=[report.pk])
    page = _client(personas.supervisor).get(url).content.decode()
    assert f'<a href="{link}">{case.number}</a>' in page and "五、逾期时间最长的未办结办件" in page
    staff = _client(personas.chief_a).get(url).content.decode()
    assert case.number and case.number in staff and link not in staff
