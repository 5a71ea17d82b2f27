from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Backstage's only customisation point for allauth."""

    def populate_username(self, request, user):
        # Logins are by e-mail; the username is an internal, unique handle derived from it.
        super().populate_username(request, user)

    def get_email_confirmation_url(self, request, emailconfirmation):
        url = super().get_email_confirmation_url(request, emailconfirmation)
        if url.startswith("/"):
            url = settings.SITE_URL + url
        return url

    def format_email_subject(self, subject):
        return f"[{settings.SITE_NAME}] {subject}"
