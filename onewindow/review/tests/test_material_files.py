"""Files with the answer to a material request: the applicant (or the window clerk) hands in the
requested documents through the same checks as the application's uploads; the reviewing
department lists and downloads them through an access-checked view."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.accounts import services as account_services
from onewindow.accounts.roles import Role
from onewindow.cases import services as case_services
from onewindow.cases.errors import CaseError, ConcurrentChange
from onewindow.cases.models import Case, StoredFile
from onewindow.cases.tests.conftest import PDF_BYTES, pdf
from onewindow.catalog.models import Department
from onewindow.core.models import AccessDenied
from onewindow.review import services
from onewindow.review.models import MaterialAnswerFile, TaskStatus
from onewindow.review.tests.task_world import accepted_case, at, make_world, task_of

pytestmark = pytest.mark.django_db

# A 1×1 grey PNG Pillow opens: uploads are parsed.
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00:~\x9bU"
    b"\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def tworld(personas):
    return make_world(personas)


@pytest.fixture
def asked(tworld):
    """Department B asked for the fire-safety certificate on 2025-10-13 (the clock stops)."""
    case = accepted_case(tworld)
    with time_machine.travel(at("2025-10-13"), tick=False):
        return services.task_material_request(
            task=task_of(case, tworld.p.dept_b),
            actor=tworld.p.reviewer_b,
            text="请补充消防安全检查合格证明",
            revision=0,
        )


@pytest.fixture
def on_day():
    with time_machine.travel(at("2025-10-16"), tick=False):
        yield


def _files_on_disk(settings) -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def _upload(name: str, content: bytes, mime: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=mime)


def _answered(asked, tworld, *files, answer="已补交消防安全检查合格证明"):
    with time_machine.travel(at("2025-10-16"), tick=False):
        return services.material_request_answer(
            request=asked, actor=tworld.p.applicant, answer=answer, files=list(files)
        )


def _unchanged(asked, tworld, settings, before: set[Path]) -> None:
    """Nothing of a refused answer remains: no answer, no rows, no file on disk."""
    asked.refresh_from_db()
    assert asked.answered_on is None and asked.answer == ""
    assert task_of(asked.task.case, tworld.p.dept_b).status == TaskStatus.WAITING_MATERIAL
    assert not MaterialAnswerFile.objects.exists()
    assert not StoredFile.objects.filter(material_answer_files__isnull=False).exists()
    assert StoredFile.objects.count() == 1  # the application's own file
    assert _files_on_disk(settings) == before


# --- the applicant's answer page ---------------------------------------------------------------
def test_an_answer_with_a_pdf_reopens_the_task_with_the_file_listed(client, tworld, asked, on_day):
    p = tworld.p
    client.force_login(p.applicant)
    url = reverse("review:material_answer", args=[asked.pk])
    form = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in form and 'name="files"' in form
    response = client.post(
        url,
        {
            "answer": "已补交",
            "files": [pdf("消防合格证明.pdf"), _upload("现场照片.png", PNG_BYTES)],
        },
    )
    assert response.status_code == 302
    task = task_of(asked.task.case, p.dept_b)
    assert task.status == TaskStatus.OPEN
    files = list(MaterialAnswerFile.objects.filter(request=asked).select_related("stored"))
    assert [f.stored.original_name for f in files] == ["消防合格证明.pdf", "现场照片.png"]
    assert [f.stored.content_type for f in files] == ["application/pdf", "image/png"]
    stored = files[0].stored
    assert stored.owner == p.applicant and stored.uploaded_by == p.applicant
    # Stored under a generated name, not the applicant's.
    assert stored.path.startswith("cases/") and "消防" not in stored.path

    client.force_login(p.reviewer_b)
    page = client.get(reverse("review:task", args=[task.pk])).content.decode()
    link = reverse("review:material_file", args=[files[0].pk])
    assert "消防合格证明.pdf" in page and link in page
    download = client.get(link)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert "attachment" in download["Content-Disposition"]


def test_the_answered_page_shows_the_applicant_their_files(client, tworld, asked):
    _answered(asked, tworld, pdf("证明.pdf"))
    client.force_login(tworld.p.applicant)
    with time_machine.travel(at("2025-10-17"), tick=False):
        page = client.get(reverse("review:material_answer", args=[asked.pk])).content.decode()
    link = reverse("review:material_file", args=[asked.answer_files.get().pk])
    assert "证明.pdf" in page and link in page
    assert client.get(link).status_code == 200


def test_a_file_alone_is_an_answer_but_nothing_at_all_is_not(client, tworld, asked, on_day):
    client.force_login(tworld.p.applicant)
    url = reverse("review:material_answer", args=[asked.pk])
    empty = client.post(url, {"answer": "  "})
    assert empty.status_code == 400
    assert "请填写补充说明或上传补充的材料文件" in empty.content.decode()
    assert client.post(url, {"files": [pdf()]}).status_code == 302  # no text field at all
    asked.refresh_from_db()
    assert asked.answered_on == dt.date(2025, 10, 16) and asked.answer_files.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("证明.pdf", EXE_BYTES, "不是 PDF、JPEG 或 PNG 格式"),
        ("证明.pdf", b"", "是空文件"),
    ],
    ids=["an executable renamed pdf", "an empty file"],
)
def test_a_bad_file_is_refused_and_nothing_is_saved(
    client, tworld, asked, settings, on_day, name, content, message
):
    before = _files_on_disk(settings)
    client.force_login(tworld.p.applicant)
    url = reverse("review:material_answer", args=[asked.pk])
    # A good file next to the bad one is not kept either: all files are checked before any is
    # written.
    response = client.post(
        url, {"answer": "已补交", "files": [pdf("好的.pdf"), _upload(name, content)]}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "补充材料未保存" in html
    _unchanged(asked, tworld, settings, before)


def test_an_oversized_file_is_refused_and_nothing_is_saved(client, tworld, asked, settings, on_day):
    settings.MAX_UPLOAD_MB = 1
    before = _files_on_disk(settings)
    big = _upload("扫描件.pdf", PDF_BYTES + b"0" * (1024 * 1024))
    client.force_login(tworld.p.applicant)
    response = client.post(
        reverse("review:material_answer", args=[asked.pk]), {"answer": "已补交", "files": [big]}
    )
    assert response.status_code == 400
    assert "超过 1 MB 的大小限制" in response.content.decode()
    _unchanged(asked, tworld, settings, before)


def test_files_written_for_a_refused_answer_are_deleted_again(tworld, asked, settings):
    """The files pass the checks and are written; the answer is then refused (already answered
    by someone else): the rows roll back and the files written for it leave the disk."""
    _answered(asked, tworld, pdf("第一次.pdf"))
    before = _files_on_disk(settings)
    stored_before = StoredFile.objects.count()
    with pytest.raises(ConcurrentChange, match="已答复"):
        _answered(asked, tworld, pdf("第二次.pdf"), _upload("照片.png", PNG_BYTES))
    assert _files_on_disk(settings) == before
    assert StoredFile.objects.count() == stored_before
    assert [f.stored.original_name for f in asked.answer_files.all()] == ["第一次.pdf"]


def test_the_same_file_chosen_twice_is_kept_once_and_leaves_no_copy(tworld, asked, settings):
    before = _files_on_disk(settings)
    _answered(asked, tworld, pdf("a.pdf"), pdf("a-copy.pdf"))
    assert asked.answer_files.count() == 1
    assert len(_files_on_disk(settings) - before) == 1


def test_an_outsider_cannot_answer_with_files_and_nothing_stays(tworld, asked, settings):
    before = _files_on_disk(settings)
    with time_machine.travel(at("2025-10-16"), tick=False), pytest.raises(CaseError):
        services.material_request_answer(
            request=asked, actor=tworld.p.outsider, answer="", files=[pdf()]
        )
    _unchanged(asked, tworld, settings, before)


# --- who may download ---------------------------------------------------------------------------
@pytest.fixture
def answer_file(tworld, asked) -> MaterialAnswerFile:
    _answered(asked, tworld, pdf("证明.pdf"))
    return asked.answer_files.get()


def _other_department_reviewer() -> object:
    other = Department.objects.create(code="WSJ", name="鄂州市卫生健康委员会")
    return account_services.user_create(
        username="reviewer_d",
        password="Test-pass-123",
        role=Role.REVIEWER,
        full_name="孙丽",
        department=other,
    )


@pytest.mark.parametrize(
    "who", ["applicant", "reviewer_b", "reviewer_a", "handler_a", "clerk", "supervisor"]
)
def test_the_applicant_the_case_departments_and_supervisors_may_download(
    client, tworld, answer_file, who
):
    client.force_login(tworld.p.get(who))
    response = client.get(reverse("review:material_file", args=[answer_file.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_reviewer_of_a_department_not_on_the_case_gets_a_logged_404(client, answer_file):
    client.force_login(_other_department_reviewer())
    assert client.get(reverse("review:material_file", args=[answer_file.pk])).status_code == 404
    assert AccessDenied.objects.filter(target=f"review.materialfile:{answer_file.pk}").exists()


@pytest.mark.parametrize("who", ["outsider", "enterprise", "agent", "admin", "auditor"])
def test_anyone_else_gets_a_logged_404(client, tworld, answer_file, who):
    client.force_login(tworld.p.get(who))
    assert client.get(reverse("review:material_file", args=[answer_file.pk])).status_code == 404
    denied = AccessDenied.objects.get(target=f"review.materialfile:{answer_file.pk}")
    assert denied.user == tworld.p.get(who)


def test_an_unknown_file_is_a_logged_404(client, tworld):
    client.force_login(tworld.p.reviewer_b)
    assert client.get(reverse("review:material_file", args=[987654])).status_code == 404
    assert AccessDenied.objects.filter(target="review.materialfile:987654").exists()


def test_the_mandated_agent_may_answer_and_download_until_the_mandate_is_revoked(client, tworld):
    p = tworld.p
    mandate = case_services.mandate_record(
        agent=p.agent,
        applicant=p.applicant,
        valid_until=dt.date(2026, 6, 30),
        recorded_by=p.applicant,
        today=dt.date(2025, 9, 1),
    )
    case = accepted_case(tworld)
    Case.objects.filter(pk=case.pk).update(agent=p.agent)  # filed by the agent
    with time_machine.travel(at("2025-10-13"), tick=False):
        asked = services.task_material_request(
            task=task_of(case, p.dept_b), actor=p.reviewer_b, text="请补充证明", revision=0
        )
    client.force_login(p.agent)
    with time_machine.travel(at("2025-10-16"), tick=False):
        url = reverse("review:material_answer", args=[asked.pk])
        assert client.post(url, {"answer": "代为补交", "files": [pdf()]}).status_code == 302
        link = reverse("review:material_file", args=[asked.answer_files.get().pk])
        assert client.get(link).status_code == 200
        case_services.mandate_revoke(mandate=mandate)
        assert client.get(link).status_code == 404
    assert AccessDenied.objects.filter(path=link).exists()


# --- the API ------------------------------------------------------------------------------------
def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_api_takes_the_answer_as_multipart_with_files(tworld, asked, on_day):
    p = tworld.p
    url = f"/api/v1/review/material-requests/{asked.pk}/answer/"
    response = _api(p.applicant).post(
        url,
        {"answer": "已补交", "files": [pdf("证明.pdf"), _upload("照片.png", PNG_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["answered_on"] == "2025-10-16" and body["answer"] == "已补交"
    assert [(f["name"], f["content_type"]) for f in body["files"]] == [
        ("证明.pdf", "application/pdf"),
        ("照片.png", "image/png"),
    ]
    task = task_of(asked.task.case, p.dept_b)
    detail = _api(p.reviewer_b).get(f"/api/v1/review/tasks/{task.pk}/").json()
    listed = detail["material_requests"][0]["files"]
    assert [f["name"] for f in listed] == ["证明.pdf", "照片.png"]
    assert listed[0]["url"] == reverse("review:material_file", args=[listed[0]["id"]])
    assert listed[0]["size"] == len(PDF_BYTES)


def test_the_api_refuses_a_bad_file_with_a_json_error_and_saves_nothing(
    tworld, asked, settings, on_day
):
    before = _files_on_disk(settings)
    response = _api(tworld.p.applicant).post(
        f"/api/v1/review/material-requests/{asked.pk}/answer/",
        {"answer": "已补交", "files": [pdf(), _upload("virus.pdf", EXE_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] and "virus.pdf" in body["message"] and "PDF、JPEG 或 PNG" in body["message"]
    _unchanged(asked, tworld, settings, before)


def test_the_api_takes_a_text_only_answer_as_json_but_not_an_empty_one(tworld, asked, on_day):
    api, url = _api(tworld.p.applicant), f"/api/v1/review/material-requests/{asked.pk}/answer/"
    empty = api.post(url, {"answer": " "}, format="json")
    assert empty.status_code == 400
    assert "请填写补充说明或上传补充的材料文件" in empty.json()["message"]
    response = api.post(url, {"answer": "已补交"}, format="json")
    assert response.status_code == 200 and response.json()["files"] == []


def test_the_answer_endpoint_documents_multipart_files(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/review/material-requests/{request_id}/answer/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    out = schema["components"]["schemas"]["MaterialRequestOut"]
    assert "files" in out["properties"]


def test_the_reviewing_department_is_emailed_when_the_applicant_answers(tworld, asked):
    from onewindow.accounts.models import User
    from onewindow.notifications.models import OutboxMessage

    User.objects.filter(department__in=[tworld.p.dept_a, tworld.p.dept_b]).update(
        email="staff@example.gov.cn"
    )
    _answered(asked, tworld, pdf("消防合格证明.pdf"))
    task = task_of(asked.task.case, tworld.p.dept_b)
    mails = OutboxMessage.objects.filter(subject__startswith="补充材料已提交")
    assert {m.user for m in mails} == {tworld.p.reviewer_b}  # department B's staff only
    (mail,) = mails
    assert asked.task.case.number in mail.body and str(task.due) in mail.body


def test_the_admin_shows_the_answer_files_of_a_material_request(client, tworld, asked):
    _answered(asked, tworld, pdf("消防合格证明.pdf"))
    client.force_login(tworld.p.admin)
    page = client.get(f"/admin/review/materialrequest/{asked.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "消防合格证明.pdf" in body and "application/pdf" in body
