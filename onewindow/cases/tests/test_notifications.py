"""Status notifications (docs/product.md §C9): queued with the transition, sent after commit."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Case, CaseStatus
from onewindow.cases.tests.conftest import World, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.notifications.models import Channel, MessageStatus, OutboxMessage
from onewindow.notifications.services import outbox_retry_due

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAILING = "onewindow.cases.tests.test_notifications.FailingGateway"
EMAIL = "onewindow.notifications.backends.DjangoEmailBackend"


class FailingGateway:
    """An SMS gateway that is down."""

    name = "failing"
    calls = 0

    def send(self, message: OutboxMessage) -> None:
        FailingGateway.calls += 1
        raise ConnectionError("gateway unreachable")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


@pytest.fixture
def reachable(world: World) -> World:
    world.applicant.email = "zhangsan@example.cn"
    world.applicant.phone = "13907110001"
    world.applicant.save()
    return world


def draft(world: World, *, skip: int = 0, agent: User | None = None) -> Case:
    case = services.case_create_draft(
        item_version=world.version,
        applicant=world.applicant,
        created_by=agent or world.applicant,
        agent=agent,
        region=world.region,
    )
    lines = list(case.materials.all())
    for line in lines[: len(lines) - skip]:
        case_file_add(case_material=line, upload=pdf(), actor=world.applicant)
    return case


def submit(world: World, case: Case, when: str, capture) -> Case:
    with time_machine.travel(at(when), tick=False), capture(execute=True):
        services.case_submit(case=case, actor=world.applicant)
    return case


def bodies(case: Case, channel: str = Channel.SMS) -> list[str]:
    return list(
        OutboxMessage.objects.filter(case=case, channel=channel)
        .order_by("pk")
        .values_list("body", flat=True)
    )


def test_a_submission_queues_one_message_per_channel_and_sends_it_after_commit(
    reachable, django_capture_on_commit_callbacks
):
    case = draft(reachable)
    with time_machine.travel(at("2025-04-30"), tick=False):
        with django_capture_on_commit_callbacks() as callbacks:
            services.case_submit(case=case, actor=reachable.applicant)
        rows = OutboxMessage.objects.filter(case=case)
        # Written with the status change, not yet sent: delivery waits for the commit.
        assert sorted(rows.values_list("channel", "recipient", "status")) == [
            ("email", "zhangsan@example.cn", "pending"),
            ("sms", "13907110001", "pending"),
        ]
        assert len(callbacks) == 1
        callbacks[0]()
    email = rows.get(channel=Channel.EMAIL)
    assert email.status == MessageStatus.SENT and email.backend == "outbox"
    assert email.subject == f"办件 {case.number}：已提交，待受理"
    assert email.attempts == 1 and email.sent_at is not None
    body = email.body
    for words in (
        str(case.number),
        "食品经营许可（测试）",
        "已提交，待受理",
        "2025年5月12日",
        case.query_code,
    ):
        assert words in body
    assert "无需操作" in body
    assert "http" not in body  # stands alone, no link


def test_a_rolled_back_transition_leaves_no_message(reachable):
    case = draft(reachable)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_submit(case=case, actor=reachable.applicant)
        raise RuntimeError("the request failed after the submission")
    assert not OutboxMessage.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_the_correction_text_lists_every_material_with_the_clerks_remark(
    reachable, django_capture_on_commit_callbacks
):
    case = submit(reachable, draft(reachable), "2026-03-02", django_capture_on_commit_callbacks)
    lines = {line.material.name: line for line in case.materials.select_related("material")}
    findings = [
        services.MaterialFinding(
            case_material_id=lines["次要材料1"].pk, problem="defective", remark="复印件模糊"
        ),
        services.MaterialFinding(
            case_material_id=lines["次要材料2"].pk, problem="missing", remark="须加盖公章"
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.case_request_correction(case=case, actor=reachable.clerk, findings=findings)
    text = bodies(case)[-1]
    assert "待补正材料" in text
    assert "1. 次要材料1（不符合要求）：复印件模糊" in text
    assert "2. 次要材料2（缺少）：须加盖公章" in text
    assert "请补正以下材料后重新提交" in text


def test_the_tolerated_acceptance_text_names_the_materials_and_the_g2_due_date(
    reachable, django_capture_on_commit_callbacks
):
    case = submit(
        reachable, draft(reachable, skip=1), "2026-04-29", django_capture_on_commit_callbacks
    )
    missing = case.materials.get(material=reachable.non_core[-1])
    with (
        time_machine.travel(at("2026-04-30"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.case_accept(case=case, actor=reachable.clerk, tolerated_material_ids=[missing.pk])
    text = bodies(case)[-1]
    assert "请于 2026年5月18日 前补齐以下材料：次要材料2" in text
    assert "终止办理" in text
    assert "承诺办结期限 2026年5月18日" in text


def test_the_deemed_acceptance_of_b1_tells_the_applicant_the_acceptance_date(
    reachable, django_capture_on_commit_callbacks
):
    case = submit(reachable, draft(reachable), "2025-04-30", django_capture_on_commit_callbacks)
    with (
        time_machine.travel(at("2025-05-13", 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.cases_accept_deemed() == 1
    text = bodies(case)[-1]
    assert "视为受理" in text
    assert "2025年4月30日" in text  # accepted from the day of receipt


def test_the_rejection_text_gives_the_reasons_the_competent_agency_and_remedies(
    reachable, django_capture_on_commit_callbacks
):
    case = submit(reachable, draft(reachable), "2026-03-02", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_reject(
            case=case,
            actor=reachable.clerk,
            reasons="不属于本部门职权范围",
            competent_agency="鄂州市住房和城乡建设局",
        )
    text = bodies(case, Channel.EMAIL)[-1]
    assert "不予受理的理由：不属于本部门职权范围" in text
    assert "请向 鄂州市住房和城乡建设局 提出申请" in text
    assert "行政复议" in text and "行政诉讼" in text


def test_the_agent_gets_a_copy_and_an_applicant_without_addresses_gets_none(
    world, django_capture_on_commit_callbacks
):
    agent = User.objects.create_user(
        username="agent", password="x" * 12, role=Role.AGENT, phone="13907110009"
    )
    case = submit(
        world, draft(world, agent=agent), "2026-03-02", django_capture_on_commit_callbacks
    )
    assert list(OutboxMessage.objects.filter(case=case).values_list("recipient", "user")) == [
        ("13907110009", agent.pk)
    ]


def test_a_failing_gateway_never_blocks_or_undoes_the_transition(
    reachable, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFICATION_BACKENDS = {"sms": FAILING}
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_RETRY_SECONDS = 60
    case = submit(reachable, draft(reachable), "2026-03-02", django_capture_on_commit_callbacks)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    sms = OutboxMessage.objects.get(case=case, channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (MessageStatus.PENDING, 1)
    assert sms.last_error == "ConnectionError: gateway unreachable"
    assert sms.next_attempt_at == at("2026-03-02") + dt.timedelta(seconds=60)
    assert "2026年3月9日" in sms.body  # composed once, kept for the retries
    assert OutboxMessage.objects.get(case=case, channel=Channel.EMAIL).status == MessageStatus.SENT

    # Backoff doubles: retried after 60 s, then after 120 s more; the third failure is final.
    with time_machine.travel(at("2026-03-02") + dt.timedelta(seconds=59), tick=False):
        assert outbox_retry_due() == 0
    sms.refresh_from_db()
    assert sms.attempts == 1
    with time_machine.travel(at("2026-03-02") + dt.timedelta(seconds=60), tick=False):
        outbox_retry_due()
    sms.refresh_from_db()
    assert (sms.attempts, sms.status) == (2, MessageStatus.PENDING)
    assert sms.next_attempt_at == at("2026-03-02") + dt.timedelta(seconds=60 + 120)
    with time_machine.travel(sms.next_attempt_at, tick=False):
        outbox_retry_due()
    sms.refresh_from_db()
    assert (sms.attempts, sms.status) == (3, MessageStatus.FAILED)
    with time_machine.travel(at("2026-03-03"), tick=False):
        assert outbox_retry_due() == 0
    sms.refresh_from_db()
    assert sms.attempts == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_gateway_after_a_real_commit_leaves_the_case_changed(reachable, settings):
    settings.NOTIFICATION_BACKENDS = {"sms": FAILING, "email": FAILING}
    FailingGateway.calls = 0
    case = draft(reachable)
    services.case_submit(case=case, actor=reachable.applicant)  # commits; on_commit really runs
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert FailingGateway.calls == 2
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 1)}


def test_the_email_backend_sends_through_django_mail(
    reachable, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFICATION_BACKENDS = {"email": EMAIL}
    settings.DEFAULT_FROM_EMAIL = "zwfw@ezhou.example.cn"
    case = submit(reachable, draft(reachable), "2026-03-02", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["zhangsan@example.cn"]
    assert sent.from_email == "zwfw@ezhou.example.cn"
    assert sent.subject == f"办件 {case.number}：已提交，待受理"
    assert str(case.number) in str(sent.body)
    assert OutboxMessage.objects.get(channel=Channel.EMAIL).backend == "email"
