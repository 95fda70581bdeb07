"""Seal the personal values of this app with SM4 (docs/rules/privacy.md §P1)."""

from django.db import migrations

import onewindow.core.personal_data


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0003_sm2_signature'),
    ]

    operations = [
        migrations.AlterField(
            model_name='certificate',
            name='holder_id_number',
            field=onewindow.core.personal_data.SealedCharField(default='', max_length=30, verbose_name='持证人证件号码'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='address',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=300, verbose_name='邮寄地址'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='receiver_id_number',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=30, verbose_name='领取人证件号码'),
        ),
        migrations.AlterField(
            model_name='delivery',
            name='recipient_phone',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=30, verbose_name='收件电话'),
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing(
                "certificates", "Certificate", ["holder_id_number"]
            ),
            migrations.RunPython.noop,
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing(
                "certificates", "Delivery", ["address", "receiver_id_number", "recipient_phone"]
            ),
            migrations.RunPython.noop,
        ),
    ]
