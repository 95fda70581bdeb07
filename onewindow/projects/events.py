"""The case event a joint activity's finding writes on the department's case
(docs/rules/projects.md §H7). Imported by ``ProjectsConfig.ready``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from onewindow.cases.events import EventKind, event_kind_register

FINDING_EVENT = "joint_finding"
LINKED_EVENT = "project_linked"

event_kind_register(
    # Internal: a step of the department's review, not a status of the case; no message.
    EventKind(FINDING_EVENT, gettext_lazy("联合活动部门意见")),
    EventKind(LINKED_EVENT, gettext_lazy("纳入重点项目")),
)
