"""Supervision endpoints under /api/v1/supervision/."""

from onewindow.supervision.api import cards, console

urlpatterns = [*cards.urlpatterns, *console.urlpatterns]
