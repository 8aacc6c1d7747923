from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gccportal.admin import ReadOnlyAdminMixin

from .models import OutboxMessage
from .redaction import links_redacted
from .services import outbox_message_resend


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The email ledger, read-only; leads send failed emails again (logged in the history).

    Single-use link tokens are never shown (notifications/redaction.py): the text, subject
    and error are shown with each token replaced by a marker, and neither the stored text
    nor the deduplication key (which may end with part of a link) is a field, a column or
    searched. Sending again sends the stored email, link included.
    """

    # Newest first; when it was created is on the detail page.
    list_display = ["to_email", "subject_shown", "status", "attempts", "outcome", "link_sent"]
    list_filter = ["status", "maybe_sent", "template"]
    search_fields = ["to_email", "subject", "message_id"]
    ordering = ["-created_at"]
    fields = [
        "status",
        "to_email",
        "language",
        "subject_shown",
        "body_shown",
        "link_sent",
        "template",
        "message_id",
        "attempts",
        "maybe_sent",
        "next_attempt_at",
        "error_shown",
        "created_at",
        "sent_at",
        "failed_at",
    ]
    readonly_fields = fields
    actions = ["resend"]
    list_select_related = False
    show_full_result_count = False

    @admin.display(description=_("subject"), ordering="subject")
    def subject_shown(self, message: OutboxMessage) -> str:
        return links_redacted(message.subject).text

    @admin.display(description=_("text"))
    def body_shown(self, message: OutboxMessage) -> str:
        return linebreaksbr(links_redacted(message.body_text).text, autoescape=True)

    @admin.display(description=_("last error"))
    def error_shown(self, message: OutboxMessage) -> str:
        return links_redacted(message.last_error).text

    @admin.display(description=_("single-use link"))
    def link_sent(self, message: OutboxMessage) -> str:
        """That the email carries a single-use link, which is hidden ("-": it carries none)."""
        hidden = links_redacted(message.body_text).hidden
        if not hidden:
            # Not None: a read-only field would print "None" (in English) on the detail page.
            return self.get_empty_value_display()
        return ngettext(
            "%(count)d link sent (hidden here)", "%(count)d links sent (hidden here)", hidden
        ) % {"count": hidden}

    @admin.display(description=_("outcome"))
    def outcome(self, message: OutboxMessage) -> str:
        """What happened, or what happens next, in one column."""
        if message.status == OutboxMessage.Status.SENT:
            return _("Sent %(when)s") % {
                "when": date_format(localtime(message.sent_at), "DATETIME_FORMAT")
            }
        if message.status == OutboxMessage.Status.FAILED:
            return Truncator(links_redacted(message.last_error).text).chars(120)
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
