"""docs/rules/publicity.md §L5–§L7: the seeded help pages render, links are http(s) only, the
footer carries the site's identification and the site map lists every public column."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.core.errors import Invalid
from onewindow.portal.navigation import COLUMNS
from onewindow.sitehelp.markup import render_plain_text
from onewindow.sitehelp.models import HelpPage, Link
from onewindow.sitehelp.services import link_create

pytestmark = pytest.mark.django_db
SEEDED = {"register", "apply-online", "correction", "progress", "rating", "agent", "enterprise"}


def test_the_help_pages_are_seeded_and_render(client):
    assert set(HelpPage.objects.values_list("slug", flat=True)) >= SEEDED
    index = client.get("/help/").content.decode()
    for page in HelpPage.objects.all():
        assert page.title in index
        html = client.get(f"/help/{page.slug}/").content.decode()
        assert f"<h1>{page.title}</h1>" in html
    register = client.get("/help/register/").content.decode()
    assert "<h2>个人注册</h2>" in register and "<ol>" in register and "身份证号" in register
    assert client.get("/help/no-such-page/").status_code == 404
    api = APIClient().get("/api/v1/help/").json()
    assert {row["slug"] for row in api["results"]} >= SEEDED
    one = APIClient().get("/api/v1/help/correction/").json()
    assert "补正" in one["body"] and one["html"].startswith("<h2>")
    assert APIClient().get("/api/v1/help/nothing/").status_code == 404


def test_an_unpublished_help_page_is_hidden(client):
    HelpPage.objects.filter(slug="rating").update(published=False)
    assert client.get("/help/rating/").status_code == 404
    assert "如何评价政务服务" not in client.get("/help/").content.decode()


def test_plain_text_is_escaped():
    html = str(
        render_plain_text("## <i>标题</i>\n\n<script>alert(1)</script>\n第二行\n\n- <b>一</b>")
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<h2>&lt;i&gt;标题&lt;/i&gt;</h2>" in html
    assert "<li>&lt;b&gt;一&lt;/b&gt;</li>" in html and "<br>第二行" in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://example.com",
        "www.hubei.gov.cn",
        "",
        "https://" + "a" * 10_000 + ".cn",
    ],
)
def test_links_must_be_http_or_https(url):
    with pytest.raises(Invalid) as refused:
        link_create(name="湖北省人民政府", url=url)
    assert refused.value.errors["url"][0].startswith(("网址", "请填写网址"))
    link = Link(name="x", url=url)
    with pytest.raises(ValidationError):
        link.full_clean()
    assert not Link.objects.exists()


def test_the_admin_refuses_a_javascript_link(personas, client):
    client.force_login(personas.admin)
    response = client.post(
        "/admin/sitehelp/link/add/",
        {
            "name": "恶意链接",
            "url": "javascript:alert(1)",
            "category": "other",
            "sort": "1",
            "published": "on",
        },
    )
    assert response.status_code == 200 and "http:// 或 https://" in response.content.decode()
    assert not Link.objects.exists()
    client.post(
        "/admin/sitehelp/link/add/",
        {
            "name": "湖北省人民政府",
            "url": "https://www.hubei.gov.cn",
            "category": "government",
            "sort": "1",
            "published": "on",
        },
    )
    assert Link.objects.get().url == "https://www.hubei.gov.cn"


def test_the_links_page_and_api(client):
    link_create(name="鄂州市人民政府", url="https://www.ezhou.gov.cn")
    link_create(name="<b>某网站</b>", url="http://example.cn/", category="other")
    html = client.get("/links/").content.decode()
    assert 'href="https://www.ezhou.gov.cn" rel="noopener noreferrer external"' in html
    assert "&lt;b&gt;某网站&lt;/b&gt;" in html and "<b>某网站</b>" not in html
    rows = APIClient().get("/api/v1/links/").json()["results"]
    assert [r["url"] for r in rows] == ["https://www.ezhou.gov.cn", "http://example.cn/"]


def test_the_footer_carries_the_identification_and_the_service_links(client, settings):
    settings.SITE_IDENTITY = {
        "sponsor": "鄂州市行政审批局",
        "organizer": "鄂州市政务服务中心",
        "code": "4207000099",
        "icp": "鄂ICP备12345678号",
        "psb": "鄂公网安备42070002000123号",
        "contact": "0711-12345",
    }
    for path in ("/", "/help/", "/links/", "/report-error/", "/sitemap/", "/announcements/"):
        html = client.get(path).content.decode()
        footer = html[html.index("<footer") :]
        for label, value in (
            ("主办单位", "鄂州市行政审批局"),
            ("承办单位", "鄂州市政务服务中心"),
            ("网站标识码", "4207000099"),
            ("ICP备案号", "鄂ICP备12345678号"),
            ("公安备案号", "鄂公网安备42070002000123号"),
            ("联系方式", "0711-12345"),
        ):
            assert f"<dt>{label}</dt><dd>{value}</dd>" in footer, (path, label)
        assert 'href="/sitemap/"' in footer and 'href="/help/"' in footer
        assert "/report-error/?page=" in footer


def test_the_site_map_lists_every_public_column_and_the_help_pages(client):
    html = client.get("/sitemap/").content.decode()
    public = [c for c in COLUMNS if not c.workbench and c.perm is None]
    assert public
    for column in public:
        assert str(column.label) in html
    main = html.split("<main")[1].split("</main>")[0]
    for column in COLUMNS:
        if column.workbench:  # staff columns are not on the public site map
            assert f'href="{reverse(column.url_name)}"' not in main
    for page in HelpPage.objects.all():
        assert page.title in html
