"""What the demo loads, read from the files in this folder: pure data, no database.

``onewindow.demo.catalog`` writes it. Everything here is deterministic: the same files and seed
give the same plan, row for row.
"""

from __future__ import annotations

import csv
import random
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent
CITY_CODE = "420700"
CITY_NAME = "鄂州市"
# The seed: "申请条件由原来的5000多项减少至637项".
TOTAL_CONDITIONS = 637
MIN_CONDITIONS, MAX_CONDITIONS = 5, 9


# --- departments ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DepartmentPlan:
    code: str
    name: str
    short_name: str
    # The name of the row in departments.csv giving this bureau's address or phone, if any.
    csv_name: str = ""
    address: str = ""
    phone: str = ""
    hall_location: str = ""


# The 29 departments of the 2015 hall (seed: "全市29家市直部门"). No list survives
# (SOURCES.md), so these are the usual bureaus of a prefecture-level city, named as Ezhou's are;
# the csv rows that name one of them lend their address and phone.
DEPARTMENTS: tuple[DepartmentPlan, ...] = (
    DepartmentPlan("XZSP", "鄂州市行政审批局", "行政审批局", "鄂州市行政审批局"),
    DepartmentPlan("FGW", "鄂州市发展和改革委员会", "发展改革委"),
    DepartmentPlan("JXJ", "鄂州市经济和信息化局", "经信局", "经信"),
    DepartmentPlan("JYJ", "鄂州市教育局", "教育局"),
    DepartmentPlan("GAJ", "鄂州市公安局", "公安局", "公安局出入境窗口"),
    DepartmentPlan("MZJ", "鄂州市民政局", "民政局"),
    DepartmentPlan("SFJ", "鄂州市司法局", "司法局"),
    DepartmentPlan("CZJ", "鄂州市财政局", "财政局"),
    DepartmentPlan("RSJ", "鄂州市人力资源和社会保障局", "人社局", "市人社局"),
    DepartmentPlan("ZRZY", "鄂州市自然资源和规划局", "自然资源和规划局", "鄂州市自然资源和规划局"),
    DepartmentPlan("STHJ", "鄂州市生态环境局", "生态环境局", "鄂州市生态环境局"),
    DepartmentPlan("ZJJ", "鄂州市住房和城乡建设局", "住建局", "鄂州市住房和城乡建设局"),
    DepartmentPlan("JTJ", "鄂州市交通运输局", "交通运输局", "交通局(窗口)"),
    DepartmentPlan("SLJ", "鄂州市水利和湖泊局", "水利和湖泊局"),
    DepartmentPlan("NYJ", "鄂州市农业农村局", "农业农村局"),
    DepartmentPlan("SWJ", "鄂州市商务局", "商务局"),
    DepartmentPlan("WLJ", "鄂州市文化和旅游局", "文化和旅游局"),
    DepartmentPlan("WJW", "鄂州市卫生健康委员会", "卫生健康委"),
    DepartmentPlan("YJJ", "鄂州市应急管理局", "应急管理局"),
    DepartmentPlan("SCJG", "鄂州市市场监督管理局", "市场监管局", "鄂州市市场监督管理局"),
    DepartmentPlan("CGW", "鄂州市城市管理执法委员会", "城管执法委"),
    DepartmentPlan("LYJ", "鄂州市林业局", "林业局"),
    DepartmentPlan("RFB", "鄂州市人民防空办公室", "人防办"),
    DepartmentPlan("MZZJ", "鄂州市民族宗教事务局", "民宗局"),
    DepartmentPlan("YBJ", "鄂州市医疗保障局", "医保局"),
    DepartmentPlan("QXJ", "鄂州市气象局", "气象局"),
    DepartmentPlan("XFZD", "鄂州市消防救援支队", "消防救援支队"),
    DepartmentPlan("GJJ", "鄂州市住房公积金中心", "住房公积金中心"),
    DepartmentPlan("YCJ", "鄂州市烟草专卖局", "烟草专卖局"),
)


def departments() -> list[DepartmentPlan]:
    """The departments with the address and phone departments.csv gives for them."""
    with (DATA_DIR / "departments.csv").open(encoding="utf-8") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle)}
    result = []
    for dept in DEPARTMENTS:
        row = rows.get(dept.csv_name) if dept.csv_name else None
        address = phone = hall = ""
        if row is not None:
            phone = row["phone"]
            # The 交通局 row gives where its window is in the hall, not an office address.
            if "大厅" in row["address"]:
                hall = row["address"]
            else:
                address = row["address"]
        result.append(
            DepartmentPlan(
                dept.code,
                dept.name,
                dept.short_name,
                dept.csv_name,
                address=address,
                phone=phone,
                hall_location=hall,
            )
        )
    return result


# --- windows ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class WindowPlan:
    number: str
    name: str
    area: str
    departments: tuple[str, ...]


# The hall's areas A–G (SOURCES.md: 1F 民生配套/出入境; 2F 注册登记/经济社会/投资建设; 3F
# 办税/公共资源交易). The sources give the floors and the G area; the letters of the others follow
# the order the sources list them in. Approval windows sit on the first two floors.
AREAS = {
    "A": "1F A区(民生配套)",
    "B": "1F B区(出入境)",
    "C": "2F C区(注册登记)",
    "D": "2F D区(经济社会)",
    "E": "2F E区(投资建设)",
}
WINDOWS: tuple[WindowPlan, ...] = (
    WindowPlan("A01", "交通运输窗口", AREAS["A"], ("JTJ",)),
    WindowPlan("A02", "住房公积金窗口", AREAS["A"], ("GJJ",)),
    WindowPlan("A03", "医疗保障窗口", AREAS["A"], ("YBJ",)),
    WindowPlan("A04", "人力资源和社会保障窗口", AREAS["A"], ("RSJ",)),
    WindowPlan("A05", "法律援助窗口", AREAS["A"], ("SFJ",)),
    WindowPlan("B01", "公安出入境窗口", AREAS["B"], ("GAJ",)),
    WindowPlan("B02", "公安治安户政窗口", AREAS["B"], ("GAJ",)),
    WindowPlan("C01", "市场主体登记窗口", AREAS["C"], ("SCJG",)),
    WindowPlan("C02", "食品药品许可窗口", AREAS["C"], ("SCJG",)),
    WindowPlan("C03", "烟草专卖窗口", AREAS["C"], ("YCJ",)),
    WindowPlan("D01", "卫生健康窗口", AREAS["D"], ("WJW",)),
    WindowPlan("D02", "教育窗口", AREAS["D"], ("JYJ",)),
    WindowPlan("D03", "文化和旅游窗口", AREAS["D"], ("WLJ",)),
    WindowPlan("D04", "民政和民族宗教窗口", AREAS["D"], ("MZJ", "MZZJ")),
    WindowPlan("D05", "商务、经信和财政窗口", AREAS["D"], ("SWJ", "JXJ", "CZJ")),
    WindowPlan("D06", "农业农村和林业窗口", AREAS["D"], ("NYJ", "LYJ")),
    WindowPlan("D07", "应急管理和消防窗口", AREAS["D"], ("YJJ", "XFZD")),
    WindowPlan("E01", "投资项目综合受理窗口", AREAS["E"], ("XZSP", "FGW")),
    WindowPlan("E02", "自然资源和规划窗口", AREAS["E"], ("ZRZY",)),
    WindowPlan("E03", "住房和城乡建设窗口", AREAS["E"], ("ZJJ", "RFB")),
    WindowPlan("E04", "生态环境和水利窗口", AREAS["E"], ("STHJ", "SLJ")),
    WindowPlan("E05", "城市管理窗口", AREAS["E"], ("CGW",)),
    WindowPlan("E06", "气象窗口", AREAS["E"], ("QXJ",)),
)


def window_of(department: str) -> WindowPlan:
    return next(w for w in WINDOWS if department in w.departments)


# --- regions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegionPlan:
    code: str
    name: str
    level: str  # RegionLevel value
    parent_code: str | None
    note: str = ""
    service_point: bool = False


# The seed's 7 new districts, in its order. They have no statistical (NBS) codes: these codes
# are synthetic, for the demo only.
NEW_DISTRICTS = (
    ("420700X01", "葛店开发区"),
    ("420700X02", "鄂州经济开发区"),
    ("420700X03", "鄂城新区"),
    ("420700X04", "花湖新区"),
    ("420700X05", "红莲湖新区"),
    ("420700X06", "三江港新区"),
    ("420700X07", "梧桐湖新区"),
)
SYNTHETIC_DISTRICT_NOTE = "新区无国家统计用区划代码,此代码为演示数据合成;新区名称见2015年人民网报道"
INFERRED = "来源未明示所属新区,按地域推定"
# Each street/town under the new district the sources tie it to; where they don't, inferred.
STREET_PLACEMENT: dict[str, tuple[str, str]] = {
    "葛店开发区": ("420700X01", "所属新区依据:统计用区划中的葛店开发区功能区单位"),
    "葛店镇": ("420700X01", "所属新区依据:来源标注“葛店镇(葛店开发区)”"),
    "华容镇": ("420700X01", INFERRED),
    "鄂州经济开发区": ("420700X02", "所属新区依据:统计用区划中的鄂州经济开发区功能区单位"),
    "泽林镇": ("420700X02", INFERRED),
    "杜山镇": ("420700X02", INFERRED),
    "碧石镇": ("420700X02", INFERRED),
    "汀祖镇": ("420700X02", INFERRED),
    "新庙镇": ("420700X03", "所属新区依据:来源称该镇将军村地处鄂城新区中心"),
    "凤凰街道": ("420700X03", INFERRED),
    "古楼街道": ("420700X03", INFERRED),
    "西山街道": ("420700X03", INFERRED),
    "樊口街道": ("420700X03", INFERRED),
    "花湖镇": ("420700X04", INFERRED),
    "燕矶镇": ("420700X04", INFERRED),
    "杨叶镇": ("420700X04", INFERRED),
    "沙窝乡": ("420700X04", INFERRED),
    "长港镇": ("420700X04", INFERRED),
    "临空经济区": ("420700X04", INFERRED),
    "庙岭镇": ("420700X05", "所属新区依据:2013年红莲湖旅游度假区与庙岭镇合并设红莲湖新区"),
    "段店镇": ("420700X05", INFERRED),
    "蒲团乡": ("420700X06", INFERRED),
    "临江乡": ("420700X06", INFERRED),
    "梧桐湖新区": ("420700X07", "所属新区依据:统计用区划中的梧桐湖新区功能区单位"),
    "太和镇": ("420700X07", INFERRED),
    "东沟镇": ("420700X07", INFERRED),
    "梁子镇": ("420700X07", INFERRED),
    "涂家垴镇": ("420700X07", INFERRED),
    "沼山镇": ("420700X07", INFERRED),
}
# Names regions.csv uses for a unit listed under another name.
STREET_ALIASES = {"梧桐湖园区": "梧桐湖新区", "碧石渡镇": "碧石镇"}
# The current name of a unit whose statistical name has since changed (regions.csv note).
STREET_DISPLAY = {"碧石镇": "碧石渡镇"}
STREET_EXTRA_NOTES = {"樊口街道": "代码为演示数据合成"}
# The statistical districts (NBS codes) the streets belong to.
STAT_DISTRICTS = {"梁子湖区": "420702", "华容区": "420703", "鄂城区": "420704"}


def _street_key(raw: str) -> str:
    base = raw.split("(", 1)[0].strip()
    return STREET_ALIASES.get(base, base)


def regions() -> list[RegionPlan]:
    """City → 7 new districts → streets/towns → communities, in tree (depth-first) order."""
    with (DATA_DIR / "regions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    streets: dict[str, dict[str, str]] = {}
    for row in rows:
        if row["community"]:
            continue
        key = _street_key(row["street_or_town"])
        entry = streets.setdefault(key, {"code": "", "district": "", "note": ""})
        entry["code"] = entry["code"] or row["code"]
        entry["district"] = entry["district"] or row["district"].split("(", 1)[0]
        entry["note"] = entry["note"] or row["note"]
    synthetic = 0
    for entry in streets.values():
        if not entry["code"]:
            synthetic += 1
            entry["code"] = f"{STAT_DISTRICTS[entry['district']]}X{synthetic:02d}"
    communities: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        if row["community"]:
            communities.setdefault(_street_key(row["street_or_town"]), []).append(row)
    plan = [RegionPlan(CITY_CODE, CITY_NAME, "city", None, "地级市")]
    for district_code, district_name in NEW_DISTRICTS:
        plan.append(
            RegionPlan(district_code, district_name, "district", CITY_CODE, SYNTHETIC_DISTRICT_NOTE)
        )
        for key, entry in sorted(streets.items(), key=lambda kv: kv[1]["code"]):
            placed_in, basis = STREET_PLACEMENT[key]
            if placed_in != district_code:
                continue
            note = ";".join(
                part
                for part in (
                    f"统计区划:{entry['district']}",
                    basis,
                    STREET_EXTRA_NOTES.get(key, ""),
                    entry["note"],
                )
                if part
            )
            plan.append(
                RegionPlan(
                    entry["code"],
                    STREET_DISPLAY.get(key, key),
                    "street",
                    district_code,
                    note,
                )
            )
            plan.extend(_communities(entry["code"], communities.get(key, [])))
    return plan


def _communities(street_code: str, rows: list[dict[str, str]]) -> list[RegionPlan]:
    result = []
    synthetic = 0
    for row in rows:
        code = row["code"]
        if not code:
            synthetic += 1
            code = f"{street_code}X{synthetic:02d}"
        note = row["note"]
        if not row["code"]:
            note = ";".join(
                part for part in (note, "无统计用区划代码,此代码为演示数据合成") if part
            )
        name = row["community"]
        # Community points (代办点): the seed's 66 items are accepted by community agents; the
        # residents' committees (社区/居委会) are the points in the demo.
        point = name.endswith(("社区", "居委会"))
        result.append(RegionPlan(code, name, "community", street_code, note, point))
    return result


# --- items ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MaterialPlan:
    name: str
    required: bool
    is_core: bool
    original_or_copy: str
    copies: int
    note: str
    form: bool
    sample: bool
    for_renewal: bool = True  # ALL Art. 50: also asked for when renewing (flag 免续: not)


@dataclass(frozen=True)
class FeePlan:
    name: str
    amount: Decimal
    unit: str
    legal_basis: str


@dataclass(frozen=True)
class BranchPlan:
    """One department's part of an item's process template (docs/product.md §C5)."""

    department: str
    days: int
    lead: bool
    steps: tuple[tuple[str, str], ...]  # (kind, role) in order


@dataclass(frozen=True)
class ProcessPlan:
    consolidation: int
    branches: tuple[BranchPlan, ...]
    joint: bool


@dataclass(frozen=True)
class ItemPlan:
    code: str
    name: str
    department: str
    item_type: str
    window: str
    community: bool
    version: dict[str, Any]
    conditions: list[str]
    materials: list[MaterialPlan]
    fees: list[FeePlan]
    process: ProcessPlan
    from_csv: list[str] = field(default_factory=list)
    from_guide: str = ""


# Conditions a guide of that kind usually lists besides its own; they pad each item's
# conditions up to the seed's total.
CONDITION_POOLS: dict[str, tuple[str, ...]] = {
    "market": (
        "有与申请事项相适应的固定经营场所,并取得合法使用权",
        "有健全的管理制度和岗位责任制度",
        "主要负责人和有关从业人员经培训考核合格",
        "经营项目符合国家产业政策和本市相关规划布局",
        "法定代表人(负责人)不存在法律、法规规定的禁止从业情形",
        "申请人未因隐瞒有关情况或者提供虚假材料被不予许可,或者不予许可之日起已满一年",
    ),
    "construction": (
        "建设项目已依法办理立项(审批、核准或备案)手续",
        "建设项目符合国土空间规划和相关专项规划",
        "建设单位已落实建设资金",
        "技术文件由具备相应能力的单位编制,并经建设单位盖章确认",
        "建设项目不在法律、法规禁止建设的区域内",
        "涉及其他部门意见的,已按并联审批要求同步征求意见",
    ),
    "social": (
        "申请人具有完全民事行为能力,无民事行为能力或者限制民事行为能力的由监护人代为申请",
        "申请事项属于本市办理范围",
        "申请人如实提供本人(单位)相关信息",
        "委托他人办理的,受托人持有效授权委托书和身份证明",
        "申请人对所提交信息的真实性作出书面承诺",
    ),
    "safety": (
        "有健全的安全管理制度和岗位安全操作规程",
        "主要负责人和安全管理人员经安全培训考核合格",
        "有符合国家标准、行业标准的专用设施设备",
        "有事故应急救援预案和必要的应急救援器材",
        "近一年内未发生较大以上生产安全责任事故",
        "从业人员经安全教育和培训合格",
    ),
}
COMMON_CONDITIONS = (
    "申请材料齐全、符合法定形式",
    "申请人未被列入严重违法失信主体名单",
    "法律、法规规定的其他条件",
)
DEPARTMENT_POOLS = {
    **dict.fromkeys(("SCJG", "WJW", "WLJ", "YCJ", "SWJ", "CZJ", "RSJ"), "market"),
    **dict.fromkeys(
        ("ZJJ", "ZRZY", "FGW", "STHJ", "SLJ", "RFB", "QXJ", "CGW", "XZSP", "LYJ", "JXJ"),
        "construction",
    ),
    **dict.fromkeys(("GAJ", "MZJ", "MZZJ", "JYJ", "SFJ", "GJJ", "YBJ"), "social"),
    **dict.fromkeys(("YJJ", "XFZD", "JTJ", "NYJ"), "safety"),
}
COPY_KINDS = {"原复": "both", "原": "original", "复": "copy", "电": "electronic"}


def items(rng: random.Random) -> list[ItemPlan]:
    """The 92 items of items.toml, each padded to 5–9 conditions, 637 in all, each with its
    process template (processes.toml, or one branch for its own department)."""
    with (DATA_DIR / "items.toml").open("rb") as handle:
        raw = tomllib.load(handle)["item"]
    with (DATA_DIR / "processes.toml").open("rb") as handle:
        processes = {p["code"]: p for p in tomllib.load(handle)["process"]}
    unknown = set(processes) - {entry["code"] for entry in raw}
    if unknown:
        raise ValueError(f"processes.toml names unknown items: {sorted(unknown)}")
    candidates = [_condition_candidates(entry, rng) for entry in raw]
    targets = _condition_targets([len(e["conditions"]) for e in raw], candidates, rng)
    return [
        _item(entry, own_and_extra[:target], processes.get(entry["code"]))
        for entry, own_and_extra, target in zip(raw, candidates, targets, strict=True)
    ]


DEFAULT_STEPS = (("handle", "handler"), ("review", "reviewer"), ("approve", "approver"))
# 即办件: the window's handler takes it, the chief representative decides on the spot.
ON_THE_SPOT_STEPS = (("handle", "handler"), ("approve", "chief"))


def _steps(texts: list[str]) -> tuple[tuple[str, str], ...]:
    pairs = [text.partition(":") for text in texts]
    return tuple((kind, role) for kind, _sep, role in pairs)


def _process(entry: dict[str, Any], listed: dict[str, Any] | None) -> ProcessPlan:
    if listed is not None:
        branches = tuple(
            BranchPlan(
                b["department"],
                b["days"],
                b.get("lead", False),
                _steps(b["steps"]) if "steps" in b else DEFAULT_STEPS,
            )
            for b in listed["branches"]
        )
        return ProcessPlan(listed["consolidation"], branches, joint=True)
    committed = entry["committed"]
    if entry.get("on_the_spot", False):
        only = BranchPlan(entry["department"], 1, True, ON_THE_SPOT_STEPS)
        return ProcessPlan(0, (only,), joint=False)
    # One consolidation day where the limit leaves room for it (C3: branch + consolidation).
    consolidation = 1 if committed >= 2 else 0
    only = BranchPlan(entry["department"], max(1, committed - consolidation), True, DEFAULT_STEPS)
    return ProcessPlan(consolidation, (only,), joint=False)


def _condition_candidates(entry: dict[str, Any], rng: random.Random) -> list[str]:
    """The item's own conditions, then pool conditions in a seeded order, then common ones."""
    own = list(entry["conditions"])
    pool = list(CONDITION_POOLS[entry.get("pool") or DEPARTMENT_POOLS[entry["department"]]])
    rng.shuffle(pool)
    common = [
        c
        for c in COMMON_CONDITIONS
        if not (c.startswith("申请材料齐全") and any(o.startswith("申请材料齐全") for o in own))
    ]
    # "法律、法规规定的其他条件" closes a list, so it is the last one added.
    extra = [common[0], *pool, *common[1:]] if common[0].startswith("申请材料") else pool + common
    return own + [c for c in extra if c not in own]


def _condition_targets(
    own_counts: list[int], candidates: list[list[str]], rng: random.Random
) -> list[int]:
    targets = [max(MIN_CONDITIONS, n) for n in own_counts]
    caps = [min(MAX_CONDITIONS, len(c)) for c in candidates]
    if any(t > cap for t, cap in zip(targets, caps, strict=True)):
        raise ValueError("an item has too few candidate conditions")
    remaining = TOTAL_CONDITIONS - sum(targets)
    while remaining > 0:
        open_items = [i for i, (t, cap) in enumerate(zip(targets, caps, strict=True)) if t < cap]
        if not open_items:
            raise ValueError("not enough conditions to reach the seed's total")
        targets[rng.choice(open_items)] += 1
        remaining -= 1
    if remaining < 0:
        raise ValueError("the items' own conditions exceed the seed's total")
    return targets


def _item(entry: dict[str, Any], conditions: list[str], listed: dict[str, Any] | None) -> ItemPlan:
    department = entry["department"]
    process = _process(entry, listed)
    version = {
        "name": entry["name"],
        "legal_basis": entry["legal_basis"],
        "statutory_days": entry["statutory"],
        "committed_days": entry["committed"],
        "on_the_spot": entry.get("on_the_spot", False),
        "joint_handling": entry.get("joint", False) or process.joint,
        # ALL Art. 42 para. 2: a joint limit past 45 working days rests on its own law's article.
        "limit_basis_law": entry.get("limit_basis_law", ""),
        "limit_basis_article": entry.get("limit_basis_article", ""),
        "tolerance_category": entry.get("tolerance", "cautious"),
        "commitment_allowed": entry.get("commitment", False),
        "result_type": entry.get("result_type", "certificate"),
        "result_name": entry["result"],
        "delivery_methods": list(entry.get("delivery", ["window", "post"])),
        "service_object": entry.get("service_object", ""),
        "process_summary": entry.get("process", ""),
        "consolidation_days": process.consolidation,
        "validity_years": entry.get("validity_years"),
        "renewable": entry.get("renewable", False),
    }
    return ItemPlan(
        code=entry["code"],
        name=entry["name"],
        department=department,
        item_type=entry.get("type", "licensing"),
        window=entry.get("window") or window_of(department).number,
        community=entry.get("community", False),
        version=version,
        conditions=conditions,
        materials=[_material(line) for line in entry["materials"]],
        fees=[_fee(line) for line in entry.get("fees", [])],
        process=process,
        from_csv=list(entry.get("from_csv", [])),
        from_guide=entry.get("from_guide", ""),
    )


def _material(line: str) -> MaterialPlan:
    name, flags, copies, note = (part.strip() for part in line.split(";", 3))
    kind = next((value for key, value in COPY_KINDS.items() if key in flags), "original")
    if "原" in flags and "复" in flags:
        kind = "both"
    return MaterialPlan(
        name=name,
        required="选" not in flags,
        is_core="次" not in flags,
        original_or_copy=kind,
        copies=int(copies or 1),
        note=note,
        form="表" in flags,
        sample="样" in flags,
        for_renewal="免续" not in flags,
    )


def _fee(line: str) -> FeePlan:
    name, amount, unit, basis = (part.strip() for part in line.split(";", 3))
    return FeePlan(name, Decimal(amount), unit, basis)
