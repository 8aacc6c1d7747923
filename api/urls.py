"""/v1/: Partner Center's paths. /api/schema/ and /api/docs/: the OpenAPI 3 description."""

from csp.decorators import csp_replace
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import client_views, validation_views, views, webhook_views

urlpatterns = [
    # The Admin agent's page of API clients.
    path("organization/api-clients/", client_views.client_list, name="api_clients"),
    path(
        "organization/api-clients/<int:pk>/revoke/confirm/",
        client_views.client_revoke_confirm,
        name="api_client_revoke_confirm",
    ),
    path(
        "organization/api-clients/<int:pk>/revoke/",
        client_views.client_revoke,
        name="api_client_revoke",
    ),
    # The Admin agent's webhook endpoints and their delivery logs.
    path("organization/webhooks/", webhook_views.endpoint_list, name="webhook_endpoints"),
    path("organization/webhooks/add/", webhook_views.endpoint_add, name="webhook_endpoint_add"),
    path(
        "organization/webhooks/<int:pk>/",
        webhook_views.endpoint_detail,
        name="webhook_endpoint_detail",
    ),
    path(
        "organization/webhooks/<int:pk>/edit/",
        webhook_views.endpoint_edit,
        name="webhook_endpoint_edit",
    ),
    path(
        "organization/webhooks/<int:pk>/rotate-secret/",
        webhook_views.endpoint_rotate,
        name="webhook_endpoint_rotate",
    ),
    path(
        "organization/webhooks/<int:pk>/disable/",
        webhook_views.endpoint_set_active,
        {"active": False},
        name="webhook_endpoint_disable",
    ),
    path(
        "organization/webhooks/<int:pk>/enable/",
        webhook_views.endpoint_set_active,
        {"active": True},
        name="webhook_endpoint_enable",
    ),
    path(
        "organization/webhooks/<int:pk>/delete/",
        webhook_views.endpoint_delete,
        name="webhook_endpoint_delete",
    ),
    path(
        "organization/webhooks/<int:pk>/deliveries/<int:delivery_pk>/",
        webhook_views.delivery_detail,
        name="webhook_delivery_detail",
    ),
    path(
        "organization/webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        webhook_views.delivery_redeliver,
        name="webhook_delivery_redeliver",
    ),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI's script adds <style> elements: that page alone allows inline styles (its
    # scripts stay the portal's own files: the split view serves its setup as a file).
    path(
        "api/docs/",
        csp_replace({"style-src": ["'self'", "'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api_schema")
        ),
        name="api_docs",
    ),
    path("v1/customers", views.CustomerListView.as_view(), name="api_customers"),
    path(
        "v1/customers/all/validations",
        views.ValidationListView.as_view(),
        name="api_validations",
    ),
    path(
        "v1/customers/relationshiprequests",
        views.RelationshipRequestView.as_view(),
        name="api_relationship_requests",
    ),
    path(
        "v1/customers/<str:customer_id>",
        views.CustomerDetailView.as_view(),
        name="api_customer",
    ),
    path(
        "v1/customers/<str:customer_id>/validations",
        views.CustomerValidationView.as_view(),
        name="api_customer_validation",
    ),
    path(
        "v1/customers/<str:customer_id>/qualifications",
        views.CustomerQualificationListView.as_view(),
        name="api_customer_qualifications",
    ),
    path(
        "v1/customers/<str:customer_id>/qualification",
        views.LegacyCustomerQualificationView.as_view(),
        name="api_customer_qualification_legacy",
    ),
    path(
        "v1/customers/<str:customer_id>/orders",
        views.OrderListView.as_view(),
        name="api_customer_orders",
    ),
    path(
        "v1/customers/<str:customer_id>/orders/<str:order_id>",
        views.OrderDetailView.as_view(),
        name="api_customer_order",
    ),
    path(
        "v1/customers/<str:customer_id>/orders/<str:order_id>/provisioningstatus",
        views.OrderProvisioningStatusView.as_view(),
        name="api_customer_order_provisioning",
    ),
    path("v1/offers", views.OfferListView.as_view(), name="api_offers"),
    # Portal extensions (Partner Center has no such resources): GCC validation requests.
    path(
        "v1/partnervalidationrequests",
        validation_views.PartnerValidationRequestListView.as_view(),
        name="api_partner_validation_requests",
    ),
    path(
        "v1/partnervalidationrequests/<str:request_id>",
        validation_views.PartnerValidationRequestDetailView.as_view(),
        name="api_partner_validation_request",
    ),
    path(
        "v1/customervalidationrequests",
        validation_views.CustomerValidationRequestListView.as_view(),
        name="api_customer_validation_requests",
    ),
    path(
        "v1/customervalidationrequests/<str:request_id>",
        validation_views.CustomerValidationRequestDetailView.as_view(),
        name="api_customer_validation_request",
    ),
]
