"""Load the demo organizations and users, and the demo scenario of gccportal/demo.py
(idempotent: safe to run on every `make run`)."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from gccportal.demo import demo_scenario_load, demo_summary
from gccportal.exceptions import ServiceError
from partners.models import Membership, Organization, ResellerQualification

DEMO_PASSWORD = "gcc-demo-2026!"  # noqa: S105 - demo data for the embedded shape only

ORGS = [
    {
        "key": "contoso",
        "legal_name": "Contoso Federal Solutions LLC",
        "partner_type": Organization.PartnerType.DIRECT_RESELLER,
        "partner_id": "6100001",
        "commercial_tenant_id": uuid.UUID("3f2b8c1e-6d4a-4c1f-9a7e-2b5d8e9f0a11"),
        "azure_gcc_tenant_id": uuid.UUID("8a1c2d3e-4f50-4617-8899-aabbccddee01"),
    },
    {
        "key": "fabrikam",
        "legal_name": "Fabrikam Distribution Inc.",
        "partner_type": Organization.PartnerType.INDIRECT_PROVIDER,
        "partner_id": "6100002",
        "commercial_tenant_id": uuid.UUID("5c7e9a0b-1d2f-4e3a-8b4c-6d7e8f901a22"),
        "azure_gcc_tenant_id": None,
    },
    {
        "key": "northwind",
        "legal_name": "Northwind Government Partners",
        "partner_type": Organization.PartnerType.INDIRECT_RESELLER,
        "partner_id": "6100003",
        "commercial_tenant_id": uuid.UUID("9e8d7c6b-5a49-4382-a716-5f4e3d2c1b33"),
        "azure_gcc_tenant_id": None,
        "provider": "fabrikam",
    },
]

USERS = [
    ("admin@contoso.example", "Avery", "Admin", "contoso", Membership.Role.ADMIN_AGENT),
    ("sales@contoso.example", "Sam", "Sales", "contoso", Membership.Role.SALES_AGENT),
    ("helpdesk@contoso.example", "Harper", "Helpdesk", "contoso", Membership.Role.HELPDESK_AGENT),
    ("admin@fabrikam.example", "Frankie", "Admin", "fabrikam", Membership.Role.ADMIN_AGENT),
    ("sales@northwind.example", "Noor", "Sales", "northwind", Membership.Role.SALES_AGENT),
]
REVIEWERS = [
    ("reviewer@gccreview.example", "Riley", "Reviewer", settings.REVIEWER_GROUP_NAME),
    ("lead@gccreview.example", "Lee", "Lead", settings.REVIEWER_LEAD_GROUP_NAME),
]


class Command(BaseCommand):
    help = "Create the demo organizations, users and reviewers, and the demo scenario (once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo sign-ins; change nothing."
        )

    def handle(self, *args, logins: bool = False, **options) -> None:
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is for the embedded shape only: its accounts share a published "
                "password. These settings do not allow it (DEMO_DATA_ALLOWED)."
            )
        if not logins:
            self._load()
        self.stdout.write(f"  Demo sign-ins (password for all: {DEMO_PASSWORD})")
        for email, _first, _last, org_key, role in USERS:
            org = next(o["legal_name"] for o in ORGS if o["key"] == org_key)
            self.stdout.write(f"    {email:<28} {role.label}, {org}")
        for email, _first, _last, group in REVIEWERS:
            self.stdout.write(f"    {email:<28} {group} (admin site)")
        self.stdout.write(f"  {demo_summary()}")

    @transaction.atomic
    def _load(self) -> None:
        User = get_user_model()
        orgs: dict[str, Organization] = {}
        for spec in ORGS:
            spec = dict(spec)
            key = spec.pop("key")
            provider = spec.pop("provider", None)
            orgs[key], _ = Organization.objects.get_or_create(
                partner_id=spec["partner_id"],
                defaults={
                    **spec,
                    "csp_enrollment": Organization.CspEnrollment.ENROLLED,
                    "indirect_provider": orgs.get(provider),
                },
            )
        # Fabrikam is already approved for GCC, so that its indirect reseller Northwind can
        # walk the customer flows; Contoso is not, so that the partner flow can be walked.
        ResellerQualification.objects.get_or_create(
            organization=orgs["fabrikam"],
            qualification=ResellerQualification.Qualification.GOVERNMENT_COMMUNITY_CLOUD,
            defaults={"granted_at": timezone.now()},
        )
        for email, first, last, org_key, role in USERS:
            user = self._user(User, email, first, last)
            Membership.objects.get_or_create(
                user=user, defaults={"organization": orgs[org_key], "role": role}
            )
        for email, first, last, group_name in REVIEWERS:
            user = self._user(User, email, first, last, is_staff=True)
            user.groups.add(Group.objects.get(name=group_name))
            if group_name == settings.REVIEWER_LEAD_GROUP_NAME:
                user.groups.add(Group.objects.get(name=settings.REVIEWER_GROUP_NAME))
        self._scenario(orgs)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _scenario(self, orgs: dict[str, Organization]) -> None:
        """Customers, requests, an order and invitations, as Northwind's Sales agent (once).
        Contoso gets none: the partner walk-through starts from its clean state."""
        User = get_user_model()
        try:
            demo_scenario_load(
                reseller=orgs["northwind"],
                agent=User.objects.get(email="sales@northwind.example"),
                reviewer=User.objects.get(email="reviewer@gccreview.example"),
            )
        except (ValidationError, ServiceError) as exc:
            # E.g. a catalogue without one of its offers: the portal starts anyway, without
            # the scenario (its part is rolled back whole; the next start tries again).
            messages = getattr(exc, "messages", None) or [str(exc)]
            self.stdout.write(self.style.WARNING(f"Demo scenario not loaded: {' '.join(messages)}"))

    def _user(self, User, email, first, last, **extra):
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first, "last_name": last, **extra}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
