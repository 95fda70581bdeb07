"""Admin: certificates and deliveries are read-only here.

A certificate's fields are signed (signing.py); editing one in the admin would make it read
"tampered" on verification, so every change goes through the services (lifecycle actions on the
certificate page, delivery on the delivery pages), which re-sign and record an event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from onewindow.certificates import signing
from onewindow.certificates.models import Certificate, Delivery, Renewal
from onewindow.core.readonly_admin import ReadOnlyAdmin


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = (
        "serial",
        "title",
        "holder_name",
        "department_name",
        "issued_on",
        "valid_until",
        "status",
        "signature_ok",
    )
    list_filter = ("status", "item_type", "renewal_deemed", "department_name", "issued_on")
    search_fields = ("serial", "holder_name", "item_code", "case__number")
    date_hierarchy = "issued_on"
    readonly_fields = [f.name for f in Certificate._meta.fields] + ["signature_ok"]
    exclude = ("token",)  # the QR secret is not shown to back-office readers

    @admin.display(boolean=True, description=_("签名校验"))
    def signature_ok(self, obj: Certificate) -> bool:
        return signing.signature_valid(obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for name in self.readonly_fields if name != "token"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("case", "method", "status", "tracking_number", "sent_at", "delivered_at")
    list_filter = ("method", "status")
    search_fields = ("case__number", "tracking_number", "receiver_name")
    readonly_fields = [f.name for f in Delivery._meta.fields]


@admin.register(Renewal)
class RenewalAdmin(ReadOnlyAdmin):
    """Renewals (ALL Art. 50): granted or deemed through the services and the background job."""

    list_display = ("certificate", "case", "expires_on", "outcome", "new_valid_until")
    list_filter = ("outcome",)
    search_fields = ("certificate__serial", "case__number")
    readonly_fields = [f.name for f in Renewal._meta.fields]
