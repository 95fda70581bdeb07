"""The parallel approval on django-viewflow 2: start (the case accepted) → split → three
department reviews → join → the lead's decision → end.

Built as viewflow's documentation builds a flow, at its defaults: the shared ``Process`` and
``Task`` tables (the case's fields and the opinions in their ``data`` JSON), human ``View``
tasks assigned on creation to the department's reviewer, the default lock (``no_lock``: each
step in one transaction). The driver (``bench.peers_bench``) does in-process what viewflow's
task views do on POST: load the task, ``start``, write the form's data, ``execute`` (which
completes the task and activates the next nodes, the join included), under
``flow_class.lock`` and ``transaction.atomic``.
"""

from __future__ import annotations

from typing import Any

from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.flow.views import CreateProcessView, UpdateProcessView

# The reviewers the tasks are assigned to, per department, and the clerk who accepts; set by the driver before the run
# (a lookup function like ``.Assign(lambda activation: ...)`` in viewflow's cookbook).
REVIEWERS: dict[str, Any] = {}


def _reviewer(department: str) -> Any:
    def owner(activation: Any) -> Any:
        return REVIEWERS[department]

    return owner


def _is_clerk(user: Any) -> bool:
    return bool(user.pk == REVIEWERS["clerk"].pk)


class ParallelApproval(flow.Flow):
    """并联审批 as a viewflow flow (benchmark only)."""

    start = flow.Start(CreateProcessView.as_view(fields=[])).Available(_is_clerk).Next(this.split)
    split = flow.Split().Next(this.review_a).Next(this.review_b).Next(this.review_c)
    review_a = (
        flow.View(UpdateProcessView.as_view(fields=[])).Assign(_reviewer("A")).Next(this.join)
    )
    review_b = (
        flow.View(UpdateProcessView.as_view(fields=[])).Assign(_reviewer("B")).Next(this.join)
    )
    review_c = (
        flow.View(UpdateProcessView.as_view(fields=[])).Assign(_reviewer("C")).Next(this.join)
    )
    join = flow.Join().Next(this.decide)
    decide = flow.View(UpdateProcessView.as_view(fields=[])).Assign(_reviewer("A")).Next(this.end)
    end = flow.End()
