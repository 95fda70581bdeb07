"""Department inbox and task pages (§C5)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
