"""The demo's agencies (onewindow.demo.agencies): twelve, one suspended, one expired, the demo
agency login linked, and the qualified listing leaving the suspended and the expired out."""

from __future__ import annotations

import datetime as dt

import pytest

from onewindow.accounts import services as account_services
from onewindow.accounts.roles import Role
from onewindow.agencies import services
from onewindow.agencies.models import Agency, AgencyAccount, AgencyStatus, ServiceRequirement
from onewindow.demo import agencies as demo_agencies
from onewindow.lib.idnumbers import check_credit_code

pytestmark = pytest.mark.django_db


def test_demo_agencies_load_and_reset(personas):
    account_services.user_create(
        username="agency", password="x-Secret-2015", role=Role.AGENCY, full_name="高明"
    )
    today = dt.date(2025, 11, 3)
    made = demo_agencies.load(today)
    assert len(made) == 12
    assert all(check_credit_code(a.credit_code).ok for a in made)
    suspended = Agency.objects.get(status=AgencyStatus.SUSPENDED)
    assert suspended.violations.count() == 1
    expired = Agency.objects.get(name="鄂州市环科环境工程咨询有限公司")
    assert AgencyAccount.objects.get(user__username="agency").agency == made[0]
    requirement = ServiceRequirement(
        item_id=0,
        service_type=expired.service_types.get(code="eia"),
        qualification_name="环境影响评价资质",
    )
    eia = list(services.qualified_agencies(requirement, today))
    assert expired not in eia and [a.name for a in eia] == ["湖北绿源环境科技有限公司"]
    safety = ServiceRequirement(
        item_id=0, service_type=suspended.service_types.get(), qualification_name="安全评价机构资质"
    )
    assert suspended not in services.qualified_agencies(safety, today)
    demo_agencies.reset()
    assert not Agency.objects.exists()
