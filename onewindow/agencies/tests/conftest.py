from __future__ import annotations

from typing import Any

import pytest
import time_machine

from onewindow.agencies.tests.world import World, at, make_world
from onewindow.testing import Personas


@pytest.fixture
def aworld(personas: Personas) -> World:
    return make_world(personas)


@pytest.fixture
def frozen() -> Any:
    """Travel helper: ``with frozen("2025-11-04"): ...``."""

    def travel(day: str, hour: int = 10) -> Any:
        return time_machine.travel(at(day, hour), tick=False)

    return travel
