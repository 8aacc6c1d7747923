"""Admin pieces every app shares (gccportal is not an app: nothing here is autodiscovered)."""


class ReadOnlyAdminMixin:
    """The admin of records only services write (an audit trail, a ledger, what a decision
    granted): nothing is added, changed or deleted here. Viewing needs the view permission,
    as usual. Works for ModelAdmin and inlines alike."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
