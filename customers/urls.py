"""The customers app's URLs (namespace `customers`): customers, customer validation requests
and the contact's answer page, reseller-relationship invitations and their public pages."""

from django.urls import path

from . import views
from .invitations import views as invitation_views
from .validations import views as validation_views
from .validations.bulk.urls import urlpatterns as bulk_urlpatterns

app_name = "customers"

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/add/", views.customer_create, name="customer_create"),
    path("customers/add/domain-check/", views.customer_domain_check, name="customer_domain_check"),
    path(
        "customers/add/validation-request/",
        views.customer_draft_to_validation,
        name="customer_draft_to_validation",
    ),
    path("customers/<int:pk>/account/", views.customer_account, name="customer_account"),
    path("customers/gcc-validation-codes/help/", views.gcc_code_help, name="gcc_code_help"),
    path("customers/validations/", validation_views.validation_list, name="validation_list"),
    path(
        "customers/validations/new/", validation_views.validation_create, name="validation_create"
    ),
    path(
        "customers/validations/eligibility/",
        validation_views.validation_eligibility,
        name="validation_eligibility",
    ),
    path(
        "customers/validations/eligibility/result/",
        validation_views.validation_eligibility_result,
        name="validation_eligibility_result",
    ),
    path(
        "customers/validations/<int:pk>/",
        validation_views.validation_detail,
        name="validation_detail",
    ),
    path(
        "customers/validations/<int:pk>/withdraw/",
        validation_views.validation_withdraw,
        name="validation_withdraw",
    ),
    path(
        "customers/validations/<int:pk>/withdraw/confirm/",
        validation_views.validation_withdraw_confirm,
        name="validation_withdraw_confirm",
    ),
    path(
        "customers/validations/<int:pk>/documents/<int:document_id>/",
        validation_views.validation_document,
        name="validation_document",
    ),
    *bulk_urlpatterns,
    path(
        "customers/relationship-requests/", invitation_views.invitation_list, name="invitation_list"
    ),
    path(
        "customers/relationship-requests/new/",
        invitation_views.invitation_create,
        name="invitation_create",
    ),
    path(
        "customers/relationship-requests/<int:pk>/",
        invitation_views.invitation_detail,
        name="invitation_detail",
    ),
    path(
        "customers/relationship-requests/<int:pk>/revoke/",
        invitation_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "customers/relationship-requests/<int:pk>/revoke/confirm/",
        invitation_views.invitation_revoke_confirm,
        name="invitation_revoke_confirm",
    ),
    # Public: the customer's acceptance page, reached only through the personalized link.
    path(
        "reseller-relationship/<str:token>/",
        invitation_views.invitation_accept,
        name="invitation_accept",
    ),
    path(
        "reseller-relationship/confirm/<str:token>/",
        invitation_views.invitation_confirm,
        name="invitation_confirm",
    ),
    # Public: the customer contact's answer page, reached only through a signed link.
    path("customer-information/<str:token>/", validation_views.info_answer, name="info_answer"),
]
