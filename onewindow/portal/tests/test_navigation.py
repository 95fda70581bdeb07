"""Navigation (docs/decisions.md §U2): staff pages use the workbench layout with its own columns;
the current column stays marked on every page under it (the supervisor's card and letter pages
with their sub-tabs too); one link at most says aria-current="page"."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.consult import services as consult
from onewindow.review.tests.decision_world import all_agree, case_in_review
from onewindow.review.tests.decision_world import make_world as make_decision_world
from onewindow.review.tests.task_world import at
from onewindow.supervision.models import Card
from onewindow.supervision.services import letters
from onewindow.supervision.tests.world import sweep_on

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="site-nav[^"]*" aria-label="([^"]+)">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"( aria-current="(\w+)")?>([^<]+)</a>')


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _nav(html: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The top navigation's name and its links as (href, aria-current, label)."""
    match = NAV.search(html)
    assert match, "no top navigation"
    return match.group(1), [(m[0], m[2], m[3]) for m in LINK.findall(match.group(2))]


def _current(html: str) -> list[tuple[str, str]]:
    """The top navigation's current links as (label, aria-current)."""
    return [(label, mark) for _href, mark, label in _nav(html)[1] if mark]


def _page_marks(html: str) -> int:
    return html.count('aria-current="page"')


@pytest.fixture
def supervision(personas):
    """A red card of department A and a letter about it."""
    world = make_decision_world(personas)
    case_in_review(world)
    sweep_on("2025-11-20")
    card = Card.objects.filter(department=personas.dept_a).first()
    assert card is not None
    with time_machine.travel(at("2025-11-20", 9), tick=False):
        letter = letters.letter_issue(
            actor=personas.supervisor,
            department=personas.dept_a,
            case=card.case,
            card=card,
            subject="审查超时督办",
            text="请说明审查超时原因。",
            response_days=5,
        )
    return card, letter


def test_the_supervisors_card_and_letter_pages_keep_the_column_and_the_sub_tabs(
    personas, supervision
):
    card, letter = supervision
    sup = _client(personas.supervisor)
    for url, tab in [
        (reverse("supervision:cards"), "黄牌/红牌"),
        (reverse("supervision:card", args=[card.pk]), "黄牌/红牌"),
        (reverse("supervision:letters"), "督办函"),
        (reverse("supervision:letter", args=[letter.pk]), "督办函"),
        (reverse("supervision:letter_new"), "督办函"),
        (reverse("supervision:reports"), "情况通报"),
        (reverse("supervision:console"), "全部办件"),
    ]:
        html = _page(sup, url)
        assert _current(html) == [("电子监察", "true")], url
        tabs = re.search(r'<nav class="supervision-tabs".*?</nav>', html, re.S)
        assert tabs, f"no sub-tabs on {url}"
        marked = re.findall(r'aria-current="(\w+)">([^<]+)</a>', tabs.group(0))
        assert [label for _mark, label in marked] == [tab], url
        assert _page_marks(html) <= 1, url


def test_the_departments_card_and_letter_pages_mark_their_own_column(personas, supervision):
    card, letter = supervision
    handler = _client(personas.handler_a)
    assert _current(_page(handler, reverse("supervision:card", args=[card.pk]))) == [
        ("部门审查", "true")
    ]
    assert _current(_page(handler, reverse("supervision:letters"))) == [("督办函", "page")]
    assert _current(_page(handler, reverse("supervision:letter", args=[letter.pk]))) == [
        ("督办函", "true")
    ]


def test_decision_pages_mark_one_column_and_at_most_one_page(personas):
    world = make_decision_world(personas)
    case = case_in_review(world)
    all_agree(world, case)
    approver = _client(personas.approver_a)
    for url in [
        reverse("review:decisions"),
        reverse("review:decision_case", args=[case.pk]),
    ]:
        html = _page(approver, url)
        assert _current(html) == [("审批决定", "true")], url
        assert _page_marks(html) <= 1, url
    # Extensions are approved by the agency head (item 7), in the head's own workbench column;
    # the approver gets the logged 404 there.
    assert approver.get(reverse("review:extensions")).status_code == 404
    html = _page(_client(personas.head_a), reverse("review:extensions"))
    assert _current(html) == [("延期审批", "page")]
    assert _page_marks(html) == 1
    html = _page(approver, reverse("review:inbox"))
    assert _current(html) == [("部门审查", "page")]
    assert _page_marks(html) == 1


def test_staff_pages_use_the_workbench_and_public_pages_the_portal(personas):
    chief = _client(personas.chief_a)
    name, links = _nav(_page(chief, reverse("review:inbox")))
    assert name == "工作台"
    assert [label for _h, _m, label in links] == [
        "窗口受理",
        "一件事窗口",
        "部门审查",
        "审批决定",
        "证照送达",
        "差评整改",
        "评价器",
        "窗口叫号",
        "等候用时",
        "网上咨询",
        "督办函",
        "情况通报",
        "绩效考核",
        "公示异议",
        "预约服务",  # docs/rules/hall.md §J7: today's appointments, with the centre's tabs
        "重点项目",
        "统计分析",
        "我的作风记录",  # docs/rules/hall.md §J16: every department staff member's own records
        "网上办事大厅",
    ]
    assert 'class="workbench"' in _page(chief, reverse("review:inbox"))
    name, links = _nav(_page(chief, "/guides/"))
    assert name == "网上办事大厅栏目"
    labels = [label for _h, _m, label in links]
    assert labels[-1] == "工作台" and "部门审查" not in labels and "我的办件" not in labels
    assert links[-1][0] == reverse("cases:intake_queue")  # the chief's first column

    applicant = _client(personas.applicant)
    name, links = _nav(_page(applicant, reverse("portal:my_cases")))
    assert name == "网上办事大厅栏目"
    assert _current(_page(applicant, reverse("portal:my_cases"))) == [("我的办件", "page")]
    assert "工作台" not in [label for _h, _m, label in links]


def test_a_guide_page_marks_its_column_as_the_current_section(client, catalog):
    assert _current(_page(client, "/guides/")) == [("办事指南", "page")]
    assert _current(_page(client, "/guides/SP-JY-001/")) == [("办事指南", "true")]
    assert _current(_page(client, "/")) == [("首页", "page")]


def test_an_applicants_case_pages_stay_under_my_cases(personas):
    case = case_in_review(make_decision_world(personas))
    applicant = _client(personas.applicant)
    for url in [reverse("cases:application", args=[case.pk]), reverse("cases:my_mandates")]:
        assert _current(_page(applicant, url)) == [("我的办件", "true")], url


def test_the_consultation_columns(personas):
    """网上咨询 in the portal (the asker's pages under it), the department's answering column and
    the supervisor's 投诉处理 in the workbench (docs/rules/consultation.md §K1, §K3)."""
    question = consult.question_ask(
        asker=personas.applicant, title="问题", text="内容", department_id=personas.dept_a.pk
    )
    complaint = consult.complaint_file(
        complainant=personas.applicant, title="投诉", text="内容", window_id=personas.window.pk
    )
    applicant = _client(personas.applicant)
    assert _current(_page(applicant, reverse("consult:home"))) == [("网上咨询", "page")]
    for url in (
        reverse("consult:question", args=[question.pk]),
        reverse("consult:mine"),
        reverse("consult:complaint", args=[complaint.pk]),
    ):
        assert _current(_page(applicant, url)) == [("网上咨询", "true")], url
    handler = _client(personas.handler_a)
    name, links = _nav(_page(handler, reverse("consult:inbox")))
    assert name == "工作台" and ("网上咨询", "page") in [(lb, m) for _h, m, lb in links]
    page = _page(handler, reverse("consult:question", args=[question.pk]))
    assert _current(page) == [("网上咨询", "true")]
    sup = _client(personas.supervisor)
    assert _current(_page(sup, reverse("consult:complaints"))) == [("投诉处理", "page")]
    for url in (
        reverse("consult:complaint", args=[complaint.pk]),
        reverse("consult:staff_record", args=[personas.clerk.pk]),
    ):
        assert _current(_page(sup, url)) == [("投诉处理", "true")], url
    # Applicants have no workbench column; the clerk's peers see no complaints column.
    assert "投诉处理" not in [
        lb for _h, _m, lb in _nav(_page(handler, reverse("consult:inbox")))[1]
    ]
