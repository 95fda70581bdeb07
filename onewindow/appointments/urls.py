"""Appointment pages (docs/product.md §C15)."""

from onewindow.appointments import views

app_name = "appointments"

urlpatterns = views.urlpatterns
