"""`makemessages` with the portal's options, so that `make messages`, the build and the
catalogue test (tests/gccportal/test_translations.py) extract exactly the same entries:
the portal's own code and templates (not the tests, the npm packages or local state), each
entry with the files it comes from (no line numbers: moving code changes nothing), no
obsolete entries kept. Run: `python manage.py makemessages -l fr` (or `make messages`)."""

from django.core.management.commands import makemessages

IGNORED = ["node_modules", "tests", "var", "test-artifacts", "benchmarks", "locale", "static"]


class Command(makemessages.Command):
    def handle(self, *args, **options):
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *IGNORED]
        options["add_location"] = options.get("add_location") or "file"
        options["no_obsolete"] = True
        return super().handle(*args, **options)
