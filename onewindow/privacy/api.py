"""API of the personal-data console (docs/rules/privacy.md §P3, §P5)."""

from onewindow.privacy.views import api_urlpatterns

urlpatterns = [*api_urlpatterns]
