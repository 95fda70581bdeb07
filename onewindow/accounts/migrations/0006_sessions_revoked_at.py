# docs/decisions.md §S6, §S7: sessions can be ended per account; staff API tokens issued before
# the second factor existed are revoked (a staff token is now issued only against a code).

from django.db import migrations, models

STAFF_ROLES = [
    "approver", "auditor", "admin", "chief", "clerk", "gov_head", "handler", "head",
    "point_clerk", "region_admin", "reviewer", "supervisor",
]


def revoke_staff_tokens(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    Token.objects.filter(user__role__in=STAFF_ROLES).delete()
    Token.objects.filter(user__is_superuser=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_agency_role'),
        ('authtoken', '0004_alter_tokenproxy_options'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='sessions_revoked_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='会话统一失效时间'),
        ),
        migrations.RunPython(revoke_staff_tokens, migrations.RunPython.noop),
    ]
