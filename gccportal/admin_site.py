"""The portal's admin site: Django's, with the app list built only where a page shows it.

Installed in place of django.contrib.admin (settings' INSTALLED_APPS: `AdminConfig`), so
`admin.site` and every `@admin.register` are this site's."""

import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.functional import SimpleLazyObject


class AdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        """Django's app list, built when first read. Every admin page's context asks for it
        (`available_apps`, for the nav sidebar), and building it checks each model's
        permissions: the pages without the sidebar (the review queues, the SLA page) never
        read it, and so never build it. The index reads it, and lists the apps as ever."""
        return SimpleLazyObject(functools.partial(super().get_app_list, request, app_label))


class AdminConfig(DjangoAdminConfig):
    default_site = "gccportal.admin_site.AdminSite"
