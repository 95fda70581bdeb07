"""One row per SpiffWorkflow instance: its state as SpiffWorkflow's own JSON serializer writes it,
saved after every step and read back before the next one, as a deployment serving requests
from several processes must."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class SpiffWorkflowState(models.Model):
    """A BPMN workflow instance's serialized state (``BpmnWorkflowSerializer.serialize_json``)."""

    reference = models.CharField(max_length=40, unique=True)
    state = models.TextField()
    completed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Declared: mypy reads the product's settings, where this bench-only app is not installed.
    objects: ClassVar[models.Manager[SpiffWorkflowState]] = models.Manager()

    def __str__(self) -> str:
        return self.reference
