"""The Must-show chain through the pages (docs/rules/bundles.md §R1–§R10): the home page's life
events, the merged form with shared fields asked once, one submission into four departments,
one intake, one combined correction notice answered once, a refused sub-case with its effect,
one combined delivery; bad input and someone else's bundle."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from onewindow.bundles import selectors
from onewindow.bundles.models import Bundle
from onewindow.bundles.tests.world import FORM, cases_of, decide, make_world, pdf, submit
from onewindow.cases.models import Case, CaseStatus, MaterialStatus
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.review.tests.decision_world import at


@pytest.fixture
def w(personas):
    return make_world(personas)


def _post_form(w, answer: str = "yes") -> dict:
    data: dict[str, Any] = {
        "token": "t" * 32,
        "answer-signboard": answer,
        "form-project_name": FORM["project_name"],
        "form-premises_address_province": "湖北省",
        "form-premises_address_city": "鄂州市",
        "form-premises_address_district": "鄂城区",
        "form-premises_address_detail": "古楼街道滨湖南路 8 号",
        "form-contact_name": FORM["contact_name"],
        "form-contact_phone": FORM["contact_phone"],
        "form-application_date": FORM["application_date"],
        "form-application_type": FORM["application_type"],
    }
    for m in selectors.merged_materials(w.theme.items.all()):
        data[f"material-{m.index}"] = pdf(f"m{m.index}.pdf")
    return data


def test_the_home_page_and_theme_list_show_the_theme_under_its_life_event(client, w):
    home = client.get("/").content.decode()
    assert "主题服务（一件事）" in home and "开办" in home and "我要开饭店" in home
    listing = client.get("/themes/").content.decode()
    assert "法人办事" in listing and "我要开饭店" in listing
    detail = client.get(f"/themes/{w.theme.code}/").content.decode()
    assert "是否设置户外招牌？" in detail
    assert "4 个事项共用，只需上传一次" in detail


def test_an_unpublished_theme_is_a_logged_404(client, w):
    w.theme.published = False
    w.theme.save()
    assert client.get(f"/themes/{w.theme.code}/").status_code == 404
    assert AccessDenied.objects.filter(target=f"theme:{w.theme.code}").exists()


def test_the_merged_form_asks_each_shared_field_once(client, w):
    client.force_login(w.p.enterprise)
    page = client.get(f"/themes/{w.theme.code}/apply/").content.decode()
    assert page.count('name="form-project_name"') == 1
    assert page.count('name="form-contact_phone"') == 1
    assert 'name="answer-signboard"' in page
    # The signboard item is marked conditional for the page script; the server decides (R4).
    assert 'data-when="signboard:yes"' in page


def test_one_submission_through_the_page_files_four_sub_cases_in_four_departments(client, w):
    client.force_login(w.p.enterprise)
    with time_machine.travel(at("2025-09-29", 9), tick=False):
        response = client.post(f"/themes/{w.theme.code}/apply/", _post_form(w))
    assert response.status_code == 302
    bundle = Bundle.objects.get()
    cases = cases_of(bundle)
    assert [c.department for c in cases] == w.departments
    assert all(c.form_data["project_name"] == FORM["project_name"] for c in cases)
    assert all(c.status == CaseStatus.SUBMITTED for c in cases)
    # The same token again: the same bundle, nothing new (R3).
    with time_machine.travel(at("2025-09-29", 9), tick=False):
        client.post(f"/themes/{w.theme.code}/apply/", _post_form(w))
    assert Bundle.objects.count() == 1


def test_answering_no_leaves_out_the_signboard_item(client, w):
    client.force_login(w.p.enterprise)
    with time_machine.travel(at("2025-09-29", 9), tick=False):
        client.post(f"/themes/{w.theme.code}/apply/", _post_form(w, answer="no"))
    assert [c.department for c in cases_of(Bundle.objects.get())] == w.departments[:3]


@pytest.mark.parametrize(
    "change",
    [
        {"answer-signboard": ""},  # unanswered
        {"answer-signboard": "maybe"},  # garbage answer
        {"form-contact_phone": "not a phone"},  # garbage value
        {"form-project_name": ""},  # a required shared field left empty
        {"material-1": None},  # a required shared material missing
        {"token": "<script>"},  # a forged token
    ],
)
def test_bad_submissions_are_refused_with_a_message_and_nothing_is_filed(client, w, change):
    client.force_login(w.p.enterprise)
    data = _post_form(w)
    for key, value in change.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    with time_machine.travel(at("2025-09-29", 9), tick=False):
        response = client.post(f"/themes/{w.theme.code}/apply/", data)
    assert response.status_code == 400
    assert "message-error" in response.content.decode()
    assert not Bundle.objects.exists()
    assert not Case.objects.exists()


def test_an_empty_post_is_refused(client, w):
    client.force_login(w.p.enterprise)
    response = client.post(f"/themes/{w.theme.code}/apply/", {})
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_intake_correction_answer_through_the_pages(client, w):
    bundle = submit(w)
    food, fire = cases_of(bundle)[1], cases_of(bundle)[2]
    client.force_login(w.window_clerk)
    page = client.get(f"/bundles/{bundle.pk}/").content.decode()
    assert "统一受理" in page
    data: dict[str, Any] = {}
    for case in (food, fire):
        line = case.materials.get(material__name__endswith="专项材料")
        data[f"problem-{line.pk}"] = MaterialStatus.MISSING
        data[f"remark-{line.pk}"] = "请补充加盖公章的原件扫描件"
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        assert client.post(f"/bundles/{bundle.pk}/intake/", data).status_code == 302
    # The applicant sees ONE notice listing both departments' missing materials.
    client.force_login(w.p.enterprise)
    page = client.get(f"/bundles/{bundle.pk}/").content.decode()
    assert page.count("合并补正告知") == 1
    assert w.departments[1].name in page and w.departments[2].name in page
    groups = selectors.correction_groups(bundle)
    answer = {f"correction-{g.index}": pdf(f"c{g.index}.pdf") for g in groups}
    with time_machine.travel(at("2025-10-08", 10), tick=False):
        assert client.post(f"/bundles/{bundle.pk}/answer/", answer).status_code == 302
    assert {c.status for c in cases_of(bundle)} == {CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW}
    client.force_login(w.window_clerk)
    with time_machine.travel(at("2025-10-09", 10), tick=False):
        assert client.post(f"/bundles/{bundle.pk}/intake/", {}).status_code == 302
    assert all(c.status == CaseStatus.IN_REVIEW for c in cases_of(bundle))


def test_a_refused_sub_case_and_the_combined_delivery_through_the_pages(client, w):
    bundle = submit(w)
    client.force_login(w.window_clerk)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        client.post(f"/bundles/{bundle.pk}/intake/", {})
    cases = cases_of(bundle)
    decide(w, cases[1], kind="refuse")
    client.force_login(w.p.enterprise)
    page = client.get(f"/bundles/{bundle.pk}/").content.decode()
    assert "row-refused" in page
    assert "本主题须全部作出决定后统一送达" in page
    for case in (cases[0], cases[2], cases[3]):
        decide(w, case)
    client.force_login(w.window_clerk)
    receiver = {
        "receiver_name": "孙强",
        "receiver_id_number": make_citizen_id("420700", dt.date(1980, 1, 2), 5),
    }
    with time_machine.travel(at("2025-10-13", 10), tick=False):
        assert client.post(f"/bundles/{bundle.pk}/deliver/", receiver).status_code == 302
    statuses = [c.status for c in cases_of(bundle)]
    assert statuses == [
        CaseStatus.COMPLETED,
        CaseStatus.REFUSED,
        CaseStatus.COMPLETED,
        CaseStatus.COMPLETED,
    ]
    bundle.refresh_from_db()
    assert bundle.delivered_at is not None


def test_delivery_before_every_decision_is_refused_on_the_page(client, w):
    bundle = submit(w)
    client.force_login(w.window_clerk)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        client.post(f"/bundles/{bundle.pk}/intake/", {})
    decide(w, cases_of(bundle)[0])
    response = client.post(
        f"/bundles/{bundle.pk}/deliver/", {"receiver_name": "孙强", "receiver_id_number": "x"}
    )
    assert response.status_code == 400
    assert "统一送达" in response.content.decode()
    assert cases_of(bundle)[0].status == CaseStatus.GRANTED


def test_someone_elses_bundle_is_a_logged_404(client, w):
    bundle = submit(w)
    for user in (w.p.outsider, w.p.reviewer_b):
        client.force_login(user)
        assert client.get(f"/bundles/{bundle.pk}/").status_code == 404
    assert AccessDenied.objects.filter(target=f"bundle:{bundle.pk}").count() == 2
    client.force_login(w.p.outsider)
    assert client.post(f"/bundles/{bundle.pk}/answer/", {}).status_code == 404
    # A department's chief sees the bundle (a sub-case is theirs); the applicant too.
    client.force_login(w.chiefs[2])
    assert client.get(f"/bundles/{bundle.pk}/").status_code == 200
    client.force_login(w.p.enterprise)
    assert client.get("/bundles/").status_code == 200


def test_a_clerk_whose_window_does_not_serve_every_department_cannot_take_the_bundle(client, w):
    bundle = submit(w)
    w.window.departments.remove(w.departments[3])
    client.force_login(w.window_clerk)
    response = client.post(f"/bundles/{bundle.pk}/intake/", {})
    assert response.status_code == 400
    assert all(c.status == CaseStatus.SUBMITTED for c in cases_of(bundle))
