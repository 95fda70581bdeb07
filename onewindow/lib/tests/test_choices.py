"""``get_FOO_display()`` from the cached label tables (onewindow/lib/choices.py) answers what
Django's own does, for every field with choices of every model, in both languages."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from onewindow.lib import choices


def fields_with_choices() -> list[tuple[type, object]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.choices
    ]


def test_every_model_uses_the_cached_display() -> None:
    found = fields_with_choices()
    assert len(found) > 50  # the statuses, kinds and levels of every app
    for model, field in found:
        bound = model.__dict__.get(f"get_{field.name}_display")  # type: ignore[attr-defined]
        if bound is not None:  # defined on this class (not inherited from an abstract base)
            assert bound.func is choices._get_field_display, (model, field)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_same_labels_as_django(language: str) -> None:
    with translation.override(language):
        for model, field in fields_with_choices():
            instance = model()
            for value, _label in field.flatchoices:  # type: ignore[attr-defined]
                setattr(instance, field.attname, value)  # type: ignore[attr-defined]
                assert choices._get_field_display(instance, field) == choices._original(
                    instance, field
                ), (model, field, value)
            setattr(instance, field.attname, "no such value")  # type: ignore[attr-defined]
            assert choices._get_field_display(instance, field) == choices._original(instance, field)


def test_labels_follow_the_language() -> None:
    from onewindow.cases.models import Case, CaseStatus

    case = Case(status=CaseStatus.SUBMITTED)
    with translation.override("zh-hans"):
        assert case.get_status_display() == "已提交，待受理"
    with translation.override("en"):
        assert case.get_status_display() == "Submitted, awaiting intake"
    case.status = None  # type: ignore[assignment]
    assert case.get_status_display() is None  # not a choice: the value itself, as Django's


def test_an_unhashable_value_goes_the_original_way() -> None:
    from onewindow.cases.models import Case

    case = Case(status=["a list"])  # type: ignore[misc]
    field = Case._meta.get_field("status")
    assert case.get_status_display() == choices._original(case, field) == "['a list']"
