"""Seed the deemed-renewal rule (docs/rules/licensing.md §B6): a licence renewed by law because the
agency made no decision on a timely renewal application by the expiry date (ALL Art. 50) gets a red
card like deemed acceptance and deemed consent."""

from django.db import migrations

CODE = "deemed_renewal"


def seed(apps, schema_editor):
    Rule = apps.get_model("supervision", "Rule")
    sort = max(Rule.objects.values_list("sort", flat=True), default=0) + 1
    Rule.objects.update_or_create(
        code=CODE,
        defaults={
            "name": "逾期视为准予延续",
            "kind": "violation",
            "enabled": True,
            "yellow_enabled": False,
            "sort": sort,
            "description": "《行政许可法》第五十条：被许可人在有效期届满三十日前申请延续，行政机关"
            "在有效期届满前未作出是否准予延续的决定的，视为准予延续（办件监察标记）。",
        },
    )


def unseed(apps, schema_editor):
    apps.get_model("supervision", "Rule").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("supervision", "0006_card_user_fk_no_index")]

    operations = [migrations.RunPython(seed, unseed)]
