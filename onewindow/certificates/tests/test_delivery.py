"""统一送达: window pickup with the receiver's checked ID, express post with a tracking number,
e-certificate download; completion (GRANTED → COMPLETED); notifications; the progress query."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from onewindow.cases.errors import CaseError, WrongStatus
from onewindow.cases.models import Case, CaseEvent, CaseStatus
from onewindow.certificates import services
from onewindow.certificates.models import Delivery, DeliveryStatus
from onewindow.certificates.tests.conftest import (
    accepted_case,
    at,
    certificate_version,
    grant_for_test,
    issue,
)
from onewindow.core.models import AccessDenied
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.notifications.models import OutboxMessage
from onewindow.notifications.texts import compose

GOOD_ID = "11010519491231002X"  # docs/rules/identity.md §F1 example
BAD_CHECK_DIGIT = "110105194912310021"


def _case(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def _events(case: Case, action: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, action=action))


# --- choosing ------------------------------------------------------------------------------------


def test_the_applicant_chooses_among_the_items_methods_and_is_told(certificate, personas):
    case = certificate.case
    delivery = services.delivery_choose(case=case, actor=personas.applicant, method="window")
    assert (delivery.method, delivery.status) == ("window", DeliveryStatus.PENDING)
    (event,) = _events(case, "delivery_chosen")
    assert OutboxMessage.objects.filter(event=event).exists()
    assert "窗口领取" in compose(event).body
    # Changeable while pending; the clerk may choose for the applicant.
    services.delivery_choose(
        case=case,
        actor=personas.clerk,
        method="post",
        address="鄂州市鄂城区滨湖南路1号",
        phone="13907110001",
    )
    assert Delivery.objects.get(case=case).address == "鄂州市鄂城区滨湖南路1号"


def test_a_method_the_item_does_not_offer_or_post_without_address_is_refused(personas, region):
    version = certificate_version(personas.dept_a, code="WINDOW-ONLY", methods=["window"])
    case = accepted_case(version, applicant=personas.applicant, clerk=personas.clerk, region=region)
    issue(case, grant_for_test(case, approver=personas.approver_a))
    with pytest.raises(CaseError, match="可选：窗口领取"):
        services.delivery_choose(case=case, actor=personas.applicant, method="post")
    assert not Delivery.objects.filter(case=case).exists()


def test_post_needs_an_address_and_a_phone(certificate, personas):
    case = certificate.case
    with pytest.raises(CaseError, match="邮寄地址"):
        services.delivery_choose(
            case=case, actor=personas.applicant, method="post", phone="13907110001"
        )
    with pytest.raises(CaseError, match="收件电话"):
        services.delivery_choose(
            case=case, actor=personas.applicant, method="post", address="鄂州市鄂城区滨湖南路1号"
        )
    assert not Delivery.objects.filter(case=case).exists()
    assert not _events(case, "delivery_chosen")


def test_an_outsider_cannot_choose_and_a_case_not_granted_cannot_be_delivered(
    certificate, personas
):
    with pytest.raises(CaseError):
        services.delivery_choose(case=certificate.case, actor=personas.outsider, method="window")
    Case.objects.filter(pk=certificate.case_id).update(status=CaseStatus.IN_REVIEW)
    with pytest.raises(WrongStatus):
        services.delivery_choose(
            case=_case(certificate.case), actor=personas.applicant, method="window"
        )


# --- window pickup -------------------------------------------------------------------------------


def test_window_handover_records_the_receiver_and_completes_the_case(certificate, personas):
    case = certificate.case
    services.delivery_choose(case=case, actor=personas.applicant, method="window")
    delivery = services.delivery_handover(
        case=case,
        actor=personas.clerk,
        receiver_name="张伟",
        receiver_id_number="11010519491231002x",
        now=at("2025-10-10"),
    )
    assert delivery.status == DeliveryStatus.DELIVERED
    assert (delivery.receiver_name, delivery.receiver_id_number) == ("张伟", GOOD_ID)
    assert delivery.handled_by == personas.clerk
    stored = _case(case)
    assert stored.status == CaseStatus.COMPLETED
    assert stored.closed_at == at("2025-10-10")
    (event,) = _events(case, "delivered")
    assert (event.old_status, event.new_status) == ("granted", "completed")
    assert "本办件已办结" in compose(event).body


def test_a_wrong_id_check_digit_is_refused_with_nothing_recorded(certificate, personas, client):
    case = certificate.case
    with pytest.raises(CaseError, match="校验位不正确"):
        services.delivery_handover(
            case=case,
            actor=personas.clerk,
            receiver_name="张伟",
            receiver_id_number=BAD_CHECK_DIGIT,
        )
    client.force_login(personas.clerk)
    response = client.post(
        reverse("certificates:delivery_handover", args=[case.pk]),
        {"receiver_name": "张伟", "receiver_id_number": BAD_CHECK_DIGIT},
    )
    assert response.status_code == 400
    assert "领取人身份证号有误：身份证号校验位不正确" in response.content.decode()
    assert not Delivery.objects.filter(case=case).exists()
    assert _case(case).status == CaseStatus.GRANTED
    assert not _events(case, "delivered")


def test_the_clerk_can_hand_over_without_a_prior_choice_when_the_window_is_offered(
    certificate, personas, client
):
    client.force_login(personas.clerk)
    queue = client.get(reverse("certificates:queue"))
    assert certificate.case.number in queue.content.decode()
    response = client.post(
        reverse("certificates:delivery_handover", args=[certificate.case_id]),
        {
            "receiver_name": "王五",
            "receiver_id_number": make_citizen_id("420700", at("1980-01-01").date(), 7),
        },
    )
    assert response.status_code == 302
    assert Delivery.objects.get(case=certificate.case).method == "window"
    assert _case(certificate.case).status == CaseStatus.COMPLETED
    after = client.get(reverse("certificates:queue")).content.decode()
    assert "已登记领取" in after and "目前没有待送达的证照" in after


def test_no_handover_before_the_certificate_is_issued(granted, personas):
    with pytest.raises(CaseError, match="尚未制发"):
        services.delivery_handover(
            case=granted, actor=personas.clerk, receiver_name="张伟", receiver_id_number=GOOD_ID
        )


def test_another_departments_clerk_gets_a_logged_404(certificate, clerk_b, client):
    client.force_login(clerk_b)
    response = client.post(
        reverse("certificates:delivery_handover", args=[certificate.case_id]),
        {"receiver_name": "张伟", "receiver_id_number": GOOD_ID},
    )
    assert response.status_code == 404
    assert AccessDenied.objects.filter(user=clerk_b).exists()
    assert client.get(reverse("certificates:case", args=[certificate.case_id])).status_code == 404
    assert not Delivery.objects.filter(case=certificate.case).exists()
    with pytest.raises(CaseError):
        services.delivery_handover(
            case=certificate.case, actor=clerk_b, receiver_name="张伟", receiver_id_number=GOOD_ID
        )


# --- express post ------------------------------------------------------------------------------


@pytest.fixture
def posted(certificate, personas):
    services.delivery_choose(
        case=certificate.case,
        actor=personas.applicant,
        method="post",
        address="鄂州市鄂城区滨湖南路1号",
        phone="13907110001",
    )
    return certificate.case


def test_post_without_a_tracking_number_is_refused(posted, personas, client):
    with pytest.raises(CaseError, match="运单号"):
        services.delivery_send(
            case=posted, actor=personas.clerk, carrier="EMS", tracking_number=" "
        )
    client.force_login(personas.clerk)
    response = client.post(
        reverse("certificates:delivery_send", args=[posted.pk]), {"carrier": "EMS"}
    )
    assert response.status_code == 400 and "请填写运单号" in response.content.decode()
    assert Delivery.objects.get(case=posted).status == DeliveryStatus.PENDING
    assert not _events(posted, "delivery_sent")


def test_post_is_sent_with_a_tracking_number_then_confirmed_received(posted, personas, client):
    delivery = services.delivery_send(
        case=posted, actor=personas.clerk, carrier="中国邮政EMS", tracking_number="1234567890123"
    )
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at is not None
    (sent,) = _events(posted, "delivery_sent")
    assert "1234567890123" in compose(sent).body
    assert _case(posted).status == CaseStatus.GRANTED
    with pytest.raises(CaseError, match="已寄出"):
        services.delivery_choose(case=posted, actor=personas.applicant, method="window")
    client.force_login(personas.applicant)
    response = client.post(reverse("certificates:delivery_confirm", args=[posted.pk]))
    assert response.status_code == 302
    assert Delivery.objects.get(case=posted).status == DeliveryStatus.DELIVERED
    assert _case(posted).status == CaseStatus.COMPLETED


def test_a_post_cannot_be_confirmed_before_it_is_sent(posted, personas):
    with pytest.raises(CaseError, match="尚未寄出"):
        services.delivery_confirm(case=posted, actor=personas.applicant)
    assert _case(posted).status == CaseStatus.GRANTED


# --- e-certificate -----------------------------------------------------------------------------


def test_the_applicants_first_download_delivers_the_e_certificate(certificate, personas, client):
    case = certificate.case
    services.delivery_choose(case=case, actor=personas.applicant, method="electronic")
    url = reverse("certificates:pdf", args=[case.pk])
    client.force_login(personas.clerk)  # staff downloads do not count
    assert client.get(url).status_code == 200
    assert _case(case).status == CaseStatus.GRANTED
    client.force_login(personas.applicant)
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert _case(case).status == CaseStatus.COMPLETED
    assert Delivery.objects.get(case=case).status == DeliveryStatus.DELIVERED
    assert client.get(url).status_code == 200
    assert len(_events(case, "delivered")) == 1


def test_a_download_before_choosing_delivers_nothing_when_other_methods_exist(
    certificate, personas, client
):
    client.force_login(personas.applicant)
    assert client.get(reverse("certificates:pdf", args=[certificate.case_id])).status_code == 200
    assert _case(certificate.case).status == CaseStatus.GRANTED


# --- progress query ----------------------------------------------------------------------------


def test_the_progress_query_shows_method_status_and_tracking_number(posted, personas, client):
    cache.clear()
    services.delivery_send(
        case=posted, actor=personas.clerk, carrier="中国邮政EMS", tracking_number="1234567890123"
    )
    params = {"number": posted.number, "code": posted.query_code}
    html = client.get(reverse("portal:progress"), params).content.decode()
    assert "邮政寄递" in html and "已寄出" in html and "1234567890123" in html
    assert "滨湖南路" not in html  # never the address
    assert "证照已寄出" in html  # the public step
    body = client.get("/api/v1/progress/", params).json()
    assert body["delivery"]["method"] == "post"
    assert body["delivery"]["status"] == "sent"
    assert body["delivery"]["tracking_number"] == "1234567890123"
    cache.clear()


def test_a_granted_case_asks_the_applicant_to_choose_on_my_cases(certificate, personas, client):
    client.force_login(personas.applicant)
    html = client.get(reverse("portal:my_cases")).content.decode()
    assert "选择送达方式、领取证照" in html
    assert reverse("certificates:case", args=[certificate.case_id]) in html
    page = client.get(reverse("certificates:case", args=[certificate.case_id])).content.decode()
    assert reverse("certificates:delivery_choose", args=[certificate.case_id]) in page


def test_after_delivery_the_progress_query_shows_the_case_closed(certificate, personas, client):
    cache.clear()
    services.delivery_handover(
        case=certificate.case,
        actor=personas.clerk,
        receiver_name="张伟",
        receiver_id_number=GOOD_ID,
        now=at("2025-10-10"),
    )
    case = _case(certificate.case)
    body = client.get("/api/v1/progress/", {"number": case.number, "code": case.query_code}).json()
    assert body["status"] == "completed" and body["stage"] == "已办结"
    assert body["expected_completion"]["label"] == "办结日期"
    assert body["expected_completion"]["date"] == "2025-10-10"
    assert body["delivery"]["status"] == "delivered"
    assert [step["label"] for step in body["timeline"]][-1] == "证照已送达，办结"
    assert "receiver" not in str(body) and GOOD_ID not in str(body)
    cache.clear()


# --- concurrency: two clerks at the window at once ----------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_handing_over_at_once_complete_the_case_once(personas, version, region):
    import threading
    from typing import Any, cast

    from django.db import connection

    from onewindow.accounts.roles import Role
    from onewindow.certificates.tests.conftest import staff

    if connection.vendor == "sqlite" and cast(Any, connection).is_in_memory_db():
        pytest.skip("SQLite in-memory test database: set SQLITE_TEST_NAME to a file path")
    case = accepted_case(version, applicant=personas.applicant, clerk=personas.clerk, region=region)
    issue(case, grant_for_test(case, approver=personas.approver_a))
    clerks = [personas.clerk, staff("clerk2", Role.CLERK, personas.dept_a)]
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            fresh = Case.objects.select_related("item_version", "department").get(pk=case.pk)
            results[i] = services.delivery_handover(
                case=fresh, actor=clerks[i], receiver_name="张伟", receiver_id_number=GOOD_ID
            )
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and isinstance(errors[0], CaseError), results
    assert _case(case).status == CaseStatus.COMPLETED
    assert Delivery.objects.filter(case=case).count() == 1
    assert len(_events(case, "delivered")) == 1
