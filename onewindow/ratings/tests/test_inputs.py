"""Bad input on the pages and the API: a link used twice or expired, someone else's or an
unfinished case, an empty comment where one is required, a 10,000-character comment, markup in a
comment — a clear Chinese message and nothing stored (docs/rules/satisfaction.md §E4, §E10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.cases.models import CaseStatus
from onewindow.notifications.models import OutboxMessage
from onewindow.ratings import services
from onewindow.ratings.models import BadReview, Rating, RatingChannel, RatingTally

pytestmark = pytest.mark.django_db

LONG = "很" * 10_000
SCRIPT = '<script>alert("x")</script><b>粗体</b>'


def link_token(case) -> str:
    body = OutboxMessage.objects.filter(case=case, subject="请对办件服务作出评价").get().body
    return body.split("/rate/")[1].split("/")[0]


def nothing_stored() -> bool:
    return not Rating.objects.exists() and not RatingTally.objects.filter(count__gt=0).exists()


# --- the one-time link ---------------------------------------------------------------------------
def test_the_link_page_rates_once_then_refuses(client, world, frozen):
    case = world.case()
    token = link_token(case)
    url = reverse("ratings:link", args=[token])
    with frozen("2025-11-04"):
        page = client.get(url)
        assert page.status_code == 200 and "非常满意" in page.content.decode()
        done = client.post(url, {"level": "4", "comment": "很快"})
        assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
        again = client.post(url, {"level": "1", "comment": "再评一次"})
    assert again.status_code == 400
    assert "该评价链接已经使用过，每个链接只能使用一次。" in again.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.level, rating.rater) == ("link", 4, world.p.applicant)


def test_the_link_api_rates_once_then_refuses(client, world, frozen):
    token = link_token(world.case())
    url = reverse("api:ratings-link", args=[token])
    with frozen("2025-11-04"):
        first = client.post(url, {"level": 5}, content_type="application/json")
        second = client.post(url, {"level": 5}, content_type="application/json")
    assert first.status_code == 201 and first.json()["channel"] == "link"
    assert second.status_code == 400
    assert second.json()["message"] == "该评价链接已经使用过，每个链接只能使用一次。"
    assert Rating.objects.count() == 1


def test_an_expired_link_is_refused_on_the_page_and_the_api(client, world, frozen):
    token = link_token(world.case(finish="2025-11-03"))
    with frozen("2025-11-10", 11):  # 7 days after 2025-11-03 10:00
        page = client.post(reverse("ratings:link", args=[token]), {"level": "5"})
        api = client.post(
            reverse("api:ratings-link", args=[token]), {"level": 5}, content_type="application/json"
        )
    assert page.status_code == 400 and "该评价链接已过期。" in page.content.decode()
    assert api.status_code == 400 and api.json()["message"] == "该评价链接已过期。"
    assert nothing_stored()


def test_an_unknown_link_is_refused(client, world, frozen):
    page = client.get(reverse("ratings:link", args=["no-such-token"]))
    assert page.status_code == 400 and "评价链接无效" in page.content.decode()


def test_a_refused_value_does_not_use_up_the_link(client, world, frozen):
    token = link_token(world.case())
    url = reverse("ratings:link", args=[token])
    with frozen("2025-11-04"):
        refused = client.post(url, {"level": "1", "comment": ""})
        assert refused.status_code == 400
        assert "请写明不满意的原因" in refused.content.decode()
        assert client.post(url, {"level": "1", "comment": "态度差"}).status_code == 200
    assert Rating.objects.get().comment == "态度差"


# --- the applicant's own finished case -----------------------------------------------------------
def test_someone_elses_case_is_a_404_on_the_page_and_the_api(client, world, frozen):
    case = world.case()
    client.force_login(world.p.outsider)
    with frozen("2025-11-04"):
        assert client.get(reverse("ratings:rate_case", args=[case.pk])).status_code == 404
        assert (
            client.post(reverse("ratings:rate_case", args=[case.pk]), {"level": "5"}).status_code
            == 404
        )
        api = client.post(
            reverse("api:ratings-case", args=[case.pk]),
            {"level": 5},
            content_type="application/json",
        )
    assert api.status_code == 404
    assert nothing_stored()


def test_an_unfinished_case_cannot_be_rated(client, world, frozen):
    case = world.case(status=CaseStatus.IN_REVIEW, finish=None)
    client.force_login(world.p.applicant)
    with frozen("2025-11-04"):
        page = client.post(reverse("ratings:rate_case", args=[case.pk]), {"level": "5"})
        api = client.post(
            reverse("api:ratings-case", args=[case.pk]),
            {"level": 5},
            content_type="application/json",
        )
    assert page.status_code == 400 and "办件办结后才能评价。" in page.content.decode()
    assert api.status_code == 400 and api.json()["message"] == "办件办结后才能评价。"
    assert nothing_stored()


@pytest.mark.parametrize(
    ("level", "comment", "message"),
    [
        ("2", "", "选择“不满意”或“非常不满意”时，请写明不满意的原因，以便整改。"),
        ("1", "   ", "选择“不满意”或“非常不满意”时，请写明不满意的原因，以便整改。"),
        ("5", LONG, "评价内容最多 500 个字，您填写了 10000 个字。"),
        ("9", "", "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。"),
        ("", "", "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意。"),
    ],
)
def test_bad_values_are_refused_with_a_message_on_the_page_and_the_api(
    client, world, frozen, level, comment, message
):
    case = world.case()
    client.force_login(world.p.applicant)
    with frozen("2025-11-04"):
        page = client.post(
            reverse("ratings:rate_case", args=[case.pk]), {"level": level, "comment": comment}
        )
        body = {"level": int(level) if level else 0, "comment": comment}
        api = client.post(
            reverse("api:ratings-case", args=[case.pk]), body, content_type="application/json"
        )
    assert page.status_code == 400 and message in page.content.decode()
    assert api.status_code == 400 and message in str(api.json())
    assert nothing_stored() and not BadReview.objects.exists()


def test_markup_in_a_comment_is_stored_as_text_and_shown_escaped(client, world, frozen):
    case = world.case()
    client.force_login(world.p.applicant)
    with frozen("2025-11-04"):
        done = client.post(
            reverse("ratings:rate_case", args=[case.pk]), {"level": "1", "comment": SCRIPT}
        )
        assert done.status_code == 302
        page = client.get(reverse("ratings:rate_case", args=[case.pk])).content.decode()
    rating = Rating.objects.get()
    assert rating.comment == SCRIPT  # as typed
    assert SCRIPT not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    client.force_login(world.p.handler_a)
    review = BadReview.objects.get()
    staff_page = client.get(reverse("ratings:bad_review", args=[review.pk])).content.decode()
    assert "<script>alert" not in staff_page and "&lt;b&gt;粗体&lt;/b&gt;" in staff_page
    api = client.get(reverse("api:ratings-bad-review", args=[review.pk])).json()
    assert api["comment"] == SCRIPT  # JSON carries the text itself


def test_the_api_rates_a_case_and_refuses_a_second_time(client, world, frozen):
    case = world.case()
    client.force_login(world.p.applicant)
    url = reverse("api:ratings-case", args=[case.pk])
    with frozen("2025-11-04"):
        assert client.get(url).json()["can_rate"] is True
        first = client.post(url, {"level": 5, "comment": "好"}, content_type="application/json")
        second = client.post(url, {"level": 4}, content_type="application/json")
        state = client.get(url).json()
    assert first.status_code == 201 and first.json()["level"] == 5
    assert second.status_code == 400
    assert (
        second.json()["message"] == "您已通过该渠道评价过这项服务，每项服务每个渠道只能评价一次。"
    )
    assert state["can_rate"] is False and [r["channel"] for r in state["ratings"]] == ["web"]


def test_the_web_and_the_link_are_two_channels_of_one_service(world, frozen):
    case = world.case()
    with frozen("2025-11-04"):
        services.rate_case(case, world.p.applicant, level=5)
        services.rate_by_link(link_token(case), level=4)
    assert sorted(Rating.objects.values_list("channel", flat=True)) == [
        RatingChannel.LINK,
        RatingChannel.WEB,
    ]


def test_my_cases_links_a_finished_case_to_its_rating(client, world):
    done = world.case()
    running = world.case(status=CaseStatus.IN_REVIEW, finish=None)
    client.force_login(world.p.applicant)
    page = client.get(reverse("portal:my_cases")).content.decode()
    assert reverse("ratings:rate_case", args=[done.pk]) in page
    assert reverse("ratings:rate_case", args=[running.pk]) not in page


def test_the_link_sent_by_sms_and_email_is_absolute(settings) -> None:
    """An SMS cannot carry a path alone: the link is made with the site's public address."""
    settings.SITE_URL = "https://zwfw.example.gov.cn/"
    assert services.link_url("abc") == "https://zwfw.example.gov.cn/rate/abc/"
