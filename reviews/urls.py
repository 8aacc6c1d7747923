"""The SLA page, in the admin's address space (gccportal/urls.py puts it under /admin/)."""

from django.urls import path

from . import views

app_name = "reviews"

urlpatterns = [
    path("sla/", views.review_sla_view, name="sla"),
    path("sla/csv/", views.review_sla_csv_view, name="sla_csv"),
]
