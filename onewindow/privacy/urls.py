"""The security administrator's personal-data console (docs/rules/privacy.md §P3, §P5)."""

from onewindow.privacy.views import page_urlpatterns

app_name = "privacy"
urlpatterns = [*page_urlpatterns]
