"""Statistics pages: the public page, the staff dashboard, one item's stages."""

from onewindow.stats.views import urlpatterns as urlpatterns

app_name = "stats"
