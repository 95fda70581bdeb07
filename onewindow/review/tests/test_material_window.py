"""The window's way into material requests: the clerk lists the open requests on cases their
department accepted ("审查补充材料", page and API) and records the applicant's answer there,
with the scanned files."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.accounts import services as account_services
from onewindow.accounts.roles import Role
from onewindow.cases.tests.conftest import PDF_BYTES, pdf
from onewindow.catalog.models import Item
from onewindow.core.models import AccessDenied
from onewindow.review import services
from onewindow.review.models import MaterialRequest, TaskStatus
from onewindow.review.tests.task_world import accepted_case, at, make_item, make_world, task_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def tworld(personas):
    return make_world(personas)


def _ask(case, department, reviewer, text, day="2025-10-13") -> MaterialRequest:
    with time_machine.travel(at(day), tick=False):
        return services.task_material_request(
            task=task_of(case, department), actor=reviewer, text=text, revision=None
        )


@pytest.fixture
def requests(tworld):
    """Three requests on cases accepted by department A — open, open, already answered — and
    one open request on a case accepted by department B."""
    p = tworld.p
    first, second, third = (accepted_case(tworld) for _ in range(3))
    open_b = _ask(first, p.dept_b, p.reviewer_b, "请补充消防安全检查合格证明")
    open_a = _ask(second, p.dept_a, p.handler_a, "请补充租赁合同", day="2025-10-09")
    answered = _ask(third, p.dept_b, p.reviewer_b, "请补充平面图")
    with time_machine.travel(at("2025-10-14"), tick=False):
        services.material_request_answer(request=answered, actor=p.applicant, answer="已补交")

    # Department B accepts its own item; its clerk is not department A's.
    version = make_item(p, tworld.dept_c, code="REV-T-B")
    Item.objects.filter(pk=version.item_id).update(department=p.dept_b)
    version.item.refresh_from_db()
    clerk_b = account_services.user_create(
        username="clerk_b",
        password="Test-pass-123",
        role=Role.CLERK,
        full_name="马丽",
        department=p.dept_b,
    )
    other_case = _accepted_by(tworld, version, clerk_b)
    elsewhere = _ask(other_case, p.dept_b, p.reviewer_b, "请补充施工许可证")
    return {
        "open_b": open_b,
        "open_a": open_a,
        "answered": answered,
        "elsewhere": elsewhere,
        "clerk_b": clerk_b,
    }


def _accepted_by(tworld, version, clerk):
    from onewindow.cases import services as case_services
    from onewindow.cases.uploads import case_file_add

    case = case_services.case_create_draft(
        item_version=version,
        applicant=tworld.p.enterprise,
        created_by=tworld.p.enterprise,
        region=tworld.region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=tworld.p.enterprise)
    with time_machine.travel(at("2025-09-30", 9), tick=False):
        case_services.case_submit(case=case, actor=tworld.p.enterprise)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        case.refresh_from_db()
        case_services.case_accept(case=case, actor=clerk)
    case.refresh_from_db()
    return case


@pytest.fixture
def clerk_client(client, tworld):
    client.force_login(tworld.p.clerk)
    return client


def test_the_list_shows_only_the_departments_open_requests_oldest_first(
    clerk_client, tworld, requests
):
    url = reverse("review:intake_material_requests")
    with time_machine.travel(at("2025-10-15"), tick=False):
        html = clerk_client.get(url).content.decode()
    answer = "review:material_answer"
    assert reverse(answer, args=[requests["open_a"].pk]) in html
    assert reverse(answer, args=[requests["open_b"].pk]) in html
    assert reverse(answer, args=[requests["answered"].pk]) not in html
    assert reverse(answer, args=[requests["elsewhere"].pk]) not in html
    assert "请补充施工许可证" not in html and "请补充平面图" not in html
    # Requested 10-09 before 10-13.
    assert html.index("请补充租赁合同") < html.index("请补充消防安全检查合格证明")
    assert "鄂州市住房和城乡建设局" in html  # the department asking


def test_the_other_departments_clerk_sees_only_theirs(client, requests):
    client.force_login(requests["clerk_b"])
    html = client.get(reverse("review:intake_material_requests")).content.decode()
    assert "请补充施工许可证" in html
    assert "请补充消防安全检查合格证明" not in html and "请补充租赁合同" not in html


def test_the_intake_tabs_link_to_the_list_with_its_count(clerk_client, requests):
    html = clerk_client.get(reverse("cases:intake_queue")).content.decode()
    link = reverse("review:intake_material_requests")
    assert f'href="{link}"' in html and "审查补充材料" in html
    tab = html[html.index(f'href="{link}"') :]
    assert tab.index('<span class="tab-count">2</span>') < tab.index("</a>")


def test_only_window_staff_open_the_list(client, tworld, requests):
    for who in ("reviewer_b", "applicant", "supervisor"):
        client.force_login(tworld.p.get(who))
        assert client.get(reverse("review:intake_material_requests")).status_code == 404
    assert AccessDenied.objects.filter(user=tworld.p.reviewer_b).exists()


def test_the_clerk_records_the_answer_with_the_scanned_files(clerk_client, tworld, requests):
    p, asked = tworld.p, requests["open_b"]
    url = reverse("review:material_answer", args=[asked.pk])
    with time_machine.travel(at("2025-10-16"), tick=False):
        form = clerk_client.get(url).content.decode()
        assert 'name="files"' in form and reverse("review:intake_material_requests") in form
        response = clerk_client.post(
            url, {"answer": "申请人到窗口补交", "files": [pdf("合格证明扫描件.pdf")]}
        )
    # Back to the window's list, where the request is no longer open.
    assert response["Location"] == reverse("review:intake_material_requests")
    asked.refresh_from_db()
    assert asked.answer == "申请人到窗口补交"
    stored = asked.answer_files.get().stored
    assert stored.uploaded_by == p.clerk and stored.owner == p.applicant
    assert task_of(asked.task.case, p.dept_b).status == TaskStatus.OPEN
    # Off the window's list once answered; the reviewer downloads the scan.
    html = clerk_client.get(reverse("review:intake_material_requests")).content.decode()
    assert url not in html
    clerk_client.force_login(p.reviewer_b)
    download = clerk_client.get(reverse("review:material_file", args=[asked.answer_files.get().pk]))
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_a_clerk_of_another_department_cannot_record_the_answer(client, requests):
    client.force_login(requests["clerk_b"])
    asked = requests["open_b"]
    response = client.post(
        reverse("review:material_answer", args=[asked.pk]), {"answer": "x", "files": [pdf()]}
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(target=f"review.materialrequest:{asked.pk}").exists()
    asked.refresh_from_db()
    assert asked.answered_on is None and not asked.answer_files.exists()


# --- API ----------------------------------------------------------------------------------------
def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_lists_the_departments_open_requests(tworld, requests):
    body = _api(tworld.p.clerk).get("/api/v1/intake/material-requests/").json()
    assert body["count"] == 2
    rows = body["results"]
    assert [r["id"] for r in rows] == [requests["open_a"].pk, requests["open_b"].pk]
    row = rows[1]
    assert row["department"] == "鄂州市住房和城乡建设局" and row["pauses_clock"] is True
    assert row["text"] == "请补充消防安全检查合格证明" and row["requested_on"] == "2025-10-13"
    assert row["applicant"]["id"] == tworld.p.applicant.pk
    assert row["answer_url"] == f"/api/v1/review/material-requests/{requests['open_b'].pk}/answer/"
    assert row["page_url"] == reverse("review:material_answer", args=[requests["open_b"].pk])
    other = _api(requests["clerk_b"]).get("/api/v1/intake/material-requests/").json()
    assert [r["id"] for r in other["results"]] == [requests["elsewhere"].pk]


def test_the_api_list_is_for_window_staff_only(tworld, requests):
    response = _api(tworld.p.reviewer_b).get("/api/v1/intake/material-requests/")
    assert response.status_code == 403 and response.json()["code"]


def test_the_clerk_records_the_answer_through_the_api_multipart(tworld, requests):
    asked = requests["open_b"]
    row = _api(tworld.p.clerk).get("/api/v1/intake/material-requests/").json()["results"][1]
    with time_machine.travel(at("2025-10-16"), tick=False):
        response = _api(tworld.p.clerk).post(
            row["answer_url"],
            {"answer": "窗口代录", "files": [pdf("扫描件.pdf")]},
            format="multipart",
        )
    assert response.status_code == 200, response.content
    assert [f["name"] for f in response.json()["files"]] == ["扫描件.pdf"]
    asked.refresh_from_db()
    assert asked.answered_on is not None
    assert _api(tworld.p.clerk).get("/api/v1/intake/material-requests/").json()["count"] == 1


def test_the_list_endpoint_is_in_the_openapi_document(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/intake/material-requests/"]["get"]
    assert operation["operationId"] == "intake_material_requests_list"
    assert "WindowMaterialRequest" in schema["components"]["schemas"]
