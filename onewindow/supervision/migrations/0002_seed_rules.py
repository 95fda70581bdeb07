"""Seed every trigger of docs/rules/supervision.md §D1, §D5 as an editable Rule."""

from django.db import migrations

DEADLINE, VIOLATION = "deadline", "violation"
# (code, name, kind, enabled, description)
RULES = [
    (
        "task_due",
        "部门审查环节超时",
        DEADLINE,
        True,
        "docs/rules/supervision.md §D1“环节超时（即使办件未超期）”：部门审查任务（审查中，或补充材料未暂停计时）"
        "临近或超过其审查期限。",
    ),
    (
        "case_decision_due",
        "办件超承诺时限",
        DEADLINE,
        True,
        "docs/rules/supervision.md §D1“超过承诺时限”：已受理、审查中的办件临近或超过承诺办结期限"
        "（特别程序期间暂停计时，不计）。",
    ),
    (
        "case_intake_due",
        "受理期限超时",
        DEADLINE,
        True,
        "《行政许可法》第三十二条：提交后待受理的办件临近或超过受理期限（逾期视为受理）。",
    ),
    (
        "certificate_due",
        "发证送达超时",
        DEADLINE,
        True,
        "《行政许可法》第四十四条（docs/rules/licensing.md §B3）：准予许可后 10 个工作日内颁发、送达证件；"
        "准予许可但尚未办结的办件临近或超过发证送达期限。",
    ),
    (
        "commitment_due",
        "容缺承诺到期未补齐",
        DEADLINE,
        True,
        "docs/rules/licensing.md §G2：容缺受理的后补材料承诺临近或超过履行期限仍未履行。",
    ),
    (
        "suspension_overdue",
        "特别程序超过告知时长",
        DEADLINE,
        True,
        "docs/rules/supervision.md §D1“特别程序超过告知时长”：特别程序自开始日期起超过预计所需工作日仍未结束。",
    ),
    (
        "decision_without_acceptance",
        "未受理即作出审批决定",
        VIOLATION,
        True,
        "docs/product.md §C10：办件未经受理（也未视为受理）即作出审批决定。",
    ),
    (
        "refusal_without_reasons",
        "不予许可未说明理由",
        VIOLATION,
        True,
        "《行政许可法》第三十八条：不予许可决定须说明理由并告知救济途径；理由或救济途径为空白的"
        "不予许可决定。",
    ),
    (
        "fee_off_list",
        "收费不在清单内或超标准",
        VIOLATION,
        False,
        "docs/rules/supervision.md §D1“收费不在收费清单内或高于标准”。暂无数据来源：系统尚未记录实际收费，"
        "本规则在收费记录上线前停用，不会发牌。",
    ),
    (
        "acceptance_core_missing",
        "核心材料缺失即受理",
        VIOLATION,
        True,
        "docs/rules/licensing.md §G2：容缺受理仅限非核心（次要）材料；已受理的办件中核心（主要）材料缺少、"
        "不符合要求或容缺。",
    ),
    (
        "second_correction_unsigned",
        "二次补正未经签批",
        VIOLATION,
        True,
        "《行政许可法》第三十二条“一次性告知”：第二次及以后的补正告知须经签批并说明理由；"
        "签批人或签批理由为空白的补正告知。",
    ),
    (
        "suspension_without_reason",
        "特别程序无法定事由",
        VIOLATION,
        True,
        "《行政许可法》第四十五条：特别程序须有法定事由；事由为空白的特别程序。",
    ),
    (
        "deemed_acceptance",
        "逾期视为受理",
        VIOLATION,
        True,
        "《行政许可法》第三十二条：逾期不告知补正的，自收到材料之日起即为受理（办件监察标记）。",
    ),
    (
        "deemed_consent",
        "部门逾期默许同意",
        VIOLATION,
        True,
        "docs/rules/licensing.md §C2：并联审批部门逾期未提出意见，视为同意（办件监察标记）。",
    ),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    for sort, (code, name, kind, enabled, description) in enumerate(RULES, start=1):
        Rule.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "enabled": enabled,
                "description": description,
                "yellow_enabled": kind == DEADLINE,
                "sort": sort,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "Rule").objects.filter(code__in=[r[0] for r in RULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
