# Production-like image: gunicorn (config/gunicorn.py) + whitenoise, database from DATABASE_URL,
# SECRET_KEY from the environment. Listens on all the container's interfaces.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.prod \
    HOST=0.0.0.0 PORT=8000
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock package.json package-lock.json ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock && npm ci --no-audit --no-fund
COPY . .
RUN SECRET_KEY=collectstatic-only DATABASE_URL=postgres://unused/unused python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
