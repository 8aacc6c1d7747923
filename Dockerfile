# Production image: gunicorn web, Celery worker and beat all run from it (docker-compose.yml).
# It holds code and collected static files only: no secret (settings come from the
# environment), no state (documents in S3-compatible storage, data in PostgreSQL/Redis), no
# test or lint tools (requirements/lock.txt is the runtime lock; the dev lock is not used here).
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error --omit=dev

# The translations, compiled with Debian's gettext, which stays out of the final image.
FROM debian:bookworm-slim AS messages
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY locale ./locale
RUN for po in locale/*/LC_MESSAGES/django.po; do msgfmt --check -o "${po%.po}.mo" "$po"; done

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=gccportal.settings.production \
    PORT=8000
WORKDIR /app
COPY requirements/lock.txt requirements/lock.txt
RUN pip install --no-cache-dir -r requirements/lock.txt
# .dockerignore keeps out .env, .git, var/, tests, node_modules and other local files.
COPY . .
COPY --from=assets /app/node_modules/bootstrap/dist ./node_modules/bootstrap/dist
COPY --from=messages /app/locale ./locale
# collectstatic imports the settings, which need values but no real service or secret.
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=localhost \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 CELERY_BROKER_URL=memory:// \
    PORTAL_BASE_URL=http://localhost AWS_STORAGE_BUCKET_NAME=build-only \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/build.sqlite3
RUN useradd --system --uid 1000 --no-create-home gccportal
USER gccportal
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=10s --retries=5 CMD ["python", "-m", "gccportal.healthcheck", "web"]
# gunicorn binds 0.0.0.0:$PORT when PORT is set.
CMD ["gunicorn", "gccportal.wsgi:application", "--workers", "3", "--access-logfile", "-"]
