from django.contrib import admin, messages
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gccportal.admin import ReadOnlyAdminMixin

from .models import OutboxMessage
from .services import outbox_message_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The email ledger, read-only; leads send failed emails again (logged in the history)."""

    # Newest first; when it was created is on the detail page.
    list_display = ["to_email", "subject", "status", "attempts", "outcome"]
    list_filter = ["status", "maybe_sent", "template"]
    search_fields = ["to_email", "subject", "message_id"]
    ordering = ["-created_at"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["resend"]
    list_select_related = False
    show_full_result_count = False

    @admin.display(description=_("outcome"))
    def outcome(self, message: OutboxMessage) -> str:
        """What happened, or what happens next, in one column."""
        if message.status == OutboxMessage.Status.SENT:
            return _("Sent %(when)s") % {
                "when": date_format(localtime(message.sent_at), "DATETIME_FORMAT")
            }
        if message.status == OutboxMessage.Status.FAILED:
            return Truncator(message.last_error).chars(120)
        return _("Next attempt %(when)s") % {
            "when": date_format(localtime(message.next_attempt_at), "DATETIME_FORMAT")
        }

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("notifications.resend_outboxmessage")

    @admin.action(permissions=["resend"], description=_("Send the selected failed emails again"))
    def resend(self, request, queryset):
        # Read once, before anything changes (the list may be filtered by status).
        selected = list(queryset.only("pk", "status"))
        failed = [message for message in selected if message.status == OutboxMessage.Status.FAILED]
        for message in failed:
            outbox_message_resend(message_id=message.pk)
            self.log_change(request, message, str(_("Sent again from the outbox.")))
        skipped = len(selected) - len(failed)
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
