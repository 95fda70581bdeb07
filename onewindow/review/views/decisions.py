"""Decision, extension and special-procedure pages (§C5, §C6)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
