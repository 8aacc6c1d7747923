from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path(
        "customers/<int:customer_id>/subscriptions/add/",
        views.subscriptions_add,
        name="subscriptions_add",
    ),
    path(
        "customers/<int:customer_id>/subscriptions/review/",
        views.subscriptions_review,
        name="subscriptions_review",
    ),
    path("customers/<int:customer_id>/orders/submit/", views.order_submit, name="order_submit"),
    path(
        "customers/new/subscriptions/",
        views.new_customer_subscriptions,
        name="new_customer_subscriptions",
    ),
    path("customers/new/details/", views.new_customer_details, name="new_customer_details"),
    path("customers/new/review/", views.new_customer_review, name="new_customer_review"),
    path(
        "customers/new/orders/submit/",
        views.new_customer_order_submit,
        name="new_customer_order_submit",
    ),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/retry/", views.order_retry, name="order_retry"),
]
