"""Seed the rule "咨询逾期未答复" (docs/rules/consultation.md §K1): a question to a department still
unanswered at its reply due date gets a yellow card the working day before and a red card the
first working day after it (docs/rules/supervision.md §D2 defaults). Cards on a question carry
object kind "question"."""

from django.db import migrations, models

CODE = "question_unanswered"


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    sort = max(Rule.objects.values_list("sort", flat=True), default=0) + 1
    Rule.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "咨询逾期未答复",
            "kind": "deadline",
            "enabled": True,
            "yellow_enabled": True,
            "yellow_days_before": 1,
            "red_days_after": 1,
            "sort": sort,
            "description": "docs/rules/consultation.md §K1：网上咨询应在规定的工作日内答复；"
            "到期前一个工作日仍未答复的发黄牌，逾期仍未答复的发红牌。",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "Rule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0008_events"),
        ("consult", "0001_initial"),
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
                ],
                max_length=20,
                verbose_name="对象类型",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
