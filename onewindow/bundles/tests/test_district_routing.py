"""A bundle filed in a district: each sub-case is routed as a single application would be
(docs/rules/delegation.md §V1), and the applicant's progress page and the API say which
sub-case a district bureau handles."""

from __future__ import annotations

import pytest
import time_machine
from rest_framework.test import APIClient

from onewindow.bundles import services
from onewindow.bundles.tests.world import FORM, all_uploads, cases_of, make_world
from onewindow.catalog.models import Department, ItemImplementation, Region, RegionLevel
from onewindow.review.tests.decision_world import at


@pytest.fixture
def w(personas):
    return make_world(personas)


def _district_bundle(w):
    district = Region.objects.create(
        code="420704", name="鄂城区", level=RegionLevel.DISTRICT, parent=w.region
    )
    for item in w.items:
        ItemImplementation.objects.create(item=item, region=w.region)
        ItemImplementation.objects.create(item=item, region=district, delegated=True)
    bureau = Department.objects.create(
        code="B-SPJY-420704",
        name="鄂城区食品药品监督管理局",
        region=district,
        counterpart=w.departments[1],
    )
    with time_machine.travel(at("2025-09-29", 9), tick=False):
        bundle = services.bundle_submit(
            theme=w.theme,
            actor=w.p.enterprise,
            answers={"signboard": "yes"},
            form_data=FORM,
            uploads=all_uploads(w),
            region=district,
        )
    return bundle, bureau


def test_the_progress_page_shows_the_district_handling_a_sub_case(client, w):
    bundle, bureau = _district_bundle(w)
    departments = [c.department for c in cases_of(bundle)]
    assert departments == [w.departments[0], bureau, w.departments[2], w.departments[3]]
    client.force_login(w.p.enterprise)
    page = client.get(f"/bundles/{bundle.pk}/").content.decode()
    assert "鄂城区食品药品监督管理局" in page
    assert page.count("下放事项，由鄂城区承办") == 1


def test_a_city_bundle_shows_no_district(client, w):
    from onewindow.bundles.tests.world import submit

    bundle = submit(w)
    client.force_login(w.p.enterprise)
    assert "下放事项" not in client.get(f"/bundles/{bundle.pk}/").content.decode()


def test_the_bundle_api_gives_each_part_its_district(w):
    bundle, _bureau = _district_bundle(w)
    api = APIClient()
    api.force_authenticate(w.p.enterprise)
    parts = api.get(f"/api/v1/bundles/{bundle.pk}/").json()["parts"]
    assert [p["district"] for p in parts] == ["", "鄂城区", "", ""]
