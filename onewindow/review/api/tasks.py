"""Inbox, task detail and opinion endpoints."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
