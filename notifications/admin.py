from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import OutboxMessage
from .services import outbox_message_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """The email ledger, read-only; leads send failed emails again (logged in the history)."""

    list_display = [
        "created_at",
        "to_email",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "failed_at",
        "last_error",
    ]
    list_filter = ["status", "maybe_sent", "template"]
    search_fields = ["to_email", "subject", "message_id"]
    ordering = ["-created_at"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]
    list_select_related = False
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.resend_outboxmessage")

    @admin.action(permissions=["resend"], description=_("Send the selected failed emails again"))
    def resend(self, request, queryset):
        failed = list(queryset.filter(status=OutboxMessage.Status.FAILED).only("pk"))
        for message in failed:
            outbox_message_resend(message_id=message.pk)
            self.log_change(request, message, str(_("Sent again from the outbox.")))
        skipped = queryset.count() - len(failed)
        if failed:
            self.message_user(
                request,
                ngettext(
                    "%(count)d failed email will be sent again.",
                    "%(count)d failed emails will be sent again.",
                    len(failed),
                )
                % {"count": len(failed)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected email has not failed; it was left as it is.",
                    "%(count)d selected emails have not failed; they were left as they are.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
