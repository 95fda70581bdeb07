"""The outbox in the admin: a read-only list with filters."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.accounts.models import User
from onewindow.notifications.models import Channel, MessageStatus, OutboxMessage

pytestmark = pytest.mark.django_db
URL = "/admin/notifications/outboxmessage/"


@pytest.fixture
def superuser(client):
    user = User.objects.create_superuser(username="root", password="x" * 12)
    client.force_login(user)
    return user


def test_the_outbox_is_listed_and_filtered_but_never_edited(client, superuser):
    now = dt.datetime(2026, 3, 2, 2, tzinfo=dt.UTC)
    for channel, status in (
        (Channel.SMS, MessageStatus.SENT),
        (Channel.EMAIL, MessageStatus.FAILED),
    ):
        OutboxMessage.objects.create(
            channel=channel,
            recipient=f"{channel}-recipient",
            subject="办件 4207002026030200001：已受理",
            body="您好!",
            status=status,
            next_attempt_at=now,
            created_at=now,
        )
    listing = client.get(URL, {"status__exact": "failed"})
    assert listing.status_code == 200
    assert "email-recipient" in listing.text and "sms-recipient" not in listing.text
    assert client.get(f"{URL}add/").status_code == 403
    message = OutboxMessage.objects.get(channel=Channel.SMS)
    assert client.post(f"{URL}{message.pk}/change/", {"recipient": "x"}).status_code == 403
    assert client.post(f"{URL}{message.pk}/delete/", {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert message.recipient == "sms-recipient"
