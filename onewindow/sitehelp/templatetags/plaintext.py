"""``{{ text|plain_text }}``: an announcement's or help page's text as safe HTML
(``sitehelp.markup``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from onewindow.sitehelp.markup import render_plain_text

register = template.Library()


@register.filter
def plain_text(text: str) -> SafeString:
    return render_plain_text(text)
