"""The demo catalog (92 items with their aliases) loaded once per test module;
each test runs in its own transaction on top of it."""

from __future__ import annotations

import pytest

from onewindow.search.index import index_forget


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.test import override_settings

    from onewindow.demo import catalog as demo

    media = tmp_path_factory.mktemp("search-demo-files")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing),
    ):
        demo.load_demo(progress=False, cases=0)
        yield media
        demo.demo_reset()
    index_forget()


@pytest.fixture
def demo(demo_loaded, db, settings):
    settings.MEDIA_ROOT = demo_loaded
    return demo_loaded
