"""The refusals of the card and letter lifecycles (kinds of ``onewindow.core.errors``)."""

from __future__ import annotations

from onewindow.core import errors


class CardError(errors.DomainError):
    """The action is not allowed on this card now. ``message`` is for the user."""

    code = "card_error"


class CardForbidden(CardError, errors.Forbidden):
    code = "forbidden"


class CardWrongStatus(CardError, errors.WrongState):
    code = "wrong_status"


class CardConflict(CardError, errors.ConcurrentChange):
    code = "conflict"


class LetterError(errors.DomainError):
    """The action is not allowed on this letter now. ``message`` is for the user."""

    code = "letter_error"


class LetterForbidden(LetterError, errors.Forbidden):
    code = "forbidden"


class LetterWrongStatus(LetterError, errors.WrongState):
    code = "wrong_status"


class LetterConflict(LetterError, errors.ConcurrentChange):
    code = "conflict"
