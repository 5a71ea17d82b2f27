from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_URL": settings.SITE_URL,
        "EMBEDDED_DEFAULT": settings.CELERY_TASK_ALWAYS_EAGER,
        "PAYMENTS_SANDBOX": settings.PAYMENTS_SANDBOX,
    }
