from django.contrib import admin

from .models import Offer, Order, OrderLineItem, Subscription


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    """Reviewers manage the catalogue here."""

    list_display = [
        "name",
        "offer_id",
        "family",
        "unit_price",
        "billing_cycle",
        "min_quantity",
        "max_quantity",
        "requires_gcc",
        "is_active",
    ]
    list_filter = ["requires_gcc", "family", "billing_cycle", "is_active"]
    search_fields = ["name", "offer_id", "sku_part_number"]
    ordering = ["-requires_gcc", "family", "name"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # ordered offers stay; take one off sale instead


class OrderLineItemInline(admin.TabularInline):
    model = OrderLineItem
    extra = 0
    can_delete = False
    fields = [
        "line_item_number",
        "offer",
        "quantity",
        "friendly_name",
        "unit_price",
        "status",
        "attempts",
        "claimed_until",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["id", "organization", "customer", "status", "created_at", "completed_at"]
    list_filter = ["status", "organization"]
    search_fields = [
        "customer__company_name",
        "customer__primary_domain",
        "organization__legal_name",
    ]
    list_select_related = ["organization", "customer"]
    ordering = ["-created_at"]
    inlines = [OrderLineItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Order._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # status moves only through the provisioning services

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["subscription_id", "customer", "offer", "quantity", "created_at"]
    list_select_related = ["customer", "offer"]
    search_fields = ["customer__company_name", "subscription_id"]
    readonly_fields = [
        "subscription_id",
        "customer",
        "offer",
        "quantity",
        "friendly_name",
        "line_item",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
