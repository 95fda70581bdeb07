"""The default 容缺受理 tolerances, so a production database has them without the demo data.

docs/rules/licensing.md §G2: only non-core materials may be missing, up to the item category's
tolerance (configurable, e.g. encouraged 2, cautious 1, restricted 0). Existing rows are left alone:
an administrator may already have changed them.
"""

from django.db import migrations

DEFAULTS = {"encouraged": 2, "cautious": 1, "restricted": 0}


def add_defaults(apps, schema_editor):
    ToleranceSetting = apps.get_model("catalog", "ToleranceSetting")
    for category, max_missing in DEFAULTS.items():
        ToleranceSetting.objects.get_or_create(
            category=category, defaults={"max_missing": max_missing}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_region_note_file_validators"),
    ]

    operations = [
        migrations.RunPython(add_defaults, migrations.RunPython.noop),
    ]
