"""Review endpoints under /api/v1/: inbox and tasks, decisions, extensions, special procedures."""

from onewindow.review.api import decisions, tasks

urlpatterns = [*tasks.urlpatterns, *decisions.urlpatterns]
