import pytest
import time_machine

from onewindow.appointments.tests.world import NOW, make_hall


@pytest.fixture
def hall(personas):
    return make_hall(personas)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
