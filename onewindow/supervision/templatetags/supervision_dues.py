"""``{% due_date letter|response_due %}``: a supervision letter's reply deadline as the one
due-date value (``supervision.letters.letter_response_due``)."""

from __future__ import annotations

from django import template

from onewindow.lib.workdays import Due
from onewindow.supervision.models import SupervisionLetter
from onewindow.supervision.services.letters import letter_response_due

register = template.Library()


@register.filter
def response_due(letter: SupervisionLetter) -> Due | None:
    return letter_response_due(letter)
