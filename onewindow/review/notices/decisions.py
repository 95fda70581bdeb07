"""PDF bodies of the decision, extension and special-procedure notices
(docs/rules/licensing.md §B7), registered with cases.notices (``BUILDERS`` / ``TITLES``) when the
review app is ready.

Like the intake notices, each body is rendered from the ``Notice.content`` written by the
service in review/decisions.py, so the document always says what the applicant was told.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.cases import notices
from onewindow.cases.models import Case, NoticeKind
from onewindow.lib.pdf import Block, Facts, Heading, Table

_date = notices._date
LAW = notices.LAW


def _intro(case: Case, content: dict[str, Any]) -> str:
    return notices._intro(case, content)


def _facts(case: Case, content: dict[str, Any], *extra: tuple[str, str]) -> Facts:
    rows = [
        (_("办件编号"), case.number or ""),
        (_("查询码"), case.query_code),
        (_("申请事项"), content.get("item") or case.item_version.name),
        (_("申请人"), content.get("applicant") or str(case.applicant)),
        (_("受理部门"), case.department.name),
        (_("牵头部门"), content.get("department") or case.department.name),
        (_("受理日期"), _date(content.get("accepted_on") or case.accepted_on)),
    ]
    return Facts([*rows, *((label, value) for label, value in extra if value)])


_SUMMARY_COLON = re.compile("[:：]")


def _opinions(content: dict[str, Any]) -> list[Block]:
    rows = content.get("opinions") or []
    if not rows:
        return []
    return [
        Heading(_("各部门审查意见")),
        Table(
            [_("序号"), _("部门"), _("意见")],
            [
                [
                    str(i),
                    row.get("department", "") + (_("（牵头）") if row.get("lead") else ""),
                    # "部门：意见" without the department (notices stored before the
                    # full-width colon say "部门:意见")
                    _SUMMARY_COLON.split(row.get("summary", ""), maxsplit=1)[-1],
                ]
                for i, row in enumerate(rows, start=1)
            ],
            widths=[0.8, 3.2, 6],
        ),
    ]


# --- 准予行政许可决定书 (ALL Art. 38–39, 44) -------------------------------------------------
def _grant(case: Case, content: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        _(
            "%(intro)s，本机关已于%(accepted)s受理。经审查，申请符合法定条件、标准，"
            "根据%(law)s第三十八条第一款的规定，决定准予行政许可。"
        )
        % {
            "intro": _intro(case, content),
            "accepted": _date(content.get("accepted_on") or case.accepted_on),
            "law": LAW,
        },
    ]
    if content.get("conditions"):
        blocks += [Heading(_("许可条件及说明")), content["conditions"]]
    if content.get("reasons"):
        blocks += [Heading(_("决定理由")), content["reasons"]]
    if content.get("result_name"):
        blocks.append(
            _(
                "本机关将于%(due)s前向你（单位）颁发、送达《%(result)s》"
                "（行政许可法第四十四条：作出准予行政许可决定之日起十个工作日内）。"
            )
            % {"due": _date(content.get("certificate_due")), "result": content["result_name"]}
        )
    blocks += [
        *_opinions(content),
        _facts(
            case,
            content,
            (_("决定日期"), _date(content.get("decided_on"))),
            (_("发证送达期限"), _date(content.get("certificate_due"))),
        ),
    ]
    return blocks


# --- 不予行政许可决定书 (ALL Art. 38 second paragraph) ----------------------------------------
def _refusal(case: Case, content: dict[str, Any]) -> list[Block]:
    return [
        _(
            "%(intro)s，本机关已于%(accepted)s受理。经审查，根据%(law)s第三十八条第二款的规定，"
            "决定不予行政许可。理由如下："
        )
        % {
            "intro": _intro(case, content),
            "accepted": _date(content.get("accepted_on") or case.accepted_on),
            "law": LAW,
        },
        *content.get("reasons", "").splitlines(),
        *_opinions(content),
        Heading(_("救济途径")),
        content.get("remedies", ""),
        _facts(case, content, (_("决定日期"), _date(content.get("decided_on")))),
    ]


# --- 延期告知书 (ALL Art. 42) -----------------------------------------------------------------
def _extension(case: Case, content: dict[str, Any]) -> list[Block]:
    if content.get("joint"):
        # ALL Art. 42 para. 2: joint handling, extended with the government head's approval.
        opening = _(
            "%(intro)s，本机关已于%(accepted)s受理。本件为联合办理，因下列理由不能在规定期限内"
            "作出决定，经本级人民政府负责人批准，根据%(law)s第四十二条第二款的规定，审查期限延长"
            "%(days)s个工作日。"
        )
    else:
        opening = _(
            "%(intro)s，本机关已于%(accepted)s受理。因下列理由，本机关不能在规定期限内作出决定，"
            "经本机关负责人批准，根据%(law)s第四十二条第一款的规定，审查期限延长"
            "%(days)s个工作日。"
        )
    return [
        opening
        % {
            "intro": _intro(case, content),
            "accepted": _date(content.get("accepted_on") or case.accepted_on),
            "law": LAW,
            "days": content.get("days", ""),
        },
        Heading(_("延期理由")),
        content.get("reasons", ""),
        _(
            "延长后，本机关将于%(due)s前作出决定（法定办结期限延至%(statutory)s）。"
            "依法只能延期一次，延长期限不超过%(limit)s个工作日。"
        )
        % {
            "due": _date(content.get("decision_due")),
            "statutory": _date(content.get("statutory_due")),
            "limit": content.get("limit", ""),
        },
        _facts(
            case,
            content,
            (_("延长期限"), _("%(n)s个工作日") % {"n": content.get("days", "")}),
            (_("承诺办结期限（延长后）"), _date(content.get("decision_due"))),
            (_("法定办结期限（延长后）"), _date(content.get("statutory_due"))),
        ),
    ]


# --- 特别程序告知书 (ALL Art. 45) -------------------------------------------------------------
def _special_procedure(case: Case, content: dict[str, Any]) -> list[Block]:
    return [
        _(
            "%(intro)s，本机关已于%(accepted)s受理。经审查，该申请依法需要进行%(procedure)s，"
            "根据%(law)s第四十五条的规定，所需时间不计算在审查期限内。现将有关事项书面告知如下："
        )
        % {
            "intro": _intro(case, content),
            "accepted": _date(content.get("accepted_on") or case.accepted_on),
            "procedure": content.get("procedure_label", ""),
            "law": LAW,
        },
        Heading(_("事由")),
        content.get("reason", ""),
        _(
            "%(procedure)s自%(start)s开始，预计需要%(days)s个工作日（预计于%(end)s前完成）。"
            "程序结束后，本机关将恢复审查，各项期限按实际用时相应顺延，并告知你（单位）。"
        )
        % {
            "procedure": content.get("procedure_label", ""),
            "start": _date(content.get("started_on")),
            "days": content.get("expected_days", ""),
            "end": _date(content.get("expected_end")),
        },
        _facts(
            case,
            content,
            (_("特别程序"), content.get("procedure_label", "")),
            (_("开始日期"), _date(content.get("started_on"))),
            (_("预计所需时间"), _("%(n)s个工作日") % {"n": content.get("expected_days", "")}),
        ),
    ]


notices.TITLES.update(
    {
        NoticeKind.GRANT: gettext_lazy("准予行政许可决定书"),
        NoticeKind.REFUSAL: gettext_lazy("不予行政许可决定书"),
        NoticeKind.EXTENSION: gettext_lazy("延期告知书"),
        NoticeKind.SPECIAL_PROCEDURE: gettext_lazy("特别程序告知书"),
    }
)
notices.BUILDERS.update(
    {
        NoticeKind.GRANT: _grant,
        NoticeKind.REFUSAL: _refusal,
        NoticeKind.EXTENSION: _extension,
        NoticeKind.SPECIAL_PROCEDURE: _special_procedure,
    }
)
