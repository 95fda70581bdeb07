"""The OpenAPI document and its two readers, served without any internet access.

Government intranets often have no internet (PRODUCT.md §C13): Swagger UI and Redoc come from
drf-spectacular-sidecar's static files, Swagger UI's online validator badge is off, and Redoc's
page leaves out its Google Fonts links.
"""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.request import Request
from rest_framework.response import Response


class SwaggerView(SpectacularSwaggerView):
    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().get(request, *args, **kwargs)
        assert response.data is not None
        # validatorUrl would load a badge from validator.swagger.io.
        ui_settings = {**spectacular_settings.SWAGGER_UI_SETTINGS, "validatorUrl": None}
        response.data["settings"] = json.dumps(ui_settings)
        return response


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
