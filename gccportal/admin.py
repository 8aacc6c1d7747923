"""Admin pieces every app shares (gccportal is not an app: nothing here is autodiscovered)."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class YesNoFilter(admin.SimpleListFilter):
    """A list filter with two choices: the rows that meet `condition()` ("yes") and the rest
    ("no"). Subclasses set `title`, `parameter_name` and the choices' labels."""

    yes_label = _("Yes")
    no_label = _("No")

    def condition(self) -> Q:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [("yes", self.yes_label), ("no", self.no_label)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.condition())
        if self.value() == "no":
            return queryset.exclude(self.condition())
        return queryset


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
