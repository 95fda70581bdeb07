"""Case pages: online application (apply), window intake (intake), fees
and the applicant's mandates to agents (mandates)."""

from onewindow.cases.views import apply, fees, intake, mandates

app_name = "cases"

urlpatterns = [
    *apply.urlpatterns,
    *intake.urlpatterns,
    *fees.urlpatterns,
    *mandates.urlpatterns,
]
