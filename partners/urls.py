from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("organization/", views.organization_profile, name="organization_profile"),
    path(
        "organization/two-step-verification/",
        views.organization_mfa_requirement,
        name="organization_mfa_requirement",
    ),
    path("gcc/validations/", views.validation_list, name="validation_list"),
    path("gcc/validations/new/", views.validation_create, name="validation_create"),
    path("gcc/validations/<int:pk>/", views.validation_detail, name="validation_detail"),
    path("gcc/validations/<int:pk>/answer/", views.validation_answer, name="validation_answer"),
    path(
        "gcc/validations/<int:pk>/withdraw/", views.validation_withdraw, name="validation_withdraw"
    ),
    path(
        "gcc/validations/<int:pk>/withdraw/confirm/",
        views.validation_withdraw_confirm,
        name="validation_withdraw_confirm",
    ),
]
