"""Selection (docs/rules/agencies.md §I1, §I2, §I4–§I7): direct choice, the reproducible draw
and the lowest quote, with the bad inputs that change nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onewindow.agencies import services
from onewindow.agencies.errors import BiddingClosed, NotQualified, NotTheChooser
from onewindow.agencies.models import AgencyStatus, Bid, JobStatus, Method, Selection
from onewindow.agencies.tests.world import TODAY, at
from onewindow.core.errors import Invalid

pytestmark = pytest.mark.django_db


def test_direct_choice_of_a_qualified_agency_is_recorded(aworld, frozen):
    good = aworld.agency("鄂州市华测测绘有限公司")
    case = aworld.case()
    with frozen(TODAY):
        selection = services.select_direct(
            case=case, requirement=aworld.requirement, agency=good, actor=aworld.p.applicant
        )
    assert selection.method == Method.DIRECT
    assert selection.status == JobStatus.OFFERED
    assert selection.agency == good
    assert selection.chosen_by == aworld.p.applicant
    assert selection.chosen_at == at(TODAY)
    assert selection.candidate_ids == [good.pk]
    assert selection.fee_max == Decimal("3000.00")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"status": AgencyStatus.SUSPENDED}, "暂停服务"),
        ({"valid_to": "2025-11-02"}, "没有有效的“测绘资质”资质"),
        ({"qualification": "资产评估资质"}, "没有有效的“测绘资质”资质"),
        ({"offers": False}, "未登记提供“测绘”服务"),
    ],
)
def test_choosing_an_unqualified_agency_directly_is_refused(aworld, frozen, kwargs, message):
    bad = aworld.agency("不合格测绘公司", **kwargs)
    case = aworld.case()
    with frozen(TODAY), pytest.raises(NotQualified, match=message):
        services.select_direct(
            case=case, requirement=aworld.requirement, agency=bad, actor=aworld.p.applicant
        )
    assert not Selection.objects.exists()


def test_the_department_may_not_designate_an_agency(aworld, frozen):
    """docs/rules/agencies.md §I1: without the law's flag the department does not choose."""
    good = aworld.agency("鄂州市华测测绘有限公司")
    case = aworld.case()
    with frozen(TODAY), pytest.raises(NotTheChooser, match="不得指定"):
        services.select_direct(
            case=case, requirement=aworld.requirement, agency=good, actor=aworld.p.handler_a
        )
    aworld.requirement.department_selects = True
    aworld.requirement.save()
    with frozen(TODAY), pytest.raises(NotTheChooser, match="由审批部门选取"):
        services.select_draw(case=case, requirement=aworld.requirement, actor=aworld.p.applicant)
    with frozen(TODAY):
        selection = services.select_draw(
            case=case, requirement=aworld.requirement, actor=aworld.p.handler_a
        )
    assert selection.agency == good
    assert selection.chosen_by == aworld.p.handler_a


def test_someone_elses_case_is_refused(aworld, frozen):
    good = aworld.agency("鄂州市华测测绘有限公司")
    case = aworld.case(applicant=aworld.p.enterprise)
    with frozen(TODAY), pytest.raises(NotTheChooser):
        services.select_direct(
            case=case, requirement=aworld.requirement, agency=good, actor=aworld.p.applicant
        )


def test_the_draw_is_recorded_and_repeatable(aworld, frozen):
    ids = [aworld.agency(f"测绘公司{i}").pk for i in range(5)]
    case = aworld.case()
    with frozen(TODAY):
        selection = services.select_draw(
            case=case, requirement=aworld.requirement, actor=aworld.p.applicant, seed="abc123"
        )
    assert selection.candidate_ids == ids
    assert selection.seed == "abc123"
    assert selection.chosen_by == aworld.p.applicant
    assert selection.chosen_at == at(TODAY)
    assert selection.agency_id == services.draw(list(reversed(ids)), "abc123")
    # a second case drawn with the same seed from the same candidates gets the same agency
    with frozen(TODAY):
        again = services.select_draw(
            case=aworld.case(),
            requirement=aworld.requirement,
            actor=aworld.p.applicant,
            seed="abc123",
        )
    assert again.agency_id == selection.agency_id


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    seed=st.text(min_size=1, max_size=20),
    ids=st.lists(st.integers(1, 10**6), min_size=1, max_size=30, unique=True),
)
def test_draw_is_a_pure_function_of_seed_and_candidates(seed, ids):
    first = services.draw(ids, seed)
    assert first in ids
    assert services.draw(list(reversed(ids)), seed) == first


@pytest.mark.django_db(transaction=False)
def test_suspended_or_expired_agencies_are_never_drawn(aworld, frozen):
    good = {aworld.agency(f"合格测绘公司{i}").pk for i in range(3)}
    suspended = aworld.agency("暂停测绘公司", status=AgencyStatus.SUSPENDED)
    expired = aworld.agency("过期测绘公司", valid_to="2025-11-02")
    revoked = aworld.agency("清退测绘公司", status=AgencyStatus.REVOKED)
    excluded = {suspended.pk, expired.pk, revoked.pk}

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(seed=st.text(min_size=1, max_size=16))
    def check(seed: str) -> None:
        with frozen(TODAY):
            selection = services.select_draw(
                case=aworld.case(),
                requirement=aworld.requirement,
                actor=aworld.p.applicant,
                seed=seed,
            )
        assert set(selection.candidate_ids) == good
        assert selection.agency_id in good
        assert selection.agency_id not in excluded

    check()


def test_no_candidate_no_draw(aworld, frozen):
    aworld.agency("暂停测绘公司", status=AgencyStatus.SUSPENDED)
    with frozen(TODAY), pytest.raises(NotQualified, match="没有符合条件"):
        services.select_draw(
            case=aworld.case(), requirement=aworld.requirement, actor=aworld.p.applicant
        )
    assert not Selection.objects.exists()


# --- lowest quote -------------------------------------------------------------------------------
def _bidding(aworld, frozen):
    with frozen(TODAY, 9):
        return services.select_bidding(
            case=aworld.case(),
            requirement=aworld.requirement,
            actor=aworld.p.applicant,
            deadline=at("2025-11-05", 17),
        )


def test_lowest_quote_wins_ties_by_earliest(aworld, frozen):
    a, b, c = (aworld.agency(f"测绘公司{n}") for n in "ABC")
    selection = _bidding(aworld, frozen)
    with frozen("2025-11-04", 9):
        services.bid_place(selection=selection, agency=b, actor=aworld.p.admin, amount="1800")
    with frozen("2025-11-04", 10):
        services.bid_place(selection=selection, agency=a, actor=aworld.p.admin, amount="1800.00")
    with frozen("2025-11-04", 11):
        services.bid_place(selection=selection, agency=c, actor=aworld.p.admin, amount="2500")
    with frozen("2025-11-05", 16), pytest.raises(BiddingClosed, match="尚未截止"):
        services.bidding_close(selection=selection)
    with frozen("2025-11-05", 18):
        closed = services.bidding_close(selection=selection)
    assert closed.status == JobStatus.OFFERED
    assert closed.agency == b  # same amount as A, earlier


def test_winner_suspended_before_the_close_is_skipped(aworld, frozen):
    a, b = aworld.agency("测绘公司A"), aworld.agency("测绘公司B")
    selection = _bidding(aworld, frozen)
    with frozen("2025-11-04"):
        services.bid_place(selection=selection, agency=a, actor=aworld.p.admin, amount="1000")
        services.bid_place(selection=selection, agency=b, actor=aworld.p.admin, amount="1500")
        services.agency_status_set(agency=a, status=AgencyStatus.SUSPENDED, reason="违规")
    with frozen("2025-11-06"):
        assert services.biddings_close_due() == 1
    selection.refresh_from_db()
    assert selection.agency == b


def test_expired_qualification_cannot_bid(aworld, frozen):
    aworld.agency("合格测绘公司")
    expired = aworld.agency("过期测绘公司", valid_to="2025-11-03")
    selection = _bidding(aworld, frozen)
    with frozen("2025-11-04"), pytest.raises(NotQualified, match="没有有效的“测绘资质”资质"):
        services.bid_place(selection=selection, agency=expired, actor=aworld.p.admin, amount="900")
    assert not Bid.objects.exists()
    selection.refresh_from_db()
    assert selection.status == JobStatus.BIDDING


def test_bid_after_the_deadline_is_refused(aworld, frozen):
    a = aworld.agency("合格测绘公司")
    selection = _bidding(aworld, frozen)
    with frozen("2025-11-05", 17), pytest.raises(BiddingClosed, match="已截止"):
        services.bid_place(selection=selection, agency=a, actor=aworld.p.admin, amount="900")
    assert not Bid.objects.exists()


@pytest.mark.parametrize(
    "amount", ["-5", "0", "abc", "", "12.345", "NaN", "Infinity", "1e12", None]
)
def test_negative_or_malformed_quote_is_refused(aworld, frozen, amount):
    a = aworld.agency("合格测绘公司")
    selection = _bidding(aworld, frozen)
    with frozen("2025-11-04"), pytest.raises(Invalid) as err:
        services.bid_place(selection=selection, agency=a, actor=aworld.p.admin, amount=amount)
    assert "amount" in err.value.errors
    assert not Bid.objects.exists()


def test_one_bid_per_agency_and_no_bids_fail(aworld, frozen):
    a = aworld.agency("合格测绘公司")
    selection = _bidding(aworld, frozen)
    with frozen("2025-11-04"):
        services.bid_place(selection=selection, agency=a, actor=aworld.p.admin, amount="900")
        with pytest.raises(Exception, match="只能报价一次"):
            services.bid_place(selection=selection, agency=a, actor=aworld.p.admin, amount="800")
    empty = None
    with frozen(TODAY, 9):
        empty = services.select_bidding(
            case=aworld.case(),
            requirement=aworld.requirement,
            actor=aworld.p.applicant,
            deadline=at("2025-11-05", 17),
        )
    with frozen("2025-11-06"):
        assert services.bidding_close(selection=empty).status == JobStatus.FAILED


@pytest.mark.parametrize("deadline", [at("2025-11-03", 9), at("2025-12-31")])
def test_bad_bid_deadline_is_refused(aworld, frozen, deadline):
    aworld.agency("合格测绘公司")
    with frozen(TODAY), pytest.raises(Invalid):
        services.select_bidding(
            case=aworld.case(),
            requirement=aworld.requirement,
            actor=aworld.p.applicant,
            deadline=deadline,
        )
    assert not Selection.objects.exists()


@pytest.mark.parametrize("code", ["91420700MA4K0000", "91420700MA4K00001X", "9142070OMA4K00001"])
def test_bad_credit_code_is_refused(aworld, code):
    with pytest.raises(Invalid) as err:
        services.agency_save(name="某测绘公司", credit_code=code)
    assert "credit_code" in err.value.errors
    from onewindow.agencies.models import Agency

    assert not Agency.objects.filter(name="某测绘公司").exists()


def test_valid_credit_code_registers_once(aworld):
    from onewindow.agencies.tests.world import credit

    agency = services.agency_save(
        name="某测绘公司", credit_code=credit(99).lower(), service_types=[aworld.survey]
    )
    assert agency.credit_code == credit(99)
    with pytest.raises(Invalid, match="已登记"):
        services.agency_save(name="另一家", credit_code=credit(99))


def test_qualification_dates_are_checked(aworld):
    agency = aworld.agency("合格测绘公司")
    with pytest.raises(Invalid):
        services.qualification_add(
            agency=agency,
            name="测绘资质",
            level="甲级",
            certificate_number="X1",
            valid_from=dt.date(2026, 1, 1),
            valid_to=dt.date(2025, 1, 1),
        )
