"""Questions (docs/rules/consultation.md §K1, §K2, §K4, §K5): asking, the reply deadline across
holidays, replying and its notification, publishing as FAQ, bad input on pages and the API."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.calendars import services as calendars
from onewindow.calendars.selectors import get_calendar
from onewindow.catalog.models import Department, Item
from onewindow.consult import services
from onewindow.consult.errors import ConsultInvalid
from onewindow.consult.models import Question, QuestionStatus
from onewindow.consult.tests.world import D, World, api_for, ask, at, client_for
from onewindow.core.models import AccessDenied
from onewindow.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


# --- the reply deadline -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("asked", "due"),
    [
        # Oct 1–8 2025 National Day holiday, Sat Oct 11 a working day: Oct 9, 10, 11, 13, 14.
        ("2025-09-30", "2025-10-14"),
        # Sun Sep 28 2025 is a working day: Sep 28, 29, 30, Oct 9, 10.
        ("2025-09-26", "2025-10-10"),
        # An ordinary week: asked Monday, due the next Monday.
        ("2025-11-03", "2025-11-10"),
    ],
)
def test_the_reply_is_due_five_working_days_later_across_the_national_day_holiday(
    world: World, asked: str, due: str
) -> None:
    question = ask(world, day=asked)
    assert question.reply_days == 5
    assert question.reply_due == get_calendar().add_working_days(D(asked), 5).date
    assert question.reply_due == D(due)  # counted by hand


def test_the_number_of_working_days_is_configurable(world: World, settings) -> None:
    settings.CONSULT_REPLY_DAYS = 10
    question = ask(world, day="2025-09-30")
    # Oct 9, 10, 11, 13, 14, 15, 16, 17, 20, 21.
    assert (question.reply_days, question.reply_due) == (10, D("2025-10-21"))


def test_an_item_implies_its_department(world: World) -> None:
    question = ask(world)
    assert (question.department, question.item) == (world.p.dept_a, world.item)
    assert question.status == QuestionStatus.OPEN


# --- asking on the page and through the API -----------------------------------------------------
def test_asking_on_the_page(world: World) -> None:
    client = client_for(world.p.applicant)
    page = client.get(reverse("consult:ask") + f"?item={world.item.code}")
    assert page.status_code == 200 and "食品经营许可（咨询测试）" in page.content.decode()
    with time_machine.travel(at("2025-09-30"), tick=False):
        response = client.post(
            reverse("consult:ask"),
            {"item": world.item.code, "title": "营业执照", "text": "需要先办营业执照吗？"},
        )
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("consult:question", args=[question.pk])
    assert (question.department, question.reply_due) == (world.p.dept_a, D("2025-10-14"))
    assert question.consent_publish is False


def test_asking_through_the_api(world: World) -> None:
    with time_machine.travel(at("2025-09-30"), tick=False):
        response = api_for(world.p.applicant).post(
            "/api/v1/questions/",
            {"department": world.p.dept_b.pk, "title": "施工许可", "text": "需要多久？"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["department_id"], body["reply_due"], body["status"]) == (
        world.p.dept_b.pk,
        "2025-10-14",
        "open",
    )


def _bad_inputs(w: World) -> list[tuple[dict, str, str]]:
    """(values, the field named, a piece of the Chinese message)."""
    inactive = Department.objects.create(code="OLD", name="已撤并的部门", is_active=False)
    Item.objects.create(code="DRAFT-ONLY", department=w.p.dept_a)  # never published
    ok = {"title": "标题", "text": "内容", "department": w.p.dept_a.pk}
    return [
        ({**ok, "title": ""}, "title", "请填写咨询标题"),
        ({**ok, "title": "   \n\t "}, "title", "请填写咨询标题"),
        ({**ok, "text": "　  "}, "text", "请填写咨询内容"),  # ideographic and ordinary spaces
        ({**ok, "text": "字" * 10_000}, "text", "咨询内容不能超过 2000 个字"),
        ({**ok, "title": "题" * 101}, "title", "咨询标题不能超过 100 个字"),
        ({**ok, "department": inactive.pk}, "department", "没有找到该部门"),
        ({**ok, "department": 999_999}, "department", "没有找到该部门"),
        ({**ok, "department": None}, "department", "请选择咨询的部门或事项"),
        ({**ok, "item": "NO-SUCH-ITEM"}, "item", "没有找到该事项"),
        ({**ok, "item": "DRAFT-ONLY"}, "item", "没有找到该事项"),
        ({**ok, "item": w.item.code, "department": w.p.dept_b.pk}, "department", "不是该事项"),
    ]


def test_bad_questions_are_refused_on_the_page_with_nothing_stored(world: World) -> None:
    client = client_for(world.p.applicant)
    for values, _field, message in _bad_inputs(world):
        data = {k: ("" if v is None else v) for k, v in values.items()}
        response = client.post(reverse("consult:ask"), data)
        assert response.status_code == 400, values
        assert message in response.content.decode(), (values, message)
    assert not Question.objects.exists()


def test_bad_questions_are_refused_by_the_api_with_nothing_stored(world: World) -> None:
    api = api_for(world.p.applicant)
    for values, field, message in _bad_inputs(world):
        response = api.post("/api/v1/questions/", values, format="json")
        assert response.status_code == 400, values
        body = response.json()
        assert body["code"] == "invalid"
        assert any(message in m for m in body["errors"][field]), (values, body)
    assert not Question.objects.exists()


def test_staff_and_anonymous_visitors_cannot_ask(world: World, client) -> None:
    response = client.get(reverse("consult:ask"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(world.p.handler_a).get(reverse("consult:ask")).status_code == 404
    api = api_for(world.p.handler_a)
    response = api.post("/api/v1/questions/", {"title": "a", "text": "b"}, format="json")
    assert response.status_code == 404
    assert not Question.objects.exists()


# --- HTML in a question -------------------------------------------------------------------------
def test_html_in_a_question_is_stored_as_text_and_shown_escaped_everywhere(world: World) -> None:
    question = ask(world, title=f"标题{SCRIPT}", text=f"内容<b>粗</b>{SCRIPT}")
    assert question.title == f"标题{SCRIPT}"  # stored as written
    services.question_reply(
        question=question, actor=world.p.handler_a, reply=f"答复{SCRIPT}", now=at("2025-10-09")
    )
    services.question_publish(
        question=question,
        actor=world.p.reviewer_a,
        public_title=f"公开{SCRIPT}",
        public_text=f"问{SCRIPT}",
        public_reply=f"答{SCRIPT}",
    )
    pages = [
        (world.p.applicant, reverse("consult:question", args=[question.pk])),
        (world.p.applicant, reverse("consult:mine")),
        (world.p.handler_a, reverse("consult:inbox")),
        (world.p.handler_a, reverse("consult:question", args=[question.pk])),
        (world.p.reviewer_a, reverse("consult:publish", args=[question.pk])),
        (None, reverse("consult:home")),
        (None, reverse("consult:faq", args=[question.pk])),
        (None, reverse("portal:guide_detail", args=[world.item.code])),
    ]
    for user, url in pages:
        client = client_for(user) if user else Client()
        html = client.get(url).content.decode()
        assert SCRIPT not in html, url
        assert ESCAPED in html, url
    api = api_for(world.p.applicant).get(f"/api/v1/questions/{question.pk}/").json()
    assert api["title"] == f"标题{SCRIPT}"  # JSON carries the text as a plain string


# --- replying -----------------------------------------------------------------------------------
def test_the_department_replies_and_the_asker_is_notified(world: World) -> None:
    question = ask(world)
    client = client_for(world.p.handler_a)
    inbox = client.get(reverse("consult:inbox")).content.decode()
    assert question.title in inbox
    with time_machine.travel(at("2025-10-09", 15), tick=False):
        response = client.post(
            reverse("consult:reply", args=[question.pk]), {"reply": "需要营业执照和健康证明。"}
        )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert (question.replied_by, question.replied_at) == (world.p.handler_a, at("2025-10-09", 15))
    messages = OutboxMessage.objects.filter(user=world.p.applicant)
    assert {m.channel for m in messages} >= {"sms"}
    sms = messages.get(channel="sms")
    assert sms.recipient == world.p.applicant.phone
    assert question.title in sms.subject and "需要营业执照和健康证明。" in sms.body
    # The asker sees the reply in their account, page and API.
    mine = client_for(world.p.applicant).get(reverse("consult:question", args=[question.pk]))
    assert "需要营业执照和健康证明。" in mine.content.decode()
    listed = api_for(world.p.applicant).get("/api/v1/questions/").json()["results"]
    assert [(r["id"], r["status"], r["reply"]) for r in listed] == [
        (question.pk, "answered", "需要营业执照和健康证明。")
    ]


def test_a_question_is_answered_once(world: World) -> None:
    question = ask(world)
    api = api_for(world.p.handler_a)
    url = f"/api/v1/questions/{question.pk}/reply/"
    assert api.post(url, {"reply": "第一次"}, format="json").status_code == 200
    second = api.post(url, {"reply": "第二次"}, format="json")
    assert second.status_code == 400 and "已答复" in second.json()["message"]
    question.refresh_from_db()
    assert question.reply == "第一次"


def test_an_empty_reply_is_refused(world: World) -> None:
    question = ask(world)
    page = client_for(world.p.handler_a).post(
        reverse("consult:reply", args=[question.pk]), {"reply": "  "}
    )
    assert page.status_code == 400 and "请填写答复内容" in page.content.decode()
    api = api_for(world.p.handler_a).post(
        f"/api/v1/questions/{question.pk}/reply/", {"reply": "答" * 4001}, format="json"
    )
    assert api.status_code == 400 and "不能超过 4000 个字" in api.json()["errors"]["reply"][0]
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN and not OutboxMessage.objects.exists()


def test_another_departments_staff_get_a_logged_404(world: World) -> None:
    question = ask(world)
    other = world.p.reviewer_b
    assert client_for(other).get(reverse("consult:question", args=[question.pk])).status_code == 404
    page = client_for(other).post(reverse("consult:reply", args=[question.pk]), {"reply": "越权"})
    assert page.status_code == 404
    api = api_for(other).post(
        f"/api/v1/questions/{question.pk}/reply/", {"reply": "越权"}, format="json"
    )
    assert api.status_code == 404
    assert (
        AccessDenied.objects.filter(user=other, target=f"consult.question:{question.pk}").count()
        == 3
    )
    # Another applicant neither.
    assert api_for(world.p.outsider).get(f"/api/v1/questions/{question.pk}/").status_code == 404
    question.refresh_from_db()
    assert question.status == QuestionStatus.OPEN
    # The other department's list does not have it.
    assert api_for(other).get("/api/v1/questions/").json()["count"] == 0


# --- FAQ ----------------------------------------------------------------------------------------
def _answered(w: World, **kw) -> Question:
    question = ask(w, **kw)
    services.question_reply(
        question=question,
        actor=w.p.handler_a,
        reply="张伟您好：请携带身份证到A01窗口办理，咨询电话0711-3861234。",
        now=at("2025-10-09"),
    )
    return question


def test_publishing_without_consent_is_refused(world: World) -> None:
    question = _answered(world, consent=False)
    client = client_for(world.p.reviewer_a)
    page = client.post(
        reverse("consult:publish", args=[question.pk]),
        {"public_title": "标题", "public_text": "问题", "public_reply": "答复"},
    )
    assert page.status_code == 400 and "咨询人未同意公开" in page.content.decode()
    # The question page offers no publish button, the form page sends back with the message.
    detail = client.get(reverse("consult:question", args=[question.pk])).content.decode()
    assert reverse("consult:publish", args=[question.pk]) not in detail
    form = client.get(reverse("consult:publish", args=[question.pk]), follow=True)
    assert "咨询人未同意公开" in form.content.decode()
    api = api_for(world.p.reviewer_a).post(
        f"/api/v1/questions/{question.pk}/publish/", {}, format="json"
    )
    assert api.status_code == 400 and "咨询人未同意公开" in api.json()["message"]
    with pytest.raises(ConsultInvalid, match="咨询人未同意公开"):
        services.question_publish(question=question, actor=world.p.reviewer_a)
    question.refresh_from_db()
    assert question.published is False and question.public_text == ""


def test_an_open_question_cannot_be_published(world: World) -> None:
    question = ask(world)
    api = api_for(world.p.reviewer_a).post(
        f"/api/v1/questions/{question.pk}/publish/", {}, format="json"
    )
    assert api.status_code == 400 and "答复后才能公开" in api.json()["message"]


def test_only_reviewers_and_heads_of_the_department_publish(world: World) -> None:
    question = _answered(world)
    for user in (world.p.handler_a, world.p.clerk, world.p.reviewer_b, world.p.applicant):
        response = api_for(user).post(
            f"/api/v1/questions/{question.pk}/publish/", {}, format="json"
        )
        assert response.status_code == 404, user
    question.refresh_from_db()
    assert question.published is False


def test_the_publisher_starts_from_a_masked_proposal(world: World) -> None:
    question = _answered(world)
    page = client_for(world.p.reviewer_a).get(reverse("consult:publish", args=[question.pk]))
    html = page.content.decode()
    assert "420700********0011" in html and "139****0001" in html and "张*" in html
    assert "420700198506150011" not in html and "13907110001" not in html and "张伟" not in html
    detail = api_for(world.p.reviewer_a).get(f"/api/v1/questions/{question.pk}/").json()
    assert detail["faq_proposal"]["public_text"] == (
        "我叫张*，身份证420700********0011，电话139****0001，想开一家小餐馆。"
    )
    assert detail["faq_proposal"]["public_reply"] == (
        "张*您好：请携带身份证到A01窗口办理，咨询电话0711-3861234。"
    )
    # The asker does not get a proposal (they do not publish).
    mine = api_for(world.p.applicant).get(f"/api/v1/questions/{question.pk}/").json()
    assert mine["faq_proposal"] is None


def test_the_faq_shows_on_the_guide_page_with_personal_data_masked(world: World, client) -> None:
    question = _answered(world)
    # The publisher edits the text and types a mobile number back in: it is masked on saving.
    response = client_for(world.p.reviewer_a).post(
        reverse("consult:publish", args=[question.pk]),
        {
            "public_title": "开小餐馆需要哪些材料",
            "public_text": "咨询人（电话13907110001）想开一家小餐馆，需要哪些材料？",
            "public_reply": "请携带身份证到A01窗口办理，咨询电话0711-3861234。",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.published and question.published_by == world.p.reviewer_a
    assert question.public_text == "咨询人（电话139****0001）想开一家小餐馆，需要哪些材料？"
    html = client.get(reverse("portal:guide_detail", args=[world.item.code])).content.decode()
    assert "常见问题" in html and "开小餐馆需要哪些材料" in html
    assert "139****0001" in html and "13907110001" not in html
    assert "0711-3861234" in html  # the department's landline stays
    assert "张伟" not in html  # the asker is never named
    faq = client.get("/api/v1/faq/", {"item": world.item.code}).json()
    assert [r["title"] for r in faq["results"]] == ["开小餐馆需要哪些材料"]
    assert client.get(reverse("consult:home")).content.decode().count("开小餐馆需要哪些材料") == 1


def test_publishing_through_the_api_uses_the_masked_proposal(world: World, client) -> None:
    question = _answered(world)
    response = api_for(world.p.approver_a).post(
        f"/api/v1/questions/{question.pk}/publish/", {}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["question"] == (
        "我叫张*，身份证420700********0011，电话139****0001，想开一家小餐馆。"
    )
    detail = client.get(f"/api/v1/faq/{question.pk}/").json()
    assert detail["title"] == "食品经营许可需要哪些材料"
    # Taken down: no longer public.
    down = api_for(world.p.approver_a).post(f"/api/v1/questions/{question.pk}/unpublish/")
    assert down.status_code == 204
    assert client.get(f"/api/v1/faq/{question.pk}/").status_code == 404


def test_an_unpublished_question_is_not_public(world: World, client) -> None:
    question = _answered(world)
    assert client.get(reverse("consult:faq", args=[question.pk])).status_code == 404
    assert client.get(f"/api/v1/faq/{question.pk}/").status_code == 404
    html = client.get(reverse("portal:guide_detail", args=[world.item.code])).content.decode()
    assert "本事项暂无公开的常见问题" in html


def test_an_open_questions_deadline_follows_a_calendar_change(world: World) -> None:
    """2025-10-13 declared a holiday: the 5 working days after 2025-09-30 end on 10-15."""
    open_ = ask(world, day="2025-09-30")
    answered = ask(world, day="2025-09-30")
    services.question_reply(question=answered, actor=world.p.handler_a, reply="已答复。")
    with time_machine.travel(at("2025-10-01"), tick=False):
        calendars.calendar_day_set(day=D("2025-10-13"), kind="holiday", name="测试")
    open_.refresh_from_db()
    answered.refresh_from_db()
    assert open_.reply_due == D("2025-10-15")
    assert answered.reply_due == D("2025-10-14")  # answered: its deadline is history
