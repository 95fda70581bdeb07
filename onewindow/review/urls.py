"""Review pages: department inboxes and tasks (tasks), decisions, extensions and special
procedures (decisions), and the window's list of material requests (window)."""

from onewindow.review.views import decisions, tasks, window

app_name = "review"

urlpatterns = [*tasks.urlpatterns, *decisions.urlpatterns, *window.urlpatterns]
