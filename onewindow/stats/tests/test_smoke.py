import time_machine

from onewindow.review.models import DecisionKind
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import all_agree, at, case_in_review, make_world
from onewindow.stats import services
from onewindow.stats.filters import filters_parse
from onewindow.stats.recount import figures_from_cases
from onewindow.stats.selectors import figures_from_rollups, public_figures


def test_smoke(personas):
    w = make_world(personas)
    case = case_in_review(w)
    all_agree(w, case)
    with time_machine.travel(at("2025-10-21"), tick=False):
        decision_make(
            case=case, actor=personas.approver_a, kind=DecisionKind.GRANT, now=at("2025-10-21")
        )
    inc = figures_from_rollups(filters_parse()).comparable()
    raw = figures_from_cases().comparable()
    print(inc)
    assert inc == raw
    services.rebuild()
    assert figures_from_rollups(filters_parse()).comparable() == raw
    print(public_figures().figures.total)
