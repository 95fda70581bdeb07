"""The certificate as a PDF (lib/pdf.py: A4, embedded CJK font, QR code).

Rendered from the stored row on every download, so the document never disagrees with the signed
record. The QR code opens the public verification page ``/verify/<token>/``; the same address is
printed under it for readers without a camera.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from onewindow.certificates.models import Certificate, CertificateStatus
from onewindow.certificates.wording import wording
from onewindow.lib.idnumbers import mask_id_number
from onewindow.lib.pdf import Block, Document, Facts, Heading, render_document


def _date(value: dt.date | None) -> str:
    """``2025-10-09`` → ``2025年10月9日``."""
    if value is None:
        return ""
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


def verify_url(certificate: Certificate, request: HttpRequest | None = None) -> str:
    """The public verification page of the certificate: absolute when a request names the host."""
    path = reverse("certificates:verify_token", args=[certificate.token])
    return request.build_absolute_uri(path) if request is not None else path


def certificate_document(
    certificate: Certificate, *, request: HttpRequest | None = None, identity_visible: bool = True
) -> Document:
    """What the certificate says, as a layout-independent document (tests read this directly).

    A reader who does not need the holder's full identity number (a supervisor:
    docs/rules/identity.md §F3, ``cases.identity``) gets a copy with it masked."""
    with translation.override("zh-hans"):
        url = verify_url(certificate, request)
        validity = (
            _("长期有效")
            if certificate.valid_until is None
            else _("%(a)s 至 %(b)s")
            % {"a": _date(certificate.valid_from), "b": _date(certificate.valid_until)}
        )
        words = wording(certificate.item_type)
        blocks: list[Block] = [
            str(words.statement),
            Facts(
                [
                    (_("证书编号"), certificate.serial),
                    (_("持证人"), certificate.holder_name),
                    (
                        _("证件号码"),
                        certificate.holder_id_number
                        if identity_visible
                        else mask_id_number(certificate.holder_id_number),
                    ),
                    (str(words.item), f"{certificate.item_name}（{certificate.item_code}）"),
                    (str(words.scope), certificate.scope),
                    (_("有效期限"), validity),
                    (_("发证机关"), certificate.department_name),
                    (_("发证日期"), _date(certificate.issued_on)),
                ]
            ),
        ]
        if certificate.renewed_on is not None:
            blocks.append(renewal_note(certificate))
        if certificate.status != CertificateStatus.VALID:
            blocks += [
                Heading(_("证照状态")),
                _("本证照%(s)s（%(r)s），不再有效。")
                % {
                    "s": CertificateStatus(certificate.status).label,
                    "r": certificate.status_reason,
                },
            ]
        return Document(
            issuer=certificate.department_name,
            title=certificate.title,
            number=_("证书编号：%(s)s") % {"s": certificate.serial},
            addressee="",
            blocks=blocks,
            issued_on=_date(certificate.issued_on),
            qr_url=url,
            qr_caption=_(
                "扫描二维码或访问 %(url)s 核验本证照真伪；也可在网上办事大厅“证照核验”栏目输入"
                "证书编号 %(serial)s 查询。"
            )
            % {"url": url, "serial": certificate.serial},
            subject=certificate.serial,
            seal_note=_("（发证机关盖章）"),
            footer=_("电子证照"),
        )


def renewal_note(certificate: Certificate) -> str:
    """ALL Art. 50: the renewal the validity comes from, granted or deemed."""
    values = {"d": _date(certificate.renewed_on), "u": _date(certificate.valid_until)}
    if certificate.renewal_deemed:
        return (
            _(
                "本证照有效期届满前发证机关未作出是否准予延续的决定，依照《中华人民共和国行政许可法》"
                "第五十条于 %(d)s 视为准予延续，有效期延续至 %(u)s。"
            )
            % values
        )
    return _("本证照经 %(d)s 准予延续，有效期延续至 %(u)s。") % values


def certificate_pdf(
    certificate: Certificate, *, request: HttpRequest | None = None, identity_visible: bool = True
) -> bytes:
    document = certificate_document(certificate, request=request, identity_visible=identity_visible)
    return render_document(document)


def certificate_response(
    certificate: Certificate, request: HttpRequest, *, identity_visible: bool
) -> HttpResponse:
    """The certificate as a PDF attachment; private (it names the holder in full)."""
    response = HttpResponse(
        certificate_pdf(certificate, request=request, identity_visible=identity_visible),
        content_type="application/pdf",
    )
    disposition = content_disposition_header(True, f"{certificate.serial}.pdf")
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "private, no-store"
    return response
