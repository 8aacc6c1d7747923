"""The customers app's configuration; its models include the sub-packages' (see models.py)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")
    # Reviewers see the customers, their qualifications and the codes issued (customer
    # validation's own permissions come from its model: reviews/roles.py).
    reviewer_permissions = ("view_customer", "view_customerqualification", "view_gccvalidation")
