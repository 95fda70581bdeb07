"""Seal the outbox's recipients with SM4 (docs/rules/privacy.md §P1) and index them blind
(docs/rules/privacy.md §P2)."""

import onewindow.core.personal_data
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='outboxmessage',
            name='recipient_index',
            field=onewindow.core.personal_data.BlindIndexField(blank=True, default='', editable=False, kind='recipient', max_length=64, source='recipient'),
        ),
        migrations.AlterField(
            model_name='outboxmessage',
            name='recipient',
            field=onewindow.core.personal_data.SealedCharField(default='', max_length=254, verbose_name='接收地址'),
        ),
        migrations.RunPython(
            onewindow.core.personal_data.seal_existing(
                "notifications", "OutboxMessage", ["recipient"]
            ),
            migrations.RunPython.noop,
        ),
    ]
