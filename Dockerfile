# The Backstage image: one image for the web server, the Celery worker and Celery beat
# (docker-compose.yml picks the command). See docs/deploy.md.
FROM python:3.12-slim-bookworm

# ffmpeg probes and transcodes uploads (tracks/audio/); the worker needs it, the web server
# only for the embedded default, but one image keeps the two in step.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=backstage.settings

WORKDIR /app

# Dependencies first, exactly as locked, so code changes do not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project --no-cache

# The app runs as an unprivileged user that can write only var/ (the embedded default's
# SQLite and media, Celery beat's schedule) and staticfiles/; the code stays read-only.
COPY deploy/entrypoint.sh /usr/local/bin/backstage-entrypoint
RUN chmod 755 /usr/local/bin/backstage-entrypoint \
    && useradd --system --create-home --uid 10001 --user-group backstage \
    && mkdir -p /app/var /app/staticfiles \
    && chown backstage:backstage /app/var /app/staticfiles
COPY . .

USER backstage

# Static files are part of the image (hashed names, pre-compressed by WhiteNoise). The web
# container copies them again at start into the volume nginx serves (deploy/entrypoint.sh).
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only-not-a-real-secret-key-0000000000 \
    python manage.py collectstatic --noinput --verbosity 0

EXPOSE 8000
ENTRYPOINT ["backstage-entrypoint"]
CMD ["gunicorn", "backstage.wsgi", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips", "*", \
     "--access-logfile", "-"]
