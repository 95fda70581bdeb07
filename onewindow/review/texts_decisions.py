"""The applicant's email/SMS words for the decision, extension and special-procedure events
(docs/product.md §C9); the kinds in ``review.events`` name them.

Each names the reasons, the new deadline and where the written notice is; the notifications app
queues the message when the event is written (its kind asks for it).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.texts import day
from onewindow.review.models import Decision, DecisionKind, SuspensionKind


def extension_approved(case: Case, event: CaseEvent) -> list[str]:
    if event.data.get("joint"):  # ALL Art. 42 para. 2
        approved = _(
            "因%(reason)s，经本级人民政府负责人批准，审查期限延长 %(n)s 个工作日"
            "（行政许可法第四十二条第二款）。"
        )
    else:
        approved = _(
            "因%(reason)s，经本机关负责人批准，审查期限延长 %(n)s 个工作日（行政许可法第四十二条）。"
        )
    return [
        approved % {"reason": event.reason.rstrip("。"), "n": event.data.get("days", "")},
        _("新的承诺办结期限 %(due)s，法定办结期限 %(statutory)s。详见延期告知书。")
        % {
            "due": day(case.decision_due, provisional=case.due_provisional),
            "statutory": day(case.statutory_due, provisional=case.due_provisional),
        },
    ]


def suspension_started(case: Case, event: CaseEvent) -> list[str]:
    kind = event.data.get("kind", "")
    label = str(SuspensionKind(kind).label) if kind in SuspensionKind.values else kind
    return [
        _(
            "本件依法需要进行%(kind)s，预计需要 %(n)s 个工作日，所需时间不计算在审查期限内"
            "（行政许可法第四十五条）。事由：%(reason)s。详见特别程序告知书。"
        )
        % {"kind": label, "n": event.data.get("expected_days", ""), "reason": event.reason}
    ]


def suspension_ended(case: Case, event: CaseEvent) -> list[str]:
    return [
        _("特别程序已结束，用时 %(n)s 个工作日，审查恢复；承诺办结期限顺延至 %(due)s。")
        % {
            "n": event.data.get("days_spent", 0),
            "due": day(case.decision_due, provisional=case.due_provisional),
        }
    ]


def decided(case: Case, event: CaseEvent) -> list[str]:
    decision = Decision.objects.filter(case=case).first()
    if decision is None or decision.kind == DecisionKind.GRANT:
        due = decision.certificate_due if decision else None
        return [
            _("本机关已作出准予行政许可决定，将于 %(due)s 前颁发、送达许可证件。详见决定书。")
            % {"due": day(due)}
        ]
    return [
        _("本机关已作出不予行政许可决定。理由：%(reason)s")
        % {"reason": decision.reasons.replace("\n", ";")},
        decision.remedies,
    ]
