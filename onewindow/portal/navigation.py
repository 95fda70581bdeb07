"""The online hall's columns (网上办事大厅栏目) shown in the header and on the home page.

Adding a column is one line here. A column whose URL name does not resolve yet is left out, so
the navigation never shows a link that does not work; a column for signed-in users or for one
permission is shown only to users who can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.roles import Perm, has_perm


@dataclass(frozen=True)
class Column:
    """One column of the online hall."""

    url_name: str
    label: str | Promise
    summary: str | Promise = ""
    signed_in: bool = False  # shown only to a signed-in user
    perm: Perm | None = None  # shown only to a user holding this permission


COLUMNS: tuple[Column, ...] = (
    Column("portal:home", _("首页")),
    Column("portal:guide_list", _("办事指南"), _("查询事项的条件、材料、时限、收费和办理地点")),
    Column("portal:form_list", _("表格下载"), _("下载申请表格的空白表和填写示例")),
    Column("portal:power_list", _("权力清单"), _("各部门实施的行政权力事项及其依据")),
    Column("portal:fee_list", _("收费清单"), _("依法收取的费用、标准和收费依据")),
    Column("cases:apply_home", _("网上申报"), _("在线填写申请、上传材料并提交")),
    Column("cases:progress", _("进度查询"), _("凭办件编号和查询码查询办理进度，无需登录")),
    Column("certificates:verify", _("证照核验"), _("扫码或输入证书编号核验证照真伪")),
    Column("cases:my_cases", _("我的办件"), _("查看本人办件及需要您处理的事项"), signed_in=True),
    Column(
        "cases:intake_queue",
        _("窗口受理"),
        _("窗口人员受理、补正和不予受理"),
        perm=Perm.CASE_INTAKE,
    ),
    Column(
        "review:inbox",
        _("部门审查"),
        _("本部门并联审查任务、意见和补充材料"),
        perm=Perm.TASK_HANDLE,
    ),
    Column(
        "review:decisions",
        _("审批决定"),
        _("意见齐备、待牵头部门作出决定的办件"),
        perm=Perm.DECISION_MAKE,
    ),
    # ALL Art. 42: the heads who approve extensions (the agency head; for joint handling the
    # government head) — each role holds one of the two permissions.
    Column(
        "review:extensions",
        _("延期审批"),
        _("审批延长审查期限的申请"),
        perm=Perm.EXTENSION_APPROVE,
    ),
    Column(
        "review:extensions",
        _("延期审批"),
        _("审批联合办理办件延长期限的申请"),
        perm=Perm.EXTENSION_APPROVE_JOINT,
    ),
    Column(
        "certificates:queue",
        _("证照送达"),
        _("待领取、待寄递的审批结果"),
        perm=Perm.CASE_HANDOVER,
    ),
    Column(
        "supervision:console", _("电子监察"), _("全部办件、期限与监察标记"), perm=Perm.SUPERVISE
    ),
    Column(
        "supervision:letters", _("督办函"), _("本部门收到的督办函及答复"), perm=Perm.TASK_HANDLE
    ),
    Column(
        "supervision:reports", _("情况通报"), _("电子监察月度、季度情况通报"), perm=Perm.TASK_HANDLE
    ),
    Column(
        "supervision:scores",
        _("绩效考核"),
        _("部门和窗口绩效得分、等次与排名"),
        perm=Perm.TASK_HANDLE,
    ),
)


@dataclass(frozen=True)
class NavLink:
    """A column resolved for one request."""

    url: str
    label: str | Promise
    summary: str | Promise
    current: bool


def _visible(column: Column, user: Any) -> bool:
    if column.signed_in and not getattr(user, "is_authenticated", False):
        return False
    return column.perm is None or has_perm(user, column.perm)


def hall_columns(*, path: str, user: Any = None) -> list[NavLink]:
    """The columns that work now and ``user`` may use, the one ``path`` is under marked current."""
    links = []
    for column in COLUMNS:
        if not _visible(column, user):
            continue
        try:
            url = reverse(column.url_name)
        except NoReverseMatch:
            continue
        current = path == url if url == "/" else path.startswith(url)
        links.append(NavLink(url, column.label, column.summary, current))
    return links
