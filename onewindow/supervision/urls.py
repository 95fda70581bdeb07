"""Supervision pages: cards, letters, reports, scores (cards); console and live feed (console)."""

from onewindow.supervision.views import cards, console, letters, reports, scores

app_name = "supervision"

urlpatterns = [
    *cards.urlpatterns,
    *console.urlpatterns,
    *letters.urlpatterns,
    *reports.urlpatterns,
    *scores.urlpatterns,
]
