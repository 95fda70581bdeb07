from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from onewindow.catalog.models import Material, VersionStatus
from onewindow.portal.tests import factories as f
from onewindow.portal.tests.conftest import FORM_BYTES, SAMPLE_BYTES

pytestmark = pytest.mark.django_db


def download(client, code: str, material_id: int, kind: str = "form"):
    return client.get(reverse("portal:material_download", args=[code, material_id, kind]))


def content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def application_form(catalog) -> Material:
    return catalog.food.materials.get(name="食品经营许可申请书")


def test_the_blank_form_downloads_as_an_attachment_named_after_the_material(
    client, application_form
):
    response = download(client, "SP-JY-001", application_form.pk, "form")
    assert response.status_code == 200
    assert content(response) == FORM_BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('食品经营许可申请书.docx')}" in disposition
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


def test_the_sample_downloads_with_its_own_name(client, application_form):
    response = download(client, "SP-JY-001", application_form.pk, "sample")
    assert response.status_code == 200
    assert content(response) == SAMPLE_BYTES
    assert quote("食品经营许可申请书（示例样表）.pdf") in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"


def test_a_material_without_that_file_is_404(client, catalog):
    licence = catalog.food.materials.get(name="营业执照")
    assert download(client, "SP-JY-001", licence.pk, "form").status_code == 404
    assert download(client, "SP-JY-001", licence.pk, "sample").status_code == 404


def test_a_draft_versions_material_is_404(client, catalog):
    draft = f.version(
        catalog.food.item,
        f.GuideSpec(
            "食品经营许可（草稿）", materials=[f.MaterialSpec("新表", form=("n.pdf", b"n"))]
        ),
        status=VersionStatus.DRAFT,
    )
    material = draft.materials.get()
    assert download(client, "SP-JY-001", material.pk).status_code == 404


def test_a_superseded_versions_material_is_404(client, catalog, application_form):
    f.version(catalog.food.item, "食品经营许可（新版）")
    assert download(client, "SP-JY-001", application_form.pk).status_code == 404


def test_a_material_asked_for_under_another_items_code_is_404(client, application_form):
    assert download(client, "WS-GG-003", application_form.pk).status_code == 404


def test_a_missing_file_on_disk_is_404(client, application_form):
    application_form.form_template.storage.delete(application_form.form_template.name)
    assert download(client, "SP-JY-001", application_form.pk).status_code == 404


def test_only_form_and_sample_are_kinds(client, application_form):
    url = f"/guides/SP-JY-001/materials/{application_form.pk}/other/"
    assert client.get(url).status_code == 404


def test_media_files_are_not_served_directly(client, application_form, settings):
    assert client.get(f"/media/{application_form.form_template.name}").status_code == 404
    assert client.get(f"/files/{application_form.form_template.name}").status_code == 404
