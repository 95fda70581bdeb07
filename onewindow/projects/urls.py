"""Key project pages (docs/product.md §C8)."""

from onewindow.projects import views

app_name = "projects"

urlpatterns = views.urlpatterns
