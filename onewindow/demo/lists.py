"""The demo's public lists (docs/rules/lists.md §Q7): responsibilities, supervision measures and
the clean-up record of 337 → 92, built over the demo catalog.

``data/lists.toml`` holds what is written by hand (departments' own duties, the old items that
left the catalog, the measures of the items built on the real guides); the rest comes from
templates by department and item type. Deterministic: no randomness, the same catalog gives the
same rows.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from onewindow.catalog.models import Department, Item, ItemType, ItemVersion
from onewindow.demo.data.plan import DATA_DIR
from onewindow.lists.models import (
    CleanupAction,
    CleanupRecord,
    DepartmentResponsibility,
    ItemAccountability,
    SupervisionMeasure,
    SupervisionMethod,
)

# The seed: the sixth round cut the municipal approval items from 337 to 92.
ITEMS_BEFORE = 337
ACTION_CODES = {
    "c": CleanupAction.CANCELLED,
    "d": CleanupAction.DELEGATED,
    "f": CleanupAction.TO_FILING,
}
ILLUSTRATIVE = "（示例）"


@dataclass(frozen=True)
class Batch:
    """One decision of the clean-up: its date and the documents cited for it."""

    decided_on: dt.date
    basis: str


# The clean-up's decisions, 2014–2015. The municipal numbers are illustrative (no Ezhou document
# survives); the State Council decisions are real.
BATCHES: dict[str, tuple[Batch, ...]] = {
    CleanupAction.CANCELLED: (
        Batch(
            dt.date(2014, 3, 28),
            "《鄂州市人民政府关于取消和调整第一批市级行政审批项目的决定》"
            f"（鄂州市人民政府令第158号）{ILLUSTRATIVE}；"
            "《国务院关于取消和下放一批行政审批项目的决定》（国发〔2014〕5号）",
        ),
        Batch(
            dt.date(2014, 9, 26),
            "《鄂州市人民政府关于取消和调整第二批市级行政审批项目的决定》"
            f"（鄂州市人民政府令第161号）{ILLUSTRATIVE}；"
            "《国务院关于取消和调整一批行政审批项目等事项的决定》（国发〔2014〕27号）",
        ),
        Batch(
            dt.date(2015, 1, 30),
            "《鄂州市人民政府关于取消和调整第三批市级行政审批项目的决定》"
            f"（鄂州市人民政府令第164号）{ILLUSTRATIVE}；"
            "《国务院关于取消和调整一批行政审批项目等事项的决定》（国发〔2014〕50号）",
        ),
    ),
    CleanupAction.DELEGATED: (
        Batch(
            dt.date(2014, 6, 20),
            "《关于进一步明确和落实沿江滨湖新区有关政策的通知》（2014年）；"
            f"《鄂州市人民政府关于向新区下放一批行政审批事项的通知》（鄂州政发〔2014〕21号）{ILLUSTRATIVE}",
        ),
        Batch(
            dt.date(2015, 2, 27),
            "《国务院关于取消和调整一批行政审批项目等事项的决定》（国发〔2015〕11号）；"
            f"《鄂州市人民政府关于第二批向新区下放行政审批事项的通知》（鄂州政发〔2015〕6号）{ILLUSTRATIVE}",
        ),
    ),
    CleanupAction.TO_FILING: (
        Batch(
            dt.date(2014, 9, 26),
            "《鄂州市人民政府关于取消和调整第二批市级行政审批项目的决定》"
            f"（鄂州市人民政府令第161号）{ILLUSTRATIVE}",
        ),
        Batch(
            dt.date(2015, 1, 30),
            "《鄂州市人民政府关于取消和调整第三批市级行政审批项目的决定》"
            f"（鄂州市人民政府令第164号）{ILLUSTRATIVE}",
        ),
    ),
    CleanupAction.MERGED: (
        Batch(
            dt.date(2015, 3, 31),
            "《鄂州市人民政府关于公布市级保留行政审批事项目录的通知》"
            f"（鄂州政发〔2015〕9号）{ILLUSTRATIVE}",
        ),
    ),
    CleanupAction.RETAINED: (
        Batch(
            dt.date(2015, 3, 31),
            "《鄂州市人民政府关于公布市级保留行政审批事项目录的通知》"
            f"（鄂州政发〔2015〕9号）{ILLUSTRATIVE}",
        ),
    ),
}
NOTES = {
    CleanupAction.CANCELLED: "不再实施审批，相关事项通过日常监管、信用公示等方式管理。",
    CleanupAction.DELEGATED: "下放至葛店开发区、鄂州经济开发区等七大新区管委会实施。",
    CleanupAction.TO_FILING: "改为备案管理，申请人提交备案材料后即可开展相关活动。",
    CleanupAction.RETAINED: "保留为市级行政审批事项，纳入市行政服务中心大厅集中办理。",
}
MERGE_PARTS = ("变更", "延续", "注销", "补证")

COMMON_DUTIES = (
    "负责本部门行政审批事项的集中受理、审查和决定，审批职能归并到审批科，成建制进驻市行政服务中心。",
    "负责已审批事项的事中事后监管，依法查处违法行为，向社会公开监管和处罚结果。",
    "负责本部门权力清单、责任清单、收费清单和监管清单的动态调整和公开。",
)


def _data() -> dict[str, Any]:
    with (DATA_DIR / "lists.toml").open("rb") as handle:
        return tomllib.load(handle)


def reset() -> None:
    """Delete the lists' rows (clean-up records keep their departments from being deleted)."""
    CleanupRecord.objects.all().delete()
    SupervisionMeasure.objects.all().delete()
    ItemAccountability.objects.all().delete()
    DepartmentResponsibility.objects.all().delete()


@transaction.atomic
def load(today: dt.date) -> None:
    """The three lists over the loaded catalog. ``today`` is not used: the lists are history
    (2014–2015) and standing rules, the same on any day."""
    data = _data()
    departments = list(Department.objects.order_by("sort", "code"))
    items = list(
        Item.objects.select_related("department", "published_version").order_by(
            "department__sort", "department__code", "sort", "code"
        )
    )
    DepartmentResponsibility.objects.bulk_create(_responsibilities(departments, data))
    ItemAccountability.objects.bulk_create(a for item in items for a in _accountabilities(item))
    SupervisionMeasure.objects.bulk_create(_measures(items, data))
    CleanupRecord.objects.bulk_create(_cleanup(departments, items, data))


def _responsibilities(
    departments: list[Department], data: dict[str, Any]
) -> list[DepartmentResponsibility]:
    rows = []
    for department in departments:
        own = data["departments"].get(department.code, {}).get("duties", [])
        lines = [COMMON_DUTIES[0], *own, *COMMON_DUTIES[1:]]
        rows += [
            DepartmentResponsibility(department=department, text=text, sort=n)
            for n, text in enumerate(lines, start=1)
        ]
    return rows


# --- item responsibilities (责任清单) ----------------------------------------------------------
ALL_BASIS = "《中华人民共和国行政许可法》"
OFFICIALS_BASIS = "《中华人民共和国公职人员政务处分法》第三十九条"


def _accountabilities(item: Item) -> list[ItemAccountability]:
    version = item.published_version
    assert version is not None, item.code
    name = version.name
    licensing = item.item_type == ItemType.LICENSING
    grant = "准予许可" if licensing else "办理"
    rows = [
        (
            "受理责任",
            f"公示“{name}”的依据、条件、材料、时限和收费标准；申请材料齐全、符合法定形式的当场受理，"
            "不齐全或者不符合法定形式的一次性告知需要补正的全部内容；不予受理的书面说明理由。",
            "对符合法定条件的申请不予受理的；不在办公场所公示依法应当公示的材料的；"
            "申请材料不齐全、不符合法定形式，不一次告知申请人必须补正的全部内容的。",
            f"{ALL_BASIS}第七十二条" if licensing else OFFICIALS_BASIS,
        ),
        (
            "审查责任",
            "对申请材料的实质内容进行审查；需要现场核查的，指派两名以上工作人员核查；"
            "涉及他人重大利益的，告知利害关系人并听取意见。",
            "对不符合法定条件的申请人"
            + grant
            + "或者超越法定职权作出决定的；办理过程中索取或者收受他人财物、谋取其他利益的。",
            f"{ALL_BASIS}第七十三条、第七十四条" if licensing else OFFICIALS_BASIS,
        ),
        (
            "决定责任",
            f"在承诺时限 {version.committed_days} 个工作日内（法定时限 {version.statutory_days} 个工作日）"
            f"作出{grant}或者不予{grant}的书面决定；不予{grant}的说明理由，"
            "并告知申请人享有依法申请行政复议或者提起行政诉讼的权利。",
            f"对符合法定条件的申请人不予{grant}或者不在法定期限内作出决定的；"
            "不予办理未说明理由的。",
            f"{ALL_BASIS}第七十二条、第七十四条" if licensing else OFFICIALS_BASIS,
        ),
        (
            "送达责任",
            f"自作出决定之日起十个工作日内向申请人颁发、送达“{version.result_name}”，"
            "依法公开办理结果。",
            "未在法定期限内颁发、送达办理结果的；擅自收费或者不按照法定项目和标准收费的。",
            f"{ALL_BASIS}第四十四条、第七十五条" if licensing else OFFICIALS_BASIS,
        ),
        (
            "事后监管责任",
            "按监管清单对"
            + (version.service_object or "办理对象")
            + "实施监督检查，发现违法行为依法处理，监管结果向社会公开。",
            "不依法履行监督职责或者监督不力，造成严重后果的。",
            f"{ALL_BASIS}第七十七条" if licensing else OFFICIALS_BASIS,
        ),
    ]
    return [
        ItemAccountability(
            item=item, duty=f"{duty}：{what}", accountability=case, basis=basis, sort=n
        )
        for n, (duty, what, case, basis) in enumerate(rows, start=1)
    ]


# --- supervision measures (监管清单) -----------------------------------------------------------
RANDOM_BASIS = "《国务院办公厅关于推广随机抽查规范事中事后监管的通知》（国办发〔2015〕58号）"
CREDIT_BASIS = "《企业信息公示暂行条例》（国务院令第654号）"
COMPLAINT_BASIS = "《中华人民共和国行政许可法》第六十五条"
ENTERPRISE_WORDS = ("企业", "经营者", "单位", "机构", "个体工商户", "法人")


def _first_basis(version: ItemVersion) -> str:
    """The first law or regulation the item's legal basis names."""
    head = version.legal_basis.replace("；", ";").split(";")[0].strip()
    return head or version.legal_basis


def _measures(items: list[Item], data: dict[str, Any]) -> list[SupervisionMeasure]:
    written: dict[str, list[dict[str, str]]] = {}
    for entry in data["measures"]:
        written.setdefault(entry["item"], []).append(entry)
    rows = []
    for item in items:
        entries = written.get(item.code) or _template_measures(item)
        for n, entry in enumerate(entries, start=1):
            rows.append(
                SupervisionMeasure(
                    item=item,
                    target=entry["target"],
                    content=entry["content"],
                    method=SupervisionMethod(entry["method"]),
                    department=item.department,
                    frequency=entry["frequency"],
                    legal_basis=entry["legal_basis"],
                    sort=n,
                )
            )
    return rows


def _template_measures(item: Item) -> list[dict[str, str]]:
    version = item.published_version
    assert version is not None, item.code
    holder = version.service_object or "申请人"
    if item.item_type == ItemType.FILING:
        return [
            {
                "target": f"已办理备案的{holder}",
                "content": "备案信息是否真实、完整；是否按备案内容开展活动",
                "method": SupervisionMethod.DOUBLE_RANDOM,
                "frequency": "每年随机抽查比例不低于5%",
                "legal_basis": f"{_first_basis(version)}；{RANDOM_BASIS}",
            }
        ]
    if item.item_type != ItemType.LICENSING:
        return [
            {
                "target": holder,
                "content": "办理结果和服务质量；对群众投诉的办理情况进行核查和回访",
                "method": SupervisionMethod.COMPLAINT,
                "frequency": "接到投诉后5个工作日内核查",
                "legal_basis": _first_basis(version),
            }
        ]
    rows = [
        {
            "target": f"取得“{version.result_name}”的{holder}",
            "content": "是否持续符合许可条件；是否按许可的范围、期限从事活动；许可证件是否按规定使用",
            "method": SupervisionMethod.DOUBLE_RANDOM,
            "frequency": "每年随机抽查比例不低于5%",
            "legal_basis": f"{_first_basis(version)}；{RANDOM_BASIS}",
        }
    ]
    if any(word in holder for word in ENTERPRISE_WORDS):
        rows.append(
            {
                "target": holder,
                "content": "许可和处罚信息记入市场主体信用档案并依法公示；对失信主体提高抽查比例",
                "method": SupervisionMethod.CREDIT,
                "frequency": "持续",
                "legal_basis": CREDIT_BASIS,
            }
        )
    rows.append(
        {
            "target": holder,
            "content": "对举报的未经许可或者超范围从事许可事项的活动及时核实、处理",
            "method": SupervisionMethod.COMPLAINT,
            "frequency": "接到举报后及时核查",
            "legal_basis": COMPLAINT_BASIS,
        }
    )
    return rows


# --- the clean-up record (清理记录) ------------------------------------------------------------
def _cleanup(
    departments: list[Department], items: list[Item], data: dict[str, Any]
) -> list[CleanupRecord]:
    """One record per item before the clean-up: the retained items (the current catalog), the
    old items of the data file, and as many merged parts of the retained items as make 337."""
    named = [
        (department, *line.rsplit("|", 1))
        for department in departments
        for line in data["departments"].get(department.code, {}).get("old", [])
    ]
    merged_count = ITEMS_BEFORE - len(items) - len(named)
    if merged_count < 0:
        raise ValueError(f"lists.toml names {len(named)} old items: more than 337 − 92 allow")

    by_department: dict[int, list[CleanupRecord]] = {d.pk: [] for d in departments}
    for item in items:
        version = item.published_version
        assert version is not None, item.code
        by_department[item.department_id].append(
            _record(item.department, version.name, CleanupAction.RETAINED, 0, target=item)
        )
    # The merged parts go round the retained items in catalog order, so every department with
    # items gets some and no item gets two of the same part.
    for n in range(merged_count):
        item = items[n % len(items)]
        part = MERGE_PARTS[(n // len(items)) % len(MERGE_PARTS)]
        name = f"{_stem(item)}{part}"
        by_department[item.department_id].append(
            _record(item.department, name, CleanupAction.MERGED, n, target=item)
        )
    for n, (department, name, code) in enumerate(named):
        action = ACTION_CODES[code]
        by_department[department.pk].append(_record(department, name, action, n))

    records = []
    for department in departments:
        for sort, record in enumerate(by_department[department.pk], start=1):
            record.sort = sort
            record.item_code = f"EZSP2013-{department.code}-{sort:03d}"
            records.append(record)
    return records


def _stem(item: Item) -> str:
    """The item's name without a trailing bracket (公共场所卫生许可(新办) → 公共场所卫生许可)."""
    version = item.published_version
    assert version is not None
    return version.name.split("(")[0].split("（")[0]


def _record(
    department: Department, name: str, action: str, n: int, *, target: Item | None = None
) -> CleanupRecord:
    batches = BATCHES[action]
    batch = batches[n % len(batches)]
    if action == CleanupAction.MERGED and target is not None:
        version = target.published_version
        note = f"并入“{version.name if version else target.code}”一并办理。"
    else:
        note = NOTES[CleanupAction(action)]
    return CleanupRecord(
        item_name=name,
        department=department,
        action=action,
        target_item=target,
        decided_on=batch.decided_on,
        legal_basis=batch.basis,
        note=note,
    )
