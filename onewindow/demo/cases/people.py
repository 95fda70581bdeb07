"""Who acts in the generated demo cases: the demo personas, staff for the other departments and
a few dozen generated citizens and enterprises (valid ID numbers and credit codes, F1/F2).

Every generated user's email ends in ``GENERATED_DOMAIN``: that is how ``demo --reset`` finds
them again. Staff get the demo password (an evaluator may sign in as ``zjj_approver``);
generated applicants get none (they are records, as a walk-in applicant's is).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from onewindow.accounts.models import User, person_username
from onewindow.catalog.models import Department, Window
from onewindow.demo.data import plan
from onewindow.demo.personas import DEMO_DEPARTMENT, DEMO_USERNAMES
from onewindow.lib.idnumbers import make_citizen_id, make_credit_code

GENERATED_DOMAIN = "cases.demo.onewindow.invalid"
# ``head``: the agency head (机关负责人) who approves extensions (ALL Art. 42).
STAFF_ROLES = ("clerk", "handler", "reviewer", "approver", "chief", "head")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯健俊帆"
COMPANY_WORDS = (
    "楚韵",
    "江城",
    "凤凰",
    "洋澜",
    "梁湖",
    "吴都",
    "葛店",
    "华容",
    "樊口",
    "莲花",
    "西山",
    "鄂东",
)
COMPANY_TRADES = (
    "餐饮管理有限公司",
    "食品有限公司",
    "商贸有限公司",
    "建设工程有限公司",
    "物流有限公司",
    "医药连锁有限公司",
    "文化传媒有限公司",
    "环保科技有限公司",
    "置业有限公司",
    "酒店管理有限公司",
)
# 鄂城区, 梁子湖区, 华容区: the statistical district codes the demo regions use.
ID_REGIONS = ("420704", "420702", "420703")
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass
class Cast:
    demo: dict[str, Any]
    # department code → role → user (SCJG: the demo personas)
    staff: dict[str, dict[str, Any]]
    citizens: list[Any]
    enterprises: list[Any]
    # An enterprise's legal representative's citizen ID, for picking up results at the window.
    representative_ids: dict[int, str] = field(default_factory=dict)

    def of(self, department: str, role: str) -> Any:
        return self.staff[department][role]


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        if name not in used:
            used.add(name)
            return name


def _citizen_id(rng: random.Random, used: set[str]) -> str:

    while True:
        born = dt.date(1962, 1, 1) + dt.timedelta(days=rng.randrange(0, 38 * 365))
        number = make_citizen_id(rng.choice(ID_REGIONS), born, rng.randrange(0, 1000))
        if number not in used:
            used.add(number)
            return number


def _credit_code(rng: random.Random, used: set[str]) -> str:

    while True:
        prefix = "91420700MA4" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(6))
        code = make_credit_code(prefix)
        if code not in used:
            used.add(code)
            return code


def cast_create(
    rng: random.Random,
    *,
    departments: set[str],
    citizens: int,
    enterprises: int,
    password_hash: str,
) -> Cast:
    """Create staff for ``departments`` (other than the demo department) and the applicants."""

    demo = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    used_names = {u.full_name for u in demo.values()}
    used_numbers = {u.id_number for u in demo.values() if u.id_number}
    used_numbers |= {u.credit_code for u in demo.values() if u.credit_code}
    by_code = {d.code: d for d in Department.objects.filter(code__in=departments)}
    windows = {w.number: w for w in Window.objects.all()}
    rows: list[Any] = []
    window_links: list[tuple[str, str]] = []
    for code in sorted(departments - {DEMO_DEPARTMENT}):
        for role in STAFF_ROLES:
            username = f"{code.lower()}_{role}"
            rows.append(
                User(
                    username=username,
                    password=password_hash,
                    role=role,
                    full_name=_name(rng, used_names),
                    department=by_code[code],
                    email=f"{username}@{GENERATED_DOMAIN}",
                    phone=f"139071{rng.randrange(10000, 99999):05d}",
                )
            )
            if role in ("clerk", "chief"):
                window_links += [
                    (username, w.number) for w in plan.WINDOWS if code in w.departments
                ]
    people = []
    for n in range(citizens):
        number = _citizen_id(rng, used_numbers)
        people.append(
            User(
                username=person_username(number),
                role="applicant",
                applicant_kind="person",
                full_name=_name(rng, used_names),
                id_number=number,
                email=f"p{n + 1:03d}@{GENERATED_DOMAIN}",
                phone=f"137{rng.randrange(10_000_000, 99_999_999)}",
            )
        )
    firms = []
    used_firms: set[str] = set()
    for n in range(enterprises):
        code = _credit_code(rng, used_numbers)
        while True:
            firm = f"鄂州市{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}"
            if firm not in used_firms:
                used_firms.add(firm)
                break
        firms.append(
            User(
                username=code,
                role="applicant",
                applicant_kind="enterprise",
                full_name=firm,
                credit_code=code,
                legal_representative=_name(rng, used_names),
                email=f"e{n + 1:03d}@{GENERATED_DOMAIN}",
                phone=f"135{rng.randrange(10_000_000, 99_999_999)}",
            )
        )
    for user in people + firms:
        user.set_unusable_password()
    User.objects.bulk_create(rows + people + firms)
    stored = {u.username: u for u in User.objects.filter(email__endswith=f"@{GENERATED_DOMAIN}")}
    User.windows.through.objects.bulk_create(
        User.windows.through(user_id=stored[name].pk, window_id=windows[number].pk)
        for name, number in window_links
        if number in windows
    )
    staff: dict[str, dict[str, Any]] = {DEMO_DEPARTMENT: {role: demo[role] for role in STAFF_ROLES}}
    for code in departments - {DEMO_DEPARTMENT}:
        staff[code] = {role: stored[f"{code.lower()}_{role}"] for role in STAFF_ROLES}
    cast = Cast(
        demo=demo,
        staff=staff,
        citizens=[stored[u.username] for u in people],
        enterprises=[stored[u.username] for u in firms],
    )
    for firm in [demo["enterprise"], *cast.enterprises]:
        cast.representative_ids[firm.pk] = _citizen_id(rng, used_numbers)
    return cast


def generated_users() -> Any:
    """The users the case generator made (for ``demo --reset``)."""

    return User.objects.filter(email__endswith=f"@{GENERATED_DOMAIN}")
