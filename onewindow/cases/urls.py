"""Case pages: online application (apply), window intake (intake), progress and dashboard,
and the applicant's mandates to agents (mandates)."""

from onewindow.cases.views import apply, fees, intake, mandates, progress

app_name = "cases"

urlpatterns = [
    *apply.urlpatterns,
    *intake.urlpatterns,
    *fees.urlpatterns,
    *progress.urlpatterns,
    *mandates.urlpatterns,
]
