"""The live feed (现场直播, docs/product.md §C10): every case action, newest first; the page works on
its own and ``feed.js`` polls the API with an ``after`` cursor."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse

from onewindow.cases.models import CaseEvent
from onewindow.review.tests.task_world import at, make_world
from onewindow.supervision.tests.console_world import accepted_case, submitted_case_of_b

pytestmark = pytest.mark.django_db
API = "/api/v1/supervision/feed/"


@pytest.fixture
def tworld(personas):
    return make_world(personas)


@pytest.fixture
def cases(tworld):
    a = accepted_case(tworld)
    b = submitted_case_of_b(tworld)
    with time_machine.travel(at("2025-10-09"), tick=False):
        yield a, b


def test_the_page_lists_the_actions_newest_first_with_actor_and_status_change(
    client, tworld, cases
):
    a, b = cases
    client.force_login(tworld.p.supervisor)
    page = client.get(reverse("supervision:feed")).content.decode()
    assert page.index(b.number) < page.index(a.number)  # b was submitted after a was accepted
    assert "受理" in page and tworld.p.clerk.full_name in page
    assert "已提交，待受理 → 已受理" in page
    assert reverse("supervision:console_case", args=[a.pk]) in page
    assert "js/feed.js" in page


def test_after_returns_only_newer_events(client, tworld, cases):
    a, b = cases
    client.force_login(tworld.p.supervisor)
    everything = client.get(API).json()
    ids = [row["id"] for row in everything["results"]]
    assert ids == sorted(ids, reverse=True) and everything["last_id"] == ids[0]
    newest_of_a = CaseEvent.objects.filter(case=a).order_by("-pk").values_list("pk", flat=True)[0]
    newer = client.get(API, {"after": newest_of_a}).json()
    assert newer["results"] and all(row["id"] > newest_of_a for row in newer["results"])
    assert {row["case_id"] for row in newer["results"]} == {b.pk}
    nothing = client.get(API, {"after": everything["last_id"]}).json()
    assert nothing == {"results": [], "last_id": everything["last_id"]}


def test_the_department_filter_keeps_that_departments_cases(client, tworld, cases):
    a, b = cases
    client.force_login(tworld.p.supervisor)
    only_b = client.get(API, {"department": tworld.p.dept_b.pk}).json()["results"]
    assert only_b and {row["case_id"] for row in only_b} == {b.pk}
    page = client.get(reverse("supervision:feed"), {"department": tworld.p.dept_b.pk})
    assert b.number in page.content.decode() and a.number not in page.content.decode()


def test_the_action_filter_keeps_that_action(client, tworld, cases):
    client.force_login(tworld.p.supervisor)
    rows = client.get(API, {"action": "accepted"}).json()["results"]
    assert rows and {row["action"] for row in rows} == {"accepted"}
    assert rows[0]["action_label"] == "受理"


def test_a_bad_cursor_is_a_clear_400(client, tworld, cases):
    client.force_login(tworld.p.supervisor)
    response = client.get(API, {"after": "abc"})
    assert response.status_code == 400
    assert "after" in response.json()["message"] + str(response.json().get("errors", ""))


def test_the_feed_api_is_a_logged_404_for_anyone_else(client, tworld, cases):
    client.force_login(tworld.p.chief_a)
    response = client.get(API)
    assert response.status_code == 404 and "code" in response.json()


def test_the_polling_script_is_served_by_us(client, tworld, cases):
    path = finders.find("js/feed.js")
    assert path is not None
    with open(path, encoding="utf-8") as handle:
        script = handle.read()
    assert "textContent" in script and "innerHTML" not in script and "after" in script
