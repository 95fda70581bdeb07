"""What a certificate says, by the kind of its item (docs/rules/licensing.md §B9).

Only an administrative licence (行政许可) is "准予行政许可，特发此证"; a filing (备案) is
recorded, a confirmation (行政确认) confirmed, other powers and public services handled. The
kind is stored on the certificate when it is issued (catalog ``ItemType`` codes) and signed
with it, so a later catalog edit does not change what an issued certificate says.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Wording:
    statement: str | Promise  # the sentence above the facts
    kind: str | Promise  # what kind of document it is
    item: str | Promise  # the label of the item row
    scope: str | Promise  # the label of the content row


WORDINGS: dict[str, Wording] = {
    "licensing": Wording(
        _("经审查，准予行政许可，特发此证。"), _("行政许可证件"), _("许可事项"), _("许可内容")
    ),
    "filing": Wording(
        _("经审核，予以备案，特发此凭证。"), _("备案凭证"), _("备案事项"), _("备案内容")
    ),
    "confirmation": Wording(
        _("经审查，予以确认，特发此证。"), _("行政确认证明"), _("确认事项"), _("确认内容")
    ),
    "other": Wording(
        _("经审查，准予办理，特发此证。"), _("办理结果证明"), _("办理事项"), _("办理内容")
    ),
    "public_service": Wording(
        _("经审核，准予办理，特发此证。"), _("公共服务办理证明"), _("服务事项"), _("办理内容")
    ),
}


def wording(item_type: str) -> Wording:
    """The wording of a kind; an unknown kind reads neutrally, never as a licence."""
    return WORDINGS.get(item_type, WORDINGS["other"])
