"""Reads in one pass (docs/rules/statistics.md §M2): the monthly rollup counts the measured
cases itself, so the pages read the duration histogram once instead of once per table (filled
here from the duration rollup of the same key, which holds exactly those cases); covering
indexes in the order the pages group by."""

from django.db import migrations, models

FILL = """
UPDATE stats_monthlyrollup SET measured = COALESCE((
    SELECT SUM(d.n) FROM stats_durationrollup d
    WHERE d.month = stats_monthlyrollup.month
      AND d.department_id = stats_monthlyrollup.department_id
      AND d.item_id = stats_monthlyrollup.item_id
      AND d.region_id = stats_monthlyrollup.region_id
), 0)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("stats", "0002_rollup_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthlyrollup",
            name="measured",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="statusrollup",
            index=models.Index(fields=["status", "month", "n"], name="stats_status_read"),
        ),
        migrations.AddIndex(
            model_name="durationrollup",
            index=models.Index(
                fields=["item_id", "days", "month", "n"], name="stats_duration_read"
            ),
        ),
        migrations.AddIndex(
            model_name="stagerollup",
            index=models.Index(
                fields=["item_id", "stage", "stage_department_id", "month", "n", "days_sum"],
                name="stats_stage_read",
            ),
        ),
    ]
