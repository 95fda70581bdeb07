"""The demo's questions and complaints (onewindow.demo.consult) load through the real services
on the demo catalog and show on the pages they are for."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.consult.models import Complaint, ComplaintStatus, Question, QuestionStatus
from onewindow.demo import catalog as demo
from onewindow.demo.consult import load
from onewindow.supervision.models import Card
from onewindow.supervision.services.sweep import supervision_sweep

pytestmark = pytest.mark.django_db

TODAY = dt.date(2025, 11, 20)  # a Thursday


@pytest.fixture
def loaded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with time_machine.travel(dt.datetime(2025, 11, 20, 8, 0, tzinfo=dt.UTC), tick=False):
        demo.load_demo(progress=False, cases=0)
        load(TODAY)
        yield


def test_the_demo_has_questions_and_complaints_in_every_state(loaded) -> None:
    questions = Question.objects.all()
    assert questions.filter(published=True).count() == 2
    assert questions.filter(status=QuestionStatus.ANSWERED, consent_publish=False).exists()
    assert questions.filter(status=QuestionStatus.OPEN, reply_due__lt=TODAY).exists()
    assert questions.filter(status=QuestionStatus.OPEN, reply_due=dt.date(2025, 11, 21)).exists()
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert statuses == {ComplaintStatus.SUBMITTED, ComplaintStatus.HANDLING, ComplaintStatus.CLOSED}
    # The sweep cards the overdue question red and the one due tomorrow yellow.
    supervision_sweep(today=TODAY)
    levels = set(
        Card.objects.filter(rule__code="question_unanswered").values_list("level", flat=True)
    )
    assert levels == {"red", "yellow"}


def test_the_faq_shows_masked_on_the_consultation_page(loaded) -> None:
    html = Client().get("/consult/").content.decode()
    assert "个体工商户可以办理吗" in html
    published = Question.objects.get(title="个体工商户可以办理吗")
    assert published.asker.full_name not in published.public_text
    assert published.asker.phone not in published.public_text
    assert published.item is not None
    url = reverse("portal:guide_detail", args=[published.item.code])
    guide = Client().get(url).content.decode()
    assert "个体工商户可以办理吗" in guide


def test_the_supervisor_sees_the_clerks_record(loaded) -> None:
    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    clerk = User.objects.get(username="clerk")
    html = client.get(f"/consult/staff/{clerk.pk}/").content.decode()
    assert "窗口人员态度生硬" in html and "告知材料不一次说清" in html


def test_reset_removes_them(loaded) -> None:
    demo.demo_reset()
    assert not Question.objects.exists() and not Complaint.objects.exists()
