"""Review pages: department inboxes and tasks (tasks), decisions, extensions and special
procedures (decisions)."""

from onewindow.review.views import decisions, tasks

app_name = "review"

urlpatterns = [*tasks.urlpatterns, *decisions.urlpatterns]
