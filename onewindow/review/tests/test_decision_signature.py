"""SM2 signatures on decisions (docs/rules/audit.md §Z12): signed when made, over the decision
and the hashes of the files it was decided on; a change to either fails the check, shown on the
decision page and in the API."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from onewindow.audit.models import SigningKey
from onewindow.cases.models import StoredFile
from onewindow.lib import sm2
from onewindow.review import signing
from onewindow.review.models import Decision
from onewindow.review.services.decisions import decision_make
from onewindow.review.tests.decision_world import all_agree, at, case_in_review, make_world


@pytest.fixture
def decided(personas):
    world = make_world(personas)
    case = case_in_review(world)
    all_agree(world, case)
    with time_machine.travel(at("2025-10-20"), tick=False):
        decision = decision_make(
            case=case, actor=world.p.approver_a, kind="grant", now=at("2025-10-20")
        )
    return world, case, decision


def test_a_decision_is_signed_over_its_fields_and_its_documents(decided):
    _world, case, decision = decided
    stored = Decision.objects.get(pk=decision.pk)
    assert stored.sm2_key_id and len(stored.sm2_signature) == 128
    key = SigningKey.objects.get(key_id=stored.sm2_key_id)
    covered = signing.canonical(stored)
    assert sm2.verify(key.public_key, covered, stored.sm2_signature)
    digests = StoredFile.objects.filter(attachments__case_material__case=case).values_list(
        "sha256", flat=True
    )
    assert digests and all(d.encode() in covered for d in digests)
    assert signing.sm2_valid(stored) is True


@pytest.mark.parametrize(
    "change", [{"conditions": "另附条件"}, {"kind": "refuse", "reasons": "x", "remedies": "y"}]
)
def test_a_changed_decision_fails_the_check(decided, change):
    _world, _case, decision = decided
    Decision.objects.filter(pk=decision.pk).update(**change)
    assert signing.sm2_valid(Decision.objects.get(pk=decision.pk)) is False


def test_a_file_changed_after_the_decision_fails_the_check(decided):
    _world, case, decision = decided
    StoredFile.objects.filter(attachments__case_material__case=case).update(sha256="0" * 64)
    assert signing.sm2_valid(Decision.objects.get(pk=decision.pk)) is False


def test_the_decision_page_and_api_show_the_signature(client, decided):
    world, case, decision = decided
    client.force_login(world.p.approver_a)
    page = client.get(reverse("review:decision_case", args=[case.pk])).content.decode()
    assert 'data-signature="valid"' in page and decision.sm2_key_id in page
    body = client.get(f"/api/v1/review/cases/{case.pk}/summary/").json()
    assert body["decision"]["signature"] == "valid"
    assert body["decision"]["key_id"] == decision.sm2_key_id
    Decision.objects.filter(pk=decision.pk).update(conditions="改动")
    page = client.get(reverse("review:decision_case", args=[case.pk])).content.decode()
    assert 'data-signature="invalid"' in page
    body = client.get(f"/api/v1/review/cases/{case.pk}/summary/").json()
    assert body["decision"]["signature"] == "invalid"


def test_a_decision_from_before_sm2_reads_absent(client, decided):
    world, case, decision = decided
    Decision.objects.filter(pk=decision.pk).update(sm2_key_id="", sm2_signature="")
    client.force_login(world.p.approver_a)
    page = client.get(reverse("review:decision_case", args=[case.pk])).content.decode()
    assert 'data-signature="absent"' in page
