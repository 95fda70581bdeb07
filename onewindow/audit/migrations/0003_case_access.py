"""docs/rules/audit.md §Z11: the record of staff views of cases, append-only and chained like the
event trail (docs/rules/audit.md §Z1, §Z2)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from onewindow.audit.operations import ChainTable


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_chain_case_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, verbose_name="时间")),
                ("case_id", models.BigIntegerField(verbose_name="办件")),
                (
                    "case_number",
                    models.CharField(blank=True, max_length=40, verbose_name="办件编号"),
                ),
                ("user_label", models.CharField(max_length=150, verbose_name="查阅人账号")),
                ("role", models.CharField(max_length=20, verbose_name="角色")),
                ("unit", models.CharField(blank=True, max_length=100, verbose_name="单位")),
                ("department_id", models.BigIntegerField(null=True, verbose_name="部门")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("case", "查看办件"),
                            ("file", "查看申请材料"),
                            ("document", "查看文书"),
                        ],
                        max_length=10,
                        verbose_name="查阅内容",
                    ),
                ),
                ("detail", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                ("via", models.CharField(max_length=10, verbose_name="途径")),
                ("ip", models.GenericIPAddressField(null=True, verbose_name="IP 地址")),
                (
                    "user",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="查阅人",
                    ),
                ),
            ],
            options={
                "verbose_name": "办件查阅记录",
                "verbose_name_plural": "办件查阅记录",
                "indexes": [
                    models.Index(fields=["case_id", "-at"], name="audit_access_case"),
                    models.Index(fields=["user", "-at"], name="audit_access_user"),
                    models.Index(fields=["unit", "-at"], name="audit_access_unit"),
                ],
            },
        ),
        ChainTable("audit_caseaccess"),
    ]
