"""Seal the personal values of this app with SM4 (docs/rules/privacy.md §P1)."""

from django.db import migrations

import onewindow.core.personal_data


class Migration(migrations.Migration):

    dependencies = [
        ('sitehelp', '0002_help_pages'),
    ]

    operations = [
        migrations.AlterField(
            model_name='errorreport',
            name='contact',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=100, verbose_name='联系方式'),
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing("sitehelp", "ErrorReport", ["contact"]),
            migrations.RunPython.noop,
        ),
    ]
