# Production image: gunicorn serves pages and API; the same image runs Celery.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-fund --no-audit
COPY static/scss static/scss
RUN npm run build:css

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=oneplan.settings.production
WORKDIR /app
RUN useradd --create-home --uid 1000 oneplan
# Only the runtime lock: every package, direct or indirect, pinned and checked against its
# hash. The development lock (tests, linters, Faker for the demo data) never enters the
# image, nor does the demo seeder (.dockerignore). pip check proves the lock is complete.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements.lock && pip check
COPY --from=assets /app/node_modules/govuk-frontend/dist node_modules/govuk-frontend/dist
COPY --from=assets /app/node_modules/htmx.org/dist node_modules/htmx.org/dist
COPY --from=assets /app/static/build static/build
COPY . .
# collectstatic needs the production settings to import, and they refuse to load without
# every required value; these throwaway values (a fresh encryption key each build) are
# never used at run time.
RUN SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    ALLOWED_HOSTS=build BASE_URL=https://build.invalid \
    MFA_ENCRYPTION_KEYS="$(python -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')" \
    python manage.py collectstatic --no-input
USER oneplan
EXPOSE 8000
CMD ["gunicorn", "oneplan.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
