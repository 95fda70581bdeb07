"""The site's URLs plus views that exercise the error handler: login-only, staff-only, failing."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from onewindow.catalog.models import Department
from onewindow.urls import urlpatterns as site_urlpatterns


class LoginOnly(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response({"username": request.user.get_username()})

    def post(self, request: Request) -> Response:
        return Response({"received": request.data})


class StaffOnly(APIView):
    permission_classes = [IsAdminUser]

    def get(self, request: Request) -> Response:
        return Response({})


class DjangoErrors(APIView):
    """Raises Django's own exceptions, whose messages are English developer text."""

    def get(self, request: Request, kind: str) -> Response:
        if kind == "404":
            get_object_or_404(Department, code="no-such-department")
        raise ValidationError({"name": ["名称不能为空。"], "__all__": ["整体校验失败。"]})


def plain_django_view_that_fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom outside DRF")


urlpatterns: list[Any] = [
    path("api/v1/test/login-only/", LoginOnly.as_view()),
    path("api/v1/test/staff-only/", StaffOnly.as_view()),
    path("api/v1/test/django/<str:kind>/", DjangoErrors.as_view()),
    path("api/v1/test/plain-failure/", plain_django_view_that_fails),
    *site_urlpatterns,
]

handler404 = "onewindow.api.errors.handler404"
handler500 = "onewindow.api.errors.handler500"
