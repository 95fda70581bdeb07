"""Case endpoints under /api/v1/: application, intake, mandates."""

from onewindow.cases.api import apply, fees, intake, mandates

urlpatterns = [
    *apply.urlpatterns,
    *intake.urlpatterns,
    *fees.urlpatterns,
    *mandates.urlpatterns,
]
