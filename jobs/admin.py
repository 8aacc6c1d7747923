from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gccportal.admin import ReadOnlyAdminMixin

from .models import TaskDelivery


class GaveUpFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "gave_up"

    def lookups(self, request, model_admin):
        return [("yes", _("Gave up")), ("no", _("Still being delivered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(gave_up_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(gave_up_at__isnull=True)
        return queryset


@admin.register(TaskDelivery)
class TaskDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Tasks whose runs did not return, read-only (the purge task deletes old rows): the ones
    that gave up say why."""

    # The first delivery, the arguments and the worker are on the detail page.
    list_display = ["task_name", "task_id", "deliveries", "last_delivered_at", "gave_up_at"]
    list_filter = [GaveUpFilter, "task_name"]
    search_fields = ["task_id", "task_name"]
    ordering = ["-last_delivered_at"]
    readonly_fields = [f.name for f in TaskDelivery._meta.fields]
