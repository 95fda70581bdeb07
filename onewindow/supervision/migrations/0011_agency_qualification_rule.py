"""The agency qualification rule (docs/rules/agencies.md §I12): an active intermediary agency's
qualification nearing the end of its validity, with no later certificate of the same name, gets
a yellow card 20 working days before and a red card the working day after it. Cards on a
qualification carry object kind "qualification"."""

from django.db import migrations, models

CODE = "agency_qualification_expiry"


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    sort = max(Rule.objects.values_list("sort", flat=True), default=0) + 1
    Rule.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "中介机构资质即将到期或已过期",
            "kind": "deadline",
            "enabled": True,
            "yellow_enabled": True,
            "yellow_days_before": 20,
            "red_days_after": 1,
            "sort": sort,
            "description": "docs/rules/agencies.md §I12：正常服务的中介机构资质到期前二十个工作日"
            "仍未登记续期证书发黄牌，过期后仍未续期发红牌；过期资质不能参与选取和报价。",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "Rule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0010_rectification_rule"),
        ("agencies", "0001_initial"),
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
                    ("qualification", "中介机构资质"),
                ],
                max_length=20,
                verbose_name="对象类型",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
