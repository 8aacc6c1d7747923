from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session_timeout import session_times_start

        user_logged_in.connect(session_times_start, dispatch_uid="accounts.session_times_start")
