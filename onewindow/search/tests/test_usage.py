"""Usage counts follow submissions, once per case; 热门事项 follow usage
(docs/rules/search.md §N6)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests import conftest as case_fixtures
from onewindow.cases.tests.conftest import World, make_version, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.catalog.models import ItemVersion
from onewindow.search.models import CountedCase, ItemUsage
from onewindow.search.selectors import popular_items, search_items
from onewindow.search.services import index_stamp_bump, usage_on_submit, usage_recount

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
world = case_fixtures.world  # the cases tests' item, department, region and people


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def submitted(world: World, version=None) -> Case:
    case = services.case_create_draft(
        item_version=version or world.version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    for line in case.materials.all():
        case_file_add(case_material=line, upload=pdf(), actor=world.applicant)
    when = dt.datetime(2026, 4, 29, 10, tzinfo=SHANGHAI)
    with time_machine.travel(when, tick=False):
        services.case_submit(case=case, actor=world.applicant)
    return case


def usage(version) -> int:
    row = ItemUsage.objects.filter(item=version.item).first()
    return row.count if row else 0


@pytest.fixture
def second(world: World):
    version, _core, _others = make_version(world.department, code="CASE-T-002")
    # A published version refuses changes; the test renames it behind the model's back.
    ItemVersion.objects.filter(pk=version.pk).update(name="排污许可（测试）")
    index_stamp_bump()
    version.refresh_from_db()
    return version


def test_a_submission_counts_once_for_its_item(world: World):
    assert usage(world.version) == 0
    case = submitted(world)
    assert usage(world.version) == 1
    services.case_submit(case=case, actor=world.applicant)  # a repeated submit: no new event
    assert usage(world.version) == 1
    event = case.events.get(action="submitted")
    usage_on_submit(case, event, world.applicant)  # the handler replayed: still once
    assert usage(world.version) == 1
    assert CountedCase.objects.filter(case=case).count() == 1


def test_drafts_do_not_count(world: World):
    services.case_create_draft(
        item_version=world.version,
        applicant=world.applicant,
        created_by=world.applicant,
        region=world.region,
    )
    assert usage(world.version) == 0


def test_popular_items_follow_usage_then_the_catalog_order(world: World, second):
    assert [v.pk for v in popular_items(limit=2)] == [world.version.pk, second.pk]  # no usage
    submitted(world, second)
    submitted(world, second)
    submitted(world)
    assert usage(second) == 2 and usage(world.version) == 1
    assert [v.pk for v in popular_items(limit=2)] == [second.pk, world.version.pk]


def test_the_home_page_lists_popular_items_by_usage(client, world: World, second):
    submitted(world, second)
    html = client.get(reverse("portal:home")).content.decode()
    assert "热门事项" in html
    popular = html.split('id="popular-title"')[1]
    assert popular.index("排污许可（测试）") < popular.index("食品经营许可（测试）")


def test_the_popular_api_gives_the_counts(client, world: World, second):
    submitted(world, second)
    submitted(world, second)
    body = client.get("/api/v1/search/popular/", {"limit": 2}).json()
    assert [(row["code"], row["applications"]) for row in body] == [
        ("CASE-T-002", 2),
        ("CASE-T-001", 0),
    ]
    assert body[0]["page_url"].endswith("/guides/CASE-T-002/")
    assert client.get("/api/v1/search/popular/", {"limit": 0}).status_code == 400
    assert client.get("/api/v1/search/popular/", {"limit": "x"}).status_code == 400


def test_usage_lifts_an_item_among_equally_relevant_ones(world: World):
    version, _core, _others = make_version(world.department, code="CASE-T-003")
    # Both are named 食品经营许可（测试）: the catalog order puts CASE-T-001 first.
    assert [h.entry.code for h in search_items(query="食品经营许可").hits][:2] == [
        "CASE-T-001",
        "CASE-T-003",
    ]
    submitted(world, version)
    assert [h.entry.code for h in search_items(query="食品经营许可").hits][:2] == [
        "CASE-T-003",
        "CASE-T-001",
    ]


def test_a_recount_gives_what_the_submissions_gave(world: World, second):
    submitted(world, second)
    submitted(world)
    submitted(world)
    before = dict(ItemUsage.objects.values_list("item_id", "count"))
    assert usage_recount() == 2
    assert dict(ItemUsage.objects.values_list("item_id", "count")) == before
