"""The layout every page shares: header, columns, language switch, footer, accessibility."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from onewindow.portal.tests import html as page_html

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/guides/",
    "/guides/?q=食品",
    "/guides/SP-JY-001/",
    "/forms/",
    "/power-list/",
    "/fee-list/",
    "/lists/",
    "/lists/responsibilities/",
    "/lists/responsibilities/departments/",
    "/lists/supervision/",
    "/lists/cleanup/",
]


@pytest.fixture
def pages(client, catalog) -> dict[str, page_html.PageFacts]:
    facts = {}
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        facts[url] = page_html.read(response.content)
    return facts


def test_every_page_has_landmarks_one_h1_and_the_chinese_lang(pages):
    for url, facts in pages.items():
        assert facts.html_lang == "zh-hans", url
        assert facts.landmarks == {"header", "nav", "main", "footer"}, url
        assert facts.h1_count == 1, url
        assert "main" in facts.ids, url


def test_every_form_field_has_a_label_and_every_table_header_a_scope(pages):
    for url, facts in pages.items():
        assert facts.unlabelled == [], url
        assert facts.th_without_scope == 0, url


def test_pages_load_only_our_own_static_files(pages, client):
    for url, facts in pages.items():
        assert facts.external_urls == [], url
        assert all(href.startswith("/static/") for href, _ in facts.stylesheets), url
        assert all(src.startswith("/static/") for src in facts.scripts), url
    for path in ["/static/css/site.css", "/static/css/print.css", "/static/js/print.js"]:
        response = client.get(path)
        assert response.status_code == 200, path
        body = b"".join(response.streaming_content).decode()
        assert not re.search(r"https?://|url\(\s*['\"]?//", body), path


def test_the_print_stylesheet_is_linked_for_print(pages):
    for url, facts in pages.items():
        assert ("/static/css/print.css", "print") in facts.stylesheets, url
        assert ("/static/css/site.css", "") in facts.stylesheets, url


def test_the_header_has_the_site_name_skip_link_and_working_columns(client, catalog):
    html = client.get("/guides/SP-JY-001/").content.decode()
    assert "鄂州市政务服务网上办事大厅" in html and "一窗通办" in html
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))
    assert links == [
        ("/", "首页"),
        ("/guides/", "办事指南"),
        ("/forms/", "表格下载"),
        ("/lists/", "清单公开"),
        ("/apply/", "网上申报"),
        ("/progress/", "进度查询"),
        ("/verify/", "证照核验"),
        ("/consult/", "网上咨询"),
        ("/announcements/", "办事公告"),
        ("/satisfaction/", "满意度评价"),
        ("/stats/", "办件统计"),
    ]
    # The power and fee lists, help and links are home-page tiles and in the site map; in the bar
    # 清单公开 leads to the lists (its tabs) and the footer to help and links, so the bar stays one
    # row.
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S)
    assert footer is not None
    assert 'href="/help/"' in footer.group(1) and 'href="/links/"' in footer.group(1)
    power = client.get("/power-list/").content.decode()
    assert '<a href="/lists/" aria-current="true">清单公开</a>' in power
    # The guide is under 办事指南: the current section, not the page itself (docs/decisions.md §U2).
    assert '<a href="/guides/" aria-current="true">办事指南</a>' in nav.group(1)


def _column_labels(client, url: str = "/guides/") -> list[str]:
    html = client.get(url).content.decode()
    nav = re.search(r'<nav class="site-nav[^"]*"[^>]*>(.*?)</nav>', html, re.S)
    assert nav is not None
    return re.findall(r'<a href="[^"]+"[^>]*>([^<]+)</a>', nav.group(1))


def test_signed_in_and_staff_columns_show_only_to_those_who_can_use_them(client, personas):
    """Staff columns are in the workbench's own navigation (docs/decisions.md §U2); the portal's
    offers staff one 工作台 link instead."""
    assert "我的办件" not in _column_labels(client)
    client.force_login(personas.applicant)
    labels = _column_labels(client)
    assert "我的办件" in labels and "窗口受理" not in labels and "工作台" not in labels
    client.force_login(personas.clerk)
    labels = _column_labels(client)
    assert "工作台" in labels and "窗口受理" not in labels and "我的办件" not in labels
    labels = _column_labels(client, "/intake/")
    assert "窗口受理" in labels and "证照送达" in labels and "部门审查" not in labels
    client.force_login(personas.reviewer_b)
    labels = _column_labels(client, "/review/")
    assert "部门审查" in labels and "窗口受理" not in labels and "审批决定" not in labels
    client.force_login(personas.approver_a)
    assert "审批决定" in _column_labels(client, "/review/")


def test_the_footer_gives_the_hall_address_and_the_organiser(client, catalog):
    html = client.get("/").content.decode()
    footer = html[html.index("<footer") :]
    assert "古城路129号" in footer and "鄂州市市民中心" in footer
    assert "主办单位" in footer


def test_the_language_switch_is_a_post_form_to_set_language(client, catalog):
    html = client.get("/guides/?q=食品").content.decode()
    form = re.search(
        r'<form class="lang-switch" action="([^"]+)" method="post">(.*?)</form>', html, re.S
    )
    assert form is not None and form.group(1) == reverse("set_language")
    assert "csrfmiddlewaretoken" in form.group(2)
    assert 'name="language" value="en"' in form.group(2)
    assert 'name="language" value="zh-hans"' in form.group(2)


def test_choosing_english_renders_english(client, catalog):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/guides/"})
    assert response.status_code == 302 and response["Location"] == "/guides/"
    html = client.get("/guides/").content.decode()
    assert '<html lang="en">' in html
    assert "Service guides" in html and "办事指南</a>" not in html
    assert "Skip to main content" in html
    detail = client.get("/guides/SP-JY-001/").content.decode()
    assert "Application materials" in detail and "Statutory time limit" in detail


def test_the_language_cookie_selects_english(client, catalog):
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Fee list" in html and "Power list" in html


def test_login_and_register_links_when_the_accounts_pages_exist(client, catalog, settings):
    settings.ROOT_URLCONF = "onewindow.portal.tests.urls_with_accounts"
    html = client.get("/guides/").content.decode()
    assert 'href="/accounts/login/?next=/guides/"' in html
    assert 'href="/accounts/register/"' in html


def test_a_signed_in_user_sees_their_name_and_a_logout_form(client, catalog, settings):
    settings.ROOT_URLCONF = "onewindow.portal.tests.urls_with_accounts"
    user = get_user_model().objects.create_user(
        "zhangsan", password="x-pass-2026", full_name="张三"
    )
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "您好，张三" in html
    assert re.search(r'<form class="inline-form" action="/accounts/logout/" method="post">', html)
    assert 'href="/accounts/password/"' in html
    assert "/accounts/login/" not in html


def test_the_layout_renders_without_the_accounts_pages(client, catalog, settings):
    settings.ROOT_URLCONF = "onewindow.portal.tests.urls_without_accounts"
    response = client.get("/")
    assert response.status_code == 200
    assert "/accounts/" not in response.content.decode()


def test_unknown_pages_get_the_404_page(client, catalog):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "鄂州市政务服务网上办事大厅" in html


def test_the_500_page_needs_no_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert "服务器内部错误" in html and "/static/css/site.css" in html


def test_pages_do_not_accept_posts(client, catalog):
    assert client.post("/guides/").status_code == 405
