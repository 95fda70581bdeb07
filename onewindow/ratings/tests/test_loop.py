"""The satisfaction rate worked out by hand, the whole bad-review loop with a frozen clock (card by
the supervision sweep included), the appeal, and the default job
(docs/rules/satisfaction.md §E3, §E5–§E7, §E9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError
from django.urls import reverse

from onewindow.notifications.models import OutboxMessage
from onewindow.ratings import selectors, services
from onewindow.ratings.errors import RatingRefused
from onewindow.ratings.models import (
    Appeal,
    AppealStatus,
    BadReview,
    BadReviewStatus,
    Rating,
    RatingChannel,
    RatingConfig,
    RatingLink,
    RatingTally,
    Service,
)
from onewindow.ratings.selectors import Satisfaction, satisfaction
from onewindow.ratings.tests.conftest import D, World
from onewindow.supervision.models import Card, CardLevel, Rule
from onewindow.supervision.rules import crossed
from onewindow.supervision.services.sweep import supervision_sweep

pytestmark = pytest.mark.django_db


def rate(world: World, frozen, level: int, comment: str = "", day: str = "2025-11-04") -> Rating:
    case = world.case()
    with frozen(day):
        return services.rate_case(case, world.p.applicant, level=level, comment=comment)


def tally() -> dict[int, int]:
    return {
        level: count
        for level, count in RatingTally.objects.order_by("level").values_list("level", "count")
        if count
    }


def test_the_worked_example_seven_of_ten_then_seven_of_nine(world, frozen):
    """3 非常满意, 4 满意, 2 基本满意, 1 不满意 → 7 ÷ 10 = 70 %; the 不满意 one excluded by an accepted
    appeal → 7 ÷ 9 = 77.8 %."""
    for level, times in ((5, 3), (4, 4), (3, 2)):
        for _n in range(times):
            rate(world, frozen, level)
    bad = rate(world, frozen, 2, "窗口人员态度生硬")
    dept = world.p.dept_a
    assert satisfaction(department=dept) == Satisfaction(ratings=10, satisfied=7)
    assert satisfaction(department=dept).rate == Decimal("0.7000")
    assert satisfaction(department=dept).percent == "70.0%"
    assert satisfaction(window=world.p.window, since=D("2025-11-01"), until=D("2025-11-30")) == (
        Satisfaction(10, 7)
    )
    assert satisfaction(item=world.version.item).ratings == 10
    assert satisfaction(since=D("2025-12-01")).rate is None  # no rating: no rate, not 0 %
    assert tally() == {5: 3, 4: 4, 3: 2, 2: 1}
    assert RatingTally.objects.get(level=5).month == D("2025-11-01")

    review = BadReview.objects.get(rating=bad)
    with frozen("2025-11-05"):
        appeal = services.appeal_file(
            review, world.p.handler_a, reason="malicious", statement="评价人并未到窗口办事。"
        )
        services.appeal_decide(appeal, world.p.supervisor, accept=True, note="核实属实。")
    bad.refresh_from_db()
    review.refresh_from_db()
    assert bad.excluded and review.status == BadReviewStatus.EXCLUDED
    assert Appeal.objects.get().status == AppealStatus.ACCEPTED
    assert tally() == {5: 3, 4: 4, 3: 2}
    figures = satisfaction(department=dept)
    assert figures == Satisfaction(ratings=9, satisfied=7)
    assert figures.rate == Decimal("0.7778") and figures.percent == "77.8%"
    assert [row.figures for row in selectors.by_department()] == [Satisfaction(9, 7)]


def test_a_rejected_appeal_changes_nothing(world, frozen):
    bad = rate(world, frozen, 1, "材料被弄丢了")
    review = BadReview.objects.get(rating=bad)
    with frozen("2025-11-05"):
        appeal = services.appeal_file(
            review, world.p.handler_a, reason="mistaken", statement="可能是误评。"
        )
        services.appeal_decide(appeal, world.p.supervisor, accept=False, note="评价属实。")
        with pytest.raises(RatingRefused, match="只能申诉一次"):
            services.appeal_file(review, world.p.handler_a, reason="mistaken", statement="再试")
    assert satisfaction() == Satisfaction(1, 0)
    review.refresh_from_db()
    assert review.status == BadReviewStatus.OPEN


def rectification_cards() -> list[tuple[str, int]]:
    return sorted(
        Card.objects.filter(object_kind="rectification").values_list("level", "object_id")
    )


def test_the_bad_review_loop_with_a_frozen_clock(world, frozen):
    applicant = world.p.applicant
    bad = rate(world, frozen, 2, "等了两个小时", day="2025-11-03")
    quiet = rate(world, frozen, 1, "排队太久", day="2025-11-03")
    review = BadReview.objects.get(rating=bad)
    other = BadReview.objects.get(rating=quiet)
    # 15 working days after Monday 2025-11-03.
    assert review.due_on == D("2025-11-24") and review.department == world.p.dept_a
    assert review.status == BadReviewStatus.OPEN

    with frozen("2025-11-04"):
        services.bad_review_call_back(review, world.p.handler_a, note="已电话回访，情况属实。")
        services.bad_review_set_deadline(
            review, world.p.handler_a, due_on=D("2025-11-24"), plan="增设取号引导。"
        )
        # The other one is put right at once: no card for it, ever.
        services.bad_review_call_back(other, world.p.reviewer_a, note="已回访。")
        services.bad_review_rectify(other, world.p.reviewer_a, description="已增加窗口。")
    assert review.status == BadReviewStatus.RECTIFYING

    rule = Rule.objects.get(code="rectification_overdue")
    with frozen("2025-11-20"):
        supervision_sweep(today=D("2025-11-20"))
    assert rectification_cards() == []
    with frozen("2025-11-21"):  # the working day before the due date: yellow
        supervision_sweep(today=D("2025-11-21"))
    assert rectification_cards() == [(CardLevel.YELLOW, review.pk)]
    with frozen("2025-11-25"):  # the working day after: red
        supervision_sweep(today=D("2025-11-25"))
        supervision_sweep(today=D("2025-11-25"))  # idempotent
    assert rectification_cards() == [(CardLevel.RED, review.pk), (CardLevel.YELLOW, review.pk)]
    card = Card.objects.get(object_kind="rectification", level=CardLevel.RED)
    assert card.case_id == bad.service.case_id and card.department_id == world.p.dept_a.pk
    assert "2025-11-24" in card.detail
    assert [h.object_id for h in crossed(rule, CardLevel.RED, D("2025-11-25"))] == [review.pk]

    with frozen("2025-11-26"):
        services.bad_review_rectify(review, world.p.handler_a, description="已增设引导员。")
        services.bad_review_report(review, world.p.handler_a, text="已增设引导员，欢迎再来。")
    assert crossed(rule, CardLevel.RED, D("2025-11-26")) == []  # rectified: quiet from now on
    report = OutboxMessage.objects.filter(subject="差评整改情况反馈", user=applicant)
    # The persona has a mobile number and no email address: one SMS.
    assert list(report.values_list("channel", "recipient")) == [("sms", applicant.phone)]
    body = report.get().body
    assert "已增设引导员" in body and "/rate/" in body
    token = body.split("/rate/")[1].split("/")[0]

    with frozen("2025-11-27"):
        services.bad_review_respond(review, satisfied=True, text="好多了", token=token)
        with pytest.raises(RatingRefused, match="已经使用过"):
            services.bad_review_respond(review, satisfied=True, token=token)
    review.refresh_from_db()
    assert review.status == BadReviewStatus.CLOSED
    assert (review.response_satisfied, review.response) == (True, "好多了")
    assert [e.action for e in review.events.all()] == [
        "opened",
        "called_back",
        "deadline_set",
        "rectified",
        "reported",
        "responded",
    ]
    # The bad review still counts (it was not appealed): 0 of 2 satisfied.
    assert satisfaction() == Satisfaction(2, 0)


def test_a_deadline_outside_the_limit_is_refused(world, frozen):
    review = BadReview.objects.get(rating=rate(world, frozen, 2, "慢", day="2025-11-03"))
    with frozen("2025-11-04"):
        services.bad_review_call_back(review, world.p.handler_a, note="已回访。")
        for day in ("2025-11-03", "2025-11-25"):
            with pytest.raises(Exception, match="整改期限应在今天至 2025-11-24 之间"):
                services.bad_review_set_deadline(
                    review, world.p.handler_a, due_on=D(day), plan="整改"
                )
    review.refresh_from_db()
    assert review.status == BadReviewStatus.CALLED_BACK and review.due_on == D("2025-11-24")


def test_only_the_departments_staff_handle_its_bad_reviews(world, frozen):
    review = BadReview.objects.get(rating=rate(world, frozen, 1, "差"))
    with pytest.raises(Exception, match="责任部门"):
        services.bad_review_call_back(review, world.p.reviewer_b, note="不是我部门")
    with pytest.raises(Exception, match="电子监察人员"):
        appeal = services.appeal_file(review, world.p.handler_a, reason="mistaken", statement="误")
        services.appeal_decide(appeal, world.p.approver_a, accept=True, note="自己批")
    review.refresh_from_db()
    assert review.status == BadReviewStatus.OPEN


def test_one_rating_per_service_per_channel_in_the_database_and_the_service(world, frozen):
    rating = rate(world, frozen, 5)
    with pytest.raises(IntegrityError):
        Rating.objects.create(
            service=rating.service,
            channel=RatingChannel.WEB,
            level=3,
            rated_at=rating.rated_at,
            month=rating.month,
            department=rating.department,
        )


def test_a_second_rating_on_a_channel_is_refused_with_a_message(world, frozen):
    rating = rate(world, frozen, 5)
    case = rating.service.case
    assert case is not None
    with frozen("2025-11-05"), pytest.raises(RatingRefused, match="每个渠道只能评价一次"):
        services.rate_case(case, world.p.applicant, level=1, comment="改主意了")
    assert Rating.objects.count() == 1 and tally() == {5: 1}


def test_the_tally_key_is_unique_with_empty_item_and_window(world):
    """Four partial unique indexes: NULL item / window still make one row per key."""
    dept, month = world.p.dept_a, D("2025-11-01")
    RatingTally.objects.create(month=month, department=dept, level=3, count=1)
    RatingTally.objects.create(month=month, department=dept, window=world.p.window, level=3)
    RatingTally.objects.create(month=month, department=dept, item=world.version.item, level=3)
    for extra in ({}, {"window": world.p.window}, {"item": world.version.item}):
        with pytest.raises(IntegrityError):
            from django.db import transaction

            with transaction.atomic():
                RatingTally.objects.create(month=month, department=dept, level=3, **extra)


def test_no_rating_within_seven_days_records_the_default_once(world, frozen):
    case = world.case(finish="2025-11-03")
    rated = world.case(finish="2025-11-03")
    with frozen("2025-11-05"):
        services.rate_case(rated, world.p.applicant, level=5)
    with frozen("2025-11-10", 9):  # 7 days not yet over (finished 2025-11-03 10:00)
        assert services.defaults_record() == 0
    with frozen("2025-11-10", 11):
        assert services.defaults_record() == 1
        assert services.defaults_record() == 0  # idempotent
        with pytest.raises(RatingRefused, match="评价期限已过"):
            services.rate_case(case, world.p.applicant, level=4)
    default = Rating.objects.get(channel=RatingChannel.DEFAULT)
    assert default.service.case == case and default.level == 3 and default.defaulted
    assert tally() == {5: 1, 3: 1}
    assert satisfaction() == Satisfaction(2, 1)  # 基本满意 by default is not "satisfied"


def test_a_default_of_none_records_nothing(world, frozen):
    RatingConfig.objects.create(pk=1, default_level=None)
    world.case(finish="2025-11-03")
    with frozen("2025-11-20"):
        assert services.defaults_record() == 0
    assert not Rating.objects.exists() and Service.objects.count() == 1


def test_the_completion_queues_the_one_time_link(world):
    case = world.case(finish="2025-11-03")
    service = Service.objects.get(case=case)
    assert service.rate_by.date() == D("2025-11-10")
    messages = OutboxMessage.objects.filter(subject="请对办件服务作出评价", case=case)
    assert list(messages.values_list("channel", flat=True)) == ["sms"]  # the persona's phone
    body = messages.get().body
    assert case.number in body and "/rate/" in body
    token = body.split("/rate/")[1].split("/")[0]
    assert services.link_find(token) == RatingLink.objects.get(service=service)


def test_a_window_service_bad_review_without_a_case_is_carded_and_shown(client, world, frozen):
    """A bad review from the pad for a plain window service: the card has no case; the
    supervisor's card list and page show it."""
    with frozen("2025-11-03"):
        service = services.pad_arm(world.p.window, world.p.clerk, description="咨询")
        pad = services.pad_of(world.p.window)
        services.pad_rate(pad, level=1)
    review = BadReview.objects.get()
    assert review.case is None and review.assignee == world.p.clerk
    with frozen("2025-11-25"):
        supervision_sweep(today=D("2025-11-25"))
    card = Card.objects.get(object_kind="rectification", level=CardLevel.RED)
    assert card.case_id is None and card.object_id == review.pk
    assert service.ratings.get().window == world.p.window
    client.force_login(world.p.supervisor)
    listing = client.get(reverse("supervision:cards")).content.decode()
    assert "差评整改" in listing
    page = client.get(reverse("supervision:card", args=[card.pk]))
    assert page.status_code == 200 and "差评整改期限 2025-11-24" in page.content.decode()
