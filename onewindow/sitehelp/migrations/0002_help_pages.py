"""The help pages the site starts with (sitehelp/help_content.py)."""

from typing import Any

from django.db import migrations

from onewindow.sitehelp.help_content import PAGES


def add_pages(apps: Any, schema_editor: Any) -> None:
    HelpPage = apps.get_model("sitehelp", "HelpPage")
    for page in PAGES:
        HelpPage.objects.update_or_create(slug=page["slug"], defaults=dict(page))


def remove_pages(apps: Any, schema_editor: Any) -> None:
    HelpPage = apps.get_model("sitehelp", "HelpPage")
    HelpPage.objects.filter(slug__in=[page["slug"] for page in PAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("sitehelp", "0001_initial")]

    operations = [migrations.RunPython(add_pages, remove_pages)]
