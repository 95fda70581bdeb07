"""Everything an agent does is recorded "on behalf of" the principal, shown in every trail, and
told to the principal (docs/rules/mandates.md §T5)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import services
from onewindow.cases.models import CaseEvent
from onewindow.cases.services.intake import MaterialFinding
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.notifications import texts
from onewindow.notifications.models import OutboxMessage

aw = fx.aw  # the fixture, shared with the other application tests

BEHALF = "代办员 李娜（代办员） 代表 张三 办理"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 5, 6, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def agent_case(aw):
    """The agent files, is asked to correct, answers the correction, and withdraws."""
    aw.applicant.email, aw.applicant.phone = "zhangsan@example.cn", "13907110001"
    aw.applicant.save()
    services.mandate_record(
        agent=aw.agent,
        applicant=aw.applicant,
        valid_until=dt.date(2026, 12, 31),
        recorded_by=aw.applicant,
    )
    case = fx.draft(aw, actor=aw.agent, applicant=aw.applicant)
    uploads = {line.pk: [fx.pdf(f"{line.pk}.pdf")] for line in case.materials.all()}
    services.application_save(
        case=case,
        actor=aw.agent,
        changes=services.ApplicationChanges(form_data=dict(fx.VALID_FORM), uploads=uploads),
    )
    services.application_submit(case=case, actor=aw.agent)
    line = case.materials.order_by("pk")[0]
    services.case_request_correction(
        case=case,
        actor=aw.clerk,
        findings=[MaterialFinding(line.pk, "defective", "申请书未签字")],
    )
    case.refresh_from_db()
    services.application_save_and_send(
        case=case,
        actor=aw.agent,
        changes=services.ApplicationChanges(
            uploads={line.pk: [fx.pdf("signed.pdf", fx.PDF_BYTES + b"%2")]}
        ),
        idempotency_key="",
        resubmit=True,
    )
    services.application_withdraw(case=case, actor=aw.agent, reason="委托人决定暂不办理")
    case.refresh_from_db()
    return case


def test_every_agent_action_records_the_principal(aw, agent_case):
    events = list(agent_case.events.order_by("pk"))
    by_agent = [e for e in events if e.actor_id == aw.agent.pk]
    actions = {e.action for e in by_agent}
    assert {"draft_created", "file_added", "submitted", "resubmitted", "withdrawn"} <= actions
    assert all(e.on_behalf_of_id == aw.applicant.pk for e in by_agent)
    by_staff = [e for e in events if e.actor_id == aw.clerk.pk]
    assert by_staff and all(e.on_behalf_of_id is None for e in by_staff)


def test_the_applicants_own_actions_are_not_on_behalf(aw):
    case = fx.complete_draft(aw)
    services.application_submit(case=case, actor=aw.applicant)
    assert not CaseEvent.objects.filter(case=case, on_behalf_of__isnull=False).exists()


def test_the_staff_trail_page_and_api_show_on_behalf(aw, agent_case):
    clerk = Client()
    clerk.force_login(aw.clerk)
    html = clerk.get(reverse("cases:intake_case", args=[agent_case.pk])).content.decode()
    assert html.count(BEHALF) >= 5
    api = APIClient()
    api.force_authenticate(aw.clerk)
    events = api.get(f"/api/v1/intake/cases/{agent_case.pk}/").json()["events"]
    withdrawn = next(e for e in events if e["action"] == "withdrawn")
    assert withdrawn["on_behalf_of"] == "张三" and withdrawn["on_behalf"] == BEHALF
    correction = next(e for e in events if e["action"] == "correction_requested")
    assert correction["on_behalf_of"] is None and correction["on_behalf"] == ""


def test_the_principal_reads_the_agents_name_and_the_public_no_name(aw, agent_case):
    applicant = Client()
    applicant.force_login(aw.applicant)
    html = applicant.get(reverse("cases:application", args=[agent_case.pk])).content.decode()
    assert "代办记录" in html and BEHALF in html and "申请书未签字" not in html.split("代办记录")[1]
    api = APIClient()
    api.force_authenticate(aw.applicant)
    actions = api.get(f"/api/v1/cases/{agent_case.pk}/").json()["agent_actions"]
    assert {a["text"] for a in actions} == {BEHALF}
    assert {a["agent"] for a in actions} == {"李娜（代办员）"} and len(actions) >= 5
    query = urlencode({"number": agent_case.number, "code": agent_case.query_code})
    public = Client().get(f"{reverse('portal:progress')}?{query}").content.decode()
    assert "代办员代为办理" in public
    assert "李娜" not in public and "张三" not in public
    progress = Client().get(f"/api/v1/progress/?{query}")
    assert progress.status_code == 200
    steps = progress.json()["timeline"]
    assert any(step["by_agent"] == "代办员代为办理" for step in steps)
    assert "李娜" not in progress.content.decode()


def test_the_principal_is_told_of_every_agent_action(aw, agent_case):
    by_agent = CaseEvent.objects.filter(case=agent_case, actor=aw.agent)
    for event in by_agent:
        told = OutboxMessage.objects.filter(event=event, user=aw.applicant)
        assert told.exists(), f"the principal was not told of {event.action}"
    upload = by_agent.filter(action="file_added").first()
    message = OutboxMessage.objects.filter(event=upload, channel="email").get()
    assert message.recipient == "zhangsan@example.cn"
    assert "代办员 李娜（代办员） 代表您（张三）办理了：上传材料" in message.body
    assert "撤销委托" in message.body
    # routine work on the application: e-mail only, no SMS for each upload
    assert not OutboxMessage.objects.filter(event=upload, channel="sms").exists()
    # the agent's own copy of a status message names them too (composed from the event)
    submitted = by_agent.get(action="submitted")
    assert "本次操作由代办员 李娜（代办员） 代表您办理" in texts.compose(submitted).body
    # one message per channel to the principal, not a second one of its own
    assert OutboxMessage.objects.filter(event=submitted, user=aw.applicant).count() == 2


def test_no_message_of_its_own_for_staff_actions(aw, agent_case):
    correction = CaseEvent.objects.get(case=agent_case, action="correction_requested")
    subjects = OutboxMessage.objects.filter(event=correction).values_list("subject", flat=True)
    assert not any("代办员代表您办理" in subject for subject in subjects)
