"""Review endpoints under /api/v1/: inbox and tasks, decisions, extensions, special procedures,
and the window's list of material requests (window)."""

from onewindow.review.api import decisions, tasks, window

urlpatterns = [*tasks.urlpatterns, *decisions.urlpatterns, *window.urlpatterns]
