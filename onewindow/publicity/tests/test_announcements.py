"""docs/rules/publicity.md §L1, §L9: announcements are plain text shown escaped, visible between
their publish and expiry times, written only by ANNOUNCEMENT_EDIT holders (pages, API, admin);
bad input is refused in Chinese and nothing is stored."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from onewindow.core import clock
from onewindow.publicity.models import Announcement

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert('x')</script>"


def _make(**fields) -> Announcement:
    values = {
        "title": "关于元旦假期安排的通知",
        "body": "大厅暂停窗口服务。",
        "category": "notice",
        "publish_at": clock.now() - dt.timedelta(hours=1),
        "published": True,
    }
    return Announcement.objects.create(**{**values, **fields})


def _api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_the_public_sees_only_what_is_published_and_in_its_time(client):
    shown = _make(title="已发布的公告")
    _make(title="草稿公告", published=False)
    _make(title="定时公告", publish_at=clock.now() + dt.timedelta(days=1))
    _make(
        title="过期公告",
        publish_at=clock.now() - dt.timedelta(days=3),
        expire_at=clock.now() - dt.timedelta(days=1),
    )
    html = client.get("/announcements/").content.decode()
    assert "已发布的公告" in html
    assert all(t not in html for t in ("草稿公告", "定时公告", "过期公告"))
    rows = APIClient().get("/api/v1/announcements/").json()["results"]
    assert [r["title"] for r in rows] == ["已发布的公告"]
    hidden = Announcement.objects.get(title="草稿公告")
    assert client.get(f"/announcements/{hidden.pk}/").status_code == 404
    assert APIClient().get(f"/api/v1/announcements/{hidden.pk}/").status_code == 404
    assert client.get(f"/announcements/{shown.pk}/").status_code == 200


def test_the_list_filters_by_category_and_pages(client):
    for i in range(25):
        _make(title=f"新闻{i:02d}", category="news")
    _make(title="政策文件一", category="policy")
    html = client.get("/announcements/?category=policy").content.decode()
    assert "政策文件一" in html and "新闻00" not in html
    first = client.get("/announcements/").content.decode()
    assert "第 1 页，共 2 页" in first
    assert client.get("/announcements/?page=2").status_code == 200
    api = APIClient().get("/api/v1/announcements/?category=news&page_size=10").json()
    assert api["count"] == 25


def test_the_body_is_escaped_with_its_line_marks(client):
    a = _make(body=f"## 办理时间\n- 上午 9:00\n- 下午 2:00\n\n{SCRIPT}\n<b>加粗</b>")
    html = client.get(f"/announcements/{a.pk}/").content.decode()
    assert "<h2>办理时间</h2>" in html and "<li>上午 9:00</li>" in html
    assert SCRIPT not in html and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<b>加粗</b>" not in html
    api = APIClient().get(f"/api/v1/announcements/{a.pk}/").json()
    assert api["body"].endswith("<b>加粗</b>") and SCRIPT not in api["html"]


def test_an_editor_writes_and_publishes_on_the_workbench(personas, client):
    client.force_login(personas.admin)
    assert client.get("/announcements/manage/").status_code == 200
    response = client.post(
        "/announcements/manage/new/",
        {"title": "新公告", "category": "service", "body": "正文", "published": "on"},
    )
    assert response.status_code == 302
    a = Announcement.objects.get(title="新公告")
    assert a.published and a.author == personas.admin and a.category == "service"
    response = client.post(
        f"/announcements/manage/{a.pk}/",
        {"title": "新公告（修改）", "category": "service", "body": "正文"},
    )
    a.refresh_from_db()
    assert a.title == "新公告（修改）" and not a.published  # unticked: withdrawn


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "", "body": "正文"}, "该字段是必填项"),
        ({"title": "标" * 10_000, "body": "正文"}, "200"),
        ({"title": "标题", "body": "文" * 20_001}, "20000"),
        (
            {
                "title": "标题",
                "body": "正文",
                "publish_at": "2026-01-02T09:00",
                "expire_at": "2026-01-01T09:00",
            },
            "下线时间必须晚于发布时间",
        ),
        ({"title": "标题", "body": "正文", "publish_at": "明天"}, "有效的日期"),
    ],
)
def test_bad_announcements_are_refused_on_the_page(personas, client, fields, message):
    client.force_login(personas.admin)
    response = client.post("/announcements/manage/new/", {"category": "notice", **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "", "body": "正文"}, "请填写标题"),
        ({"title": "  ", "body": "正文"}, "请填写标题"),
        ({"title": "标" * 10_000, "body": "正文"}, "标题最多 200 个字"),
        ({"title": "标题", "body": ""}, "请填写正文"),
        ({"title": "标题", "body": "正文", "category": "gossip"}, "gossip"),
        (
            {
                "title": "标题",
                "body": "正文",
                "publish_at": "2026-01-02T09:00:00+08:00",
                "expire_at": "2026-01-01T09:00:00+08:00",
            },
            "下线时间必须晚于发布时间",
        ),
    ],
)
def test_bad_announcements_are_refused_by_the_api(personas, body, message):
    response = _api(personas.admin).post("/api/v1/announcements/", body, format="json")
    assert response.status_code == 400
    assert message in str(response.json())
    assert not Announcement.objects.exists()


def test_only_editors_write(personas, client):
    a = _make()
    for user in (personas.applicant, personas.reviewer_a, personas.supervisor):
        client.force_login(user)
        assert client.get("/announcements/manage/").status_code == 404
        assert client.post("/announcements/manage/new/", {"title": "x"}).status_code == 404
        assert client.post(f"/announcements/manage/{a.pk}/", {"title": "x"}).status_code == 404
        api = _api(user)
        assert api.post("/api/v1/announcements/", {"title": "x", "body": "y"}).status_code == 403
        assert api.patch(f"/api/v1/announcements/{a.pk}/", {"title": "x"}).status_code == 403
    assert APIClient().post("/api/v1/announcements/", {"title": "x", "body": "y"}).status_code in (
        401,
        403,
    )
    assert Announcement.objects.count() == 1 and Announcement.objects.get().title != "x"


def test_the_api_creates_publishes_and_withdraws(personas):
    api = _api(personas.admin)
    created = api.post(
        "/api/v1/announcements/", {"title": "接口公告", "body": "正文"}, format="json"
    )
    assert created.status_code == 201 and created.json()["published"] is False
    pk = created.json()["id"]
    assert APIClient().get(f"/api/v1/announcements/{pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/announcements/{pk}/", {"published": True}, format="json").status_code
        == 200
    )
    assert APIClient().get(f"/api/v1/announcements/{pk}/").status_code == 200
    api.patch(f"/api/v1/announcements/{pk}/", {"published": False}, format="json")
    assert APIClient().get(f"/api/v1/announcements/{pk}/").status_code == 404
