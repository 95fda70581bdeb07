"""Demo integrity-risk register (廉政风险点及防控措施, docs/product.md §C10).

Typical risk points of each step of a department's review, after the risk-point catalogues
that Chinese administrative service centres publish for 承办/审核/批准; each with its level and
control measure. The demo attaches them to every branch of the multi-department items and of a
handful of single-department ones.
"""

from __future__ import annotations

# step kind -> (level, risk, control measure)
RISKS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "handle": (
        (
            "high",
            "违规收取费用:在收费清单之外收取费用或提高收费标准",
            "严格执行收费清单,收费项目和标准在办事指南中公开;一律通过非税收入系统缴费,"
            "承办人员不得经手现金;电子监察比对实收费用与收费清单。",
        ),
        (
            "medium",
            "擅自增加申请材料:要求申请人提交材料清单以外的材料",
            "材料清单以已发布的办事指南为准,系统只接收清单内材料;补正告知须列明依据,"
            "第二次补正须经科室负责人签批,并进入电子监察。",
        ),
    ),
    "review": (
        (
            "medium",
            "超时限办理:审核环节无故拖延,压件不办",
            "系统按工作日自动计算各环节期限,到期前预警、逾期亮红牌;延期须经批准并书面告知申请人。",
        ),
        (
            "medium",
            "审核把关不严:对不符合条件的申请出具同意意见",
            "审核意见须写明所依据的条件和材料,实行承办、审核分离;监察人员定期抽查已办结办件。",
        ),
    ),
    "approve": (
        (
            "high",
            "违规审批:对不符合法定条件的申请作出准予许可决定,或以权谋私、优亲厚友",
            "实行集体研究和分级审批,审批决定在网上公开;利害关系人申请回避;"
            "纪检监察部门受理投诉举报。",
        ),
    ),
}
