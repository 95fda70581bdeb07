"""The demo's announcements, publicity and links (onewindow.demo.publicity): loaded after the
cases through the real services, something on every new page, reset cleanly."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from onewindow.demo import catalog as demo
from onewindow.demo import publicity as demo_publicity
from onewindow.demo.cases import demo_cases_load
from onewindow.publicity.models import (
    Announcement,
    Objection,
    ObjectionStatus,
    Publicity,
    PublicityRule,
    PublicityStatus,
)
from onewindow.review.models import Decision
from onewindow.sitehelp.models import Link

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)
MORNING = dt.datetime(2026, 6, 15, 7, 30, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-publicity-files")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=0)
        demo_cases_load(today=TODAY, count=120, days=120)
        demo_publicity.load(TODAY)
        yield media
        demo.demo_reset()
        assert not Announcement.objects.exists() and not Link.objects.exists()
        assert not Publicity.objects.exists() and not PublicityRule.objects.exists()


@pytest.fixture
def demo_db(loaded, db, settings):
    settings.MEDIA_ROOT = loaded
    with time_machine.travel(MORNING, tick=False):
        yield


def test_the_demo_fills_every_new_page(demo_db, client):
    assert Announcement.objects.filter(published=True).count() == len(demo_publicity.ANNOUNCEMENTS)
    assert PublicityRule.objects.count() == len(demo_publicity.RULES)
    assert Link.objects.count() == len(demo_publicity.LINKS)
    ruled = Decision.objects.filter(
        kind="grant", case__item_version__item__code__in=list(demo_publicity.RULES)
    )
    # Every grant on a ruled item is published, the past ones archived by the real job.
    assert Publicity.objects.count() == ruled.count() > 0
    assert Publicity.objects.filter(status=PublicityStatus.ARCHIVED).exists()
    assert not Publicity.objects.filter(status=PublicityStatus.OPEN, ends_on__lt=TODAY).exists()
    assert Objection.objects.exists()
    for path in ("/announcements/", "/publicity/archive/", "/links/", "/help/", "/sitemap/"):
        assert client.get(path).status_code == 200, path


def test_objections_reach_their_lead_department(demo_db):
    for objection in Objection.objects.select_related("publicity"):
        assert objection.department_id == objection.publicity.department_id
    answered = Objection.objects.filter(status=ObjectionStatus.ANSWERED)
    for objection in answered:
        assert objection.answer and objection.answered_by is not None
        assert objection.answered_by.department_id == objection.department_id
