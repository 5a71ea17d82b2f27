import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backstage.settings")
django_application = get_wsgi_application()

from analytics.handler import with_beacon_path  # noqa: E402 (needs Django set up)

application = with_beacon_path(django_application)
