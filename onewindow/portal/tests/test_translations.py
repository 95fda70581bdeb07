"""The English catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
ENTRY = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$')


def po_entries() -> list[dict[str, str]]:
    text = (LC_MESSAGES / "django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                fields["flags"] = line
            elif match := ENTRY.match(line):
                key = match.group(1)
                fields[key] = match.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            entries.append(
                {k: v.replace('\\"', '"').replace("\\n", "\n") for k, v in fields.items()}
            )
    return entries


def test_every_message_has_an_english_translation():
    entries = po_entries()
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", "")]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalogue_matches_the_po_file():
    with (LC_MESSAGES / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_entries():
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], msgid) == entry["msgstr"], msgid
        elif "msgid_plural" in entry:
            assert compiled.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr[0]"], msgid
        else:
            assert compiled.gettext(msgid) == entry["msgstr"], msgid


# docs/decisions.md §U5: Chinese text takes full-width punctuation (，：；（）). The calendar file
# format's description ("日期,类型[,名称]") is the one place where ASCII commas are the thing described.
HALF_WIDTH_IN_CHINESE = re.compile(
    r"[\u4e00-\u9fff“”。）][,;:()]|[,;:(][\u4e00-\u9fff“”（]|[\u4e00-\u9fff]\s\(|\)\s[\u4e00-\u9fff，。]"
)
FORMAT_DESCRIPTIONS = ("日期,类型[,名称]",)


def test_chinese_messages_use_full_width_punctuation():
    offending = [
        e["msgid"]
        for e in po_entries()
        if HALF_WIDTH_IN_CHINESE.search(e["msgid"])
        and not any(f in e["msgid"] for f in FORMAT_DESCRIPTIONS)
    ]
    assert offending == []
