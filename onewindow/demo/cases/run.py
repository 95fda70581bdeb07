"""The simulation: a year of working days, the case stories, the background jobs and the
supervisor's routine, in time order.

Every day the morning jobs run first at 07:00 (the supervision sweep on working days, then
deemed acceptance, deemed consent and the escalation of overdue letters, each with ``now`` at
that moment), then the story steps of the day in time order, and at 16:45 on working days the
supervision routine (departments explain cards, the supervisor confirms or cancels them,
departments report their rectification). The history stops at 07:00 of "today": the morning
jobs of today run, the steps due later that day do not, so the counts depend only on the seed,
the count and the date.
"""

from __future__ import annotations

import datetime as dt
import heapq
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from onewindow.calendars.selectors import get_calendar
from onewindow.cases.errors import CaseError
from onewindow.cases.services import cases_accept_deemed
from onewindow.catalog.deadlines import process_plan, working_days_between
from onewindow.catalog.delegation import routed_department_ids
from onewindow.catalog.models import Department, Region, RegionLevel
from onewindow.demo.cases.people import Cast
from onewindow.demo.cases.stories import Plan, Story, story_steps
from onewindow.review.services import tasks_deem_consent
from onewindow.supervision.errors import CardError, LetterError
from onewindow.supervision.models import Card
from onewindow.supervision.services import (
    card_cancel,
    card_confirm,
    card_explain,
    card_rectify,
)
from onewindow.supervision.services.letters import (
    letter_close,
    letter_issue,
    letter_respond,
    letters_escalate,
)
from onewindow.supervision.services.sweep import supervision_sweep

log = logging.getLogger("onewindow.demo")

MORNING = 7.0
ROUTINE = 16.75


@dataclass
class Result:
    cases: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    cards: int = 0
    letters: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)


class Sim:
    """The clock of the generated history and the queue of story steps."""

    def __init__(self, *, cast: Cast, today: dt.date, first: dt.date, seed: int) -> None:

        self.cast, self.today, self.first, self.seed = cast, today, first, seed
        self.cal = get_calendar()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = self.at(first - dt.timedelta(days=1), 0)
        self.queue: list[tuple[dt.datetime, int, Iterator[dt.datetime]]] = []
        self.counter = 0
        self.skipped: Counter[str] = Counter()
        self.city = Region.objects.get(level=RegionLevel.CITY)
        self.districts = list(Region.objects.filter(level=RegionLevel.DISTRICT).order_by("code"))
        self.card_cursor = 0  # the routine has looked at every issued card up to this pk
        self.seconds: dict[str, float] = defaultdict(float)  # where the time went

    # --- time ---------------------------------------------------------------------------------
    def at(self, day: dt.date, hour: float) -> dt.datetime:
        minutes = round(hour * 60)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def add_wd(self, day: dt.date, n: int) -> dt.date:
        if n > 0:
            return self.cal.add_working_days(day, n).date
        for _ in range(-n):
            day = self.cal.previous_working_day(day).date
        return day

    def wd_between(self, start: dt.date, end: dt.date) -> int:

        return working_days_between(start, end)

    def region_for(self, rng: random.Random, version: Any = None) -> Any:
        """The city for most cases, else a district. The generated history is the city's staff's:
        a district whose own bureau would take the case or one of its review tasks
        (docs/rules/delegation.md §V1) gives way to the city."""
        region = self.city if rng.random() < 0.8 else rng.choice(self.districts)
        if version is None or region == self.city:
            return region
        ids = [plan.department_id for plan in process_plan(version)]
        ids.append(version.item.department_id)
        routed = routed_department_ids(item_id=version.item_id, region=region, ids=ids)
        return self.city if any(k != v for k, v in routed.items()) else region

    # --- steps --------------------------------------------------------------------------------
    def act(self, story: Story | None, fn: Any) -> bool:
        """Run one step all or nothing; a refusal ends the story (counted, logged)."""

        try:
            with transaction.atomic():
                fn()
        except (CaseError, ValidationError, CardError, LetterError) as exc:
            self.skip(story, f"{type(exc).__name__}: {exc}")
            return False
        return True

    def skip(self, story: Any, reason: str) -> None:
        plan = getattr(story, "plan", None)
        label = f"{plan.fate} {plan.item.version.item.code}" if plan else "supervision"
        log.info("demo case %s: step skipped (%s)", label, reason)
        self.skipped[reason[:120]] += 1

    def schedule(self, steps: Iterator[dt.datetime]) -> None:
        try:
            moment = next(steps)
        except StopIteration:
            return
        self.counter += 1
        heapq.heappush(self.queue, (moment, self.counter, steps))

    def run_until(self, moment: dt.datetime) -> None:
        while self.queue and self.queue[0][0] < moment:
            when, _n, steps = heapq.heappop(self.queue)
            self.now = when
            self.schedule(steps)

    # --- the year -----------------------------------------------------------------------------
    def year(self, first: dt.date, bar: Any) -> None:
        day = first
        while day <= self.today:
            morning = self.at(day, MORNING)
            self.timed("stories", self.run_until, morning)
            self.now = morning
            if self.cal.is_working_day(day):
                self.timed("jobs", self.morning_jobs, day)
            if day == self.today:
                break
            if self.cal.is_working_day(day):
                self.timed("stories", self.run_until, self.at(day, ROUTINE))
                self.now = max(self.now, self.at(day, ROUTINE))
                self.timed("routine", self.routine, day)
            day += dt.timedelta(days=1)
            bar.update()

    def timed(self, what: str, fn: Any, arg: Any) -> None:
        started = time.perf_counter()
        fn(arg)
        self.seconds[what] += time.perf_counter() - started

    def morning_jobs(self, day: dt.date) -> None:

        now = self.now
        started = time.perf_counter()
        supervision_sweep(today=day, now=now)
        self.seconds["sweep"] += time.perf_counter() - started
        cases_accept_deemed(today=day, now=now)
        tasks_deem_consent(today=day, now=now)
        letters_escalate(today=day, now=now)

    def routine(self, day: dt.date) -> None:
        """The card lifecycle for cards old enough: explain → confirm | cancel → rectify."""

        supervisor = self.cast.demo["supervisor"]
        explain_by = self.at(self.add_wd(day, -3), 23.9)
        review_by = self.at(self.add_wd(day, -2), 23.9)
        for card in (
            Card.objects.filter(pk__gt=self.card_cursor, status="issued", issued_at__lte=explain_by)
            .select_related("rule", "case")
            .order_by("pk")
        ):
            self.card_cursor = card.pk
            if self.card_rng(card, "explain").random() > (0.85 if card.level == "red" else 0.3):
                continue  # never explained: stays issued
            head = self.cast.staff.get(self._code(card.department_id), {}).get("chief")
            if head is None:
                continue
            self._act(
                lambda c=card, h=head: card_explain(
                    card=c, actor=h, text=self._explanation(c), now=self.now
                )
            )
        for card in Card.objects.filter(
            status="explained", explained_at__lte=review_by
        ).select_related("rule", "case"):
            confirm = self.card_rng(card, "review").random() < (
                0.7 if card.level == "red" else 0.35
            )
            if confirm:
                self._act(
                    lambda c=card: card_confirm(
                        card=c, actor=supervisor, reason="情况属实，请限期整改。", now=self.now
                    )
                )
            else:
                self._act(
                    lambda c=card: card_cancel(
                        card=c,
                        actor=supervisor,
                        reason="说明理由成立，予以撤销。",
                        now=self.now,
                    )
                )
        for card in Card.objects.filter(
            status="confirmed", reviewed_at__lte=explain_by
        ).select_related("rule", "case"):
            head = self.cast.staff.get(self._code(card.department_id), {}).get("chief")
            if head is None or self.card_rng(card, "rectify").random() > 0.8:
                continue
            self._act(
                lambda c=card, h=head: card_rectify(
                    card=c,
                    actor=h,
                    text="已对相关人员进行提醒谈话，并完善限时办结台账。",
                    now=self.now,
                )
            )

    def card_rng(self, card: Any, what: str) -> random.Random:
        """A draw for one card that does not depend on primary keys (the same after a reset)."""
        case = card.case.number if card.case_id else ""
        key = f"{self.seed}|{what}|{card.rule.code}|{card.level}|{case}|{card.due}|{card.issued_at}"
        return random.Random(key)

    def _act(self, fn: Any) -> None:
        self.act(None, fn)

    def _code(self, department_id: int) -> str:
        if not hasattr(self, "_codes"):
            self._codes = dict(Department.objects.values_list("pk", "code"))
        return self._codes.get(department_id, "")

    @staticmethod
    def _explanation(card: Any) -> str:
        if card.rule.code == "task_due":
            return "因申请材料需现场核实，审查时间较长，已督促承办人抓紧办理。"
        if card.rule.code in ("deemed_consent", "deemed_acceptance"):
            return "经办人员休假期间交接不到位，未能在期限内处理。"
        return "因业务量集中，办理时间临近期限，已调配人员加快办理。"


# --- supervision letters ----------------------------------------------------------------------
def letter_steps(sim: Sim, day: dt.date, kind: str, n: int) -> Iterator[dt.datetime]:
    """A 督办函 on the most recent red card: answered and closed, left open, or never answered
    (escalated by the job and carded by the next sweep)."""

    yield sim.at(day, 10.5)
    card = (
        Card.objects.filter(level="red", letters__isnull=True, case__isnull=False)
        .exclude(rule__code="letter_overdue")
        .select_related("department", "case", "rule")
        .order_by("-issued_at", "-pk")
        .first()
    )
    if card is None:
        return
    supervisor = sim.cast.demo["supervisor"]
    letters: list[Any] = []
    sim.act(
        None,
        lambda: letters.append(
            letter_issue(
                actor=supervisor,
                department=card.department,
                card=card,
                subject=f"关于办件{card.case.number if card.case else ''}{card.rule.name}的督办函",
                text="请你单位对该办件超期情况进行核查，说明原因并提出整改措施，按期书面回复。",
                response_days=5,
                now=sim.now,
            )
        ),
    )
    if not letters or kind in ("open", "overdue"):
        return
    letter = letters[0]
    head = sim.cast.staff.get(card.department.code, {}).get("chief")
    if head is None:
        return
    yield sim.at(sim.add_wd(day, 2 + n % 3), 15.0)
    if not sim.act(
        None,
        lambda: letter_respond(
            letter=letter,
            actor=head,
            text="已核查：超期系材料核实耗时所致，已对承办人员提醒谈话并建立期限预警台账。",
            now=sim.now,
        ),
    ):
        return
    yield sim.at(sim.add_wd(sim.local_date(sim.now), 1), 11.0)
    sim.act(
        None,
        lambda: letter_close(
            letter=letter, actor=supervisor, note="整改措施可行，予以办结。", now=sim.now
        ),
    )


def letter_plan(sim: Sim, first: dt.date) -> list[tuple[dt.date, str]]:
    """About one letter a month; the one three months back is never answered, the last open."""
    days: list[tuple[dt.date, str]] = []
    month = dt.date(first.year, first.month, 1)
    while True:
        month = (month + dt.timedelta(days=32)).replace(day=1)
        day = sim.add_wd(month, 3)
        if day >= sim.add_wd(sim.today, -8):
            break
        days.append((day, "closed"))
    if len(days) >= 2:
        late = -min(3, len(days))
        days[late] = (days[late][0], "overdue")
    days.append((sim.add_wd(sim.today, -2), "open"))
    return days


def plans_schedule(sim: Sim, plans: list[Plan]) -> None:

    for plan in plans:
        sim.schedule(story_steps(sim, plan))
