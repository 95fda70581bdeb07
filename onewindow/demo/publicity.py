"""The demo's announcements, result publicity and links (docs/rules/publicity.md §L1–§L6).

``load(today)`` runs after the cases are generated: it writes a handful of announcements, the
publicity rules of the items that publish their grants in reality (planning, construction,
environment, water, food and drugs, labour services, hazardous chemicals), publishes the demo's
grants on those items through the real service (dated at each decision, so the older ones are
archived by the real job and the last week's are open), lodges two objections (one answered by
the lead department) and adds the links. The help pages come from the sitehelp migration.
Deterministic: no randomness beyond the cases themselves.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from onewindow.accounts.models import User
from onewindow.accounts.roles import ROLE_PERMISSIONS, Perm
from onewindow.catalog.models import Item
from onewindow.publicity.models import (
    Announcement,
    AnnouncementCategory,
    Publicity,
    PublicityRule,
    PublicityStatus,
    PublishedField,
)
from onewindow.publicity.services import (
    objection_answer,
    objection_lodge,
    publicities_archive,
    publicity_publish,
)
from onewindow.review.models import Decision, DecisionKind
from onewindow.sitehelp.models import Link, LinkCategory
from onewindow.sitehelp.services import link_create

SHANGHAI = ZoneInfo("Asia/Shanghai")
F = PublishedField
_BASIC = [F.APPLICANT, F.CASE_NUMBER, F.ITEM_NAME, F.DEPARTMENT, F.DECISION, F.DECIDED_ON]
_WITH_LICENCE = [*_BASIC, F.CERTIFICATE_SERIAL, F.VALID_UNTIL]

# item code → (days, fields, basis)
RULES: dict[str, tuple[int, list[PublishedField], str]] = {
    "420700-ZRZY-001": (
        7,
        _WITH_LICENCE,
        "《中华人民共和国城乡规划法》第九条、第四十条（批后公布）",
    ),
    "420700-ZRZY-003": (7, _WITH_LICENCE, "《中华人民共和国城乡规划法》第四十一条"),
    "420700-ZRZY-004": (7, _WITH_LICENCE, "《中华人民共和国城乡规划法》第三十七条"),
    "420700-ZJJ-003": (5, _WITH_LICENCE, "《建筑工程施工许可管理办法》第八条"),
    "420700-ZJJ-004": (5, _WITH_LICENCE, "《城市商品房预售管理办法》第七条"),
    "420700-STHJ-001": (5, _BASIC, "《环境影响评价公众参与办法》第二十六条"),
    "420700-STHJ-002": (5, _WITH_LICENCE, "《排污许可管理条例》第二十三条"),
    "420700-SLJ-002": (5, _WITH_LICENCE, "《取水许可和水资源费征收管理条例》"),
    "420700-SCJG-001": (5, _WITH_LICENCE, "《食品经营许可和备案管理办法》（许可信息公开）"),
    "420700-SCJG-004": (5, _WITH_LICENCE, "《食品生产许可管理办法》第二十八条"),
    "420700-SCJG-005": (5, _WITH_LICENCE, "《药品经营和使用质量监督管理办法》（许可信息公开）"),
    "420700-RSJ-001": (5, _WITH_LICENCE, "《人力资源市场暂行条例》第十八条"),
    "420700-RSJ-002": (5, _WITH_LICENCE, "《劳务派遣行政许可实施办法》第十六条"),
    "420700-YJJ-001": (5, _WITH_LICENCE, "《危险化学品经营许可证管理办法》第十九条"),
}

LINKS: list[tuple[str, str, str]] = [
    ("中国政府网", "https://www.gov.cn", LinkCategory.GOVERNMENT),
    ("湖北省人民政府", "https://www.hubei.gov.cn", LinkCategory.GOVERNMENT),
    ("鄂州市人民政府", "https://www.ezhou.gov.cn", LinkCategory.GOVERNMENT),
    ("国家政务服务平台", "https://gjzwfw.www.gov.cn", LinkCategory.SERVICE),
    ("湖北政务服务网", "https://zwfw.hubei.gov.cn", LinkCategory.SERVICE),
    ("鄂州市市场监督管理局", "https://scjgj.ezhou.gov.cn", LinkCategory.DEPARTMENT),
    ("鄂州市住房和城乡建设局", "https://zjj.ezhou.gov.cn", LinkCategory.DEPARTMENT),
    ("国家企业信用信息公示系统", "https://www.gsxt.gov.cn", LinkCategory.OTHER),
    ("信用中国", "https://www.creditchina.gov.cn", LinkCategory.OTHER),
]

ANNOUNCEMENTS: list[tuple[int, str, str, str]] = [
    (
        2,
        AnnouncementCategory.NOTICE,
        "关于市民中心政务服务大厅元旦假期安排的通知",
        "根据国务院办公厅节假日安排，元旦假期政务服务大厅暂停窗口服务，假期后第一个工作日恢复正常办公。\n\n"
        "假期期间，网上办事大厅照常受理网上申报；在非工作日提交的申请，自下一个工作日起算受理期限。\n\n"
        "## 咨询方式\n- 政务服务便民热线：12345\n- 大厅咨询台：0711-3200000",
    ),
    (
        9,
        AnnouncementCategory.SERVICE,
        "网上办事大厅上线结果公示和异议功能",
        "即日起，依法需要公示的准予行政许可决定将在“办事公告—结果公示”中自动公示，公示期满后归档，可随时检索。\n\n"
        "公示期内，公众登录后可以对公示内容提出异议，由牵头审批部门核实后答复，答复结果通过短信和邮件告知异议人。\n\n"
        "自然人申请人的姓名在公示中脱敏显示，身份证号码不予公示。",
    ),
    (
        20,
        AnnouncementCategory.POLICY,
        "鄂州市进一步推进告知承诺制审批的实施意见（摘要）",
        "为进一步优化营商环境，我市在食品经营、公共场所卫生、药品零售等领域推行证明事项告知承诺制。\n\n"
        "## 主要内容\n1. 申请人书面承诺符合条件的，可以不再提交相应证明材料。\n"
        "2. 审批部门依法对承诺内容进行核查。\n3. 虚假承诺的，依法撤销许可并记入信用记录，且不再适用告知承诺制。\n\n"
        "具体适用事项以各事项办事指南为准。",
    ),
    (
        35,
        AnnouncementCategory.NEWS,
        "市政务服务中心“一窗通办”改革成效显著",
        "市政务服务中心推行“前台综合受理、后台分类审批、统一窗口出件”，群众和企业办事由“多头跑”变为“一窗办”。\n\n"
        "改革以来，多部门联办事项实行并联审批，平均办理时间明显缩短，办事群众满意度持续提升。",
    ),
    (
        60,
        AnnouncementCategory.NOTICE,
        "关于启用电子证照核验服务的公告",
        "自即日起，本中心颁发的证照均附带二维码。扫描二维码或在“证照核验”栏目输入证书编号，即可核验证照真伪及有效状态，无需登录。",
    ),
]


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def _answerer(department_id: int) -> User | None:
    roles = [role for role, perms in ROLE_PERMISSIONS.items() if Perm.OBJECTION_ANSWER in perms]
    return (
        User.objects.filter(department_id=department_id, role__in=roles, is_active=True)
        .order_by("pk")
        .first()
    )


def load(today: dt.date) -> None:
    """Everything listed in the module docstring, in one transaction."""
    with transaction.atomic():
        admin = User.objects.filter(username="admin").first()
        for days_ago, category, title, body in ANNOUNCEMENTS:
            Announcement.objects.create(
                title=title,
                body=body,
                category=category,
                publish_at=_at(today - dt.timedelta(days=days_ago)),
                published=True,
                author=admin,
            )
        items = {item.code: item for item in Item.objects.filter(code__in=RULES)}
        for code, (days, fields, basis) in RULES.items():
            if code in items:
                PublicityRule.objects.create(
                    item=items[code], days=days, fields=[str(f) for f in fields], basis=basis
                )
        grants = (
            Decision.objects.filter(
                kind=DecisionKind.GRANT, case__item_version__item__code__in=list(items)
            )
            .select_related("case__item_version", "case__applicant", "case__department")
            .order_by("decided_on", "pk")
        )
        for decision in grants:
            publicity_publish(case=decision.case, now=decision.at)
        _objections(today)
        publicities_archive(today=today, now=_at(today, 1))
        for name, url, category in LINKS:
            link_create(name=name, url=url, category=category)


def _objections(today: dt.date) -> None:
    """Two objections on the latest publicity records, the older one answered."""
    objector = User.objects.filter(username="applicant").first()
    if objector is None:
        return
    latest = list(
        Publicity.objects.filter(status=PublicityStatus.OPEN).order_by("-starts_on", "-pk")[:2]
    )
    texts = [
        "公示的申请人实际经营（建设）地址与申请材料所写地址不一致，该地址目前为居民住宅，请核实。",
        "据了解，申请人的相关场所尚未完工，请审批部门现场核实后再发证。",
    ]
    for index, publicity in enumerate(reversed(latest)):
        lodged_on = min(max(publicity.starts_on, today - dt.timedelta(days=1)), publicity.ends_on)
        objection = objection_lodge(
            publicity=publicity,
            user=objector,
            text=texts[index % len(texts)],
            contact="13907110001",
            now=_at(lodged_on, 10),
        )
        answerer = _answerer(publicity.department_id)
        if index == 0 and answerer is not None:
            objection_answer(
                objection=objection,
                actor=answerer,
                answer="经现场核查，申请人的经营（建设）地址与申请材料一致，异议不成立。感谢您的监督。",
                now=_at(lodged_on, 16),
            )


def reset() -> None:
    """What the demo owns here that the catalog's delete does not cascade to."""
    Announcement.objects.all().delete()
    Link.objects.all().delete()
