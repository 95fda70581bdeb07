"""Demo questions and complaints (docs/rules/consultation.md), made through the real services.

Questions to the demo department (鄂州市市场监督管理局) and one to another department: answered
ones, two published as FAQ on their items' guide pages (with the asker's phone number masked),
one answered without consent, one overdue and unanswered (a red card on the next sweep), one due
on the next working day (yellow). Complaints in every state, about the demo clerk, the handler
and a window, so the supervisor's list and the clerk's staff record show something.
Deterministic: fixed texts, dates counted back from ``today``.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.calendars.selectors import add_working_days
from onewindow.catalog.models import Department, Item, Window
from onewindow.consult import services
from onewindow.consult.models import Complaint, ComplaintEvent, Question
from onewindow.demo.personas import DEMO_DEPARTMENT


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _asked_for_due(due: dt.date, today: dt.date) -> dt.date:
    """The latest day before ``today`` whose question is due on ``due`` (or the closest)."""
    for back in range(1, 30):
        day = today - dt.timedelta(days=back)
        if services.reply_due_for(day) <= due:
            return day
    return today - dt.timedelta(days=10)


def consult_reset() -> None:
    """Delete the demo's questions and complaints (they refer to users, items and windows the
    catalog reset deletes)."""
    ComplaintEvent.objects.all().delete()
    Complaint.objects.all().delete()
    Question.objects.all().delete()


def load(today: dt.date) -> None:
    users = {u.username: u for u in User.objects.filter(is_active=True)}
    applicant, enterprise = users.get("applicant"), users.get("enterprise")
    handler, reviewer = users.get("handler"), users.get("reviewer")
    clerk, supervisor = users.get("clerk"), users.get("supervisor")
    if None in (applicant, enterprise, handler, reviewer, clerk, supervisor):
        return
    assert applicant and enterprise and handler and reviewer and clerk and supervisor
    items = list(
        Item.objects.filter(department__code=DEMO_DEPARTMENT, published_version__isnull=False)
        .select_related("published_version")
        .order_by("sort", "code")[:4]
    )
    other = Department.objects.filter(is_active=True).exclude(code=DEMO_DEPARTMENT).first()
    if len(items) < 2:
        return
    _questions(today, items, other, applicant, enterprise, handler, reviewer)
    _complaints(today, applicant, enterprise, clerk, handler, supervisor)


def _questions(
    today: dt.date,
    items: list[Item],
    other: Department | None,
    applicant: User,
    enterprise: User,
    handler: User,
    reviewer: User,
) -> None:
    def asked(days_ago: int) -> dt.date:
        return today - dt.timedelta(days=days_ago)

    answered = [
        (
            applicant,
            items[0],
            "个体工商户可以办理吗",
            f"我叫{applicant.full_name}，电话{applicant.phone or '13907110001'}，"
            "准备开一家小吃店，个体工商户能不能申请？",
            "可以。个体工商户以营业执照登记的经营者为申请人，按办事指南准备材料即可。",
            True,
            True,
        ),
        (
            enterprise,
            items[1],
            "申请材料可以网上提交吗",
            "我公司想在网上提交全部申请材料，原件还需要到窗口核验吗？",
            "可以在“网上申报”栏目提交电子材料；需要核验原件的，办事指南中已注明。",
            True,
            True,
        ),
        (
            applicant,
            items[0],
            "办理进度怎么查",
            "上周提交的申请，在哪里能看到办理到哪一步了？",
            "登录后在“我的办件”中查看，或在“进度查询”栏目凭办件编号和查询码查询。",
            False,
            False,
        ),
        (
            enterprise,
            items[-1],
            "变更法定代表人需要重新申请吗",
            "公司法定代表人变更后，原有许可证需要重新申请还是办理变更？",
            "办理变更登记即可，无需重新申请；请携带变更后的营业执照。",
            True,
            False,
        ),
    ]
    for n, (user, item, title, text, reply, consent, publish) in enumerate(answered):
        day = asked(40 - n * 7)
        question = services.question_ask(
            asker=user,
            title=title,
            text=text,
            item_code=item.code,
            consent_publish=consent,
            now=_at(day),
        )
        services.question_reply(
            question=question,
            actor=handler,
            reply=reply,
            now=_at(add_working_days(day, 2).date, 15),
        )
        if publish:
            services.question_publish(
                question=question, actor=reviewer, now=_at(add_working_days(day, 3).date, 9)
            )
    # One overdue and unanswered (red on the next sweep) …
    services.question_ask(
        asker=applicant,
        title="食品小作坊需要办理哪些证件",
        text="家庭作坊做糕点对外销售，需要办理哪些证件？",
        item_code=items[0].code,
        consent_publish=True,
        now=_at(asked(14)),
    )
    # … and one due on the next working day (yellow).
    due_soon = add_working_days(today, 1).date
    services.question_ask(
        asker=enterprise,
        title="许可证遗失如何补办",
        text="许可证正本遗失了，补办需要登报声明吗？",
        item_code=items[1].code,
        now=_at(_asked_for_due(due_soon, today)),
    )
    if other is not None:
        services.question_ask(
            asker=applicant,
            title="咨询办理时间",
            text="周六可以到大厅办理吗？",
            department_id=other.pk,
            consent_publish=True,
            now=_at(asked(1)),
        )


def _complaints(
    today: dt.date,
    applicant: User,
    enterprise: User,
    clerk: User,
    handler: User,
    supervisor: User,
) -> None:
    window = Window.objects.filter(is_active=True, staff=clerk).order_by("number").first() or (
        Window.objects.filter(is_active=True).order_by("number").first()
    )
    window_id = window.pk if window else None

    def at(days_ago: int, hour: int = 10) -> dt.datetime:
        return _at(today - dt.timedelta(days=days_ago), hour)

    closed = services.complaint_file(
        complainant=applicant,
        title="窗口人员态度生硬",
        text="在窗口办理时，工作人员多次打断我说话，解释也不耐烦。",
        window_id=window_id,
        staff_number=clerk.username,
        now=at(30),
    )
    services.complaint_handle(
        complaint=closed,
        actor=supervisor,
        notes="调取了窗口录音录像，并与当事工作人员谈话，情况基本属实。",
        now=at(28),
    )
    services.complaint_conclude(
        complaint=closed,
        actor=supervisor,
        result="substantiated",
        reply="经核实，您反映的情况属实。已对该工作人员进行批评教育，并纳入绩效考核。感谢您的监督。",
        now=at(27),
    )
    unfounded = services.complaint_file(
        complainant=enterprise,
        title="排队时间过长",
        text="上午取号后等候了一个半小时。",
        window_id=window_id,
        now=at(20),
    )
    services.complaint_handle(
        complaint=unfounded,
        actor=supervisor,
        notes="当日为申报高峰，排队系统记录正常。",
        now=at(19),
    )
    services.complaint_conclude(
        complaint=unfounded,
        actor=supervisor,
        result="unsubstantiated",
        reply="经查当日为申报高峰，窗口均正常服务。已增开高峰时段弹性窗口，感谢您的理解。",
        now=at(18),
    )
    handling = services.complaint_file(
        complainant=applicant,
        title="承办人推诿",
        text="电话咨询审查进度时，承办人说不归他管，让我找别人。",
        staff_number=handler.username,
        now=at(6),
    )
    services.complaint_handle(
        complaint=handling,
        actor=supervisor,
        notes="已联系承办部门了解情况，待当事人说明。",
        now=at(5),
    )
    services.complaint_file(
        complainant=enterprise,
        title="告知材料不一次说清",
        text="两次到窗口都被要求补充不同的材料，没有一次性告知。",
        window_id=window_id,
        staff_number=clerk.username,
        now=at(1),
    )
