"""The bulk submission's URLs, in the customers app's namespace (customers/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("customers/validations/bulk/", views.bulk_upload, name="validation_bulk_upload"),
    path(
        "customers/validations/bulk/template.csv",
        views.bulk_template,
        name="validation_bulk_template",
    ),
    path(
        "customers/validations/bulk/allowed-values.csv",
        views.bulk_allowed_values,
        name="validation_bulk_allowed_values",
    ),
    path("customers/validations/bulk/<int:pk>/", views.bulk_detail, name="validation_bulk_detail"),
    path(
        "customers/validations/bulk/<int:pk>/submit/",
        views.bulk_submit,
        name="validation_bulk_submit",
    ),
]
