"""Seal identity and mobile numbers with SM4 (docs/rules/privacy.md §P1) and index them blind
(docs/rules/privacy.md §P2); a natural person's login name stops being their ID number."""

from django.db import migrations, models

import onewindow.core.personal_data


def seal(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.all().iterator():
        fields = ["id_number", "phone", "id_number_index", "phone_index"]
        if user.id_number and user.username == user.id_number:
            user.username = (
                "id-" + onewindow.core.personal_data.blind_index("id", user.id_number)[:24]
            )
            fields.append("username")
        user.save(update_fields=fields)  # the fields seal, the indexes compute, on save


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_separation_of_administrators'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('catalog', '0009_material_district_extra'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='user_id_number_unique',
        ),
        migrations.AddField(
            model_name='user',
            name='id_number_index',
            field=onewindow.core.personal_data.BlindIndexField(blank=True, default='', editable=False, kind='id', max_length=64, source='id_number'),
        ),
        migrations.AddField(
            model_name='user',
            name='phone_index',
            field=onewindow.core.personal_data.BlindIndexField(blank=True, db_index=True, default='', editable=False, kind='phone', max_length=64, source='phone'),
        ),
        migrations.AlterField(
            model_name='user',
            name='id_number',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=18, verbose_name='身份证号'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=onewindow.core.personal_data.SealedCharField(blank=True, default='', max_length=20, verbose_name='手机号码'),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_number_index", ""), _negated=True),
                fields=("id_number_index",),
                name="user_id_number_unique",
                violation_error_message="该身份证号已注册。",
            ),
        ),
    ]
