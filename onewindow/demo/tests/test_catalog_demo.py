"""The demo data: the seed's numbers, real sources, one persona per role, the same every time.

The demo is loaded once for the module (a few seconds) and removed afterwards; each test runs
in its own transaction on top of it.
"""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from typing import Any

import pytest
from django.core.files.storage import default_storage

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.catalog.models import (
    Condition,
    Department,
    Item,
    ItemImplementation,
    ItemVersion,
    Material,
    ProcessBranch,
    Region,
    RegionLevel,
    VersionStatus,
    Window,
)
from onewindow.catalog.selectors import published_versions
from onewindow.catalog.validators import validate_form_template, validate_sample
from onewindow.cli import main
from onewindow.demo import catalog as demo
from onewindow.demo.data import plan
from onewindow.lib.idnumbers import check_citizen_id, check_credit_code

LOAD_BUDGET_SECONDS = 30


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load the demo once into the test database; the media files go to a module directory."""
    from django.test import override_settings

    media = tmp_path_factory.mktemp("demo-files")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing),
    ):
        started = time.monotonic()
        demo.load_demo(progress=False, cases=0)
        elapsed = time.monotonic() - started
        yield {"media": media, "seconds": elapsed}
        demo.demo_reset()


@pytest.fixture
def demo_db(loaded, db, settings):
    settings.MEDIA_ROOT = loaded["media"]
    return loaded


def snapshot() -> list[tuple]:
    """What must be the same after every load: items, guides and their checklists."""
    return [
        (
            v.item.code,
            v.item.department.code,
            v.name,
            v.statutory_days,
            v.committed_days,
            tuple(v.conditions.values_list("text", flat=True)),
            tuple(
                v.materials.values_list("name", "is_core", "required", "form_template", "sample")
            ),
            tuple(v.fees.values_list("name", "amount")),
        )
        for v in published_versions().prefetch_related("conditions", "materials", "fees")
    ]


def parent_names(name: str) -> list[str]:
    names = []
    parent = Region.objects.get(name=name).parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.parent
    return names


def test_the_demo_loads_well_within_its_budget(demo_db):
    assert demo_db["seconds"] < LOAD_BUDGET_SECONDS


def test_the_seeds_numbers(demo_db):
    assert Department.objects.filter(region__isnull=True).count() == 29
    assert Item.objects.count() == 92
    assert published_versions().count() == 92
    assert not ItemVersion.objects.exclude(status=VersionStatus.PUBLISHED).exists()
    assert Region.objects.filter(level=RegionLevel.DISTRICT).count() == 7
    # "申请条件由原来的5000多项减少至637项"
    assert Condition.objects.count() == 637
    per_item = Counter(Condition.objects.values_list("version_id", flat=True))
    assert min(per_item.values()) >= 5 and max(per_item.values()) <= 9
    # "将66项审批服务事项下沉到社区代办服务"
    accepted = ItemImplementation.objects.filter(mode="accepts").values("item").distinct()
    assert accepted.count() == 66
    assert Window.objects.count() >= 20


def test_every_department_name_is_a_municipal_bureau(demo_db):
    city = Department.objects.filter(region__isnull=True)
    names = list(city.values_list("name", flat=True))
    assert all(name.startswith("鄂州市") for name in names)
    assert len(set(city.values_list("code", flat=True))) == 29
    approval = Department.objects.get(code="XZSP")
    assert (approval.address, approval.phone) == ("鄂州市古城路129号市民中心", "027-60858577")


def test_the_region_tree_hangs_streets_under_the_new_districts(demo_db):
    city = Region.objects.get(level=RegionLevel.CITY)
    assert (city.code, city.name) == ("420700", "鄂州市")
    districts = Region.objects.filter(level=RegionLevel.DISTRICT).order_by("sort")
    assert [d.name for d in districts] == [
        "葛店开发区",
        "鄂州经济开发区",
        "鄂城新区",
        "花湖新区",
        "红莲湖新区",
        "三江港新区",
        "梧桐湖新区",
    ]
    assert all(d.parent_id == city.pk and "X" in d.code for d in districts)
    assert Region.objects.get(name="庙岭镇").code == "420703102"
    assert parent_names("庙岭镇") == ["红莲湖新区", "鄂州市"]
    assert parent_names("新庙镇") == ["鄂城新区", "鄂州市"]
    assert parent_names("月山社区") == ["梧桐湖新区", "梧桐湖新区", "鄂州市"]
    for region in Region.objects.exclude(level=RegionLevel.CITY):
        region.full_clean()  # every parent sits one level up
    assert Region.objects.filter(has_service_point=True, level=RegionLevel.COMMUNITY).count() == 20


def test_streets_the_sources_do_not_place_say_so(demo_db):
    assert "推定" in Region.objects.get(name="燕矶镇").note
    assert "推定" not in Region.objects.get(name="庙岭镇").note


def test_items_keep_the_limits_the_seed_describes(demo_db):
    food = ItemVersion.objects.get(item__code="420700-SCJG-001")
    assert (food.statutory_days, food.committed_days) == (20, 5)
    assert food.handling_place == "鄂州市市民中心（古城路129号）政务服务大厅 C区 C02号窗口"
    on_the_spot = published_versions().filter(on_the_spot=True)
    assert on_the_spot.count() >= 5
    assert set(on_the_spot.values_list("committed_days", flat=True)) == {0}
    assert published_versions().filter(commitment_allowed=True).count() >= 5
    assert set(published_versions().values_list("tolerance_category", flat=True)) == {
        "encouraged",
        "cautious",
        "restricted",
    }


def test_every_item_has_a_generated_pdf_form_and_some_have_samples(demo_db):
    forms = Material.objects.exclude(form_template="")
    assert set(forms.values_list("version_id", flat=True)) == set(
        ItemVersion.objects.values_list("pk", flat=True)
    )
    for material in forms:
        assert default_storage.exists(material.form_template.name)
        validate_form_template(material.form_template)
    samples = Material.objects.exclude(sample="")
    assert samples.count() >= 30
    validate_sample(samples[0].sample)


def test_all_rows_of_items_csv_are_in_the_catalog(demo_db):
    with (plan.DATA_DIR / "items.csv").open(encoding="utf-8") as handle:
        csv_names = {row["name"] for row in csv.DictReader(handle)}
    covered = {name for entry in plan.items(plan.random.Random(0)) for name in entry.from_csv}
    assert covered == csv_names
    catalog = set(published_versions().values_list("name", flat=True))
    assert {"公共场所卫生许可(新办)", "燃气经营许可证核发", "建筑工程施工许可证核发"} <= catalog


def test_the_guides_conditions_and_materials_are_used(demo_db):
    guides = json.loads((plan.DATA_DIR / "guides.json").read_text(encoding="utf-8"))["guides"]
    conditions = set(Condition.objects.values_list("text", flat=True))
    materials = list(Material.objects.values_list("name", flat=True))
    # Wording adapted from a county's guide to the city's (the items.toml header says so). The
    # guides' text is quoted as published (ASCII punctuation included), not retyped.
    adapted = {
        "节能审查:属于需县级发展部门出具节能审查意见的范围,申请材料齐全": (
            "节能审查:属于需市级发展部门出具节能审查意见的范围,申请材料齐全"
        ),
        "按县城市容市貌管理规定设置,规范合理": "按市城市容市貌管理规定设置,规范合理",
    }
    for guide in guides:
        for text in guide["conditions"]:
            assert adapted.get(text, text) in conditions, text
        for material in guide["materials"]:
            assert any(material["name"] in name for name in materials), material["name"]


def test_one_demo_user_per_role(demo_db):
    users = {u.username: u for u in User.objects.filter(username__in=demo.DEMO_USERNAMES)}
    assert set(users) == set(demo.DEMO_USERNAMES)
    assert {u.role for u in users.values()} == set(Role.values)
    assert check_citizen_id(users["applicant"].id_number).ok
    assert check_credit_code(users["enterprise"].credit_code).ok
    assert users["enterprise"].applicant_kind == "enterprise"
    staff = ("clerk", "handler", "reviewer", "approver", "chief")
    assert {users[n].department_id for n in staff} == {Department.objects.get(code="SCJG").pk}
    assert list(users["clerk"].windows.values_list("number", flat=True)) == ["C01", "C02"]
    assert users["admin"].is_staff and users["admin"].is_superuser
    assert not any(u.is_staff for n, u in users.items() if n != "admin")
    assert all(u.check_password(demo.DEMO_PASSWORD) for u in users.values())


def test_print_logins_lists_every_demo_account(demo_db, capsys):
    demo.print_logins()
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out
    for user in demo.DEMO_USERS:
        assert user.username in out
    assert "鄂州市市场监督管理局" in out


def test_loading_twice_is_refused(demo_db):
    with pytest.raises(demo.DemoDataPresent):
        demo.load_demo(progress=False, cases=0)
    assert Item.objects.count() == 92


def test_the_command_refuses_a_database_with_data(demo_db, capsys):
    assert main(["demo"]) == 1
    err = capsys.readouterr().err
    assert "数据库中已有数据" in err
    assert "事项92条" in err
    assert "onewindow demo --reset" in err
    assert Item.objects.count() == 92


def test_reset_reloads_the_same_catalog(demo_db, capsys):
    before = snapshot()
    users_before = sorted(User.objects.values_list("username", "role", "id_number"))
    assert main(["demo", "--reset", "--no-cases"]) == 0
    assert "演示数据已加载" in capsys.readouterr().out
    assert snapshot() == before
    assert sorted(User.objects.values_list("username", "role", "id_number")) == users_before
    assert Item.objects.count() == 92


def test_the_plan_is_deterministic():
    first = plan.items(plan.random.Random(demo.SEED))
    second = plan.items(plan.random.Random(demo.SEED))
    assert [(i.code, i.name, i.conditions) for i in first] == [
        (i.code, i.name, i.conditions) for i in second
    ]
    assert plan.regions() == plan.regions()


def test_every_demo_item_has_a_valid_process_template(demo_db):
    from onewindow.catalog.process import process_template_errors

    versions = published_versions().prefetch_related("process_branches__department")
    for version in versions:
        branches = list(version.process_branches.all())
        assert branches, version.item.code
        assert sum(b.is_lead for b in branches) == 1, version.item.code
        assert process_template_errors(version) == {}, version.item.code
    sizes = Counter(ProcessBranch.objects.values_list("version_id", flat=True))
    assert sum(1 for n in sizes.values() if n >= 3) >= 5
    assert max(sizes.values()) == 4


def test_the_demo_food_licence_and_construction_permit_are_parallel(demo_db):
    def template(code: str) -> list[tuple[str, bool, int]]:
        version = ItemVersion.objects.get(item__code=code)
        rows = version.process_branches.order_by("sort").select_related("department")
        return [(r.department.code, r.is_lead, r.allotted_days) for r in rows]

    assert template("420700-SCJG-001") == [("SCJG", True, 4), ("WJW", False, 3), ("XFZD", False, 3)]
    assert [code for code, _lead, _days in template("420700-ZJJ-003")] == [
        "ZJJ",
        "ZRZY",
        "RFB",
        "QXJ",
    ]
    # Single-department items: allotted = committed − consolidation (C3).
    permit = ItemVersion.objects.get(item__code="420700-RFB-002")
    assert (permit.consolidation_days, template("420700-RFB-002")) == (1, [("RFB", True, 9)])
    # 即办件: decided by the chief representative on the spot.
    spot = ItemVersion.objects.get(item__code="420700-SCJG-010")
    assert spot.process_branches.get().steps == [
        {"kind": "handle", "role": "handler"},
        {"kind": "approve", "role": "chief"},
    ]


def test_every_district_has_its_bureaus_staff_administrator_and_point(demo_db):
    """docs/rules/delegation.md §V1–§V4: two bureaus per new district with their staff, a region
    administrator and a community point's staff."""
    from onewindow.catalog.delegation import drift_list
    from onewindow.demo.delegation import DISTRICT_SLUGS

    districts = Region.objects.filter(level=RegionLevel.DISTRICT)
    for district in districts:
        bureaus = Department.objects.filter(region=district).select_related("counterpart")
        assert set(bureaus.values_list("counterpart__code", flat=True)) == {"SCJG", "MZJ"}
        slug = DISTRICT_SLUGS[district.code]
        clerk = User.objects.get(username=f"{slug}_scjg_clerk")
        assert Department.objects.filter(staff=clerk, region=district).exists()
        assert clerk.windows.exists()
        reviewer = User.objects.get(username=f"{slug}_scjg_reviewer")
        assert Department.objects.filter(staff=reviewer, region=district).exists()
        assert User.objects.get(username=f"{slug}_admin").region_id == district.pk
        point: Any = User.objects.get(username=f"{slug}_point").region
        assert point.has_service_point and district in (point.parent, point.parent.parent)
        assert ItemImplementation.objects.filter(region=point, mode="accepts").exists()
    drifts = {d.implementation.region.code: d for d in drift_list()}
    echeng = [line.what for line in drifts["420700X03"].lines]
    assert echeng[0] == "承诺时限（工作日）" and echeng[1].startswith("收费：")
    change: Any = drifts["420700X03"].last_change
    assert change.actor.username == "echeng_admin"
    assert drifts["420700X04"].implementation.legal_basis
