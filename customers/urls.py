from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/add/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/account/", views.customer_account, name="customer_account"),
    path("customers/gcc-validation-codes/help/", views.gcc_code_help, name="gcc_code_help"),
    path("customers/validations/", views.validation_list, name="validation_list"),
    path("customers/validations/new/", views.validation_create, name="validation_create"),
    path("customers/validations/<int:pk>/", views.validation_detail, name="validation_detail"),
    path(
        "customers/validations/<int:pk>/withdraw/",
        views.validation_withdraw,
        name="validation_withdraw",
    ),
    path(
        "customers/validations/<int:pk>/documents/<int:document_id>/",
        views.validation_document,
        name="validation_document",
    ),
    path("customers/relationship-requests/", views.invitation_list, name="invitation_list"),
    path("customers/relationship-requests/new/", views.invitation_create, name="invitation_create"),
    path(
        "customers/relationship-requests/<int:pk>/",
        views.invitation_detail,
        name="invitation_detail",
    ),
    path(
        "customers/relationship-requests/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    # Public: the customer's acceptance page, reached only through the personalized link.
    path("reseller-relationship/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path(
        "reseller-relationship/confirm/<str:token>/",
        views.invitation_confirm,
        name="invitation_confirm",
    ),
    # Public: the customer contact's answer page, reached only through a signed link.
    path("customer-information/<str:token>/", views.info_answer, name="info_answer"),
]
