"""The benchmark's settings: production's (PostgreSQL with connections kept, Redis cache,
DEBUG off), served over plain HTTP on loopback, with two reference pages added
(benchmarks/urls.py). Every value production reads from the environment is set by
benchmarks/run.py."""

from gccportal.settings.production import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
# Plain HTTP on loopback: no redirect to HTTPS (the session cookie's Secure flag does not
# stop a load tool from sending it).
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
# Static files from the finders: the benchmark does not run collectstatic.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
