"""The event kind of a community point's receipt (docs/rules/delegation.md §V3), registered with
cases by ``DelegationConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from onewindow.cases.events import EventKind, event_kind_register

POINT_RECEIVED = "point_received"

event_kind_register(
    EventKind(
        POINT_RECEIVED,
        gettext_lazy("便民服务点代收"),
        gettext_lazy("社区便民服务点代收申请，转实施部门受理"),
        public_reason=True,
    ),
)
