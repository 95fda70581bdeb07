"""docs/rules/audit.md §Z1: the chain table and the case event trail become append-only; every new
case event is queued for the chain (docs/rules/audit.md §Z2). Existing events are queued here once."""

from django.db import migrations

from onewindow.audit.operations import ChainTable


def queue_existing_events(apps, schema_editor):  # type: ignore[no-untyped-def]
    pending = apps.get_model("audit", "PendingRow")
    event = apps.get_model("cases", "CaseEvent")
    table = event._meta.db_table
    pks = event.objects.order_by("pk").values_list("pk", flat=True)
    pending.objects.bulk_create(
        (pending(table=table, row_pk=pk) for pk in pks.iterator()), batch_size=2000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("cases", "0009_casefee_unit_standard"),
    ]

    operations = [
        ChainTable("audit_chain", enqueue=False),
        migrations.RunPython(queue_existing_events, migrations.RunPython.noop),
        ChainTable("cases_caseevent"),
    ]
