"""What the public catalog API says about departments, regions and published guides
(docs/product.md §C1).

Read-only. Every choice is given as its code (an enum in the OpenAPI document) and a
``*_label`` in the request's language; download links point at the portal's views.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from onewindow.accounts.roles import Role
from onewindow.catalog.delegation import district_guides
from onewindow.catalog.models import (
    Condition,
    DeliveryMethod,
    Department,
    ImplementationMode,
    ItemImplementation,
    ItemType,
    ItemVersion,
    Material,
    Region,
    RegionLevel,
    StepKind,
    ToleranceCategory,
)
from onewindow.catalog.process import STEP_ROLES, process_view


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- query parameters --------------------------------------------------------------------------


class RegionQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(
        choices=RegionLevel.choices, required=False, help_text="只列出该层级的区域"
    )
    parent = serializers.CharField(  # type: ignore[assignment]  # a field, not Field.parent
        required=False, allow_blank=True, max_length=50, help_text="上级区域的区划代码"
    )


class ItemQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="按事项名称、编码或部门名称检索，支持中文片段（如“食品”），空格分隔多个词",
    )
    department = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="实施部门编码"
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="区划代码：在该区域或其上级区域实施的事项",
    )


# --- departments -------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    published_item_count = serializers.IntegerField(read_only=True, help_text="已发布的事项数")
    items_url = serializers.SerializerMethodField(help_text="该部门已发布事项的列表")

    class Meta:
        model = Department
        fields = [
            "code",
            "name",
            "short_name",
            "address",
            "phone",
            "hall_location",
            "published_item_count",
            "items_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_items_url(self, department: Department) -> str:
        path = reverse("api:catalog-item-list") + "?" + urlencode({"department": department.code})
        return _absolute(self, path)


class ItemDepartmentSerializer(serializers.ModelSerializer):
    """The implementing department as shown on an item."""

    class Meta:
        model = Department
        fields = ["code", "name"]
        read_only_fields = fields


# --- regions -----------------------------------------------------------------------------------


class RegionSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    parent: serializers.SlugRelatedField[Region] = serializers.SlugRelatedField(  # type: ignore[assignment]
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text="上级区域的区划代码；市级为 null",
    )

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "parent", "has_service_point"]
        read_only_fields = fields


class RegionChildSerializer(serializers.ModelSerializer):
    level_label = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "level_label", "has_service_point"]
        read_only_fields = fields


class RegionDetailSerializer(RegionSerializer):
    children = RegionChildSerializer(many=True, read_only=True, help_text="直接下级区域")

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "children"]
        read_only_fields = fields


# --- items -------------------------------------------------------------------------------------


class ItemSerializer(serializers.ModelSerializer):
    """One published item in the list: the version's facts under the item's code."""

    code = serializers.CharField(source="item.code", read_only=True, help_text="事项编码")
    department = ItemDepartmentSerializer(source="item.department", read_only=True)
    item_type = serializers.ChoiceField(
        source="item.item_type", choices=ItemType.choices, read_only=True
    )
    item_type_label = serializers.CharField(source="item.get_item_type_display", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True, help_text="现行版本号")
    url = serializers.SerializerMethodField(help_text="办事指南详情（API）")

    class Meta:
        model = ItemVersion
        fields = [
            "code",
            "name",
            "department",
            "item_type",
            "item_type_label",
            "statutory_days",
            "committed_days",
            "on_the_spot",
            "version",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, version: ItemVersion) -> str:
        return _absolute(self, reverse("api:catalog-item-detail", args=[version.item.code]))


class GuideMaterialSerializer(serializers.ModelSerializer):
    original_or_copy_label = serializers.CharField(
        source="get_original_or_copy_display", read_only=True
    )
    form_url = serializers.SerializerMethodField(help_text="空白表格下载地址；无表格时为 null")
    sample_url = serializers.SerializerMethodField(help_text="示例样表下载地址；无样表时为 null")

    class Meta:
        model = Material
        fields = [
            "id",
            "name",
            "required",
            "is_core",
            "original_or_copy",
            "original_or_copy_label",
            "copies",
            "for_renewal",
            "source",
            "note",
            "form_url",
            "sample_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_form_url(self, material: Material) -> str | None:
        return self._download_url(material, "form") if material.form_template else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_sample_url(self, material: Material) -> str | None:
        return self._download_url(material, "sample") if material.sample else None

    def _download_url(self, material: Material, kind: str) -> str:
        # The portal serves the file (portal:material_download); the API only points at it.
        # material.version is the prefetching version, its item select_related: no query.
        code = quote(material.version.item.code, safe="")
        return _absolute(self, f"/guides/{code}/materials/{material.pk}/{kind}/")


class GuideFeeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="收费项目")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="收费标准（元）")
    unit = serializers.CharField(help_text="计费单位")
    legal_basis = serializers.CharField(help_text="收费依据")


class GuideLimitsSerializer(serializers.Serializer):
    statutory_days = serializers.IntegerField(help_text="法定办结时限（工作日）")
    committed_days = serializers.IntegerField(help_text="承诺办结时限（工作日），不超过法定时限")
    joint_handling = serializers.BooleanField(
        help_text="联合/集中办理（行政许可法第二十六条、第四十二条：45 个工作日，可延长 15 个）"
    )
    on_the_spot = serializers.BooleanField(help_text="即办件：当场办结")
    limit_basis_law = serializers.CharField(
        help_text="联合办理时限超过45个工作日时，规定该时限的法律、法规（行政许可法第四十二条："
        "法律、法规另有规定的，依照其规定）；否则为空"
    )
    limit_basis_article = serializers.CharField(help_text="上述法律、法规的条款，如“第二十二条”")


class GuideResultSerializer(serializers.Serializer):
    result_type = serializers.ChoiceField(
        choices=ItemVersion._meta.get_field("result_type").choices or []
    )
    result_type_label = serializers.CharField(source="get_result_type_display")
    name = serializers.CharField(source="result_name", help_text="审批结果名称")
    validity_years = serializers.IntegerField(
        allow_null=True, help_text="证照有效期（年）；null：默认5年或长期有效"
    )
    renewable = serializers.BooleanField(
        help_text="可申请延续（行政许可法第五十条：有效期届满三十日前申请）"
    )


class GuideDeliveryMethodSerializer(serializers.Serializer):
    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    delivery_method_label = serializers.CharField()


class GuideHandlingSerializer(serializers.Serializer):
    place = serializers.CharField(source="handling_place", help_text="办理地点")
    hours = serializers.CharField(source="handling_hours", help_text="办理时间")
    contact_phone = serializers.CharField(help_text="咨询电话")
    supervision_phone = serializers.CharField(help_text="监督电话")


class ItemImplementationSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="region.code", read_only=True)
    name = serializers.CharField(source="region.name", read_only=True)
    level = serializers.ChoiceField(
        source="region.level", choices=RegionLevel.choices, read_only=True
    )
    level_label = serializers.CharField(source="region.get_level_display", read_only=True)
    mode = serializers.ChoiceField(choices=ImplementationMode.choices, read_only=True)
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)

    class Meta:
        model = ItemImplementation
        fields = ["code", "name", "level", "level_label", "mode", "mode_label", "delegated"]
        read_only_fields = fields


class DistrictFeeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="收费项目")
    unit = serializers.CharField(help_text="计费单位")
    city = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="市级收费标准（元）")
    district = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="该区收费标准（元）"
    )


class DistrictGuideSerializer(serializers.Serializer):
    """docs/rules/delegation.md §V5: a district's version of the guide."""

    region_code = serializers.CharField(source="region.code", help_text="区划代码")
    region_name = serializers.CharField(source="region.name", help_text="区（新区）名称")
    department = serializers.CharField(source="department.name", help_text="承办的区级部门")
    committed_days = serializers.IntegerField(help_text="该区承诺办结时限（工作日）")
    city_committed_days = serializers.IntegerField(help_text="市级承诺办结时限（工作日）")
    materials = serializers.SerializerMethodField(
        help_text="该区申请材料清单（材料名称，按顺序；增加的材料在后）"
    )
    extra_materials = serializers.ListField(
        child=serializers.CharField(), help_text="该区增加的材料（必需，次要材料）"
    )
    omitted_materials = serializers.ListField(
        child=serializers.CharField(), help_text="该区精简（免于提交）的市级材料"
    )
    fees = DistrictFeeSerializer(many=True, help_text="该区各收费项目的标准")
    legal_basis = serializers.CharField(help_text="增加材料、提高收费或延长时限的法律依据")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_materials(self, guide: Any) -> list[str]:
        return [m.name for m in guide.kept_materials] + list(guide.extra_materials)


class GuideProcessStepSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=StepKind.choices, help_text="环节：承办、审核、批准")
    kind_label = serializers.CharField()
    role = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in STEP_ROLES], help_text="办理该环节的角色"
    )
    role_label = serializers.CharField()


class GuideProcessBranchSerializer(serializers.Serializer):
    department = ItemDepartmentSerializer()
    is_lead = serializers.BooleanField(help_text="牵头部门：汇总各部门意见并作出决定")
    allotted_days = serializers.IntegerField(help_text="该部门的审查时限（工作日）")
    steps = GuideProcessStepSerializer(many=True, help_text="按顺序办理的环节")


class GuideProcessSerializer(serializers.Serializer):
    """The process template (权力运行流程): the departments review at the same time."""

    branches = GuideProcessBranchSerializer(many=True, help_text="参与审查的部门，牵头部门在前")
    consolidation_days = serializers.IntegerField(help_text="牵头部门汇总决定的时间（工作日）")
    critical_path_days = serializers.IntegerField(
        help_text="审批时限：最长的部门审查时限 + 汇总时间（并联审查，不累加）"
    )
    material_request_pauses = serializers.BooleanField(
        help_text="部门要求补充材料期间该部门的审查时限暂停计算"
    )
    is_default = serializers.BooleanField(
        help_text="事项未设置流程模板：由实施部门单独审查（承办、审核、批准）"
    )
    flowchart_url = serializers.URLField(help_text="审批流程图（SVG）")


class ItemDetailSerializer(ItemSerializer):
    """The full service guide (办事指南) of an item's published version."""

    conditions: serializers.SlugRelatedField[Condition] = serializers.SlugRelatedField(
        slug_field="text", many=True, read_only=True, help_text="受理条件"
    )
    materials = GuideMaterialSerializer(many=True, read_only=True, help_text="申请材料清单")
    fees = GuideFeeSerializer(many=True, read_only=True, help_text="收费项目；空表示不收费")
    is_free = serializers.SerializerMethodField(help_text="不收费")
    limits = GuideLimitsSerializer(source="*", read_only=True)
    tolerance_category = serializers.ChoiceField(
        choices=ToleranceCategory.choices,
        read_only=True,
        help_text="容缺受理类别：鼓励类、审慎类、限制类",
    )
    tolerance_category_label = serializers.CharField(
        source="get_tolerance_category_display", read_only=True
    )
    result = GuideResultSerializer(source="*", read_only=True)
    delivery_methods = serializers.SerializerMethodField(help_text="送达方式")
    handling = GuideHandlingSerializer(source="*", read_only=True, help_text="办理地点、时间与电话")
    implementations = serializers.SerializerMethodField(help_text="实施区域")
    district_versions = serializers.SerializerMethodField(
        help_text="各区实施差异：承办本事项且与市级指南不同的区（新区），在该区申请按该区清单办理"
    )
    process = serializers.SerializerMethodField(help_text="审批流程（权力运行流程）")

    class Meta(ItemSerializer.Meta):
        fields = [
            *ItemSerializer.Meta.fields,
            "published_at",
            "service_object",
            "legal_basis",
            "conditions",
            "materials",
            "fees",
            "is_free",
            "limits",
            "tolerance_category",
            "tolerance_category_label",
            "commitment_allowed",
            "result",
            "delivery_methods",
            "handling",
            "process_summary",
            "process",
            "implementations",
            "district_versions",
        ]
        read_only_fields = fields

    @extend_schema_field(DistrictGuideSerializer(many=True))
    def get_district_versions(self, version: ItemVersion) -> list[dict[str, Any]]:
        return list(DistrictGuideSerializer(district_guides(version), many=True).data)

    def get_is_free(self, version: ItemVersion) -> bool:
        return not version.fees.all()

    @extend_schema_field(ItemImplementationSerializer(many=True))
    def get_implementations(self, version: ItemVersion) -> list[dict[str, Any]]:
        rows = sorted(
            version.item.implementations.all(), key=lambda row: (row.region.sort, row.region.code)
        )
        return list(ItemImplementationSerializer(rows, many=True, context=self.context).data)

    @extend_schema_field(GuideProcessSerializer)
    def get_process(self, version: ItemVersion) -> dict[str, Any]:
        view = process_view(version)
        kinds, roles = dict(StepKind.choices), dict(Role.choices)
        code = quote(version.item.code, safe="")
        return {
            "branches": [
                {
                    "department": {"code": b.department.code, "name": b.department.name},
                    "is_lead": b.is_lead,
                    "allotted_days": b.allotted_days,
                    "steps": [
                        {
                            "kind": s["kind"],
                            "kind_label": str(kinds.get(s["kind"], s["kind"])),
                            "role": s["role"],
                            "role_label": str(roles.get(s["role"], s["role"])),
                        }
                        for s in b.steps
                    ],
                }
                for b in view.branches
            ],
            "consolidation_days": view.consolidation_days,
            "critical_path_days": view.critical_path_days,
            "material_request_pauses": version.material_request_pauses,
            "is_default": view.is_default,
            # The portal serves the file (portal:guide_flowchart); the API only points at it.
            "flowchart_url": _absolute(self, f"/guides/{code}/flowchart.svg"),
        }

    @extend_schema_field(GuideDeliveryMethodSerializer(many=True))
    def get_delivery_methods(self, version: ItemVersion) -> list[dict[str, str]]:
        labels = dict(DeliveryMethod.choices)
        return [
            {"delivery_method": method, "delivery_method_label": str(labels[method])}
            for method in version.delivery_methods
            if method in labels
        ]
