"""Decision, extension and special-procedure endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
