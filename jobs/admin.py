from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gccportal.admin import ReadOnlyAdminMixin, YesNoFilter

from .models import TaskDelivery


class GaveUpFilter(YesNoFilter):
    title = _("outcome")
    parameter_name = "gave_up"
    yes_label = _("Gave up")
    no_label = _("Still being delivered")

    def condition(self) -> Q:
        return Q(gave_up_at__isnull=False)


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
