"""A year of generated demo cases, made through the real services (docs/product.md §RUN).

``demo_cases_load`` simulates the year that ends at ``today`` on top of the demo catalog: a few
dozen generated citizens and enterprises (valid ID numbers and credit codes) and the demo
personas apply online, at the window or through the demo agent; clerks accept, ask for
corrections, reject or accept with 容缺; departments review in parallel, stay silent (deemed
consent), ask for material, suspend for special procedures, extend; the lead grants or refuses;
certificates are issued and delivered at the window, by post or electronically. The background
jobs (supervision sweep, deemed acceptance and consent, letter escalation) run every morning of
the year with the day's date, so cards carry their real dates; the demo supervisor and the
department heads work through cards and a 督办函 a month (one of them never answered).

Each service gets ``now=`` the simulated moment. Columns Django fills with the wall clock
(``auto_now_add``: case, file and mandate creation times) are set to the simulated moments at
the end, and the notification messages the history queued are deleted: they describe the past
and must not be "sent" by the background loop now.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections import Counter, defaultdict
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from tqdm import tqdm

from onewindow.accounts.models import User
from onewindow.audit.chain import chain_maintenance
from onewindow.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseNumberSequence,
    FalseCommitmentRecord,
    Mandate,
    StoredFile,
)
from onewindow.cases.services import mandate_latest_end, mandate_record
from onewindow.certificates.models import Certificate, CertificateSequence
from onewindow.demo import DEFAULT_COUNT
from onewindow.demo.cases import planning
from onewindow.demo.cases.mandates import mandates_demo
from onewindow.demo.cases.people import GENERATED_DOMAIN, cast_create, generated_users
from onewindow.demo.cases.renewals import renewals_demo
from onewindow.demo.cases.run import Result, Sim, letter_plan, letter_steps, plans_schedule
from onewindow.demo.personas import DEMO_USERNAMES
from onewindow.demo.ratings import reset as ratings_reset
from onewindow.notifications.models import OutboxMessage
from onewindow.review.models import MaterialAnswerFile
from onewindow.search.models import ItemUsage
from onewindow.supervision.models import (
    Card,
    LetterSequence,
    PerformanceScore,
    SituationReport,
    SupervisionLetter,
)

SEED = 2015

__all__ = ["DEFAULT_COUNT", "Result", "demo_cases_load", "demo_cases_reset"]


def demo_cases_load(
    *,
    today: dt.date,
    count: int = DEFAULT_COUNT,
    seed: int = SEED,
    progress: bool = False,
    days: int = 365,
) -> Result:
    """Generate ``count`` cases over the ``days`` (a year) ending at ``today``, all or nothing.

    Into a database holding the demo catalog and users and no cases (``load_demo`` calls it).
    """

    rng = random.Random(seed)
    first = today - dt.timedelta(days=days)
    with transaction.atomic():
        outbox_before = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        items = planning.items_info()
        password = User.objects.get(username="clerk").password  # the demo password's hash
        cast = cast_create(
            rng,
            departments=planning.departments_of(items),
            citizens=max(12, min(36, count // 20)),
            enterprises=max(10, min(28, count // 28)),
            password_hash=password,
        )
        sim = Sim(cast=cast, today=today, first=first, seed=seed)
        plans = planning.make_plans(rng, sim, cast, items, count)
        mandating = {p.applicant.pk: p.applicant for p in plans if p.agent}
        for _pk, applicant in sorted(mandating.items()):
            mandate_record(
                agent=cast.demo["agent"],
                applicant=applicant,
                valid_until=mandate_latest_end(first),
                recorded_by=applicant,
                note="委托代办员办理本单位（本人）全部政务服务事项。",
                today=first,
            )
        plans_schedule(sim, plans)
        for n, (day, kind) in enumerate(letter_plan(sim, first)):
            sim.schedule(letter_steps(sim, day, kind, n))
        with tqdm(
            total=(today - first).days,
            desc="生成演示办件",
            unit="天",
            disable=not progress,
            file=sys.stderr,
        ) as bar:
            sim.year(first, bar)
        # ALL Art. 50: a renewal application in the queues (certificates app, real services).

        holders = [cast.demo["applicant"], cast.demo["enterprise"]]
        renewals_demo(holders=holders, now=sim.now, today=today)
        # docs/rules/mandates.md §T1, §T3: a case mandate and a pending paper mandate.
        mandates_demo(cast=cast, today=today)
        _backdate(sim, first)
        stale = OutboxMessage.objects.all()
        if outbox_before is not None:
            stale = stale.filter(pk__gt=outbox_before)
        stale.delete()
        statuses = dict(sorted(Counter(Case.objects.values_list("status", flat=True)).items()))
        return Result(
            cases=Case.objects.count(),
            statuses=statuses,
            cards=Card.objects.count(),
            letters=SupervisionLetter.objects.count(),
            skipped=sim.skipped,
            seconds={k: round(v, 1) for k, v in sim.seconds.items()},
        )


def _backdate(sim: Any, first: dt.date) -> None:
    """Set the wall-clock ``auto_now_add`` columns of the generated rows to simulated moments."""

    drafted = CaseEvent.objects.filter(case=OuterRef("pk"), action="draft_created")
    Case.objects.update(created_at=Subquery(drafted.order_by("at").values("at")[:1]))
    uploads: dict[tuple[int, str], dt.datetime] = {}
    for case_id, data, at in CaseEvent.objects.filter(
        action__in=("file_added", "commitment_fulfilled")
    ).values_list("case_id", "data", "at"):
        uploads.setdefault((case_id, (data or {}).get("file", "")), at)
    answered: dict[int, dt.datetime] = {}
    for data, at in CaseEvent.objects.filter(action="material_answered").values_list("data", "at"):
        answered[int((data or {}).get("request", 0))] = at
    stored_at: dict[dt.datetime, list[int]] = defaultdict(list)
    file_at: dict[dt.datetime, list[int]] = defaultdict(list)
    for pk, stored_id, case_id, name in CaseFile.objects.values_list(
        "pk", "stored_id", "case_material__case_id", "stored__original_name"
    ):
        moment = uploads.get((case_id, name))
        if moment is not None:
            file_at[moment].append(pk)
            stored_at[moment].append(stored_id)
    for stored_id, request_id in MaterialAnswerFile.objects.values_list("stored_id", "request_id"):
        if (moment := answered.get(request_id)) is not None:
            stored_at[moment].append(stored_id)
    for moment, ids in file_at.items():
        CaseFile.objects.filter(pk__in=ids).update(added_at=moment)
    for moment, ids in stored_at.items():
        StoredFile.objects.filter(pk__in=ids).update(created_at=moment)
    Mandate.objects.filter(applicant__in=_demo_people(), valid_from__lte=first).update(
        created_at=sim.at(first, 9.0)
    )


def _demo_people() -> Any:

    return User.objects.filter(
        Q(username__in=DEMO_USERNAMES) | Q(email__endswith=f"@{GENERATED_DOMAIN}")
    )


def demo_cases_reset() -> None:
    """Delete every case and everything hanging off it (events, notices, tasks, decisions,
    certificates, deliveries, cards, letters, situation reports, scores, outbox messages), the
    generated people, the demo people's mandates and stored files (on disk after commit).

    Every case goes, not only generated ones: the catalog they refer to is what ``demo
    --reset`` deletes next. Case numbers, certificate serials and letter numbers start again.
    """

    # docs/rules/audit.md §Z6: case events are append-only; deleting them is the recorded
    # maintenance path (the chain restarts with a link naming this reset and the old head).
    with transaction.atomic(), chain_maintenance(reason="onewindow demo --reset"):
        people = list(_demo_people().values_list("pk", flat=True))
        ratings_reset()  # the ratings refer to the cases (docs/rules/satisfaction.md §E1)
        SupervisionLetter.objects.all().delete()
        LetterSequence.objects.all().delete()
        Card.objects.all().delete()
        SituationReport.objects.all().delete()
        PerformanceScore.objects.all().delete()
        OutboxMessage.objects.filter(Q(case__isnull=False) | Q(user__in=people)).delete()
        Certificate.objects.all().delete()
        CertificateSequence.objects.all().delete()
        FalseCommitmentRecord.objects.filter(
            Q(case__isnull=False) | Q(applicant__in=people)
        ).delete()
        Mandate.objects.filter(case__isnull=False).delete()  # a case mandate names its case
        Case.objects.all().delete()
        ItemUsage.objects.all().delete()  # no case left: no application counted (search)
        CaseNumberSequence.objects.all().delete()
        Mandate.objects.filter(Q(agent__in=people) | Q(applicant__in=people)).delete()
        files = StoredFile.objects.filter(Q(owner__in=people) | Q(uploaded_by__in=people))
        paths = list(files.values_list("path", flat=True))
        files.delete()
        generated_users().delete()

        def delete_files() -> None:
            for path in paths:
                default_storage.delete(path)

        transaction.on_commit(delete_files)
