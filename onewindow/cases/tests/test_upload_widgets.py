"""The application page's upload widgets (issue 10, item 18): each names its material, and
"使用已有材料" offers first the documents on file that match the line (the same material name
in an earlier case, or a document type naming it), the rest behind "显示其他材料" — a <details>,
so it works without JavaScript. The API says which lines each document matches."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from onewindow.cases import services
from onewindow.cases.models import Case, CaseMaterial, StoredFile
from onewindow.cases.tests import test_apply_fixtures as fx
from onewindow.cases.tests.test_apply_fixtures import complete_draft, draft

aw = fx.aw  # the fixture, shared with the other application tests


def _line_html(html: str, line: CaseMaterial) -> str:
    match = re.search(
        rf'<li class="material-line[^"]*" id="line-{line.pk}">(.*?)</li>\s*(?=<li class="material-line|</ol>)',
        html,
        re.S,
    )
    assert match, f"line {line.pk} not on the page"
    return match.group(1)


def _offered(chunk: str) -> list[int]:
    return [int(v) for v in re.findall(r'name="reuse-\d+" value="(\d+)"', chunk)]


@pytest.fixture
def earlier_and_new(aw) -> tuple[Case, Case]:
    """An earlier case with a file on every line (withdrawn), and a new draft of the same item."""
    earlier = complete_draft(aw)
    services.application_withdraw(case=earlier, actor=aw.applicant)
    return earlier, draft(aw)


def _file_of(case: Case, material) -> StoredFile:
    return case.materials.get(material=material).files.get().stored


def test_every_upload_widget_names_its_material(client, aw, earlier_and_new):
    _earlier, case = earlier_and_new
    client.force_login(aw.applicant)
    html = client.get(reverse("cases:application", args=[case.pk])).content.decode()
    labels = {}
    for line in case.materials.select_related("material"):
        label = re.search(rf'<label for="files-{line.pk}">([^<]+)</label>', html)
        assert label, line
        assert line.material.name in label.group(1)
        labels[line.pk] = label.group(1)
    assert len(set(labels.values())) == len(labels)  # no two widgets read the same


def test_documents_of_the_same_material_come_first_and_the_others_on_request(
    client, aw, earlier_and_new
):
    earlier, case = earlier_and_new
    client.force_login(aw.applicant)
    html = client.get(reverse("cases:application", args=[case.pk])).content.decode()
    core = case.materials.get(material=aw.core)
    chunk = _line_html(html, core)
    first, _sep, rest = chunk.partition('<details class="reuse-others">')
    assert _offered(first) == [_file_of(earlier, aw.core).pk]
    assert "显示其他材料" in rest
    assert sorted(_offered(rest)) == sorted(_file_of(earlier, m).pk for m in aw.non_core)


def test_a_document_whose_type_names_the_material_is_offered_first(client, aw, earlier_and_new):
    earlier, case = earlier_and_new
    licence = _file_of(earlier, aw.non_core[0])
    # A document on file by type, e.g. kept from a certificate: it names the second material.
    StoredFile.objects.filter(pk=licence.pk).update(reusable_kind=aw.non_core[1].name)
    client.force_login(aw.applicant)
    html = client.get(reverse("cases:application", args=[case.pk])).content.decode()
    second = case.materials.get(material=aw.non_core[1])
    first, _sep, _rest = _line_html(html, second).partition('<details class="reuse-others">')
    assert sorted(_offered(first)) == sorted([licence.pk, _file_of(earlier, aw.non_core[1]).pk])


def test_a_line_with_no_matching_document_says_so_and_still_offers_the_rest(client, aw):
    earlier = complete_draft(aw)
    for material in aw.non_core:  # the earlier core file is then the only document on file
        attached = earlier.materials.get(material=material).files.get()
        services.application_file_remove(case=earlier, case_file=attached, actor=aw.applicant)
    services.application_withdraw(case=earlier, actor=aw.applicant)
    case = draft(aw)
    client.force_login(aw.applicant)
    html = client.get(reverse("cases:application", args=[case.pk])).content.decode()
    chunk = _line_html(html, case.materials.get(material=aw.non_core[0]))
    first, _sep, rest = chunk.partition('<details class="reuse-others">')
    assert _offered(first) == [] and "没有与该材料相符的已有材料" in first
    assert _offered(rest) == [_file_of(earlier, aw.core).pk]


def test_the_api_says_which_lines_each_document_matches(aw, earlier_and_new):
    earlier, case = earlier_and_new
    api = APIClient()
    api.force_authenticate(aw.applicant)
    rows = api.get(f"/api/v1/cases/{case.pk}/reusable-files/").json()
    lines = {line.material_id: line.pk for line in case.materials.all()}
    by_id = {row["id"]: row["matches_lines"] for row in rows}
    assert by_id[_file_of(earlier, aw.core).pk] == [lines[aw.core.pk]]
    for material in aw.non_core:
        assert by_id[_file_of(earlier, material).pk] == [lines[material.pk]]


def test_a_material_named_within_the_line_is_the_same_document():
    from onewindow.cases.selectors.application import reuse_matches

    licence = StoredFile(reusable_kind="")
    line = "营业执照或者其他主体资格证明文件"
    assert reuse_matches(licence, line, {"营业执照"})
    assert reuse_matches(StoredFile(reusable_kind="营业执照"), line, set())
    assert not reuse_matches(licence, line, {"证明"})  # too short to say
    assert not reuse_matches(licence, "食品经营许可申请书", {"食品生产许可申请书"})
