"""The case events of certificates and delivery, and the certificates' hand-off.

Imported by ``CertificatesConfig.ready``: registers this app's event kinds (``cases.events``)
and subscribes to the grant decision (``cases.subscriptions``): a grant whose result is a
certificate gets it issued in the decision's transaction (ALL Art. 44).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from onewindow.cases.events import EventKind, ToApplicant, event_kind_register
from onewindow.cases.models import Case, CaseEvent
from onewindow.cases.subscriptions import on_event
from onewindow.certificates import texts
from onewindow.certificates.services import certificate_issue
from onewindow.certificates.validity import RESULT_CERTIFICATE
from onewindow.review.models import Decision


def _on_renewal_case(event: CaseEvent) -> bool:
    """A renewal is recorded on the certificate's own case too; the holder is told once, on the
    renewal case."""
    return bool(event.data.get("renewal_case") == event.case_id)


event_kind_register(
    EventKind(
        "certificate_issued",
        gettext_lazy("证照已制发"),
        gettext_lazy("证照已制发"),
        notify=ToApplicant(texts.issued),
    ),
    EventKind(
        "delivery_chosen",
        gettext_lazy("选择送达方式"),
        gettext_lazy("选择送达方式"),
        public_reason=True,
        notify=ToApplicant(texts.chosen),
    ),
    EventKind(
        "delivery_sent",
        gettext_lazy("证照已寄出"),
        gettext_lazy("证照已寄出"),
        public_reason=True,
        notify=ToApplicant(texts.sent),
    ),
    EventKind(
        "delivered",
        gettext_lazy("证照已送达，办结"),
        gettext_lazy("证照已送达，办结"),
        notify=ToApplicant(texts.delivered),
    ),
    EventKind(
        "certificate_revoked",
        gettext_lazy("证照被撤销"),
        gettext_lazy("证照被撤销"),
        public_reason=True,
        notify=ToApplicant(texts.lifecycle(gettext_lazy("撤销"))),
    ),
    EventKind(
        "certificate_withdrawn",
        gettext_lazy("证照被撤回"),
        gettext_lazy("证照被撤回"),
        public_reason=True,
        notify=ToApplicant(texts.lifecycle(gettext_lazy("撤回"))),
    ),
    EventKind(
        "certificate_cancelled",
        gettext_lazy("证照被注销"),
        gettext_lazy("证照被注销"),
        public_reason=True,
        notify=ToApplicant(texts.lifecycle(gettext_lazy("注销"))),
    ),
    EventKind("renewal_started", gettext_lazy("申请延续证照")),  # the draft: staff only
    EventKind(
        "certificate_renewed",
        gettext_lazy("准予延续，证照有效期已延长"),
        gettext_lazy("准予延续，证照有效期已延长"),
        public_reason=True,
        notify=ToApplicant(texts.renewed, when=_on_renewal_case),
    ),
    EventKind(
        "renewal_deemed",
        gettext_lazy("逾期未作决定，视为准予延续"),
        gettext_lazy("逾期未作决定，视为准予延续"),
        public_reason=True,
        notify=ToApplicant(texts.renewed, when=_on_renewal_case),
    ),
)


def certificate_on_grant(case: Case, event: CaseEvent, actor: Any) -> None:
    """A grant decision whose result is a certificate: issue it from the decision, at once."""
    if case.item_version.result_type != RESULT_CERTIFICATE:
        return
    decision = Decision.objects.get(case_id=case.pk)
    certificate_issue(case=case, decision=decision, actor=actor, now=event.at)


on_event(certificate_on_grant, kinds=("decision_granted",))
