"""The rating pad (device token, arming, one tap, reset), the department's bad-review pages and
API, the supervisor's appeals, who may see what (docs/rules/satisfaction.md §E4–§E6)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from onewindow.ratings import services
from onewindow.ratings.models import (
    AppealStatus,
    BadReview,
    BadReviewStatus,
    Rating,
    RatingPad,
    Service,
)
from onewindow.ratings.selectors import Satisfaction, satisfaction

pytestmark = pytest.mark.django_db


def pad_url(client, world) -> str:
    """The clerk issues the pad's address on the workbench page; it is shown once."""
    client.force_login(world.p.clerk)
    page = client.post(reverse("ratings:pad_token", args=[world.p.window.pk]))
    assert page.status_code == 200
    found = re.search(r"http://testserver(/ratings/pad/\d+/[^<\s]+/)", page.content.decode())
    assert found
    return found.group(1)


def test_the_pad_waits_takes_one_tap_thanks_and_waits_again(client, world, frozen):
    url = pad_url(client, world)
    with frozen("2025-11-04"):
        idle = client.get(url).content.decode()
        assert "请评价" in idle and "pad-button" not in idle
        arm = client.post(
            reverse("ratings:pad_arm", args=[world.p.window.pk]),
            {"description": "咨询营业执照办理", "rater_name": "赵先生"},
        )
        assert arm.status_code == 302
        armed = client.get(url).content.decode()
        assert "咨询营业执照办理" in armed and armed.count("pad-button pad-level-") == 5
        client.logout()  # the pad needs no sign-in
        tap = client.post(url, {"level": "5"})
        assert tap.status_code == 302 and tap["Location"] == f"{url}?done=1"
        assert "感谢您的评价" in client.get(tap["Location"]).content.decode()
        assert "pad-button" not in client.get(url).content.decode()  # reset: waiting again
        second = client.post(url, {"level": "1"})
    assert second.status_code == 400 and "没有待评价的服务" in second.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.window_id) == ("pad", 5, world.p.window.pk)
    assert rating.service.staff == world.p.clerk and rating.service.rater_name == "赵先生"
    assert satisfaction(window=world.p.window) == Satisfaction(1, 1)


def test_a_wrong_device_token_is_a_404(client, world):
    pad_url(client, world)
    client.logout()
    url = reverse("ratings:pad", args=[world.p.window.pk, "guessed-token"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"level": "5"}).status_code == 404
    api = reverse("api:ratings-pad", args=[world.p.window.pk, "guessed-token"])
    assert client.get(api).status_code == 404


def test_the_pad_api_for_a_case_of_the_department(client, world, frozen):
    case = world.case()
    client.force_login(world.p.clerk)
    token_answer = client.post(reverse("api:ratings-pad-token", args=[world.p.window.pk]))
    assert token_answer.status_code == 201
    path = token_answer.json()["pad_path"]
    window_id, token = path.strip("/").split("/")[-2:]
    pad_api = reverse("api:ratings-pad", args=[int(window_id), token])
    with frozen("2025-11-04"):
        arm = client.post(
            reverse("api:ratings-arm", args=[world.p.window.pk]),
            {"case_number": case.number},
            content_type="application/json",
        )
        assert arm.status_code == 201
        client.logout()
        state = client.get(pad_api).json()
        assert state["armed"] is True and case.number in state["service"]
        tap = client.post(
            pad_api, {"level": 2, "comment": "材料退回两次"}, content_type="application/json"
        )
        assert client.get(pad_api).json()["armed"] is False
    assert tap.status_code == 201 and tap.json()["channel"] == "pad"
    assert Rating.objects.get().comment == "材料退回两次"
    service = Service.objects.get(pk=Rating.objects.get().service_id)
    assert service.kind == "window" and service.case == case and service.rater == case.applicant
    review = BadReview.objects.get()  # the pad's bad review goes to the clerk who served
    assert review.assignee == world.p.clerk and review.department == world.p.dept_a


def test_only_the_windows_clerk_arms_its_pad(client, world):
    client.force_login(world.p.handler_a)  # no RATING_PAD
    assert client.get(reverse("ratings:pads")).status_code == 404
    assert client.post(reverse("ratings:pad_arm", args=[world.p.window.pk])).status_code == 404
    api = client.post(
        reverse("api:ratings-arm", args=[world.p.window.pk]),
        {"description": "咨询"},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert RatingPad.objects.filter(armed__isnull=False).count() == 0


def test_arming_without_a_description_is_refused(client, world):
    client.force_login(world.p.clerk)
    page = client.post(reverse("ratings:pad_arm", args=[world.p.window.pk]), {}, follow=True)
    assert "请填写办件编号或服务内容。" in page.content.decode()
    api = client.post(
        reverse("api:ratings-arm", args=[world.p.window.pk]), {}, content_type="application/json"
    )
    assert api.status_code == 400 and "请填写办件编号或服务内容" in api.json()["message"]
    assert not Service.objects.filter(kind="window").exists()


def bad_review(world, frozen) -> BadReview:
    case = world.case()
    with frozen("2025-11-04"):
        services.rate_case(case, world.p.applicant, level=1, comment="等了很久")
    return BadReview.objects.get()


def test_the_department_handles_a_bad_review_on_its_pages(client, world, frozen):
    review = bad_review(world, frozen)
    client.force_login(world.p.handler_a)
    step = lambda name: reverse("ratings:bad_review_step", args=[review.pk, name])  # noqa: E731
    with frozen("2025-11-05"):
        listing = client.get(reverse("ratings:bad_reviews")).content.decode()
        assert "等了很久" not in listing and "待回访核实" in listing
        empty = client.post(step("callback"), {"note": "  "})
        assert empty.status_code == 400 and "请填写回访核实情况。" in empty.content.decode()
        assert client.post(step("callback"), {"note": "已回访"}).status_code == 302
        assert client.post(step("rectify"), {"description": "已整改"}).status_code == 302
        assert client.post(step("report"), {"text": "已整改完毕"}).status_code == 302
        late = client.post(step("callback"), {"note": "再回访"})
        assert late.status_code == 400 and "不能执行此操作" in late.content.decode()
    review.refresh_from_db()
    assert review.status == BadReviewStatus.REPORTED
    # The rater answers from their account.
    client.force_login(world.p.applicant)
    with frozen("2025-11-06"):
        mine = client.get(reverse("ratings:mine")).content.decode()
        assert "已反馈评价人" in mine
        refused = client.post(reverse("ratings:respond", args=[review.pk]), {"text": "x"})
        assert refused.status_code == 400 and "请选择您对整改是否满意。" in refused.content.decode()
        done = client.post(
            reverse("ratings:respond", args=[review.pk]), {"satisfied": "no", "text": "还是慢"}
        )
    assert done.status_code == 200
    review.refresh_from_db()
    assert (review.status, review.response_satisfied) == (BadReviewStatus.CLOSED, False)


def test_the_department_handles_a_bad_review_through_the_api(client, world, frozen):
    review = bad_review(world, frozen)
    client.force_login(world.p.reviewer_a)
    step = lambda name: reverse("api:ratings-bad-review-step", args=[review.pk, name])  # noqa: E731
    with frozen("2025-11-05"):
        rows = client.get(reverse("api:ratings-bad-reviews")).json()
        assert [r["id"] for r in rows] == [review.pk] and rows[0]["due_on"] == "2025-11-25"
        assert (
            client.post(step("callback"), {"note": "已回访"}, "application/json").status_code == 200
        )
        bad_date = client.post(
            step("deadline"), {"due_on": "明天", "plan": "x"}, "application/json"
        )
        assert bad_date.status_code == 400 and "年-月-日" in bad_date.json()["message"]
        ok = client.post(
            step("deadline"), {"due_on": "2025-11-20", "plan": "培训"}, "application/json"
        )
        assert ok.status_code == 200 and ok.json()["status"] == "rectifying"
        assert ok.json()["due_on"] == "2025-11-20"
    client.force_login(world.p.applicant)
    with frozen("2025-11-06"):
        early = client.post(
            reverse("api:ratings-respond", args=[review.pk]),
            {"satisfied": True},
            "application/json",
        )
    assert early.status_code == 400 and "不能执行此操作" in early.json()["message"]


def test_another_departments_bad_review_is_a_404(client, world, frozen):
    review = bad_review(world, frozen)
    client.force_login(world.p.reviewer_b)
    assert client.get(reverse("ratings:bad_review", args=[review.pk])).status_code == 404
    step = reverse("ratings:bad_review_step", args=[review.pk, "callback"])
    assert client.post(step, {"note": "x"}).status_code == 404
    assert client.get(reverse("api:ratings-bad-review", args=[review.pk])).status_code == 404
    assert client.get(reverse("api:ratings-bad-reviews")).json() == []
    client.force_login(world.p.outsider)  # another applicant: not the rater
    assert client.get(reverse("ratings:respond", args=[review.pk])).status_code == 404
    review.refresh_from_db()
    assert review.status == BadReviewStatus.OPEN


def test_the_appeal_on_the_pages_then_the_api(client, world, frozen):
    review = bad_review(world, frozen)
    client.force_login(world.p.handler_a)
    appeal_step = reverse("ratings:bad_review_step", args=[review.pk, "appeal"])
    with frozen("2025-11-05"):
        refused = client.post(appeal_step, {"reason": "", "statement": ""})
        assert refused.status_code == 400
        assert "请选择申诉理由" in refused.content.decode()
        assert "请写明申诉的事实和理由" in refused.content.decode()
        filed = client.post(appeal_step, {"reason": "malicious", "statement": "同行恶意评价。"})
        assert filed.status_code == 302
    appeal = review.appeal
    assert (
        client.get(reverse("ratings:appeal", args=[appeal.pk])).status_code == 404
    )  # not a supervisor
    assert client.get(reverse("api:ratings-appeals")).status_code == 403
    client.force_login(world.p.supervisor)
    assert review.case is not None
    assert str(review.case.number) in client.get(reverse("ratings:appeals")).content.decode()
    assert (
        "同行恶意评价" in client.get(reverse("ratings:appeal", args=[appeal.pk])).content.decode()
    )
    with frozen("2025-11-06"):
        no_note = client.post(
            reverse("api:ratings-appeal-decide", args=[appeal.pk]),
            {"accept": True, "note": ""},
            "application/json",
        )
        assert no_note.status_code == 400 and no_note.json()["message"] == "请填写审核意见。"
        assert satisfaction() == Satisfaction(1, 0)
        decided = client.post(
            reverse("ratings:appeal", args=[appeal.pk]), {"decision": "accept", "note": "属实"}
        )
        assert decided.status_code == 302
        twice = client.post(
            reverse("api:ratings-appeal-decide", args=[appeal.pk]),
            {"accept": False, "note": "改判"},
            "application/json",
        )
    assert twice.status_code == 400 and "不能再审核" in twice.json()["message"]
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED
    assert satisfaction() == Satisfaction(0, 0) and satisfaction().rate is None


def test_the_report_link_answers_on_the_page_and_then_is_used_up(client, world, frozen):
    from onewindow.core.jobs import JOBS
    from onewindow.notifications.models import OutboxMessage
    from onewindow.ratings import jobs

    assert JOBS["ratings.defaults"].func is jobs.record_default_ratings
    review = bad_review(world, frozen)
    with frozen("2025-11-05"):
        services.bad_review_call_back(review, world.p.handler_a, note="已回访")
        services.bad_review_rectify(review, world.p.handler_a, description="已整改")
        services.bad_review_report(review, world.p.handler_a, text="已整改完毕")
    body = OutboxMessage.objects.get(subject="差评整改情况反馈").body
    url = "/rate/" + body.split("/rate/")[1].split("/")[0] + "/"
    with frozen("2025-11-06"):
        form = client.get(url).content.decode()
        assert "您对整改是否满意？" in form and "已整改完毕" in form
        assert client.post(url, {"satisfied": "yes", "text": "谢谢"}).status_code == 200
        used = client.post(url, {"satisfied": "no"})
    assert used.status_code == 400 and "已经使用过" in used.content.decode()
    review.refresh_from_db()
    assert (review.status, review.response_satisfied, review.response) == ("closed", True, "谢谢")


def test_the_pad_takes_an_optional_comment_and_refuses_a_long_one_keeping_the_service_armed(
    client, world, frozen
):
    url = pad_url(client, world)
    with frozen("2025-11-04"):
        client.post(
            reverse("ratings:pad_arm", args=[world.p.window.pk]),
            {"description": "咨询营业执照办理", "rater_name": "赵先生"},
        )
        armed = client.get(url).content.decode()
        assert 'name="comment"' in armed and "选填" in armed
        client.logout()
        too_long = client.post(url, {"level": "2", "comment": "慢" * 10_000})
        assert too_long.status_code == 400 and "500" in too_long.content.decode()
        assert not Rating.objects.exists()
        assert "pad-button" in client.get(url).content.decode()  # still armed: tap again
        tap = client.post(url, {"level": "2", "comment": "<script>x</script>等候时间太长"})
    assert tap.status_code == 302
    rating = Rating.objects.get()
    assert rating.comment == "<script>x</script>等候时间太长" and rating.level == 2
