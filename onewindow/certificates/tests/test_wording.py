"""A certificate's wording follows its item's kind (docs/rules/licensing.md §B9): a filing (备案)
certificate never says "准予行政许可，特发此证", on the PDF or on the verification page."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from django.core.cache import cache
from django.urls import reverse

from onewindow.catalog.models import Item, ItemType
from onewindow.certificates import signing
from onewindow.certificates.pdf import certificate_document, certificate_pdf
from onewindow.certificates.tests.conftest import accepted_case, grant_for_test, issue
from onewindow.lib.pdf import Facts

# kind → (statement, item label, scope label, kind label)
EXPECTED = {
    ItemType.LICENSING: (
        "经审查，准予行政许可，特发此证。",
        "许可事项",
        "许可内容",
        "行政许可证件",
    ),
    ItemType.FILING: ("经审核，予以备案，特发此凭证。", "备案事项", "备案内容", "备案凭证"),
    ItemType.CONFIRMATION: ("经审查，予以确认，特发此证。", "确认事项", "确认内容", "行政确认证明"),
    ItemType.OTHER: ("经审查，准予办理，特发此证。", "办理事项", "办理内容", "办理结果证明"),
    ItemType.PUBLIC_SERVICE: (
        "经审核，准予办理，特发此证。",
        "服务事项",
        "办理内容",
        "公共服务办理证明",
    ),
}
LICENCE_WORDS = ("准予行政许可", "许可事项", "许可内容")


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


def _certificate_of_kind(kind, personas, version, region):
    Item.objects.filter(pk=version.item_id).update(item_type=kind)
    version.item.refresh_from_db()
    case = accepted_case(version, applicant=personas.applicant, clerk=personas.clerk, region=region)
    return issue(case, grant_for_test(case, approver=personas.approver_a))


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_the_document_and_the_verification_page_use_the_kinds_wording(
    kind, client, personas, version, region
):
    statement, item_label, scope_label, kind_label = EXPECTED[kind]
    certificate = _certificate_of_kind(kind, personas, version, region)
    assert certificate.item_type == kind and signing.signature_valid(certificate)
    document = certificate_document(certificate)
    facts = dict(next(block for block in document.blocks if isinstance(block, Facts)).rows)
    assert document.blocks[0] == statement
    assert item_label in facts and scope_label in facts
    html = client.get(reverse("certificates:verify_token", args=[certificate.token]))
    text = html.content.decode()
    assert html.status_code == 200
    assert kind_label in text and item_label in text and scope_label in text
    if kind != ItemType.LICENSING:
        assert not any(word in text for word in LICENCE_WORDS)
        assert not any(word in str(block) for block in document.blocks for word in LICENCE_WORDS)
        assert not any(word in label for label in facts for word in LICENCE_WORDS)


def test_the_kind_is_signed_so_a_changed_kind_reads_tampered(personas, version, region):
    certificate = _certificate_of_kind(ItemType.FILING, personas, version, region)
    certificate.item_type = ItemType.LICENSING
    assert not signing.signature_valid(certificate)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
@pytest.mark.parametrize("kind", list(EXPECTED))
def test_the_pdf_text_says_what_the_kind_is(kind, personas, version, region):
    statement, item_label, scope_label, _kind_label = EXPECTED[kind]
    certificate = _certificate_of_kind(kind, personas, version, region)
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=certificate_pdf(certificate),
        capture_output=True,
        check=True,
    ).stdout.decode()
    text = re.sub(r"\s+", "", out)
    assert statement in text and item_label in text and scope_label in text
    if kind != ItemType.LICENSING:
        assert not any(word in text for word in LICENCE_WORDS)
