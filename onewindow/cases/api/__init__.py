"""Case endpoints under /api/v1/: application, intake, progress."""

from onewindow.cases.api import apply, intake, progress

urlpatterns = [*apply.urlpatterns, *intake.urlpatterns, *progress.urlpatterns]
