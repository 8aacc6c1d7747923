"""The French catalogue is complete and current: every string of the code and templates is in
it (`makemessages` changes nothing), translated (no empty or fuzzy entry), with the same
placeholders (msgfmt --check), and compiled; the domain terms are the glossary's."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# The one line makemessages rewrites on every run.
CREATION_DATE = re.compile(r'^"POT-Creation-Date: .*\\n"$', re.MULTILINE)


def _entries(args: list[str]) -> str:
    return subprocess.run(
        ["msgattrib", *args, str(CATALOGUE)], capture_output=True, text=True, check=True
    ).stdout


def test_makemessages_leaves_the_catalogue_unchanged(monkeypatch):
    # Given the catalogue as committed
    before = CATALOGUE.read_text(encoding="utf-8")
    monkeypatch.chdir(ROOT)
    try:
        # When the strings are extracted again from the code and templates
        call_command("makemessages", locale=["fr"], verbosity=0)
        after = CATALOGUE.read_text(encoding="utf-8")
    finally:
        CATALOGUE.write_text(before, encoding="utf-8")

    # Then nothing was added, removed or changed: every string is marked and in it
    assert CREATION_DATE.sub("", after) == CREATION_DATE.sub("", before), (
        "The French catalogue is out of date: run `make messages`, translate the new entries "
        "(locale/GLOSSARY.md) and commit locale/."
    )


def test_every_entry_is_translated_and_none_is_fuzzy():
    msgid = re.compile(r'^msgid "(.+)"$', re.M)
    untranslated = msgid.findall(_entries(["--untranslated", "--no-obsolete"]))
    fuzzy = msgid.findall(_entries(["--only-fuzzy", "--no-obsolete"]))

    assert untranslated == []
    assert fuzzy == []


def test_the_catalogue_keeps_every_placeholder_and_compiles(tmp_path):
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(CATALOGUE)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Add customer", "Ajouter un client"),
        ("Special qualifications", "Qualifications spéciales"),
        ("GCC validation code", "Code de validation GCC"),
        ("What's this?", "Qu\u2019est-ce que cela ?"),
        ("Submit a new request", "Envoyer une nouvelle demande"),
        ("Next: Subscriptions", "Suivant : Abonnements"),
        ("Add subscriptions", "Ajouter des abonnements"),
        ("Done", "Terminé"),
        ("Request a reseller relationship", "Demander une relation de revendeur"),
        ("Account", "Compte"),
        ("Admin agent", "Agent d\u2019administration"),
        ("Sales agent", "Commercial"),
    ],
)
def test_partner_centers_french_words_are_used(english, french):
    # the compiled catalogue (make test compiles it), as the pages get it
    with translation.override("fr"):
        translated = translation.gettext(english)
    # French typography: a non-breaking space before ":" and "?"
    assert translated.replace("\u00a0", " ") == french
