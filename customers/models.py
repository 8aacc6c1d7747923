"""Customers, the partners' relationships with them and their special qualification.

Django loads an app's models from this module only: the models of the sub-packages
(validations, codes, invitations) are imported at its end.
"""

import uuid

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from gccportal.fields import (
    organization_reference,
    protected_reference,
    unique_idempotency_key,
    user_reference,
)
from partners import qualifications


class Customer(models.Model):
    """A customer tenant. One per primary domain in the whole portal.

    Address and contact are required by the Add customer form; a customer that joined
    through a reseller-relationship invitation may have only its name and domain.
    """

    tenant_id = models.UUIDField(_("customer tenant ID"), default=uuid.uuid4, unique=True)
    company_name = models.CharField(_("company name"), max_length=200)
    primary_domain = models.CharField(
        _("primary domain"),
        max_length=253,
        unique=True,
        help_text=_("Stored in lower case; unique in the portal."),
    )
    address_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    contact_first_name = models.CharField(_("contact first name"), max_length=50, blank=True)
    contact_last_name = models.CharField(_("contact last name"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    created_by = user_reference(_("created by"), optional=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["company_name"]
        indexes = [
            # The Customers list's order: its first page is read in this order, each
            # customer checked for the organization's relationship, until a page is found.
            models.Index(fields=["company_name", "id"], name="customer_name_order_idx")
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.primary_domain})"


class CustomerRelationship(models.Model):
    """A partner organization manages (resells to) a customer.

    An indirect reseller's customer (added, or gained through an accepted invitation) is its
    indirect provider's too: the provider is the partner of record (Partner Center's indirect
    model). The provider's relationship names the reseller (`indirect_reseller`), which acts
    for the customer: the provider sees it, read-only.
    """

    organization = organization_reference(_("partner"), related_name="customer_relationships")
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="relationships", verbose_name=_("customer")
    )
    indirect_reseller = organization_reference(
        _("through the indirect reseller"),
        related_name="provider_customer_relationships",
        optional=True,
        help_text=_(
            "For an indirect provider's relationship: the indirect reseller that acts for the "
            "customer. Empty when the organization itself acts."
        ),
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    # The one-time key of the form that created the customer with this relationship (Add
    # customer, or the Submit of a new customer's first order), unique per organization: a
    # re-posted form finds the customer its first post created. Here, not on the customer: a
    # customer is shared by its partners, the form and its key are one partner's. Empty for
    # a relationship that came from an accepted invitation.
    idempotency_key = models.UUIDField(_("idempotency key"), null=True, blank=True, editable=False)
    # The customer's name, and its name and domain in capitals (`search_key`), copied (neither
    # ever changes): an organization's Customers list is sorted, paged, counted and searched on
    # its own relationships, in the order of the index below, instead of joining every
    # customer of every organization; a search compares capitals without converting each row.
    customer_name = models.CharField(_("company name"), max_length=200, editable=False)
    customer_search = models.CharField(_("search key"), max_length=454, editable=False)

    class Meta:
        verbose_name = _("reseller relationship")
        verbose_name_plural = _("reseller relationships")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "customer"], name="unique_customer_relationship"
            ),
            unique_idempotency_key("unique_customer_relationship_idempotency_key"),
        ]
        indexes = [
            # The Customers list: one organization's customers in name order, a page at any
            # depth and the count read from the index alone (the domain included for search).
            models.Index(
                fields=["organization", "customer_name", "customer", "customer_search"],
                name="relationship_list_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} → {self.customer}"

    def save(self, *args, **kwargs) -> None:
        self.customer_name = self.customer.company_name
        self.customer_search = search_key(self.customer.company_name, self.customer.primary_domain)
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # in the same transaction as the row: the count never misses one
            CustomerCount.add_one(organization_id=self.organization_id)


class CustomerCount(models.Model):
    """How many customers an organization's Customers list holds (its relationships), kept as
    they are made: counting 20,000 relationships on each view of the list cost 3.5 ms of the
    database's time (issue 16). Relationships are never removed (customers and organizations
    are protected); one made by raw SQL or bulk_create() is counted by `recount()`."""

    organization = models.OneToOneField(
        "partners.Organization",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="customer_count",
        verbose_name=_("partner"),
    )
    count = models.PositiveIntegerField(_("customers"), default=0)

    class Meta:
        verbose_name = _("customer count")
        verbose_name_plural = _("customer counts")

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.count}"

    @classmethod
    def add_one(cls, *, organization_id: int) -> None:
        """One more customer for the organization: one statement, safe when two
        relationships of the same organization are made at once (no read, no lost update)."""
        table = connection.ops.quote_name(cls._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (organization_id, count) VALUES (%s, 1) "  # noqa: S608
                f"ON CONFLICT (organization_id) DO UPDATE SET count = {table}.count + 1",
                [organization_id],
            )

    @classmethod
    def recount(cls) -> None:
        """Every organization's count made again from its relationships (after a load by
        SQL; the migration that made this table did the same)."""
        table = connection.ops.quote_name(cls._meta.db_table)
        relationships = connection.ops.quote_name(CustomerRelationship._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO {table} (organization_id, count) "  # noqa: S608
                f"SELECT organization_id, COUNT(*) FROM {relationships} GROUP BY organization_id"
            )


def search_key(name: str, domain: str) -> str:
    """What a Customers search compares: the name and the domain, in capitals, on two lines
    (a search, one line, never matches across them)."""
    return f"{name}\n{domain}".upper()


class CustomerQualification(models.Model):
    """A special qualification of a customer. Irreversible: never edited or removed."""

    class Qualification(models.TextChoices):
        EDUCATION = "Education", _("Education")
        NONPROFIT = "Nonprofit", _("Nonprofit")
        GOVERNMENT_COMMUNITY_CLOUD = (
            qualifications.GOVERNMENT_COMMUNITY_CLOUD,
            qualifications.GOVERNMENT_COMMUNITY_CLOUD_LABEL,
        )

    class VettingStatus(models.TextChoices):
        IN_REVIEW = "InReview", _("In review")
        APPROVED = "Approved", _("Approved")

    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="qualifications",
        verbose_name=_("customer"),
    )
    qualification = models.CharField(
        _("qualification"), max_length=40, choices=Qualification.choices
    )
    vetting_status = models.CharField(
        _("vetting status"), max_length=20, choices=VettingStatus.choices
    )
    validation = protected_reference(
        "customers.GccValidation",
        _("validation code used"),
        related_name="qualified_customers",
        optional=True,
    )
    granted_at = models.DateTimeField(_("granted at"))
    granted_by = user_reference(_("granted by"), optional=True)

    class Meta:
        verbose_name = _("customer qualification")
        verbose_name_plural = _("customer qualifications")
        ordering = ["granted_at"]
        constraints = [
            # One special qualification per customer: they are exclusive and irreversible.
            models.UniqueConstraint(fields=["customer"], name="one_qualification_per_customer"),
            models.CheckConstraint(
                name="gcc_qualification_has_code",
                condition=~Q(qualification=qualifications.GOVERNMENT_COMMUNITY_CLOUD)
                | Q(validation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.qualification

    @property
    def is_gcc(self) -> bool:
        return self.qualification == qualifications.GOVERNMENT_COMMUNITY_CLOUD


# The app registry and the migrations know only the models this module defines or imports:
# the sub-packages' models are imported here, after this module's own (the order in which
# the app declared them when they were all in this module). Imported for that, not for use:
# import them from their own packages.
from .validations.models import CustomerValidationDocument, CustomerValidationRequest  # noqa: E402, F401, I001
from .codes.models import GccValidation  # noqa: E402, F401
from .invitations.models import ResellerInvitation  # noqa: E402, F401
from .validations.bulk.models import BulkSubmission  # noqa: E402, F401
