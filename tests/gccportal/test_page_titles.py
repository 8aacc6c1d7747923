"""A page's title says where the user is and, when a form came back with errors, that first
("Error: …"), in the page's language (WCAG 2.4.2)."""

import re

import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def title_of(response) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1].split())


def test_a_form_with_errors_says_so_first_in_the_title(client, admin_agent, gcc_enabled):
    client.force_login(admin_agent)
    url = reverse("customers:customer_create")

    assert title_of(client.get(url)) == "Add customer · GCC Portal"
    assert title_of(client.post(url, {"company_name": ""})) == "Error: Add customer · GCC Portal"


def test_the_sign_in_page_too(client, db):
    page = client.post(reverse("login"), {"username": "nobody@example.com", "password": "x"})

    assert title_of(page).startswith("Error: ")


def test_in_french(client, admin_agent, gcc_enabled):
    User.objects.filter(pk=admin_agent.pk).update(language="fr")
    client.force_login(admin_agent)

    page = client.post(reverse("customers:customer_create"), {"company_name": ""})

    assert title_of(page).replace("\u00a0", " ") == "Erreur : Ajouter un client · Portail GCC"
