"""Admin of GCC validation codes: a read-only list of the codes issued and their creates left."""

from django.contrib import admin

from gccportal.admin import ReadOnlyAdminMixin

from .models import GccValidation


@admin.register(GccValidation)
class GccValidationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only list of the codes issued, with their remaining creates."""

    list_display = [
        "validation_id",
        "organization_name",
        "partner",
        "max_creates",
        "remaining_creates",
        "created_at",
    ]
    list_select_related = ["partner"]
    search_fields = ["organization_name", "validation_id", "partner__legal_name"]
    list_filter = ["partner"]
    ordering = ["-created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in GccValidation._meta.fields]
