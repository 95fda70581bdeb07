"""Which cases the demo year holds: each case's fate, item, applicant, channel, day and extras.

Deterministic: everything is drawn from one ``random.Random(seed)``, and every plan gets its own
generator seeded from it, so a step refused in one story never shifts another story's draws.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from onewindow.cases.selectors import tolerance_limit
from onewindow.catalog.models import ItemVersion
from onewindow.demo.cases.people import Cast
from onewindow.demo.cases.run import Sim
from onewindow.demo.cases.stories import HELD_AT, QUEUE_FATES, ItemInfo, Plan
from onewindow.demo.personas import DEMO_DEPARTMENT

# Share of the cases per fate (the rest are completed on time) and the least number of each.
SHARES: dict[str, tuple[float, int]] = {
    "early": (0.12, 2),
    "late_decision": (0.04, 1),
    "late_delivery": (0.025, 1),
    "refused": (0.04, 1),
    "rejected": (0.04, 1),
    "withdrawn": (0.02, 1),
    "deemed_acceptance": (0.008, 2),
    "awaiting_intake": (0.025, 1),
    "intake_near_due": (0.004, 2),
    "correction_open": (0.025, 1),
    "tolerated_open": (0.004, 2),
    "in_review": (0.07, 3),
    "in_review_overdue": (0.008, 1),
    "suspended": (0.01, 1),
    "suspension_overdue": (0.002, 1),
    "granted_pending": (0.035, 2),
    "certificate_overdue": (0.003, 1),
    # Today's work of the demo department's staff (issue 10 item 22; see stories.QUEUE_FATES).
    "at_handle": (0.01, 1),
    "at_review": (0.01, 1),
    "at_approve": (0.01, 1),
    "awaiting_decision": (0.015, 2),
    "extension_pending": (0.005, 1),
}
# The demo personas' own cases (so their pages show something in every state).
PERSONA_FATES = {
    "applicant": ("completed", "completed", "in_review", "correction_open", "granted_pending"),
    "enterprise": ("completed", "early", "refused", "in_review", "awaiting_intake", "rejected"),
}
REVIEW_FATES = (
    "tolerated_open",
    "in_review",
    "in_review_overdue",
    "suspended",
    "suspension_overdue",
    "granted_pending",
    "certificate_overdue",
    "late_decision",
    "late_delivery",
    *QUEUE_FATES,
)
MANDATING = 6  # generated applicants who mandate the demo agent


def items_info() -> list[ItemInfo]:

    versions = (
        ItemVersion.objects.filter(status="published")
        .select_related("item__department")
        .prefetch_related("materials", "process_branches")
        .order_by("item__code")
    )
    return [
        ItemInfo(
            version=v,
            department=v.item.department.code,
            committed=v.committed_days,
            on_the_spot=v.on_the_spot or v.committed_days == 0,
            joint=len(v.process_branches.all()) > 1,
            commitment_allowed=v.commitment_allowed,
            tolerance=tolerance_limit(v),
            materials=sorted(v.materials.all(), key=lambda m: m.sort),
            delivery=list(v.delivery_methods or ["window"]),
            licensing=v.item.item_type == "licensing",
        )
        for v in versions
    ]


def departments_of(items: list[ItemInfo]) -> set[str]:
    codes = {i.department for i in items}
    for info in items:
        codes |= {b.department.code for b in info.version.process_branches.all()}
    return codes


def _weight(info: ItemInfo, demo_department: str) -> float:
    if info.department == demo_department:
        return 6.0
    return 3.0 if info.joint else 1.0


def _eligible(info: ItemInfo, fate: str) -> bool:
    if info.on_the_spot:
        return fate in ("completed", "early", "rejected", "awaiting_intake", "refused")
    if (fate in REVIEW_FATES or fate == "withdrawn") and info.committed < 3:
        return False
    if fate == "tolerated_open":
        return info.tolerance >= 1 and bool(info.tolerable) and info.committed >= 4
    if fate == "deemed_acceptance":
        return info.committed >= 10
    if fate in ("in_review_overdue", "granted_pending", "certificate_overdue"):
        return info.committed <= 15
    if fate == "extension_pending":
        # The agency head approves it (a joint-handling extension goes to the government head).
        return not info.version.joint_handling
    if fate in HELD_AT:
        return any(
            step.get("kind") == HELD_AT[fate]
            for branch in info.version.process_branches.all()
            if branch.is_lead
            for step in branch.steps
        )
    return True


def fate_counts(count: int) -> dict[str, int]:
    counts = {fate: max(least, round(share * count)) for fate, (share, least) in SHARES.items()}
    counts["completed"] = max(0, count - sum(counts.values()))
    return counts


def make_plans(
    rng: random.Random, sim: Sim, cast: Cast, items: list[ItemInfo], count: int
) -> list[Plan]:

    fates: list[tuple[str, str | None]] = []
    for username, own in PERSONA_FATES.items():
        fates += [(fate, username) for fate in own]
    left = fate_counts(max(0, count - len(fates)))
    fates += [(fate, None) for fate, n in sorted(left.items()) for _ in range(n)]
    rng.shuffle(fates)
    mandating = rng.sample(cast.citizens + cast.enterprises, k=MANDATING)
    first = sim.first
    plans = []
    for n, (fate, persona) in enumerate(fates):
        r = random.Random(rng.randrange(2**63))
        pool = [i for i in items if _eligible(i, fate)]
        if persona or fate in QUEUE_FATES or (fate == "in_review" and r.random() < 0.75):
            pool = [i for i in pool if i.department == DEMO_DEPARTMENT] or pool
        info = r.choices(pool, weights=[_weight(i, DEMO_DEPARTMENT) for i in pool])[0]
        plan = Plan(
            n=n,
            fate=fate,
            item=info,
            applicant=None,
            channel="window",
            day=first,
            rng=r,
            intake_k=r.choice((0, 1, 1, 2, 2, 3)) if not info.on_the_spot else 0,
        )
        _cast(plan, r, cast, persona, mandating)
        _features(plan, r)
        plan.day = _day(plan, r, sim, first)
        plans.append(plan)
    return plans


def _cast(
    plan: Plan, r: random.Random, cast: Cast, persona: str | None, mandating: list[Any]
) -> None:
    if persona:
        plan.applicant = cast.demo[persona]
        plan.channel = r.choice(("online", "online", "window"))
        return
    roll = r.random()
    if roll < 0.1:
        plan.applicant = r.choice(mandating)
        plan.channel, plan.agent = "agent", cast.demo["agent"]
        return
    firms = plan.item.licensing and r.random() < 0.6
    plan.applicant = r.choice(cast.enterprises if firms else cast.citizens)
    plan.channel = "online" if roll < 0.55 else "window"


def _features(plan: Plan, r: random.Random) -> None:
    info, fate, extra = plan.item, plan.fate, plan.features
    if fate == "tolerated_open":
        extra.add("tolerated")
    if fate not in ("completed", "early", "late_decision", "late_delivery", "refused"):
        return
    if info.commitment_allowed and plan.channel != "window" and r.random() < 0.3:
        extra.add("commitment")
    if info.on_the_spot:
        return
    if r.random() < 0.12:
        extra.add("correction")
    if info.tolerance and info.tolerable and info.committed >= 4 and r.random() < 0.06:
        extra.add("tolerated")
    if fate == "early":
        return
    lead_days = max(b.allotted_days for b in info.version.process_branches.all())
    if lead_days >= 5 and r.random() < 0.07:
        extra.add("material")
    if info.committed >= 3 and r.random() < 0.05:
        extra.add("suspension")
    if fate != "late_decision" and info.committed >= 3 and r.random() < 0.05:
        extra.add("extension")
    if info.joint and r.random() < 0.3:
        extra.add("deemed_consent")


def _day(plan: Plan, r: random.Random, sim: Sim, first: dt.date) -> dt.date:
    """The submission day: anywhere in the year for finished stories, counted back from today
    for the ones that must be half-way at the cut-off."""
    info, fate, k, today = plan.item, plan.fate, plan.intake_k, sim.today
    lead = max(b.allotted_days for b in info.version.process_branches.all())
    back = {
        "awaiting_intake": lambda: r.randint(1, 3),
        "intake_near_due": lambda: r.randint(4, 5),
        "correction_open": lambda: r.randint(3, 8),
        "tolerated_open": lambda: k + r.randint(1, 2),
        "in_review": lambda: k + r.randint(1, max(1, lead - 1)),
        "in_review_overdue": lambda: k + info.committed + r.randint(1, 3),
        "suspended": lambda: k + 1 + r.randint(1, 2),
        "suspension_overdue": lambda: k + 1 + 9,
        "granted_pending": lambda: k + info.committed + r.randint(1, 7),
        "certificate_overdue": lambda: k + info.committed + 12,
        # Reviewed on the day of acceptance; the extension is asked for the working day after.
        **dict.fromkeys((*HELD_AT, "awaiting_decision"), lambda: k + r.randint(1, 2)),
        "extension_pending": lambda: k + 2 + r.randint(0, 1),
    }.get(fate)
    if back is not None:
        return sim.add_wd(today, -back())
    latest = sim.add_wd(today, -(info.committed + 35))
    span = max(1, (latest - first).days)
    day = first + dt.timedelta(days=1 + r.randrange(span))
    return day if sim.cal.is_working_day(day) else sim.cal.next_working_day(day).date
