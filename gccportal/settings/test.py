"""Test settings: real PostgreSQL and Redis (started by `make test`)."""

from .base import *  # noqa: F403
from .base import env

INSTALLED_APPS = [*INSTALLED_APPS, "tests.reviews_testapp"]  # noqa: F405 (tests `reviews` alone)

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"  # noqa: S105
DEBUG = False
DEMO_DATA_ALLOWED = True
# Webhooks to a receiver on this machine (http://127.0.0.1:…).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=True)
ALLOWED_HOSTS = ["*"]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/gccportal"),
}
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/1")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}
# Each test's SLA figures computed afresh (the cache outlives a test); tests/reviews/test_sla.py
# turns the cache on where it tests it.
REVIEW_SLA_CACHE_SECONDS = 0
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
# Most tests run tasks inline after commit; tests marked `worker` use a real worker process.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("DJANGO_EMAIL_FILE_PATH", default="/tmp/gccportal-test-emails")  # noqa: S108

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Static files straight from the finders (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
