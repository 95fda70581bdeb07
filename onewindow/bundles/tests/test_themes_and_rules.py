"""Theme definitions (docs/rules/bundles.md §R1, §R2) through the service and the Django admin,
and the partial-delivery rule (R8, R9)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from onewindow.bundles import selectors, services
from onewindow.bundles.errors import BundleForbidden, ThemeInvalid
from onewindow.bundles.models import Bundle, Theme
from onewindow.bundles.tests.world import (
    cases_of,
    decide,
    make_item,
    make_world,
    restaurant_spec,
    submit,
)
from onewindow.cases.models import CaseStatus
from onewindow.lib.idnumbers import make_citizen_id
from onewindow.review.tests.decision_world import at


@pytest.fixture
def w(personas):
    return make_world(personas)


def test_a_theme_whose_items_disagree_on_a_shared_fields_type_is_refused_naming_both(w):
    odd = make_item(w.departments[2], "临时占道经营审批（测试）", "BND-010", field_type="date")
    spec = restaurant_spec(
        w.items,
        code="bad-theme",
        items=[services.ItemSpec(w.items[0].code), services.ItemSpec(odd.code)],
    )
    with pytest.raises(ThemeInvalid) as err:
        services.theme_save(spec=spec, actor=w.p.admin)
    message = " ".join(err.value.errors["items"])
    assert "项目名称" in message and "临时占道经营审批（测试）" in message and "日期" in message
    assert not Theme.objects.filter(code="bad-theme").exists()


def test_only_an_administrator_defines_themes(w):
    with pytest.raises(BundleForbidden):
        services.theme_save(spec=restaurant_spec(w.items, code="other"), actor=w.p.clerk)


def test_a_theme_with_applications_keeps_its_items(w):
    submit(w)
    spec = restaurant_spec(
        w.items, questions=[], items=[services.ItemSpec(i.code) for i in w.items[:2]]
    )
    with pytest.raises(services.BundleError):
        services.theme_save(spec=spec, actor=w.p.admin, theme=w.theme)
    assert w.theme.items.count() == 4
    renamed = restaurant_spec(w.items, name="我要开餐厅")
    assert services.theme_save(spec=renamed, actor=w.p.admin, theme=w.theme).name == "我要开餐厅"


def test_the_django_admin_refuses_a_type_conflict(client, w):
    odd = make_item(w.departments[2], "夜间施工许可（测试）", "BND-011", field_type="number")
    client.force_login(w.p.admin)
    data = {
        "code": "admin-theme",
        "name": "后台定义的主题",
        "audience": "legal",
        "life_event": "start",
        "summary": "",
        "sort": "0",
        "questions-TOTAL_FORMS": "0",
        "questions-INITIAL_FORMS": "0",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-0-item": str(w.items[0].pk),
        "items-0-when_yes": "on",
        "items-0-sort": "0",
        "items-1-item": str(odd.pk),
        "items-1-when_yes": "on",
        "items-1-sort": "1",
    }
    response = client.post("/admin/bundles/theme/add/", data)
    assert response.status_code == 200
    assert "类型不一致" in response.content.decode()
    assert not Theme.objects.filter(code="admin-theme").exists()
    data["items-1-item"] = str(w.items[1].pk)
    assert client.post("/admin/bundles/theme/add/", data).status_code == 302
    assert Theme.objects.get(code="admin-theme").items.count() == 2


def test_partial_delivery_hands_over_what_is_granted_and_the_refusal_says_so(w):
    w.theme.partial_delivery = True
    w.theme.save()
    bundle = submit(w)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        services.bundle_intake(bundle=bundle, actor=w.window_clerk)
    cases = cases_of(bundle)
    decide(w, cases[0])
    decide(w, cases[1], kind="refuse")
    receiver = make_citizen_id("420700", dt.date(1980, 1, 2), 5)
    with time_machine.travel(at("2025-10-13", 10), tick=False):
        delivered = services.bundle_deliver(
            bundle=bundle, actor=w.window_clerk, receiver_name="孙强", receiver_id_number=receiver
        )
    assert delivered == [cases[0]]
    assert [c.status for c in cases_of(bundle)][:2] == [CaseStatus.COMPLETED, CaseStatus.REFUSED]
    bundle = Bundle.objects.get(pk=bundle.pk)
    assert bundle.delivered_at is None  # two sub-cases are still under review
    view = selectors.bundle_view(selectors._bundles().get(pk=bundle.pk))
    assert "先行送达" in next(r for r in view.rows if r.negative).effect


def test_a_clerk_without_the_comprehensive_window_cannot_deliver_for_other_departments(w):
    bundle = submit(w)
    with time_machine.travel(at("2025-09-30", 10), tick=False):
        services.bundle_intake(bundle=bundle, actor=w.window_clerk)
    for case in cases_of(bundle):
        decide(w, case)
    receiver = make_citizen_id("420700", dt.date(1980, 1, 2), 5)
    with pytest.raises(BundleForbidden):
        services.bundle_deliver(
            bundle=bundle, actor=w.p.clerk, receiver_name="孙强", receiver_id_number=receiver
        )
    assert all(c.status == CaseStatus.GRANTED for c in cases_of(bundle))
