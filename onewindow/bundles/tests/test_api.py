"""The Must-show chain through the API (docs/rules/bundles.md): themes defined and refused,
one submission, intake, the combined correction answer, a refused sub-case's effect, the
combined delivery; bad input and someone else's bundle."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.bundles.models import Bundle, Theme
from onewindow.bundles.tests.world import (
    FORM,
    all_uploads,
    cases_of,
    decide,
    make_item,
    make_world,
    pdf,
    submit,
)
from onewindow.cases.models import Case, CaseStatus
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.review.tests.decision_world import at


@pytest.fixture
def w(personas):
    return make_world(personas)


@pytest.fixture
def api():
    return APIClient()


def _theme_body(w, **extra):
    body = {
        "code": "kai-can-guan",
        "name": "开餐馆",
        "audience": "legal",
        "life_event": "start",
        "published": True,
        "questions": [{"key": "signboard", "text": "是否设置户外招牌？"}],
        "items": [
            {"item": w.items[0].code},
            {"item": w.items[1].code},
            {"item": w.items[2].code},
            {"item": w.items[3].code, "question": "signboard", "when_yes": True},
        ],
    }
    body.update(extra)
    return body


def test_themes_are_public_and_show_the_merged_form_with_shared_fields_once(api, w):
    listing = api.get("/api/v1/themes/").json()
    assert [t["code"] for t in listing["results"]] == [w.theme.code]
    detail = api.get(f"/api/v1/themes/{w.theme.code}/").json()
    names = [f["name"] for f in detail["form_fields"]]
    assert len(names) == len(set(names))
    project = next(f for f in detail["form_fields"] if f["name"] == "project_name")
    assert project["shared"] and len(project["items"]) == 4
    assert detail["items"][3]["question"] == "signboard"


def test_an_administrator_defines_a_theme_and_others_cannot(api, w):
    api.force_authenticate(w.p.enterprise)
    assert api.post("/api/v1/themes/", _theme_body(w), format="json").status_code == 404
    api.force_authenticate(w.p.admin)
    response = api.post("/api/v1/themes/", _theme_body(w), format="json")
    assert response.status_code == 201, response.json()
    assert len(response.json()["items"]) == 4
    body = _theme_body(w, name="开餐馆（修订）", partial_delivery=True)
    response = api.put("/api/v1/themes/kai-can-guan/", body, format="json")
    assert response.status_code == 200
    assert Theme.objects.get(code="kai-can-guan").partial_delivery


def test_items_disagreeing_on_a_shared_fields_type_are_refused_and_nothing_is_saved(api, w):
    odd = make_item(w.departments[1], "食品小作坊登记（测试）", "BND-009", field_type="number")
    api.force_authenticate(w.p.admin)
    body = _theme_body(w, items=[{"item": w.items[0].code}, {"item": odd.code}])
    response = api.post("/api/v1/themes/", body, format="json")
    assert response.status_code == 400
    message = json.dumps(response.json(), ensure_ascii=False)
    assert "项目名称" in message and "类型不一致" in message
    assert not Theme.objects.filter(code="kai-can-guan").exists()
    # The same through an update: the existing theme keeps its items.
    body = _theme_body(w, code=w.theme.code, items=[{"item": w.items[0].code}, {"item": odd.code}])
    assert api.put(f"/api/v1/themes/{w.theme.code}/", body, format="json").status_code == 400
    assert w.theme.items.count() == 4


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"items": [{"item": "BND-001"}]}, "至少包含两个事项"),
        ({"life_event": "birth"}, "不属于该服务对象"),
        ({"items": [{"item": "BND-001"}, {"item": "NOPE"}]}, "不存在"),
        ({"questions": [{"key": "unused", "text": "没用的问题？"}]}, "没有事项以它为条件"),
    ],
)
def test_bad_theme_definitions_are_refused(api, w, change, message):
    api.force_authenticate(w.p.admin)
    response = api.post("/api/v1/themes/", _theme_body(w, **change), format="json")
    assert response.status_code == 400
    assert message in json.dumps(response.json(), ensure_ascii=False)
    assert not Theme.objects.filter(code="kai-can-guan").exists()


def _create(api, w, answers=None, form=None, files=True):
    data = {
        "theme": w.theme.code,
        "answers": json.dumps(answers if answers is not None else {"signboard": "yes"}),
        "form_data": json.dumps(form if form is not None else FORM, ensure_ascii=False),
    }
    if files:
        data |= {f"material-{k}": v[0] for k, v in all_uploads(w).items()}
    with time_machine.travel(at("2025-09-29", 9), tick=False):
        return api.post("/api/v1/bundles/", data, format="multipart")


def test_the_whole_chain_through_the_api(api, w):
    api.force_authenticate(w.p.enterprise)
    response = _create(api, w)
    assert response.status_code == 201, response.json()
    bundle_id = response.json()["id"]
    parts = response.json()["parts"]
    assert len({p["department"] for p in parts}) == 4
    # One intake with findings on two sub-cases → one combined correction notice.
    bundle = Bundle.objects.get(pk=bundle_id)
    food, fire = cases_of(bundle)[1], cases_of(bundle)[2]
    findings = [
        {
            "case": c.pk,
            "line": c.materials.get(material__name__endswith="专项材料").pk,
            "problem": "missing",
            "remark": "请补充",
        }
        for c in (food, fire)
    ]
    api.force_authenticate(w.window_clerk)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        response = api.post(
            f"/api/v1/bundles/{bundle_id}/intake/", {"findings": findings}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "correction"
    api.force_authenticate(w.p.enterprise)
    notice = api.get(f"/api/v1/bundles/{bundle_id}/correction/").json()
    assert notice["sequence"] == 1 and len(notice["materials"]) == 2
    # An answer missing a listed material changes nothing.
    with time_machine.travel(at("2025-10-08", 10), tick=False):
        partial = {f"correction-{notice['materials'][0]['index']}": pdf()}
        response = api.post(f"/api/v1/bundles/{bundle_id}/correction/", partial, format="multipart")
    assert response.status_code == 400
    assert Case.objects.filter(pk=food.pk, status=CaseStatus.CORRECTION).exists()
    answer = {f"correction-{m['index']}": pdf() for m in notice["materials"]}
    with time_machine.travel(at("2025-10-08", 10), tick=False):
        response = api.post(f"/api/v1/bundles/{bundle_id}/correction/", answer, format="multipart")
    assert response.status_code == 200, response.json()
    api.force_authenticate(w.window_clerk)
    with time_machine.travel(at("2025-10-09", 10), tick=False):
        api.post(f"/api/v1/bundles/{bundle_id}/intake/", {}, format="json")
    cases = cases_of(bundle)
    assert all(c.status == CaseStatus.IN_REVIEW for c in cases)
    decide(w, cases[3], kind="refuse")
    api.force_authenticate(w.p.enterprise)
    progress = api.get(f"/api/v1/bundles/{bundle_id}/progress/").json()
    refused = [p for p in progress["parts"] if p["refused"]]
    assert len(refused) == 1 and "统一送达" in refused[0]["effect"]
    for case in cases[:3]:
        decide(w, case)
    api.force_authenticate(w.window_clerk)
    body = {
        "receiver_name": "孙强",
        "receiver_id_number": make_citizen_id("420700", dt.date(1980, 1, 2), 5),
    }
    with time_machine.travel(at("2025-10-13", 10), tick=False):
        response = api.post(f"/api/v1/bundles/{bundle_id}/delivery/", body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done"
    assert [p["status"] for p in response.json()["parts"]] == [
        "completed",
        "completed",
        "completed",
        "refused",
    ]


@pytest.mark.parametrize(
    ("answers", "form", "files"),
    [
        ({}, FORM, True),  # the question unanswered
        ({"signboard": "perhaps"}, FORM, True),
        ({"signboard": "yes"}, {}, True),  # an empty form
        ({"signboard": "yes"}, {**FORM, "contact_phone": 42}, True),  # garbage type
        ({"signboard": "yes"}, {**FORM, "hack": "x"}, True),  # a field no item asks
        ({"signboard": "yes"}, FORM, False),  # no materials at all
        ("not json", FORM, True),
    ],
)
def test_bad_bundle_submissions_are_400_and_nothing_is_filed(api, w, answers, form, files):
    api.force_authenticate(w.p.enterprise)
    if answers == "not json":
        data = {"theme": w.theme.code, "answers": "{oops", "form_data": json.dumps(FORM)}
        response = api.post("/api/v1/bundles/", data, format="multipart")
    else:
        response = _create(api, w, answers=answers, form=form, files=files)
    assert response.status_code == 400
    assert response.json()["message"]
    assert not Bundle.objects.exists() and not Case.objects.exists()


def test_someone_elses_bundle_is_a_logged_404_in_the_api(api, w):
    bundle = submit(w)
    api.force_authenticate(w.p.outsider)
    for suffix in ("", "progress/", "correction/"):
        assert api.get(f"/api/v1/bundles/{bundle.pk}/{suffix}").status_code == 404
    assert api.post(f"/api/v1/bundles/{bundle.pk}/intake/", {}, format="json").status_code == 404
    assert AccessDenied.objects.filter(target=f"bundle:{bundle.pk}").count() == 4
    assert api.get("/api/v1/bundles/").json()["count"] == 0
    api.force_authenticate(w.p.enterprise)
    assert api.get("/api/v1/bundles/").json()["count"] == 1


def test_the_openapi_schema_names_the_bundle_endpoints(api):
    schema = api.get("/api/v1/openapi.json").json()
    assert "/api/v1/themes/" in schema["paths"]
    assert "/api/v1/bundles/{bundle_id}/correction/" in schema["paths"]
