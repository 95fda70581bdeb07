"""Supervisor console API under /api/v1/supervision/ (docs/product.md §C10): every case (list and
detail, read-only), the live feed with an ``after`` cursor, and the integrity-risk register.

Supervisors only (Perm.CASE_READ_ALL; the register: Perm.SUPERVISE); anyone else gets the logged
404 the pages give. Nothing here writes.
"""

from __future__ import annotations

from typing import Any, cast

from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.dues import DueDateSerializer
from onewindow.api.pagination import KeysetPagination
from onewindow.api.schema import error_responses
from onewindow.cases import dues
from onewindow.cases.models import Case, CaseFlag, CaseStatus
from onewindow.cases.services import false_commitment_record
from onewindow.catalog.models import RiskPoint, StepKind
from onewindow.catalog.risks import risk_points_register
from onewindow.core import clock
from onewindow.lib.ids import parse_id
from onewindow.review.dues import task_due
from onewindow.supervision.selectors import console as sel
from onewindow.supervision.views.console import case_filter

TAGS = ["supervision: console"]


# --- serializers ------------------------------------------------------------------------------
class ConsoleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ConsoleItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField()


class ConsoleCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=CaseStatus.choices)
    status_label = serializers.CharField()
    item = ConsoleItemSerializer()
    department = ConsoleRefSerializer()
    applicant = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_on = serializers.DateField(allow_null=True)
    intake_due = DueDateSerializer(allow_null=True, help_text="受理期限")
    accepted_on = serializers.DateField(allow_null=True)
    decision_due = DueDateSerializer(allow_null=True, help_text="承诺办结期限")
    statutory_due = DueDateSerializer(allow_null=True, help_text="法定办结期限")
    closed_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField(help_text="已过承诺办结期限且仍在办理")
    flags = serializers.ListField(child=serializers.CharField(), help_text="监察标记类型")
    url = serializers.CharField(help_text="监察台办件页面")


class ConsoleEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(help_text="操作人姓名（系统自动操作为空）")
    actor_role = serializers.CharField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    old_status = serializers.CharField()
    new_status = serializers.CharField()
    reason = serializers.CharField()
    public = serializers.BooleanField()


class ConsoleFlagSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class ConsoleOpinionSerializer(serializers.Serializer):
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    text = serializers.CharField()
    actor = serializers.CharField()
    at = serializers.DateTimeField()


class ConsoleTaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    department = ConsoleRefSerializer()
    is_lead = serializers.BooleanField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    opened_on = serializers.DateField()
    due = DueDateSerializer(help_text="审查期限")
    opinion = ConsoleOpinionSerializer(allow_null=True)


class ConsoleNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    number = serializers.CharField()
    issued_at = serializers.DateTimeField()
    pdf_url = serializers.CharField()


class ConsoleCaseDetailSerializer(ConsoleCaseSerializer):
    tasks = ConsoleTaskSerializer(many=True)
    notices = ConsoleNoticeSerializer(many=True)
    flag_details = ConsoleFlagSerializer(many=True)
    events = ConsoleEventSerializer(many=True)


class FeedEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="事件编号，作为下一次请求的 after 参数")
    at = serializers.DateTimeField()
    case_id = serializers.IntegerField()
    case_number = serializers.CharField()
    case_url = serializers.CharField()
    item = serializers.CharField()
    department = serializers.CharField()
    actor = serializers.CharField()
    actor_role = serializers.CharField()
    actor_role_label = serializers.CharField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    old_status = serializers.CharField()
    old_status_label = serializers.CharField()
    new_status = serializers.CharField()
    new_status_label = serializers.CharField()


class FeedCardSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="监察牌编号，作为下一次请求的 cards_after 参数")
    at = serializers.DateTimeField(help_text="发牌时间")
    case_id = serializers.IntegerField(allow_null=True, help_text="无办件的督办函逾期牌为空")
    case_number = serializers.CharField()
    case_url = serializers.CharField(allow_null=True)
    card_url = serializers.CharField()
    item = serializers.CharField()
    department = serializers.CharField(help_text="责任部门")
    level = serializers.CharField()
    level_label = serializers.CharField()
    rule = serializers.CharField(help_text="规则编码")
    rule_name = serializers.CharField()
    text = serializers.CharField(help_text="发出黄牌/红牌：规则名称")
    status = serializers.CharField()
    status_label = serializers.CharField()


class FeedSerializer(serializers.Serializer):
    results = FeedEventSerializer(many=True)
    last_id = serializers.IntegerField(help_text="最新事件编号（无新事件时为请求的 after）")
    cards = FeedCardSerializer(
        many=True,
        required=False,
        help_text="发牌动态，最新的在最前（请求 cards=1 或 cards_after 时）",
    )
    cards_last_id = serializers.IntegerField(
        required=False, help_text="最新监察牌编号（无新发牌时为请求的 cards_after）"
    )


class RiskPointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = ConsoleItemSerializer()
    department = ConsoleRefSerializer()
    step_kind = serializers.ChoiceField(choices=StepKind.choices)
    step_label = serializers.CharField()
    level = serializers.CharField(help_text="high 高；medium 中；low 低")
    level_label = serializers.CharField()
    risk = serializers.CharField(help_text="廉政风险点")
    measure = serializers.CharField(help_text="防控措施")


# --- rows -------------------------------------------------------------------------------------
def _item(version: Any) -> dict[str, Any]:
    return {"code": version.item.code, "name": version.name, "version": version.number}


def case_row(case: Case, *, flags: list[str], overdue: bool) -> dict[str, Any]:
    return {
        "id": case.pk,
        "number": case.number or "",
        "status": case.status,
        "status_label": sel.status_label(case.status),
        "item": _item(case.item_version),
        "department": {"id": case.department_id, "name": case.department.name},
        "applicant": str(case.applicant),
        "submitted_at": case.submitted_at,
        "received_on": case.received_on,
        "intake_due": dues.case_intake_due(case),
        "accepted_on": case.accepted_on,
        "decision_due": dues.case_decision_due(case),
        "statutory_due": dues.case_statutory_due(case),
        "closed_at": case.closed_at,
        "overdue": overdue,
        "flags": flags,
        "url": reverse("supervision:console_case", args=[case.pk]),
    }


def _overdue(case: Case) -> bool:
    return bool(
        case.decision_due
        and case.decision_due < clock.today()
        and case.status not in sel.NOT_RUNNING
    )


def case_detail(case: Case) -> dict[str, Any]:
    flags = list(sel.case_flags(case))
    tasks = []
    for task in sel.case_tasks(case):
        opinion = getattr(task, "opinion", None)
        tasks.append(
            {
                "id": task.pk,
                "department": {"id": task.department_id, "name": task.department.name},
                "is_lead": task.is_lead,
                "status": task.status,
                "status_label": task.get_status_display(),
                "opened_on": task.opened_on,
                "due": task_due(task),
                "opinion": None
                if opinion is None
                else {
                    "kind": opinion.kind,
                    "kind_label": opinion.get_kind_display(),
                    "text": opinion.text,
                    "actor": str(opinion.actor) if opinion.actor else "",
                    "at": opinion.at,
                },
            }
        )
    return {
        **case_row(case, flags=[f.kind for f in flags], overdue=_overdue(case)),
        "tasks": tasks,
        "notices": [
            {
                "id": n.pk,
                "kind": n.kind,
                "kind_label": n.get_kind_display(),
                "number": n.number,
                "issued_at": n.issued_at,
                "pdf_url": reverse("cases:notice_pdf", args=[case.pk, n.pk]),
            }
            for n in case.notices.order_by("issued_at", "pk")
        ],
        "flag_details": [
            {"kind": f.kind, "kind_label": f.get_kind_display(), "at": f.at, "note": f.note}
            for f in flags
        ],
        "events": [
            {
                "id": e.pk,
                "at": e.at,
                "actor": str(e.actor) if e.actor else "",
                "actor_role": e.actor_role,
                "action": e.action,
                "action_label": sel.action_label(e.action),
                "old_status": e.old_status,
                "new_status": e.new_status,
                "reason": e.reason,
                "public": e.public,
            }
            for e in sel.case_events(case)
        ],
    }


def feed_row(event: Any) -> dict[str, Any]:
    row = sel.feed_row(event)
    row["case_url"] = reverse("supervision:console_case", args=[row["case_id"]])
    return row


def card_feed_row(card: Any) -> dict[str, Any]:
    row = sel.card_feed_row(card)
    row["case_url"] = (
        reverse("supervision:console_case", args=[row["case_id"]]) if row["case_id"] else None
    )
    row["card_url"] = reverse("supervision:card", args=[row["id"]])
    return row


def risk_row(point: RiskPoint) -> dict[str, Any]:
    return {
        "id": point.pk,
        "item": _item(point.version),
        "department": {"id": point.department_id, "name": point.department.name},
        "step_kind": point.step_kind,
        "step_label": point.get_step_kind_display(),
        "level": point.level,
        "level_label": point.get_level_display(),
        "risk": point.risk,
        "measure": point.measure,
    }


# --- views ------------------------------------------------------------------------------------
def _positive(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    value = parse_id(raw)
    if value is None:
        raise exceptions.ValidationError({name: [_("%(name)s 必须是非负整数。") % {"name": name}]})
    return value


DEPARTMENT_PARAM = OpenApiParameter(
    "department", OpenApiTypes.INT, description="只看该部门（部门编号）"
)


class SupervisorView(APIView):
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        sel.require_supervisor(request, target=f"api:{request.path}")


class ConsoleCasesView(SupervisorView):
    # Declared so the OpenAPI document shows the {count, next, previous, results} page.
    pagination_class = KeysetPagination

    @extend_schema(
        operation_id="supervision_cases_list",
        summary="监察台：全部办件",
        description="Every submitted case of every department, open ones first by nearest "
        "deadline. Supervisors only (others: logged 404).",
        parameters=[
            DEPARTMENT_PARAM,
            OpenApiParameter("status", OpenApiTypes.STR, description="办件状态"),
            OpenApiParameter("item", OpenApiTypes.STR, description="事项编码"),
            OpenApiParameter("overdue", OpenApiTypes.STR, description="1：只看已逾期"),
            OpenApiParameter("flagged", OpenApiTypes.STR, description="1：只看有监察标记的"),
            OpenApiParameter("q", OpenApiTypes.STR, description="办件编号（部分）"),
        ],
        responses={200: ConsoleCaseSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        status = request.query_params.get("status", "")
        if status and status not in CaseStatus.values:
            raise exceptions.ValidationError({"status": [_("没有这个办件状态。")]})
        _positive(request, "department")  # a 400 here, as in the other lists (the page ignores it)
        filters = case_filter(cast(Any, request.query_params))
        paginator = KeysetPagination()
        cases = paginator.paginate_keyset(sel.console_cases(filters), sel.CONSOLE_ORDER, request)
        kinds: dict[int, list[str]] = {}
        for case_id, kind in (
            CaseFlag.objects.filter(case_id__in=[c.pk for c in cases])
            .order_by("at", "pk")
            .values_list("case_id", "kind")
        ):
            kinds.setdefault(case_id, []).append(kind)
        rows = [case_row(c, flags=kinds.get(c.pk, []), overdue=_overdue(c)) for c in cases]
        return paginator.get_paginated_response(ConsoleCaseSerializer(rows, many=True).data)


class ConsoleCaseView(SupervisorView):
    @extend_schema(
        operation_id="supervision_cases_retrieve",
        summary="监察台：办件详情",
        description="The whole case read-only: dates and due dates, departments' tasks with "
        "opinions, notices, supervision flags and the full event trail with staff names.",
        responses={200: ConsoleCaseDetailSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, case_id: int) -> Response:
        case = sel.console_case_get(request, case_id=case_id)
        return Response(ConsoleCaseDetailSerializer(case_detail(case)).data)


class FeedView(SupervisorView):
    @extend_schema(
        operation_id="supervision_feed",
        summary="现场直播：最新办件动态",
        description="Case events newest first, at most 100; with `after` only those recorded "
        "after that event id (poll with the returned `last_id`). `cards` lists the yellow/red "
        "cards issued（发牌动态；with `cards=1` or `cards_after`），newest first, at most 100, "
        "with their own cursor "
        "`cards_after` / `cards_last_id`. `rule` keeps only the events of cases having a card "
        "of that rule, and only that rule's cards.",
        parameters=[
            OpenApiParameter("after", OpenApiTypes.INT, description="只返回该事件之后的事件"),
            OpenApiParameter("cards", OpenApiTypes.STR, description="1：同时返回发牌动态"),
            OpenApiParameter(
                "cards_after", OpenApiTypes.INT, description="只返回该监察牌之后发出的牌"
            ),
            DEPARTMENT_PARAM,
            OpenApiParameter("action", OpenApiTypes.STR, description="只看该动作"),
            OpenApiParameter(
                "rule", OpenApiTypes.STR, description="规则编码：只看有该规则监察牌的办件"
            ),
        ],
        responses={200: FeedSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        after = _positive(request, "after")
        department = _positive(request, "department")
        action = request.query_params.get("action", "").strip()
        cards_after = _positive(request, "cards_after")
        code = request.query_params.get("rule", "").strip()
        rule = sel.feed_rule(code)
        if code and rule is None:
            raise exceptions.ValidationError({"rule": [_("没有这个监察规则。")]})
        events = sel.feed_events(after=after, department=department, action=action[:40], rule=rule)
        last_id = events[0].pk if events else (after or 0)
        data: dict[str, Any] = {"results": [feed_row(e) for e in events], "last_id": last_id}
        if cards_after is not None or request.query_params.get("cards") == "1":
            cards = sel.feed_cards(after=cards_after, department=department, rule=rule)
            data["cards"] = [card_feed_row(c) for c in cards]
            data["cards_last_id"] = cards[0].pk if cards else (cards_after or 0)
        return Response(FeedSerializer(data).data)


class RiskPointsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="supervision_risk_points_list",
        summary="廉政风险点及防控措施",
        description="The integrity-risk register of the items in force: each department's risk "
        "points per process step with their control measures.",
        parameters=[DEPARTMENT_PARAM],
        responses={200: RiskPointSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        require_perm(request, Perm.SUPERVISE, target="api:supervision:risks")
        department = _positive(request, "department")
        rows = [risk_row(p) for p in risk_points_register(department_id=department)]
        return Response(RiskPointSerializer(rows, many=True).data)


class FalseCommitmentInSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text="虚假承诺的情况")


class FalseCommitmentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    applicant_id = serializers.IntegerField()
    case_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class ConsoleFalseCommitmentView(SupervisorView):
    @extend_schema(
        operation_id="supervision_case_false_commitment",
        summary="监察台：登记虚假承诺",
        description="G1: record that the case's applicant made a false commitment under "
        "告知承诺制; the applicant may no longer choose it. Supervisors only; a blank note is "
        "a 400 and records nothing.",
        request=FalseCommitmentInSerializer,
        responses={201: FalseCommitmentOutSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request, case_id: int) -> Response:
        case = sel.console_case_get(request, case_id=case_id)
        body = request_body(FalseCommitmentInSerializer, request)
        # a refusal (CaseError) is answered 400 by the API's exception handler
        record = false_commitment_record(
            applicant=case.applicant, case=case, note=body["note"], recorded_by=request.user
        )
        data = {
            "id": record.pk,
            "applicant_id": record.applicant_id,
            "case_id": record.case_id,
            "note": record.note,
            "recorded_at": record.recorded_at,
        }
        return Response(FalseCommitmentOutSerializer(data).data, status=201)


urlpatterns: list[URLPattern] = [
    path("supervision/cases/", ConsoleCasesView.as_view(), name="supervision-cases"),
    path(
        "supervision/cases/<id:case_id>/false-commitment/",
        ConsoleFalseCommitmentView.as_view(),
        name="supervision-case-false-commitment",
    ),
    path(
        "supervision/cases/<id:case_id>/",
        ConsoleCaseView.as_view(),
        name="supervision-case",
    ),
    path("supervision/feed/", FeedView.as_view(), name="supervision-feed"),
    path("supervision/risk-points/", RiskPointsView.as_view(), name="supervision-risk-points"),
]
