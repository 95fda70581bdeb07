"""The one mapping of the domain errors (onewindow.core.errors) to HTTP."""

from __future__ import annotations

import pytest
from rest_framework import exceptions

from onewindow.api.errors import Conflict, Refused, api_error
from onewindow.cases.errors import CaseError, ConcurrentChange, WrongStatus
from onewindow.cases.fields import FormInvalid
from onewindow.core import errors
from onewindow.review.errors import NotAllowed
from onewindow.supervision.errors import CardConflict, CardForbidden, LetterWrongStatus
from onewindow.supervision.services.scores import SchemeInvalid


@pytest.mark.parametrize(
    ("error", "kind", "status", "code"),
    [
        (CaseError("不行"), Refused, 400, "case_error"),
        (WrongStatus("不行"), Refused, 400, "wrong_status"),
        (LetterWrongStatus("不行"), Refused, 400, "wrong_status"),
        (NotAllowed("不行"), Refused, 400, "forbidden"),  # answered as a refusal, as always
        (ConcurrentChange("晚了"), Conflict, 409, "conflict"),
        (CardConflict("晚了"), Conflict, 409, "conflict"),
        (CardForbidden("无权"), exceptions.PermissionDenied, 403, "permission_denied"),
    ],
)
def test_each_kind_has_its_status_and_keeps_its_code(error, kind, status, code):
    answer = api_error(error)
    assert type(answer) is kind
    assert answer.status_code == status
    assert answer.get_codes() == code
    assert str(answer.detail) == error.message


def test_invalid_values_name_their_fields():
    nested = api_error(FormInvalid({"name": ["请填写名称。"]}))
    assert isinstance(nested, exceptions.ValidationError)
    assert nested.detail == {"form_data": {"name": ["请填写名称。"]}}
    flat = api_error(SchemeInvalid({"__all__": ["权重之和须为 100。"], "red_penalty": ["x"]}))
    assert flat.detail == {"non_field_errors": ["权重之和须为 100。"], "red_penalty": ["x"]}


def test_every_app_error_is_a_domain_error():
    for error in (CaseError, CardForbidden, LetterWrongStatus, NotAllowed, SchemeInvalid):
        assert issubclass(error, errors.DomainError)
