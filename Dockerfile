# Production-like image: gunicorn (config/gunicorn.py) + whitenoise, database from DATABASE_URL,
# SECRET_KEY from the environment. Listens on all the container's interfaces.
# Python 3.13 (latest patch) is the recommended version (docs/scaling.md: CPython's fix for the
# frame-stack churn that slowed the htmx partial, issue #142183, is in 3.13 and 3.14, not in
# 3.11/3.12); 3.11+ is supported (pyproject's requires-python): PYTHON_VERSION=3.11 builds that.
ARG PYTHON_VERSION=3.13
FROM python:${PYTHON_VERSION}-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.prod \
    HOST=0.0.0.0 PORT=8000
# Node for the front-end packages; Pango and a font for WeasyPrint (PDF invoices); the
# PostgreSQL 18 client tools (pg_dump/pg_restore for tenant backups) from PGDG.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm libpango-1.0-0 libpangoft2-1.0-0 \
       fontconfig fonts-dejavu-core ca-certificates curl gnupg \
    && install -d /usr/share/postgresql-common/pgdg \
    && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc \
       -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
    && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt bookworm-pgdg main" \
       > /etc/apt/sources.list.d/pgdg.list \
    && apt-get update && apt-get install -y --no-install-recommends postgresql-client-18 \
    && apt-get purge -y curl gnupg && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock package.json package-lock.json ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock && npm ci --no-audit --no-fund
COPY . .
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 --home /app clientele && mkdir -p /app/.data && chown clientele /app/.data
USER clientele
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
