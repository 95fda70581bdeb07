"""Demo themes (主题 / 一件事, docs/rules/bundles.md §R1) built from the demo catalog's items, a
comprehensive window (一件事综合窗口) staffed by the demo clerk, and a few bundle applications at
different states, all through the real services: one awaiting intake, one whose intake sent two
departments' correction notices (the applicant sees one combined notice), one accepted and under
parallel review.

A theme whose items are missing from the catalog, or whose items disagree on a shared field's
type, is left out (the service refuses it); the rest load.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.bundles import selectors, services
from onewindow.bundles.errors import ThemeInvalid
from onewindow.bundles.models import Bundle, Theme
from onewindow.cases.models import CaseStatus, MaterialStatus
from onewindow.cases.services.intake import MaterialFinding
from onewindow.catalog.models import Item, Window
from onewindow.core.errors import DomainError
from onewindow.demo.cases.stories import upload


def at_local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


WINDOW = ("Z01", "一件事综合受理窗口", "一楼综合受理区")
Q = services.QuestionSpec
I = services.ItemSpec  # noqa: E741 (the theme tables read better short)


def _spec(
    code: str, name: str, audience: str, event: str, summary: str, **kw: object
) -> services.ThemeSpec:
    return services.ThemeSpec(
        code=code,
        name=name,
        audience=audience,
        life_event=event,
        summary=summary,
        published=True,
        **kw,  # type: ignore[arg-type]
    )


THEMES: tuple[services.ThemeSpec, ...] = (
    _spec(
        "kai-fan-dian",
        "我要开饭店",
        "legal",
        "start",
        "营业执照、食品经营许可、消防安全检查和户外招牌，一张表填写、一个窗口受理、统一送达。",
        sort=1,
        questions=[Q("signboard", "是否设置户外招牌？", "门头招牌、广告牌等户外设施")],
        items=[
            I("420700-SCJG-009"),
            I("420700-SCJG-001"),
            I("420700-XFZD-001"),
            I("420700-CGW-004", "signboard"),
        ],
    ),
    _spec(
        "kai-bian-li-dian",
        "我要开便利店",
        "legal",
        "start",
        "个体工商户登记和食品经营许可一次申请；零售卷烟、发行预付卡的按需加办，已办好的证照可先行送达。",
        sort=2,
        partial_delivery=True,
        questions=[
            Q("tobacco", "是否零售卷烟、雪茄烟？"),
            Q("prepaid", "是否发行单用途商业预付卡（储值卡）？"),
        ],
        items=[
            I("420700-SCJG-010"),
            I("420700-SCJG-001"),
            I("420700-YCJ-001", "tobacco"),
            I("420700-SWJ-001", "prepaid"),
        ],
    ),
    _spec(
        "kai-lyu-guan",
        "我要开旅馆（民宿）",
        "legal",
        "start",
        "特种行业许可、公共场所卫生许可和消防安全检查合并办理。",
        sort=3,
        questions=[Q("signboard", "是否设置户外招牌？")],
        items=[
            I("420700-GAJ-006"),
            I("420700-WJW-001"),
            I("420700-XFZD-001"),
            I("420700-CGW-004", "signboard"),
        ],
    ),
    _spec(
        "kai-yao-dian",
        "我要开药店",
        "legal",
        "operate",
        "药品零售许可与医疗器械经营备案、营业执照一次办理。",
        sort=4,
        questions=[Q("devices", "是否同时经营第二类医疗器械？")],
        items=[
            I("420700-SCJG-009"),
            I("420700-SCJG-005"),
            I("420700-SCJG-007", "devices"),
        ],
    ),
    _spec(
        "xin-sheng-er",
        "新生儿出生一件事",
        "person",
        "birth",
        "新生儿落户、参加基本医疗保险一次申请；已办好的可先行送达。",
        sort=5,
        partial_delivery=True,
        questions=[Q("passport", "是否同时为孩子办理普通护照？")],
        items=[
            I("420700-GAJ-001"),
            I("420700-YBJ-001"),
            I("420700-GAJ-002", "passport"),
        ],
    ),
    _spec(
        "gou-fang-an-ju",
        "购房安居一件事",
        "person",
        "housing",
        "不动产登记、公积金贷款和户口迁入一次申请。",
        sort=6,
        questions=[
            Q("loan", "是否使用住房公积金贷款？"),
            Q("hukou", "是否将户口迁入新居？"),
        ],
        items=[
            I("420700-ZRZY-005"),
            I("420700-GJJ-002", "loan"),
            I("420700-GAJ-001", "hukou"),
        ],
    ),
    _spec(
        "tui-xiu",
        "退休一件事",
        "person",
        "retirement",
        "退休后提取住房公积金、办理医保参保登记一次申请。",
        sort=7,
        partial_delivery=True,
        items=[I("420700-GJJ-001"), I("420700-YBJ-001")],
    ),
)


def reset() -> None:
    Bundle.objects.all().delete()
    Theme.objects.all().delete()
    Window.objects.filter(number=WINDOW[0]).delete()


def _themes(admin: User) -> dict[str, Theme]:
    codes = {i.item_code for spec in THEMES for i in spec.items}
    present = set(Item.objects.filter(code__in=codes).values_list("code", flat=True))
    themes = {}
    for spec in THEMES:
        if not {i.item_code for i in spec.items} <= present:
            continue
        try:
            with transaction.atomic():
                themes[spec.code] = services.theme_save(spec=spec, actor=admin)
        except ThemeInvalid:
            continue
    return themes


def _window(themes: dict[str, Theme], clerk: User | None) -> None:
    departments = {
        ti.item.department_id
        for theme in themes.values()
        for ti in theme.items.select_related("item")
    }
    window = Window.objects.create(number=WINDOW[0], name=WINDOW[1], area=WINDOW[2])
    window.departments.add(*departments)
    if clerk is not None:
        clerk.windows.add(window)


def _form(theme: Theme, applicant: User) -> dict[str, object]:
    """Plausible values for every field of the merged form (the service checks them)."""
    values: dict[str, object] = {}
    for entry in selectors.merged_fields(theme.items.all()):
        spec = entry.spec
        if spec.type == "address":
            values[spec.name] = {
                "province": "湖北省",
                "city": "鄂州市",
                "district": "鄂城区",
                "detail": "滨湖南路 8 号",
            }
        elif spec.type == "date":
            values[spec.name] = "2025-09-01"
        elif spec.type == "number":
            values[spec.name] = max(int(spec.min_value or 0), 1)
        elif spec.type == "choice":
            values[spec.name] = spec.choices[0]
        elif spec.text_format == "phone":
            values[spec.name] = "13907110002"
        elif spec.text_format == "postcode":
            values[spec.name] = "436000"
        else:
            text = f"{applicant.full_name}"
            low = spec.min_length or 0
            values[spec.name] = (text + "（示例）" * 10)[
                : max(low, min(len(text), spec.max_length or 50))
            ]
    return values


def _apply(
    theme: Theme, applicant: User, answers: dict[str, str], now: dt.datetime
) -> Bundle | None:
    uploads = {
        m.index: [upload(f"{m.name[:40]}.pdf")]
        for m in selectors.merged_materials(theme.items.all())
    }
    try:
        with transaction.atomic():
            return services.bundle_submit(
                theme=theme,
                actor=applicant,
                answers=answers,
                form_data=_form(theme, applicant),
                uploads=uploads,
                now=now,
            )
    except DomainError:  # a demo item whose form the generator cannot fill: left out
        return None


def load(today: dt.date) -> None:
    """The themes, the comprehensive window and three bundle applications."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=("admin", "clerk", "applicant", "enterprise"))
    }
    if "admin" not in users:
        return
    themes = _themes(users["admin"])
    if not themes:
        return
    _window(themes, users.get("clerk"))
    enterprise, person, clerk = users.get("enterprise"), users.get("applicant"), users.get("clerk")
    if enterprise is None or person is None or clerk is None:
        return
    two_days = at_local(today - dt.timedelta(days=2), 10)
    yesterday = at_local(today - dt.timedelta(days=1), 10)
    if "kai-fan-dian" in themes:
        _apply(themes["kai-fan-dian"], enterprise, {"signboard": "yes"}, yesterday)
    if "kai-bian-li-dian" in themes:
        bundle = _apply(
            themes["kai-bian-li-dian"], enterprise, {"tobacco": "yes", "prepaid": "no"}, two_days
        )
        if bundle is not None:
            _intake_with_corrections(bundle, clerk, yesterday)
    if "xin-sheng-er" in themes:
        bundle = _apply(themes["xin-sheng-er"], person, {"passport": "no"}, two_days)
        if bundle is not None:
            _intake(bundle, clerk, yesterday, {})


def _intake(
    bundle: Bundle, clerk: User, now: dt.datetime, findings: dict[int, list[MaterialFinding]]
) -> None:
    try:
        with transaction.atomic():
            services.bundle_intake(bundle=bundle, actor=clerk, findings=findings, now=now)
    except DomainError:  # the demo goes on without this state
        return


def _intake_with_corrections(bundle: Bundle, clerk: User, now: dt.datetime) -> None:
    """Two sub-cases each miss a material: one combined correction notice for the applicant."""
    findings: dict[int, list[MaterialFinding]] = {}
    for part in list(bundle.parts.select_related("case"))[-2:]:
        line = part.case.materials.select_related("material").order_by("-material__sort").first()
        if line is not None and part.case.status == CaseStatus.SUBMITTED:
            findings[part.case_id] = [
                MaterialFinding(
                    line.pk,
                    MaterialStatus.DEFECTIVE,
                    f"“{line.material.name}”扫描件不清晰，请重新上传加盖公章的清晰件。",
                )
            ]
    _intake(bundle, clerk, now, findings)
