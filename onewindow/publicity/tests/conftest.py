import pytest

from onewindow.review.tests.decision_world import make_world


@pytest.fixture
def dworld(personas):
    return make_world(personas)
