"""Case pages: online application (apply), window intake (intake), progress and dashboard."""

from onewindow.cases.views import apply, intake, progress

app_name = "cases"

urlpatterns = [*apply.urlpatterns, *intake.urlpatterns, *progress.urlpatterns]
