"""Supervision endpoints under /api/v1/supervision/."""

from onewindow.supervision.api import cards, console, letters, reports, scores

urlpatterns = [
    *cards.urlpatterns,
    *console.urlpatterns,
    *letters.urlpatterns,
    *reports.urlpatterns,
    *scores.urlpatterns,
]
