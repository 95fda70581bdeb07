"""The public progress query (docs/product.md §C9): page and API, by case number + query code, no
login."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import World, pdf
from onewindow.cases.transitions import event_record
from onewindow.cases.uploads import case_file_add

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOT_FOUND = "未找到该办件，请核对办件编号和查询码"
API = "/api/v1/progress/"


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()  # the per-address counters live in the cache; every test starts at zero
    yield
    cache.clear()


def submitted(world: World, when: str, *, skip: int = 0) -> Case:
    case = services.case_create_draft(
        item_version=world.version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    lines = list(case.materials.all())
    for line in lines[: len(lines) - skip]:
        case_file_add(case_material=line, upload=pdf(), actor=world.applicant)
    with time_machine.travel(at(when), tick=False):
        services.case_submit(case=case, actor=world.applicant)
    return case


@pytest.fixture
def accepted(world: World) -> Case:
    """The example of docs/rules/licensing.md §G2: accepted 2026-04-30 with one tolerated non-core
    material."""
    world.clerk.full_name = "王芳"
    world.clerk.save()
    case = submitted(world, "2026-04-29", skip=1)
    missing = case.materials.get(material=world.non_core[-1])
    with time_machine.travel(at("2026-04-30"), tick=False):
        services.case_accept(case=case, actor=world.clerk, tolerated_material_ids=[missing.pk])
        event_record(case, actor=world.clerk, action="note_added", reason="内部意见：申请人态度差")
        event_record(
            case, actor=world.clerk, action="accepted", public=False, reason="科长口头同意"
        )
    return case


def page_without(html: bytes, echoed: str) -> str:
    """The page minus what differs by construction: the CSRF token and the echoed input."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())
    return text.replace(echoed, "<input>")


def test_the_query_page_opens_without_login(client):
    response = client.get("/progress/")
    assert response.status_code == 200
    assert "办件编号" in response.text and "查询码" in response.text


def test_the_qr_link_shows_status_stage_department_due_dates_and_public_steps(client, accepted):
    response = client.get(f"/progress/?number={accepted.number}&code={accepted.query_code}")
    assert response.status_code == 200
    report = response.context["report"]
    # Accepted, and the parallel review opened at once (docs/product.md §C5).
    assert (report.status_label, report.status_colour) == ("审查中", "blue")
    assert report.stage == "部门并联审查"
    assert report.holder == "测试市场监督管理局"
    dates = {due.label: due.date for due in report.due_dates}
    assert dates["受理日期"] == dt.date(2026, 4, 30)
    assert dates["承诺办结期限"] == dt.date(2026, 5, 18)  # 10 working days (May 1-5 off, 9th on)
    assert dates["法定办结期限"] == dt.date(2026, 6, 1)  # 20 working days
    assert dates["容缺材料补齐期限：次要材料2"] == dt.date(2026, 5, 18)
    assert report.expected.date == dt.date(2026, 5, 18)
    assert [step.label for step in report.steps] == ["提交申请", "容缺受理", "各部门并联审查开始"]
    page = response.text
    assert "2026年5月18日" in page and "测试市场监督管理局" in page
    for secret in ("王芳", "clerk", "内部意见", "科长口头同意", "申请人态度差"):
        assert secret not in page


def test_the_form_posts_and_accepts_lower_case_codes_with_spaces(client, accepted):
    response = client.post(
        "/progress/", {"number": f" {accepted.number} ", "code": accepted.query_code.lower()}
    )
    assert response.status_code == 200
    assert response.context["report"].case.pk == accepted.pk


def test_a_wrong_number_and_a_wrong_code_get_the_very_same_answer(client, accepted):
    unknown = "420700209901010001"
    wrong_code = client.get(f"/progress/?number={accepted.number}&code=ZZZZZZZZ")
    wrong_number = client.get(f"/progress/?number={unknown}&code=ZZZZZZZZ")
    assert wrong_code.status_code == wrong_number.status_code == 200
    assert NOT_FOUND in wrong_code.text
    assert page_without(wrong_code.content, accepted.number) == page_without(
        wrong_number.content, unknown
    )

    api_code = client.get(API, {"number": accepted.number, "code": "ZZZZZZZZ"})
    api_number = client.get(API, {"number": "420700209901010001", "code": accepted.query_code})
    assert api_code.status_code == api_number.status_code == 404
    assert api_code.content == api_number.content
    assert api_code.json() == {"code": "not_found", "message": NOT_FOUND}


def test_an_overlong_or_empty_input_is_just_not_found(client, accepted):
    assert client.get(API, {"number": "4" * 500, "code": "X" * 500}).status_code == 404
    response = client.get("/progress/?number=&code=")
    assert response.status_code == 200 and response.context["report"] is None
    assert client.get(API, {"number": accepted.number}).json()["code"] == "invalid"


def test_a_submitted_case_expects_completion_within_the_committed_days_after_intake(client, world):
    case = submitted(world, "2026-03-02")  # intake due 2026-03-09
    report = client.get(f"/progress/?number={case.number}&code={case.query_code}").context["report"]
    assert report.stage == "窗口受理"
    assert {d.label: d.date for d in report.due_dates}["受理期限"] == dt.date(2026, 3, 9)
    assert report.expected.date == dt.date(2026, 3, 23)  # 10 working days after 2026-03-09


def test_a_deadline_in_an_unpublished_year_is_marked_provisional(client, world):
    case = submitted(world, "2026-12-28")  # intake due 2027-01-05: 2027 is not loaded
    response = client.get(f"/progress/?number={case.number}&code={case.query_code}")
    due = {d.label: d for d in response.context["report"].due_dates}["受理期限"]
    assert due.date == dt.date(2027, 1, 5) and due.provisional
    assert "临时" in response.text


def test_a_correction_shows_the_applicant_as_holder_and_a_rejection_its_reasons(client, world):
    case = submitted(world, "2026-03-02")
    line = case.materials.all()[0]
    finding = services.MaterialFinding(case_material_id=line.pk, problem="missing", remark="缺")
    services.case_request_correction(case=case, actor=world.clerk, findings=[finding])
    url = f"/progress/?number={case.number}&code={case.query_code}"
    report = client.get(url).context["report"]
    assert report.holder.startswith("申请人")
    assert report.expected is None and report.expected_note == "补正材料重新提交后重新计算"
    cache.clear()
    services.case_reject(case=case, actor=world.clerk, reasons="申请事项依法不需要取得行政许可")
    report = client.get(url).context["report"]
    assert report.stage == "已办结"
    assert report.steps[-1].label == "不予受理"
    assert report.steps[-1].note == "申请事项依法不需要取得行政许可"


def test_the_api_answers_get_and_post_with_the_same_report(client, accepted):
    query = {"number": accepted.number, "code": accepted.query_code}
    body = client.get(API, query).json()
    assert client.post(API, query, content_type="application/json").json() == body
    assert body["status"] == "in_review" and body["status_label"] == "审查中"  # docs/product.md §C5
    assert body["department"] == "测试市场监督管理局"
    assert body["expected_completion"]["date"] == "2026-05-18"
    assert {d["label"]: d["date"] for d in body["due_dates"]}["法定办结期限"] == "2026-06-01"
    assert [step["label"] for step in body["timeline"]] == [
        "提交申请",
        "容缺受理",
        "各部门并联审查开始",
    ]
    assert "王芳" not in str(body) and "内部意见" not in str(body)


def test_lookups_are_limited_per_address_on_page_and_api_together(client, accepted, settings):
    settings.PROGRESS_QUERY_PER_MINUTE = 3
    query = {"number": accepted.number, "code": "WRONG"}
    with time_machine.travel(at("2026-05-01", 9), tick=False):
        assert client.get("/progress/", query).status_code == 200
        assert client.get(API, query).status_code == 404
        assert client.get("/progress/", query).status_code == 200
        page = client.get("/progress/", query)
        assert page.status_code == 429
        assert "查询过于频繁，请在 60 秒后再试。" in page.text
        api = client.get(API, query)
        assert api.status_code == 429 and api["Retry-After"] == "60"
        assert api.json()["code"] == "throttled"
        # Even the right code is refused while over the limit; another address is not.
        right = {"number": accepted.number, "code": accepted.query_code}
        assert client.get(API, right).status_code == 429
        assert client.get(API, right, REMOTE_ADDR="10.0.0.9").status_code == 200
        # Showing the empty form is not a look-up.
        assert client.get("/progress/").status_code == 200
    with time_machine.travel(at("2026-05-01", 9) + dt.timedelta(minutes=1), tick=False):
        assert client.get(API, right).status_code == 200


def test_behind_a_proxy_each_forwarded_client_has_its_own_budget(client, accepted, settings):
    settings.PROGRESS_QUERY_PER_MINUTE = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    query = {"number": accepted.number, "code": accepted.query_code}
    first = {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    assert client.get(API, query, **first).status_code == 200
    assert client.get("/progress/", query, **first).status_code == 429
    assert client.get(API, query, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_the_progress_query_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/progress/"])
