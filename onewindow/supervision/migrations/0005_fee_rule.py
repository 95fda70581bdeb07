"""The fee rule gets its data source (cases.CaseFee, the fee ledger): enable it and say what it
checks. Cards on a fee record carry object kind "fee"."""

from django.db import migrations, models

FEE_RULE_DESCRIPTION = (
    "docs/rules/supervision.md §D1“收费不在收费清单内或高于标准”：办件的收费记录不属于该事项收费清单，"
    "或实收金额高于收费标准乘以数量的，发红牌。"
)
OLD_DESCRIPTION = (
    "docs/rules/supervision.md §D1“收费不在收费清单内或高于标准”。暂无数据来源：系统尚未记录实际收费，"
    "本规则在收费记录上线前停用，不会发牌。"
)


def enable(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    Rule.objects.filter(code="fee_off_list").update(enabled=True, description=FEE_RULE_DESCRIPTION)


def disable(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    Rule.objects.filter(code="fee_off_list").update(enabled=False, description=OLD_DESCRIPTION)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_rule_share_card_case"),
        ("cases", "0005_case_fees"),
    ]

    operations = [
        migrations.AlterField(
            model_name="card",
            name="object_kind",
            field=models.CharField(
                choices=[
                    ("case", "办件"),
                    ("task", "审查任务"),
                    ("decision", "审批决定"),
                    ("commitment", "容缺承诺"),
                    ("suspension", "特别程序"),
                    ("correction", "补正告知"),
                    ("letter", "督办函"),
                    ("fee", "收费记录"),
                ],
                max_length=20,
                verbose_name="对象类型",
            ),
        ),
        migrations.RunPython(enable, disable),
    ]
