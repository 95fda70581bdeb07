"""The hall's default hours (docs/rules/hall.md §J4): 09:00–12:00 and 13:30–17:30 on working days;
extended hours 12:00–13:30 and 17:30–19:30; 30-minute slots of 3 seats."""

import datetime as dt

from django.db import migrations

REGULAR = [(dt.time(9, 0), dt.time(12, 0)), (dt.time(13, 30), dt.time(17, 30))]
EXTENDED = [(dt.time(12, 0), dt.time(13, 30)), (dt.time(17, 30), dt.time(19, 30))]


def forwards(apps, schema_editor):
    HallSchedule = apps.get_model("appointments", "HallSchedule")
    OpeningPeriod = apps.get_model("appointments", "OpeningPeriod")
    HallSchedule.objects.get_or_create(pk=1)
    if not OpeningPeriod.objects.filter(window__isnull=True).exists():
        for kind, spans in (("regular", REGULAR), ("extended", EXTENDED)):
            for start, end in spans:
                OpeningPeriod.objects.create(window=None, kind=kind, start=start, end=end)


def backwards(apps, schema_editor):
    apps.get_model("appointments", "OpeningPeriod").objects.filter(window__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
