"""Seal the personal values of this app with SM4 (docs/rules/privacy.md §P1)."""

from django.db import migrations

import onewindow.core.personal_data


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_scale_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='form_data',
            field=onewindow.core.personal_data.SealedJSONField(blank=True, default=dict, verbose_name='申请表内容'),
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing("cases", "Case", ["form_data"]),
            migrations.RunPython.noop,
        ),
    ]
