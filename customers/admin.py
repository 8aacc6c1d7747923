"""Admin of customers (read only, with their qualification and relationships).

Django's autodiscovery imports this module only: it imports the admin modules of the
sub-packages (validations, codes), which register their own models. Reseller-relationship
invitations have no admin.
"""

from django.contrib import admin

# Imported for their @admin.register: autodiscovery imports customers.admin only.
from .codes import admin as codes_admin  # noqa: F401
from .models import Customer, CustomerQualification, CustomerRelationship
from .validations import admin as validations_admin  # noqa: F401


class CustomerQualificationInline(admin.TabularInline):
    model = CustomerQualification
    extra = 0
    can_delete = False
    readonly_fields = ["qualification", "vetting_status", "validation", "granted_at", "granted_by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # irreversible, and only set through the services

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CustomerRelationshipInline(admin.TabularInline):
    model = CustomerRelationship
    extra = 0
    can_delete = False
    readonly_fields = ["organization", "indirect_reseller", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["company_name", "primary_domain", "created_at"]
    search_fields = ["company_name", "primary_domain"]
    ordering = ["company_name"]
    inlines = [CustomerQualificationInline, CustomerRelationshipInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Customer._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
