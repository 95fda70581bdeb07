"""Case endpoints under /api/v1/: application, intake, progress, mandates."""

from onewindow.cases.api import apply, fees, intake, mandates, progress

urlpatterns = [
    *apply.urlpatterns,
    *intake.urlpatterns,
    *fees.urlpatterns,
    *progress.urlpatterns,
    *mandates.urlpatterns,
]
