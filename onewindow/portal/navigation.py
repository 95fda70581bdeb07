"""The online hall's columns (网上办事大厅栏目) and the staff workbench (工作台) columns.

Adding a column is one line here. A column whose URL name does not resolve yet is left out, so
the navigation never shows a link that does not work; a column for signed-in users or for one
permission is shown only to users who can use it.

Two navigations are built from the one list: the public portal's (``portal_nav``: the public
columns, plus 我的办件 for applicants or one 工作台 link for staff) in ``base.html``, and the
workbench's own (``workbench_nav``: the staff columns the user may use) in ``workbench.html``,
which every staff page extends. At most one link is current: the column whose URL, or one of
the sections it owns (``also``), is the longest prefix of the page's path, so the decision
pages under ``/review/decisions/`` mark 审批决定 and not also 部门审查 (``/review/``), and a card
or letter page under ``/supervision/`` keeps 电子监察 marked for the supervisor. It carries
``aria-current="page"`` when it links to the page itself, ``aria-current="true"`` (the current
section) on the pages under it and in a column whose pages have their own sub-tabs, so that
one element at most on a page says "page" (as GOV.UK's service navigation does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.roles import STAFF_ROLES, Perm, has_perm


@dataclass(frozen=True)
class Column:
    """One column of the online hall."""

    url_name: str
    label: str | Promise
    summary: str | Promise = ""
    signed_in: bool = False  # shown only to a signed-in user
    perm: Perm | None = None  # shown only to a user holding this permission
    workbench: bool = False  # a staff column: in the workbench navigation, not the portal's
    # Further sections whose pages (and the pages under them) belong to the column: URL names,
    # or path prefixes starting with "/" for pages whose URLs take an id (/cases/<id>/…)
    also: tuple[str, ...] = ()
    # The column's pages carry their own sub-tabs, which mark the page itself
    tabs: bool = False
    # In the portal's navigation bar. A public column left out of the bar (so the bar keeps to
    # one row) is still a home-page tile and in the site map, and is reached from the column
    # that lists it in ``also`` (the power and fee lists from 清单公开's tabs) or the footer.
    bar: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("portal:home", _("首页")),
    Column("portal:guide_list", _("办事指南"), _("查询事项的条件、材料、时限、收费和办理地点")),
    Column("portal:form_list", _("表格下载"), _("下载申请表格的空白表和填写示例")),
    Column("portal:power_list", _("权力清单"), _("各部门实施的行政权力事项及其依据"), bar=False),
    Column("portal:fee_list", _("收费清单"), _("依法收取的费用、标准和收费依据"), bar=False),
    Column(
        "lists:index",
        _("清单公开"),
        _("责任清单、监管清单和审批事项清理记录"),
        tabs=True,
        also=("portal:power_list", "portal:fee_list"),
    ),
    Column("cases:apply_home", _("网上申报"), _("在线填写申请、上传材料并提交")),
    Column(
        "bundles:theme_list",
        _("一件事"),
        _("按人生事件和企业阶段，一表申报、一次提交多个事项"),
        also=("/themes/",),
        bar=False,  # the home page lists the themes by life event; the bar stays one row
    ),
    Column("portal:progress", _("进度查询"), _("凭办件编号和查询码查询办理进度，无需登录")),
    Column("certificates:verify", _("证照核验"), _("扫码或输入证书编号核验证照真伪")),
    Column("consult:home", _("网上咨询"), _("向部门咨询、查看常见问题，投诉窗口或工作人员")),
    Column(
        "publicity:announcements",
        _("办事公告"),
        _("新闻动态、通知公告和审批结果公示"),
        also=("publicity:current", "publicity:archive", "/publicity/"),
        tabs=True,  # 公告 / 结果公示 / 公示归档 (publicity/_tabs.html)
    ),
    Column(
        "sitehelp:help_list",
        _("用户帮助"),
        _("注册、申报、补正、查询、评价和代理办理的说明"),
        bar=False,  # in the footer
    ),
    Column("sitehelp:links", _("友情链接"), _("政府网站和政务服务平台"), bar=False),
    Column(
        "ratings:published",
        _("满意度评价"),
        _("各部门、窗口和事项的好差评结果，以及如何评价"),
        also=("ratings:ranking",),
    ),
    Column(
        "queue:display",
        _("大厅叫号"),
        _("大厅叫号屏和自助取号"),
        also=("queue:kiosk", "/queue/ticket/"),
        bar=False,  # the hall's screens; a home-page tile and the site map
    ),
    Column("stats:public", _("办件统计"), _("办件数量、按时办结率和办理用时统计")),
    # docs/rules/agencies.md §I1: the public listing of qualified intermediary agencies
    Column(
        "agencies:list",
        _("中介服务超市"),
        _("中介机构的资质、服务、收费标准和考核等级，申请人自主选择"),
        also=("/agencies/",),
        bar=False,  # a home-page tile and in the site map; the bar stays one row
    ),
    Column(
        "agencies:desk",
        _("中介机构工作台"),
        _("本机构的业务、竞价和报告"),
        signed_in=True,
        perm=Perm.AGENCY_WORK,
    ),
    # Appointments (docs/rules/hall.md §J1, §J4–§J9): booking a slot at a window, extended hours
    # and home visits; off the bar (it keeps one row), a home-page tile and in the site map.
    Column(
        "appointments:book",
        _("预约办事"),
        _("预约到大厅窗口办事的日期和时段，申请延时服务或上门服务"),
        also=("appointments:mine", "/appointments/"),
        bar=False,
    ),
    Column(
        "portal:my_cases",
        _("我的办件"),
        _("查看本人办件及需要您处理的事项"),
        signed_in=True,
        also=("/cases/", "cases:my_mandates", "/bundles/"),  # + mandates, bundle applications
    ),
    Column(
        "cases:intake_queue",
        _("窗口受理"),
        _("窗口人员受理、补正和不予受理"),
        perm=Perm.CASE_INTAKE,
        workbench=True,
        tabs=True,
    ),
    Column(
        "bundles:desk",
        _("一件事窗口"),
        _("一件事申请的统一受理、合并补正和统一送达"),
        perm=Perm.CASE_INTAKE,
        workbench=True,
        also=("/bundles/",),
    ),
    Column(
        "review:inbox",
        _("部门审查"),
        _("本部门并联审查任务、意见和补充材料"),
        perm=Perm.TASK_HANDLE,
        workbench=True,
        also=("supervision:cards",),  # the cards of the department's tasks, from the inbox
    ),
    Column(
        "review:decisions",
        _("审批决定"),
        _("意见齐备、待牵头部门作出决定的办件"),
        perm=Perm.DECISION_MAKE,
        workbench=True,
        tabs=True,
        also=("review:extensions",),
    ),
    # ALL Art. 42: the heads who approve extensions (the agency head; for joint handling the
    # government head) — each role holds one of the two permissions.
    Column(
        "review:extensions",
        _("延期审批"),
        _("审批延长审查期限的申请"),
        perm=Perm.EXTENSION_APPROVE,
        workbench=True,
    ),
    Column(
        "review:extensions",
        _("延期审批"),
        _("审批联合办理办件延长期限的申请"),
        perm=Perm.EXTENSION_APPROVE_JOINT,
        workbench=True,
    ),
    Column(
        "certificates:queue",
        _("证照送达"),
        _("待领取、待寄递的审批结果"),
        perm=Perm.CASE_HANDOVER,
        also=("/cases/",),  # a case's certificate and delivery pages
        workbench=True,
    ),
    Column(
        "ratings:bad_reviews",
        _("差评整改"),
        _("本部门差评的回访核实、整改、反馈和申诉"),
        perm=Perm.RATING_HANDLE,
        workbench=True,
    ),
    Column(
        "ratings:pads",
        _("评价器"),
        _("为刚办理的服务启用窗口评价器"),
        perm=Perm.RATING_PAD,
        workbench=True,
    ),
    Column(
        "queue:windows",
        _("窗口叫号"),
        _("呼叫下一号、重呼、过号、转移和办结"),
        perm=Perm.QUEUE_SERVE,
        workbench=True,
        also=("/queue/windows/",),
    ),
    Column(
        "queue:times",
        _("等候用时"),
        _("各窗口、各事项的等候和办理用时"),
        perm=Perm.QUEUE_STATS,
        workbench=True,
    ),
    Column(
        "ratings:appeals",
        _("差评申诉"),
        _("审核部门对误评、恶意评价的申诉"),
        perm=Perm.RATING_APPEAL_DECIDE,
        workbench=True,
    ),
    Column(
        "supervision:console",
        _("电子监察"),
        _("全部办件、期限与监察标记"),
        perm=Perm.SUPERVISE,
        workbench=True,
        tabs=True,
        # The console's sub-tabs (supervision/console/_tabs.html) are all the supervisor's.
        also=(
            "supervision:feed",
            "supervision:cards",
            "supervision:letters",
            "supervision:reports",
            "supervision:risks",
            "supervision:scores",
        ),
    ),
    Column(
        "consult:inbox",
        _("网上咨询"),
        _("答复本部门收到的咨询，公开常见问题"),
        perm=Perm.CONSULT_ANSWER,
        workbench=True,
        also=("/consult/questions/",),  # a question, its reply and publish pages
    ),
    Column(
        "consult:complaints",
        _("投诉处理"),
        _("调查处理投诉，查看工作人员个人记录"),
        perm=Perm.COMPLAINT_HANDLE,
        workbench=True,
        also=("/consult/complaints/", "/consult/staff/"),
    ),
    Column(
        "supervision:letters",
        _("督办函"),
        _("本部门收到的督办函及答复"),
        perm=Perm.TASK_HANDLE,
        workbench=True,
    ),
    Column(
        "supervision:reports",
        _("情况通报"),
        _("电子监察月度、季度情况通报"),
        perm=Perm.TASK_HANDLE,
        workbench=True,
    ),
    Column(
        "supervision:scores",
        _("绩效考核"),
        _("部门和窗口绩效得分、等次与排名"),
        perm=Perm.TASK_HANDLE,
        workbench=True,
    ),
    Column(
        "publicity:objections",
        _("公示异议"),
        _("本部门牵头事项公示期内收到的异议及答复"),
        perm=Perm.OBJECTION_ANSWER,
        workbench=True,
        tabs=True,
    ),
    Column(
        "agencies:manage",
        _("中介机构管理"),
        _("中介机构登记、暂停、违规记录和定期考核"),
        perm=Perm.AGENCY_MANAGE,
        workbench=True,
    ),
    Column(
        "publicity:announcement_manage",
        _("公告管理"),
        _("撰写、发布和撤下办事公告"),
        perm=Perm.ANNOUNCEMENT_EDIT,
        workbench=True,
    ),
    Column(
        "sitehelp:error_reports",
        _("网站找错"),
        _("访客报告的网站错误及处理"),
        perm=Perm.SITE_EDIT,
        workbench=True,
        tabs=True,
    ),
    # The hall (docs/rules/hall.md §J4, §J7, §J8): the window's appointments of the day and the
    # check-in; the centre's hours, slots and seats; extended services and their assignment.
    # One column with its own tabs: 今日预约, and for the centre 预约设置 and 延伸服务.
    Column(
        "appointments:desk",
        _("预约服务"),
        _("本窗口今天的预约和签到；开放时间、时段和座位；延时服务和上门服务的安排"),
        perm=Perm.HALL_DESK,
        workbench=True,
        tabs=True,
        also=("appointments:hall", "/appointments/services/"),
    ),
    # Key projects (docs/rules/projects.md §H8): every staff member sees the list of the projects
    # they may see (all for administrators and supervisors, their department's for the others).
    Column(
        "projects:list",
        _("重点项目"),
        _("重点项目各阶段的办件、联合活动、用时和卡点"),
        workbench=True,
        also=("/projects/",),
    ),
    # Department staff see their department's figures; supervisors and administrators all.
    Column(
        "stats:dashboard",
        _("统计分析"),
        _("本部门办件统计、办理用时与环节瓶颈"),
        perm=Perm.STATS_DEPARTMENT,
        workbench=True,
        also=("/stats/items/",),  # an item's stage view
    ),
    Column(
        "stats:dashboard",
        _("统计分析"),
        _("各部门办件统计、办理用时与环节瓶颈"),
        perm=Perm.STATS_ALL,
        workbench=True,
        also=("/stats/items/",),
    ),
    # 一级政府三级管理 (docs/rules/delegation.md §V3, §V4, §V7)
    Column(
        "delegation:point_home",
        _("便民服务点代收"),
        _("代收本服务点清单内事项的申请，转实施部门受理"),
        perm=Perm.POINT_RECEIVE,
        workbench=True,
        also=("/delegation/point/",),
    ),
    Column(
        "delegation:implementations",
        _("区域实施清单"),
        _("管理本区域实施的事项、材料、时限和收费"),
        perm=Perm.IMPLEMENTATION_EDIT,
        workbench=True,
        also=("/delegation/implementations/",),
    ),
    Column(
        "delegation:implementations",
        _("区域实施清单"),
        _("管理各区域实施的事项、材料、时限和收费"),
        perm=Perm.IMPLEMENTATION_EDIT_ALL,
        workbench=True,
        also=("/delegation/implementations/",),
    ),
    Column(
        "delegation:drift",
        _("偏离监测"),
        _("下放事项与市级办事指南在材料、时限、收费上的差异"),
        perm=Perm.DRIFT_READ,
        workbench=True,
    ),
    # conduct (docs/rules/hall.md §J2, §J3, §J16–§J19)
    Column(
        "conduct:red_flag",
        _("红旗窗口"),
        _("每月综合评价评出的红旗窗口和末位窗口，以及窗口作风通报批评"),
        also=("conduct:notices",),
        bar=False,  # reached from 满意度评价 and the home page tiles; the bar stays one row
    ),
    Column(
        "conduct:records",
        _("窗口作风"),
        _("作风处理记录、月度窗口评价和末位窗口整改"),
        perm=Perm.DISCIPLINE_DECIDE,
        workbench=True,
        also=("/conduct/",),
    ),
    Column(
        "conduct:mine",
        _("我的作风记录"),
        _("对本人作出的作风处理决定及本人确认"),
        perm=Perm.DISCIPLINE_OWN,
        workbench=True,
    ),
    Column(
        "conduct:settings",
        _("窗口评价设置"),
        _("月度窗口评价的权重和扣分标准"),
        perm=Perm.RULES_EDIT,
        workbench=True,
    ),
    # docs/decisions.md §S9: the security administrator's console
    Column(
        "accounts:security",
        _("安全管理"),
        _("工作人员角色、动态口令、登录会话和登录锁定"),
        perm=Perm.SECURITY_MANAGE,
        workbench=True,
    ),
    # docs/rules/audit.md §Z11: the audit administrator reads every staff view of a case
    # docs/rules/audit.md §Z13: and what the system and security administrators did
    Column(
        "audit:security_events",
        _("安全操作记录"),
        _("角色分配、动态口令、会话、登录锁定和签名密钥的全部操作"),
        perm=Perm.AUDIT_READ,
        workbench=True,
    ),
    Column(
        "audit:accesses",
        _("办件查阅记录"),
        _("工作人员查看办件、申请材料和文书的全部记录"),
        perm=Perm.AUDIT_READ,
        workbench=True,
    ),
)
WORKBENCH_LABEL = _("工作台")


@dataclass(frozen=True)
class NavLink:
    """A column resolved for one request."""

    url: str
    label: str | Promise
    summary: str | Promise
    current: str  # the aria-current value: "page", "true" (the current section) or ""


def _visible(column: Column, user: Any) -> bool:
    # 我的办件 and the like are the applicant's and agent's; staff have their workbench.
    if column.signed_in and (not getattr(user, "is_authenticated", False) or is_staff(user)):
        return False
    return column.perm is None or has_perm(user, column.perm)


def _reverse(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _match(column: Column, url: str, path: str) -> tuple[int, int]:
    """How closely ``path`` belongs to the column: the longest matching prefix, its own URL
    before a section it owns; (0, 0) when it does not belong at all."""
    if url == "/":
        return (1, 1) if path == "/" else (0, 0)
    best = (len(url), 1) if path.startswith(url) else (0, 0)
    for name in column.also:
        prefix = name if name.startswith("/") else _reverse(name)
        if prefix and prefix != "/" and path.startswith(prefix):
            best = max(best, (len(prefix), 0))
    return best


def _links(columns: list[Column], *, path: str, user: Any) -> list[NavLink]:
    """The columns that work now and ``user`` may use; at most one, the closest, is current."""
    resolved = []
    for column in columns:
        url = _reverse(column.url_name) if _visible(column, user) else None
        if url is not None:
            resolved.append((column, url, _match(column, url, path)))
    best = max((score for _c, _u, score in resolved), default=(0, 0))
    current = next((c for c, _u, score in resolved if score == best), None)
    links = []
    for column, url, _score in resolved:
        mark = ""
        if best > (0, 0) and column is current:
            mark = "page" if url == path and not column.tabs else "true"
        links.append(NavLink(url, column.label, column.summary, mark))
    return links


def hall_columns(*, path: str, user: Any = None) -> list[NavLink]:
    """Every column ``user`` may use, public and workbench (the home page's tiles)."""
    return _links(list(COLUMNS), path=path, user=user)


def site_map_columns() -> list[NavLink]:
    """Every public column whose URL works, for anyone (网站地图): the signed-in ones too, whose
    pages ask the visitor to sign in."""
    links = []
    for column in COLUMNS:
        url = None if column.workbench or column.perm else _reverse(column.url_name)
        if url is not None:
            links.append(NavLink(url, column.label, column.summary, ""))
    return links


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in STAFF_ROLES)


def workbench_nav(*, path: str, user: Any = None) -> list[NavLink]:
    """The workbench's own navigation: the staff columns ``user`` may use."""
    return _links([c for c in COLUMNS if c.workbench], path=path, user=user)


def portal_nav(*, path: str, user: Any = None) -> list[NavLink]:
    """The public portal's navigation: the public columns, and for staff one 工作台 link to
    their first workbench column (their columns are in the workbench's own navigation)."""
    links = _links([c for c in COLUMNS if not c.workbench and c.bar], path=path, user=user)
    bench = workbench_nav(path=path, user=user) if is_staff(user) else []
    if bench:
        links.append(NavLink(bench[0].url, WORKBENCH_LABEL, "", ""))
    return links
