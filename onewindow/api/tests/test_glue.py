"""The shared API glue: permission classes from the role table, the Idempotency-Key parser and
the request body reader, each defined once in onewindow.api."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework import exceptions, serializers
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from onewindow.accounts.roles import Perm, Role
from onewindow.api.body import request_body
from onewindow.api.idempotency import idempotency_key
from onewindow.api.permissions import HasPerm


def _user(role: str) -> SimpleNamespace:
    return SimpleNamespace(is_authenticated=True, is_active=True, role=role)


def _request(user: object = None, **headers: str) -> SimpleNamespace:
    return SimpleNamespace(user=user, headers=headers)


def test_has_perm_of_grants_any_of_its_permissions_and_carries_the_message():
    reads = HasPerm.of(Perm.TASK_HANDLE, Perm.CASE_READ_ALL, message="只读")
    assert reads.message == "只读" and issubclass(reads, HasPerm)
    allowed = reads().has_permission
    assert allowed(_request(_user(Role.HANDLER)), None)  # type: ignore[arg-type]
    assert allowed(_request(_user(Role.SUPERVISOR)), None)  # type: ignore[arg-type]
    assert not allowed(_request(_user(Role.APPLICANT)), None)  # type: ignore[arg-type]
    assert not allowed(_request(SimpleNamespace(is_authenticated=False)), None)  # type: ignore[arg-type]


@pytest.mark.parametrize("raw, key", [("", ""), ("  k-1  ", "k-1"), ("x" * 100, "x" * 100)])
def test_an_idempotency_key_is_read_stripped(raw, key):
    assert idempotency_key(_request(**{"Idempotency-Key": raw})) == key  # type: ignore[arg-type]


@pytest.mark.parametrize("raw", ["x" * 101, "a b", "键", "a\tb", "a\x7fb"])
def test_a_malformed_idempotency_key_is_a_400_naming_the_header(raw):
    with pytest.raises(exceptions.ValidationError) as caught:
        idempotency_key(_request(**{"Idempotency-Key": raw}))  # type: ignore[arg-type]
    assert "Idempotency-Key" in caught.value.detail  # type: ignore[operator]


class _Body(serializers.Serializer):
    n = serializers.IntegerField()


def test_request_body_returns_the_validated_data_or_raises_a_400():
    factory = APIRequestFactory()

    def request(data: dict) -> Request:
        return Request(factory.post("/", data, format="json"), parsers=[JSONParser()])

    assert request_body(_Body, request({"n": "3"})) == {"n": 3}
    with pytest.raises(exceptions.ValidationError):
        request_body(_Body, request({"n": "x"}))
