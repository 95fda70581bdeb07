"""PDF bodies of the notices issued during review (registered with cases.notices).

补充材料通知书(审查阶段): a department asks the applicant, through the window, for more material;
the notice says whether the department's review period stops until the material arrives.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import notices
from onewindow.cases.models import Case, NoticeKind
from onewindow.lib.pdf import Block, Facts, Heading

_date = notices._date


def _material_request(case: Case, content: dict[str, Any]) -> list[Block]:
    department = content.get("requesting_department", "")
    if content.get("pauses_clock"):
        clock_line = _(
            "自本通知发出之日起至补齐材料之日止，%(d)s的审查期限暂停计算，补齐后继续计算。"
        ) % {"d": department}
    else:
        clock_line = _("补充材料期间审查期限继续计算，请尽快补充。")
    return [
        _(
            "%(intro)s，正在由%(d)s进行审查。经审查，需要你（单位）补充以下材料，"
            "请通过网上办事大厅或到受理窗口提交："
        )
        % {"intro": notices._intro(case, content), "d": department},
        Heading(_("需补充的材料及要求")),
        content.get("text", ""),
        clock_line,
        Facts(
            [
                (_("办件编号"), case.number or ""),
                (_("查询码"), case.query_code),
                (_("申请事项"), content.get("item") or case.item_version.name),
                (_("提出部门"), department),
                (_("通知日期"), _date(content.get("requested_on"))),
            ]
        ),
    ]


notices.TITLES[NoticeKind.MATERIAL_REQUEST] = gettext_lazy("补充材料通知书")
notices.BUILDERS[NoticeKind.MATERIAL_REQUEST] = _material_request
