#!/bin/sh
# Runs before every command in the Backstage image. When the command is the web server it
# first brings the database schema up to date and copies the static files into STATIC_ROOT
# (in docker-compose, the volume nginx serves /static/ from: a volume keeps the files of the
# first image it saw, so a rebuilt image must refresh them). Celery and one-off commands
# (`manage.py createsuperuser`, ...) start straight away.
set -eu

if [ "${1:-}" = "gunicorn" ]; then
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput --verbosity 0
fi

exec "$@"
