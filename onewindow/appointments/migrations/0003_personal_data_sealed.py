"""Seal the personal values of this app with SM4 (docs/rules/privacy.md §P1)."""

from django.db import migrations

import onewindow.core.personal_data


class Migration(migrations.Migration):

    dependencies = [
        ('appointments', '0002_hall_defaults'),
    ]

    operations = [
        migrations.AlterField(
            model_name='appointment',
            name='priority_proof',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=40, verbose_name='证件号（残疾人证）'),
        ),
        migrations.AlterField(
            model_name='servicerequest',
            name='address',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=200, verbose_name='上门地址'),
        ),
        migrations.AlterField(
            model_name='servicerequest',
            name='priority_proof',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=40, verbose_name='证件号（残疾人证）'),
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing(
                "appointments", "Appointment", ["priority_proof"]
            ),
            migrations.RunPython.noop,
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing(
                "appointments", "ServiceRequest", ["address", "priority_proof"]
            ),
            migrations.RunPython.noop,
        ),
    ]
