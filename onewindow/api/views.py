"""The OpenAPI document and its two readers, served without any internet access.

Government intranets often have no internet (docs/product.md §C13): Swagger UI and Redoc come from
drf-spectacular-sidecar's static files, Swagger UI's online validator badge is off, and Redoc's
page leaves out its Google Fonts links.
"""

from __future__ import annotations

import json
from typing import Any

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class SwaggerView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"  # CSP: the initialiser carries the response's nonce

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        assert response.data is not None
        # validatorUrl would load a badge from validator.swagger.io.
        ui_settings = {**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None}
        response.data["settings"] = json.dumps(ui_settings)
        return response


# Two <style> elements the Redoc bundle (drf-spectacular-sidecar, pinned in constraints.txt)
# inserts while it loads, before Redoc.init can hand its styles the nonce: an empty one and its
# scrollbar CSS. Allowed by their hashes on this page only (CSP level 3 hashes cover <style>
# elements, never style="" attributes); the browser test (portal/tests/test_csp_browser.py)
# fails when a new sidecar release changes them.
REDOC_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
]


@method_decorator(csp_update({"style-src": REDOC_STYLE_HASHES}), name="dispatch")
class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"  # CSP: a static initialiser, no Google Fonts
