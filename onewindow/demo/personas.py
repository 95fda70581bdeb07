"""Who and where the demo is: the seed, the hall, and one demo user per role (plain data, no
Django), shared by the catalog loader and the case generator."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

SEED = 2015
DEMO_PASSWORD = "demo-2015"
# docs/decisions.md §S6: every demo staff account's second factor shares this published TOTP
# secret (base32, 20 bytes), so anyone trying the demo can add it to an authenticator app, or ask
# `onewindow demo --code` for the current code. A real deployment enrols each person's own phone.
DEMO_TOTP_SECRET = "ONEWINDOWDEMOKEYONEWINDOWDEMOKEY"
HALL = "鄂州市市民中心（古城路129号）政务服务大厅"
HALL_HOURS = "法定工作日 上午8:30-12:00，下午14:30-17:30（法定节假日除外）"
# The service centre website's contact number (departments.csv, 鄂州市行政审批局): the line
# for departments whose own number the sources do not give.
HALL_PHONE = "027-60858577"
SUPERVISION_PHONE = "12345"
PUBLISHED_AT = dt.datetime(2025, 1, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DEMO_DEPARTMENT = "SCJG"
DEMO_DISTRICT = "420700X03"  # 鄂城新区


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    full_name: str
    title: str  # what print_logins shows beside the name
    department: str = ""
    windows: tuple[str, ...] = ()
    applicant_kind: str = ""
    # docs/rules/delegation.md §V3, §V4: the district of a region administrator; a point's staff
    # work at the district's first community point.
    region: str = ""


# One persona per role; the department staff work in 鄂州市市场监督管理局.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("applicant", "applicant", "张明", "申请人（自然人）", applicant_kind="person"),
    DemoUser(
        "enterprise",
        "applicant",
        "鄂州市楚韵食品有限公司",
        "申请人（法人）",
        applicant_kind="enterprise",
    ),
    DemoUser("agent", "agent", "李娜", "代办员（绿色通道服务队）", applicant_kind="person"),
    DemoUser("clerk", "clerk", "陈静", "窗口受理人员", DEMO_DEPARTMENT, ("C01", "C02")),
    DemoUser("handler", "handler", "刘洋", "承办人", DEMO_DEPARTMENT),
    DemoUser("reviewer", "reviewer", "赵敏", "审核人", DEMO_DEPARTMENT),
    DemoUser("approver", "approver", "孙伟", "批准人", DEMO_DEPARTMENT),
    DemoUser("chief", "chief", "周强", "首席代表", DEMO_DEPARTMENT, ("C01", "C02")),
    # ALL Art. 42: extensions are approved by the agency head; for joint handling by the head of
    # the city government, who sits in no department.
    DemoUser("head", "head", "钱国栋", "机关负责人（批准延期）", DEMO_DEPARTMENT),
    DemoUser("gov_head", "gov_head", "何志刚", "本级人民政府负责人（批准联合办理延期）"),
    DemoUser("supervisor", "supervisor", "吴芳", "电子监察人员"),
    DemoUser("admin", "admin", "郑浩", "中心管理员（可登录管理后台）"),
    DemoUser("auditor", "auditor", "冯丽", "审计管理员"),
    DemoUser("security", "security_admin", "沈卫", "安全管理员"),
    # docs/rules/agencies.md §I8: works for 鄂州市华测测绘有限公司 (onewindow.demo.agencies)
    DemoUser("agency", "agency", "高明", "中介机构（鄂州市华测测绘有限公司）"),
    DemoUser(
        "region_admin", "region_admin", "黄磊", "区域管理员（鄂城新区）", region=DEMO_DISTRICT
    ),
    DemoUser(
        "point_clerk", "point_clerk", "唐红", "便民服务点工作人员（鄂城新区）", region=DEMO_DISTRICT
    ),
)
DEMO_USERNAMES = tuple(u.username for u in DEMO_USERS)
