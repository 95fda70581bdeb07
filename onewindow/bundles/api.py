"""Themes and bundle applications under /api/v1/ (docs/rules/bundles.md).

* ``themes/`` (public): published themes; POST (catalog administrators) defines one.
  ``themes/<code>/``: the theme with its questions, items, merged form and materials; PUT
  replaces it (R1, R2: items disagreeing on a shared field's type → 400, nothing saved).
* ``bundles/``: GET the caller's bundle applications; POST applies for a theme, as JSON or as
  multipart with ``answers`` and ``form_data`` as JSON text and files as ``material-<index>``
  (the index of ``themes/<code>/``'s materials) (R3, R4).
* ``bundles/<id>/`` and ``bundles/<id>/progress/``: the bundle and each sub-case (R7).
* ``bundles/<id>/correction/``: GET the combined correction notice; POST answers it with files as
  ``correction-<index>`` (R6).
* ``bundles/<id>/intake/`` and ``bundles/<id>/delivery/``: the comprehensive window (R5, R8).

The same permission checks as the pages: a bundle the caller may not see is a logged 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.accounts.roles import Perm
from onewindow.accounts.selectors import require_perm
from onewindow.api.body import request_body
from onewindow.api.domain import CONFLICT, domain_errors
from onewindow.api.pagination import Pagination, paginated
from onewindow.api.schema import error_responses
from onewindow.bundles import selectors, services
from onewindow.bundles.errors import BundleInvalid
from onewindow.bundles.models import Bundle, Theme
from onewindow.cases.models import MaterialStatus
from onewindow.cases.services.intake import MaterialFinding

TAGS = ["bundles"]


# --- serializers ------------------------------------------------------------------------------
class ThemeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    audience = serializers.CharField(help_text="person 个人 / legal 法人")
    life_event = serializers.CharField(help_text="人生事件或企业阶段编码，如 birth、start、close")
    summary = serializers.CharField(allow_blank=True)
    partial_delivery = serializers.BooleanField()
    published = serializers.BooleanField()


def theme_row(theme: Theme) -> dict[str, Any]:
    return {
        "code": theme.code,
        "name": theme.name,
        "audience": theme.audience,
        "life_event": theme.life_event,
        "summary": theme.summary,
        "partial_delivery": theme.partial_delivery,
        "published": theme.published,
    }


class ThemeDetailSerializer(ThemeSerializer):
    questions = serializers.ListField(child=serializers.DictField())
    items = serializers.ListField(child=serializers.DictField())
    form_fields = serializers.ListField(
        child=serializers.DictField(), help_text="合并申请表：每个字段一次，shared 为共用字段"
    )
    materials = serializers.ListField(
        child=serializers.DictField(), help_text="合并材料清单：index 用于上传 material-<index>"
    )


def theme_detail_row(theme: Theme) -> dict[str, Any]:
    items = selectors.theme_items(theme)
    return theme_row(theme) | {
        "questions": [
            {"key": q.key, "text": q.text, "help": q.help} for q in theme.questions.all()
        ],
        "items": [
            {
                "item": ti.item.code,
                "name": ti.item.published_version.name if ti.item.published_version else "",
                "department": ti.item.department.name,
                "question": ti.question.key if ti.question else None,
                "when_yes": ti.when_yes,
            }
            for ti in items
        ],
        "form_fields": [
            m.spec.as_dict() | {"shared": m.shared, "items": [ti.item.code for ti in m.items]}
            for m in selectors.merged_fields(items)
        ],
        "materials": [
            {
                "index": m.index,
                "name": m.name,
                "required": m.required,
                "shared": m.shared,
                "items": [ti.item.code for ti in m.items],
            }
            for m in selectors.merged_materials(items)
        ],
    }


class ThemeQuestionInSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=40)
    text = serializers.CharField(max_length=200)
    help = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ThemeItemInSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=40, help_text="事项编码")
    question = serializers.CharField(
        max_length=40, required=False, allow_blank=True, allow_null=True, default=""
    )
    when_yes = serializers.BooleanField(required=False, default=True)


class ThemeWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=100)
    audience = serializers.CharField(max_length=10)
    life_event = serializers.CharField(max_length=20)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    partial_delivery = serializers.BooleanField(required=False, default=False)
    published = serializers.BooleanField(required=False, default=False)
    sort = serializers.IntegerField(required=False, default=0, min_value=0, max_value=100000)
    questions = ThemeQuestionInSerializer(many=True, required=False, default=list)
    items = ThemeItemInSerializer(many=True)


def _spec(body: dict[str, Any]) -> services.ThemeSpec:
    return services.ThemeSpec(
        code=body["code"],
        name=body["name"],
        audience=body["audience"],
        life_event=body["life_event"],
        summary=body.get("summary", ""),
        partial_delivery=body.get("partial_delivery", False),
        published=body.get("published", False),
        sort=body.get("sort", 0),
        questions=[
            services.QuestionSpec(q["key"], q["text"], q.get("help", ""))
            for q in body.get("questions", [])
        ],
        items=[
            services.ItemSpec(i["item"], i.get("question") or "", i.get("when_yes", True))
            for i in body["items"]
        ],
    )


class BundlePartSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    case_number = serializers.CharField(allow_null=True)
    item = serializers.CharField()
    department = serializers.CharField()
    district = serializers.CharField(
        allow_blank=True,
        help_text="下放事项由区级部门承办时，承办的区（新区）名称；市级承办为空",
    )
    status = serializers.CharField()
    status_label = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    refused = serializers.BooleanField(help_text="不予许可、不予受理、撤回或终止")
    reason = serializers.CharField(allow_blank=True)
    effect = serializers.CharField(allow_blank=True, help_text="对其他事项的影响（R9）")


class BundleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    theme = serializers.CharField()
    theme_name = serializers.CharField()
    applicant = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    partial_delivery = serializers.BooleanField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    answers = serializers.DictField()
    parts = BundlePartSerializer(many=True)


def bundle_row(bundle: Bundle) -> dict[str, Any]:
    view = selectors.bundle_view(bundle)
    return {
        "id": bundle.pk,
        "theme": bundle.theme.code,
        "theme_name": bundle.theme.name,
        "applicant": str(bundle.applicant),
        "submitted_at": bundle.submitted_at,
        "status": view.status,
        "status_label": view.status_label,
        "partial_delivery": bundle.theme.partial_delivery,
        "delivered_at": bundle.delivered_at,
        "answers": bundle.answers,
        "parts": [
            {
                "case_id": r.case.pk,
                "case_number": r.case.number,
                "item": r.item,
                "department": r.department,
                "district": r.district,
                "status": r.case.status,
                "status_label": r.status,
                "due": r.due,
                "refused": r.negative,
                "reason": r.reason,
                "effect": r.effect,
            }
            for r in view.rows
        ],
    }


class BundleProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    parts = BundlePartSerializer(many=True)


class BundleCreateSerializer(serializers.Serializer):
    theme = serializers.CharField(max_length=40, help_text="主题编码")
    answers = serializers.JSONField(required=False, default=dict, help_text='{"signboard": "yes"}')
    form_data = serializers.JSONField(required=False, default=dict, help_text="合并申请表")
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100
    )


class BundleCorrectionSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(allow_null=True)
    issued_at = serializers.DateTimeField(allow_null=True)
    materials = serializers.ListField(
        child=serializers.DictField(), help_text="每项材料一次：index 用于上传 correction-<index>"
    )


def correction_row(bundle: Bundle) -> dict[str, Any]:
    correction = selectors.open_correction(bundle)
    return {
        "sequence": correction.sequence if correction else None,
        "issued_at": correction.issued_at if correction else None,
        "materials": [
            {"index": g.index, "material": g.material, "problems": g.problems}
            for g in selectors.correction_groups(bundle)
        ],
    }


class BundleFindingSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1)
    line = serializers.IntegerField(min_value=1, help_text="办件材料行编号")
    problem = serializers.ChoiceField(choices=[MaterialStatus.MISSING, MaterialStatus.DEFECTIVE])
    remark = serializers.CharField(allow_blank=True, max_length=300)


class BundleIntakeSerializer(serializers.Serializer):
    findings = BundleFindingSerializer(many=True, required=False, default=list)


class BundleDeliverySerializer(serializers.Serializer):
    receiver_name = serializers.CharField(max_length=100, allow_blank=True)
    receiver_id_number = serializers.CharField(max_length=30, allow_blank=True)


def _json(value: Any, name: str) -> Any:
    """A multipart field carrying JSON text, or the JSON body's value as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else {}
        except ValueError:
            raise BundleInvalid({name: [_("%(n)s 不是有效的 JSON。") % {"n": name}]}) from None
    return value


def _files(request: Request, prefix: str) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for key in request.FILES:
        index = key.removeprefix(prefix)
        if not key.startswith(prefix) or not index.isascii() or not index.isdigit():
            raise BundleInvalid({"materials": [_("无法识别的文件字段“%(k)s”。") % {"k": key[:50]}]})
        out[int(index)] = request.FILES.getlist(key)
    return out


# --- themes -------------------------------------------------------------------------------------
class ThemeListView(APIView):
    pagination_class = Pagination
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="themes_list",
        summary="主题（一件事）列表",
        responses={200: ThemeSerializer(many=True), **error_responses(400, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.themes_published(), ThemeSerializer, theme_row)

    @extend_schema(
        operation_id="themes_create",
        summary="定义主题",
        description="Catalog administrators. Items disagreeing on a shared field's type are "
        "refused (docs/rules/bundles.md §R2); nothing is saved.",
        request=ThemeWriteSerializer,
        responses={201: ThemeDetailSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.CATALOG_EDIT, target="themes.create")
        body = request_body(ThemeWriteSerializer, request)
        with domain_errors():
            theme = services.theme_save(spec=_spec(body), actor=user)
        theme = selectors.theme_get_public(request, theme.code)
        return Response(ThemeDetailSerializer(theme_detail_row(theme)).data, status=201)


class ThemeDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="themes_detail",
        summary="主题详情、合并申请表和材料",
        responses={200: ThemeDetailSerializer, **error_responses(404)},
        tags=TAGS,
    )
    def get(self, request: Request, code: str) -> Response:
        theme = selectors.theme_get_public(request, code)
        return Response(ThemeDetailSerializer(theme_detail_row(theme)).data)

    @extend_schema(
        operation_id="themes_update",
        summary="修改主题",
        request=ThemeWriteSerializer,
        responses={200: ThemeDetailSerializer, **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def put(self, request: Request, code: str) -> Response:
        user = require_perm(request, Perm.CATALOG_EDIT, target=f"theme:{code}")
        theme = selectors.theme_get_public(request, code)
        body = request_body(ThemeWriteSerializer, request)
        with domain_errors():
            theme = services.theme_save(spec=_spec(body), actor=user, theme=theme)
        theme = selectors.theme_get_public(request, theme.code)
        return Response(ThemeDetailSerializer(theme_detail_row(theme)).data)


# --- bundles ------------------------------------------------------------------------------------
class BundleListView(APIView):
    pagination_class = Pagination
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bundles_list",
        summary="我的一件事申请",
        responses={200: BundleSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        user = require_perm(request, Perm.CASE_APPLY, target="bundles.mine")
        return paginated(
            request, self, selectors.bundles_of_applicant(user), BundleSerializer, bundle_row
        )

    @extend_schema(
        operation_id="bundles_create",
        summary="一表申报",
        description="One submission: a bundle and one sub-case per included item, all or "
        "nothing (docs/rules/bundles.md §R3, §R4).",
        request=BundleCreateSerializer,
        responses={201: BundleSerializer, **error_responses(400, 401, 403, 404)},
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        user = require_perm(request, Perm.CASE_APPLY, target="bundles.create")
        body = request_body(BundleCreateSerializer, request)
        theme = selectors.theme_get_public(request, body["theme"])
        with domain_errors():
            bundle = services.bundle_submit(
                theme=theme,
                actor=user,
                answers=_json(body.get("answers"), "answers"),
                form_data=_json(body.get("form_data"), "form_data"),
                uploads=_files(request, "material-"),
                key=body.get("idempotency_key", ""),
            )
        bundle = selectors.bundle_get(request, bundle.pk)
        return Response(BundleSerializer(bundle_row(bundle)).data, status=201)


class BundleDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bundles_detail",
        summary="一件事申请及各子办件",
        responses={200: BundleSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, bundle_id: int) -> Response:
        return Response(BundleSerializer(bundle_row(selectors.bundle_get(request, bundle_id))).data)


class BundleProgressView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bundles_progress",
        summary="一件事办理进度",
        responses={200: BundleProgressSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, bundle_id: int) -> Response:
        row = bundle_row(selectors.bundle_get(request, bundle_id))
        return Response(BundleProgressSerializer(row).data)


class BundleCorrectionView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bundles_correction",
        summary="合并补正告知",
        responses={200: BundleCorrectionSerializer, **error_responses(401, 404)},
        tags=TAGS,
    )
    def get(self, request: Request, bundle_id: int) -> Response:
        bundle = selectors.bundle_get(request, bundle_id)
        return Response(BundleCorrectionSerializer(correction_row(bundle)).data)

    @extend_schema(
        operation_id="bundles_correction_answer",
        summary="一次提交全部补正材料",
        description="Multipart: each listed material once as ``correction-<index>`` (R6).",
        request=None,
        responses={200: BundleSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, bundle_id: int) -> Response:
        bundle = selectors.bundle_get(request, bundle_id)
        with domain_errors():
            services.bundle_correction_answer(
                bundle=bundle, actor=request.user, uploads=_files(request, "correction-")
            )
        return Response(BundleSerializer(bundle_row(selectors.bundle_get(request, bundle_id))).data)


class BundleIntakeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bundles_intake",
        summary="统一受理",
        description="Accepts every sub-case awaiting intake without findings; sub-cases with "
        "findings get their correction notice (R5).",
        request=BundleIntakeSerializer,
        responses={200: BundleSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, bundle_id: int) -> Response:
        bundle = selectors.bundle_get(request, bundle_id)
        user = require_perm(request, Perm.CASE_INTAKE, target=f"bundle:{bundle_id}")
        body = request_body(BundleIntakeSerializer, request)
        findings: dict[int, list[MaterialFinding]] = {}
        for f in body.get("findings", []):
            findings.setdefault(f["case"], []).append(
                MaterialFinding(f["line"], f["problem"], f["remark"])
            )
        with domain_errors():
            services.bundle_intake(bundle=bundle, actor=user, findings=findings)
        return Response(BundleSerializer(bundle_row(selectors.bundle_get(request, bundle_id))).data)


class BundleDeliveryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="bundles_delivery",
        summary="统一送达",
        request=BundleDeliverySerializer,
        responses={200: BundleSerializer, **error_responses(400, 401, 403, 404), **CONFLICT},
        tags=TAGS,
    )
    def post(self, request: Request, bundle_id: int) -> Response:
        bundle = selectors.bundle_get(request, bundle_id)
        user = require_perm(request, Perm.CASE_HANDOVER, target=f"bundle:{bundle_id}")
        body = request_body(BundleDeliverySerializer, request)
        with domain_errors():
            services.bundle_deliver(
                bundle=bundle,
                actor=user,
                receiver_name=body["receiver_name"],
                receiver_id_number=body["receiver_id_number"],
            )
        return Response(BundleSerializer(bundle_row(selectors.bundle_get(request, bundle_id))).data)


urlpatterns: list[URLPattern] = [
    path("themes/", ThemeListView.as_view(), name="themes"),
    path("themes/<slug:code>/", ThemeDetailView.as_view(), name="theme"),
    path("bundles/", BundleListView.as_view(), name="bundles"),
    path("bundles/<id:bundle_id>/", BundleDetailView.as_view(), name="bundle"),
    path("bundles/<id:bundle_id>/progress/", BundleProgressView.as_view(), name="bundle-progress"),
    path(
        "bundles/<id:bundle_id>/correction/",
        BundleCorrectionView.as_view(),
        name="bundle-correction",
    ),
    path("bundles/<id:bundle_id>/intake/", BundleIntakeView.as_view(), name="bundle-intake"),
    path("bundles/<id:bundle_id>/delivery/", BundleDeliveryView.as_view(), name="bundle-delivery"),
]
