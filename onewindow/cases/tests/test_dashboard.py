"""我的办件: the applicant's cases and what each one needs from them (docs/product.md §C9)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.cache import cache

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.cases import services
from onewindow.cases.models import Case
from onewindow.cases.tests.conftest import World, pdf
from onewindow.cases.uploads import case_file_add
from onewindow.portal.progress import DashboardRow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI)


def draft(world: World, *, skip: int = 0, applicant: User | None = None, agent=None) -> Case:
    applicant = applicant or world.applicant
    case = services.case_create_draft(
        item_version=world.version,
        applicant=applicant,
        created_by=agent or applicant,
        agent=agent,
        region=world.region,
    )
    lines = list(case.materials.all())
    for line in lines[: len(lines) - skip]:
        case_file_add(case_material=line, upload=pdf(), actor=applicant)
    return case


def submitted(world: World, when: str, **kwargs) -> Case:
    case = draft(world, **kwargs)
    with time_machine.travel(at(when), tick=False):
        services.case_submit(case=case, actor=case.applicant)
    return case


def rows_by_case(response) -> dict[int, DashboardRow]:
    return {row.case.pk: row for row in response.context["rows"]}


def test_the_dashboard_needs_a_login(client):
    response = client.get("/my/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/my/cases/")


def test_each_case_says_what_the_applicant_must_do_and_where(client, world):
    a_draft = draft(world)
    waiting = submitted(world, "2026-03-02")
    corrected = submitted(world, "2026-03-02")
    line = corrected.materials.all()[0]
    finding = services.MaterialFinding(case_material_id=line.pk, problem="missing", remark="缺")
    services.case_request_correction(case=corrected, actor=world.clerk, findings=[finding])
    tolerated = submitted(world, "2026-04-29", skip=1)
    missing = tolerated.materials.get(material=world.non_core[-1])
    with time_machine.travel(at("2026-04-30"), tick=False):
        services.case_accept(case=tolerated, actor=world.clerk, tolerated_material_ids=[missing.pk])

    client.force_login(world.applicant)
    response = client.get("/my/cases/")
    assert response.status_code == 200
    rows = rows_by_case(response)
    assert rows[a_draft.pk].action.text == "继续填写"
    assert rows[a_draft.pk].action.url == f"/cases/{a_draft.pk}/application/"
    assert rows[a_draft.pk].progress_url is None
    assert rows[corrected.pk].action.text == "补正材料"
    assert rows[corrected.pk].action.url == f"/cases/{corrected.pk}/application/"
    assert rows[tolerated.pk].action.text == "补齐容缺材料，截止 2026年5月18日"
    assert rows[waiting.pk].action.text == "等待受理（受理期限 2026年3月9日）"
    assert rows[waiting.pk].action.url is None
    assert rows[waiting.pk].progress_url == (
        f"/progress/?number={waiting.number}&code={waiting.query_code}"
    )
    assert rows[tolerated.pk].notice_url == (
        f"/cases/{tolerated.pk}/notices/{tolerated.notices.get().pk}.pdf"
    )
    assert rows[tolerated.pk].notice_label == "容缺受理通知书"
    page = response.text
    assert "补齐容缺材料，截止 2026年5月18日" in page
    # The open commitments section lists the tolerated material and its due date.
    [commitment] = response.context["commitments"]
    assert (commitment.case_id, commitment.due_on) == (tolerated.pk, dt.date(2026, 5, 18))
    assert "补齐“次要材料2”" in page


def test_the_progress_link_of_a_row_opens_that_cases_progress(client, world):
    case = submitted(world, "2026-03-02")
    client.force_login(world.applicant)
    url = rows_by_case(client.get("/my/cases/"))[case.pk].progress_url
    cache.clear()
    assert client.get(url).context["report"].case.pk == case.pk


def test_only_the_users_own_cases_and_those_they_file_as_agent_are_listed(client, world):
    other = User.objects.create_user(username="lisi", password="x" * 12, role=Role.APPLICANT)
    agent = User.objects.create_user(username="agent", password="x" * 12, role=Role.AGENT)
    mine = submitted(world, "2026-03-02")
    theirs = submitted(world, "2026-03-02", applicant=other)
    filed_by_agent = submitted(world, "2026-03-02", applicant=other, agent=agent)
    # docs/product.md §C8: the agent sees the case only while the applicant's mandate is in force
    services.mandate_record(
        agent=agent,
        applicant=other,
        valid_until=dt.date.today() + dt.timedelta(days=30),
        recorded_by=other,
    )

    client.force_login(world.applicant)
    assert set(rows_by_case(client.get("/my/cases/"))) == {mine.pk}
    client.force_login(agent)
    response = client.get("/my/cases/")
    assert set(rows_by_case(response)) == {filed_by_agent.pk}
    assert str(theirs.number) not in response.text


def test_a_user_without_cases_is_pointed_to_the_application_pages(client, world):
    client.force_login(world.applicant)
    response = client.get("/my/cases/")
    assert response.context["rows"] == []
    assert "您还没有办件" in response.text
    assert response.context["apply_url"] == "/apply/"
