"""The whole journey in pages, as people click through it (docs/product.md §C3, §C4, §C9).

Register → apply → upload → submit → the clerk's correction notice → resubmit → accept →
the public progress query shows the decision due date. Only the Django test client and the
rendered pages are used to move the case on; the clock is frozen at each step.

The decision due date is worked out by hand from docs/rules/workdays.md §A: accepted on Thursday
2026-04-30; the committed limit is 10 working days, the start day not counted (A2). May 1–5 is
the Labour Day holiday and Saturday May 9 a working day (A3), so the days are May 6, 7, 8, 9,
11, 12, 13, 14, 15, 18 → due **2026-05-18** (also G2's example). The statutory 20 go on May 19,
20, 21, 22, 25, 26, 27, 28, 29, June 1 → **2026-06-01**.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from onewindow.cases.tests.conftest import PDF_BYTES, World
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.notifications.models import Channel, OutboxMessage
from onewindow.testing import enrol, otp_code, sent_to

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "Walk-through-2026"
FORM = {
    "form-project_name": "鄂州市示范餐馆",
    "form-premises_address_province": "湖北省",
    "form-premises_address_city": "鄂州市",
    "form-premises_address_district": "鄂城区",
    "form-premises_address_detail": "滨湖南路18号",
    "form-contact_name": "王小明",
    "form-contact_phone": "13907110077",
    "form-application_date": "2026-04-27",
    "form-application_type": "新办",
}


def at(day: str, hour: int = 10) -> time_machine.travel:
    moment = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)
    return time_machine.travel(moment, tick=False)


def hidden(page: str, name: str) -> str:
    """The value of a hidden input of the page, as the browser would send it back."""
    match = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert match, f"no hidden input {name!r} on the page"
    return html.unescape(match.group(1))


def code_after(page: str, label: str) -> str:
    match = re.search(rf"{label}\s*<code>([^<]+)</code>", page)
    assert match, f"{label} not shown"
    return match.group(1)


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def test_register_apply_correct_resubmit_accept_and_follow_progress(
    world: World, django_capture_on_commit_callbacks
):
    cache.clear()
    commit = django_capture_on_commit_callbacks  # deliver notifications as a real commit would
    applicant, clerk, public = Client(), Client(), Client()

    # 1. Register as a person; the new account is signed in.
    with at("2026-04-27", 9):
        assert applicant.get("/accounts/register/").status_code == 200
        registered = applicant.post(
            "/accounts/register/person/",
            {
                "full_name": "王小明",
                "id_number": make_citizen_id("420700", dt.date(1988, 8, 8), 31),
                "phone": "13907110077",
                "email": "wangxm@example.cn",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
            },
        )
    assert registered.status_code == 302, registered.content.decode()

    # 2. Apply: pick the item's region, then fill in the form and upload one PDF per material.
    with at("2026-04-27", 10):
        start = f"/apply/{world.version.item.code}/"
        assert applicant.get(start).status_code == 200
        opened = applicant.post(start, {"region": world.region.pk})
        assert opened.status_code == 302
        application = opened["Location"]
        page = applicant.get(application).content.decode()
        lines = re.findall(r'name="files-(\d+)"', page)
        assert len(lines) == 3
        uploads = {f"files-{pk}": pdf(f"material-{pk}.pdf") for pk in lines}
        saved = applicant.post(
            application,
            {"action": "save", "token": hidden(page, "token"), **FORM, **uploads},
        )
        assert saved.status_code == 302
        page = applicant.get(application).content.decode()
        assert all(f"material-{pk}.pdf" in page for pk in lines)

    # 3. Submit: the case gets its number and query code.
    with at("2026-04-27", 11), commit(execute=True):
        submitted = applicant.post(
            application, {"action": "submit", "token": hidden(page, "token"), **FORM}
        )
        assert submitted.status_code == 302
        done = applicant.get(submitted["Location"]).content.decode()
    number, code = code_after(done, "办件编号"), code_after(done, "查询码")

    # 4. The clerk signs in and issues one correction notice for the second material.
    enrol(world.clerk)  # the clerk's authenticator app (docs/decisions.md §S6)
    with at("2026-04-28", 9):
        signed_in = clerk.post(
            "/accounts/login/", {"username": world.clerk.username, "password": "Test-pass-123"}
        )
        assert signed_in.status_code == 302
        verified = clerk.post("/accounts/2fa/", {"code": otp_code(world.clerk)})
        assert verified.status_code == 302  # the second factor (docs/decisions.md §S6)
        assert number in clerk.get("/intake/").content.decode()
        case_url = re.search(rf'href="(/intake/\d+/)"[^>]*>\s*{number}', clerk.get("/intake/").text)
        assert case_url, "the queue links the case"
        intake_page = clerk.get(case_url.group(1)).content.decode()
    defective = lines[1]
    with at("2026-04-28", 10), commit(execute=True):
        corrected = clerk.post(
            f"{case_url.group(1)}correction/",
            {
                "revision": hidden(intake_page, "revision"),
                f"problem_{defective}": "defective",
                f"remark_{defective}": "复印件模糊，请重新扫描上传",
            },
        )
    assert corrected.status_code == 302

    # 5. The applicant sees what to do, uploads a clear copy and resubmits.
    with at("2026-04-29", 9):
        dashboard = applicant.get("/my/cases/").content.decode()
        assert "补正材料" in dashboard
        page = applicant.get(application).content.decode()
        assert "复印件模糊，请重新扫描上传" in page
    with at("2026-04-29", 10), commit(execute=True):
        resubmitted = applicant.post(
            application,
            {
                "action": "resubmit",
                "token": hidden(page, "token"),
                f"files-{defective}": pdf("clear-copy.pdf"),
            },
        )
    assert resubmitted.status_code == 302, resubmitted.content.decode()

    # 6. The clerk accepts on Thursday 2026-04-30.
    with at("2026-04-30", 9):
        intake_page = clerk.get(case_url.group(1)).content.decode()
    with at("2026-04-30", 10), commit(execute=True):
        accepted = clerk.post(
            f"{case_url.group(1)}accept/", {"revision": hidden(intake_page, "revision")}
        )
    assert accepted.status_code == 302

    # 7. Anyone with the number and the query code (the link on the notice) sees the progress.
    with at("2026-05-06", 9):
        progress_link = re.search(r'href="(/progress/\?number=[^"]+)"', done)
        assert progress_link, "the submission page links the progress query"
        response = public.get(html.unescape(progress_link.group(1)))
    assert response.status_code == 200
    report = response.context["report"]
    # Accepted, and the parallel review opened at once (docs/product.md §C5).
    assert report.case.number == number and report.status_label == "审查中"
    dates = {due.label: due.date for due in report.due_dates}
    assert dates["受理日期"] == dt.date(2026, 4, 30)
    assert dates["承诺办结期限"] == dt.date(2026, 5, 18)
    assert dates["法定办结期限"] == dt.date(2026, 6, 1)
    assert report.expected.date == dt.date(2026, 5, 18)
    page = response.content.decode()
    assert "2026年5月18日" in page and world.department.name in page
    assert [step.label for step in report.steps] == [
        "提交申请",
        "出具补正材料通知书（一次性告知）",
        "补正材料后重新提交",
        "受理",
        "各部门并联审查开始",
    ]
    assert code  # the page was reached with the code shown to the applicant

    # The applicant was told at every step, by SMS and email, without needing a link.
    texts = [
        (m.status, m.body)
        for m in sent_to("13907110077", OutboxMessage.objects.filter(channel=Channel.SMS))
    ]
    assert [status for status, _body in texts] == ["sent"] * 4
    assert "复印件模糊，请重新扫描上传" in texts[1][1]
    assert "承诺办结期限 2026年5月18日" in texts[3][1]
    assert OutboxMessage.objects.filter(channel=Channel.EMAIL).count() == 4
