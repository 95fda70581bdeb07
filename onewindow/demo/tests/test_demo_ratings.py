"""The demo's ratings (docs/rules/satisfaction.md §E1–§E9): made through the services for the
generated year, mostly good, bad reviews in every state of their loop (one overdue and carded by
the sweep, one appeal accepted), the tally equal to the ratings it counts, nothing left to send."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import Sum
from django.test import override_settings

from onewindow.demo import catalog as demo
from onewindow.notifications.models import OutboxMessage
from onewindow.ratings.models import (
    AppealStatus,
    BadReview,
    BadReviewStatus,
    Rating,
    RatingChannel,
    RatingTally,
)
from onewindow.ratings.selectors import satisfaction, window_ranking
from onewindow.supervision.models import Card
from onewindow.supervision.services.sweep import supervision_sweep

TODAY = dt.date(2026, 6, 15)
MORNING = dt.datetime(2026, 6, 15, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_demo_rates_its_services_and_takes_bad_reviews_through_the_loop(tmp_path):
    with (
        override_settings(
            MEDIA_ROOT=tmp_path, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        time_machine.travel(MORNING, tick=False),
    ):
        demo.load_demo(progress=False, cases=60, today=TODAY)
        channels = Counter(Rating.objects.values_list("channel", flat=True))
        assert channels[RatingChannel.WEB] and channels[RatingChannel.PAD]
        assert channels[RatingChannel.DEFAULT]  # unrated for a week: the default
        counted = Rating.objects.filter(excluded=False).count()
        assert RatingTally.objects.aggregate(n=Sum("count"))["n"] == counted
        figures = satisfaction()
        assert figures.ratings == counted and figures.rate is not None and figures.rate > 0.6
        states = Counter(BadReview.objects.values_list("status", flat=True))
        assert states[BadReviewStatus.OPEN] and states[BadReviewStatus.EXCLUDED]
        assert states[BadReviewStatus.CLOSED] or states[BadReviewStatus.REPORTED]
        assert BadReview.objects.filter(appeal__status=AppealStatus.ACCEPTED).exists()
        overdue = BadReview.objects.filter(status=BadReviewStatus.OPEN, due_on__lt=TODAY).first()
        assert overdue is not None
        supervision_sweep(today=TODAY)
        assert Card.objects.filter(object_kind="rectification", object_id=overdue.pk).exists()
        assert not OutboxMessage.objects.filter(subject="差评整改情况反馈").exists()
        assert window_ranking(dt.date(2026, 5, 1)).ranked
        demo.demo_reset()
        assert not Rating.objects.exists()
