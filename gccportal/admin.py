"""Admin pieces every app shares (gccportal is not an app: nothing here is autodiscovered)."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property
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


class BoundedPaginator(Paginator):
    """An admin list's paginator that counts at most `limit` rows: a long queue costs what a
    short one does (reading `limit` index entries, not counting every open request). Past
    the limit, `more` is true, the list shows its first `limit` rows in its order and says so
    (templates/admin/pagination.html): the filters narrow it."""

    limit = 1000

    @cached_property
    def count(self) -> int:
        # In no order, and the keys only: a row's annotations (the queue's conflict count)
        # are not computed to be counted.
        counted = self.object_list.order_by().values("pk")[: self.limit + 1].count()
        self.more = counted > self.limit
        return min(counted, self.limit)
