"""The rectification rule (docs/rules/satisfaction.md §E5): a bad review (差评) not rectified by its
due date gets a yellow card the working day before and a red card the working day after it, like
every deadline rule. Cards on a bad review carry object kind "rectification"."""

from django.db import migrations, models

CODE = "rectification_overdue"


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    sort = max(Rule.objects.values_list("sort", flat=True), default=0) + 1
    Rule.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "差评逾期未整改",
            "kind": "deadline",
            "enabled": True,
            "yellow_enabled": True,
            "yellow_days_before": 1,
            "red_days_after": 1,
            "sort": sort,
            "description": "docs/rules/satisfaction.md §E5：差评应在整改期限（默认评价后十五个工作日，"
            "或部门确定的更早期限）内整改完毕；到期前一个工作日仍未整改发黄牌，逾期发红牌。",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "Rule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0009_question_rule"),
        ("ratings", "0001_initial"),
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
                    ("question", "网上咨询"),
                    ("rectification", "差评整改"),
                ],
                max_length=20,
                verbose_name="对象类型",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
