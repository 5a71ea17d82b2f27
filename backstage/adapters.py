import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from .signin import suspended_message

log = logging.getLogger("backstage.signin")


class AccountAdapter(DefaultAccountAdapter):
    """Backstage's only customisation point for allauth."""

    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": (
            "Too many failed sign-in attempts for this account. It is locked for a few "
            "minutes: try again later, or reset your password."
        ),
    }

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

    def pre_login(self, request, user, **kwargs):
        """Every way allauth signs someone in (password, e-mail confirmation, password reset,
        sign-up) passes here: a suspended account is refused, and told why."""
        if user.suspended_at is not None:
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            log.info("sign-in refused: user %s is suspended", user.pk)
            messages.error(request, suspended_message())
            return HttpResponseRedirect(reverse("account_login"))
        return super().pre_login(request, user, **kwargs)

    def authentication_failed(self, request, **credentials):
        # A trace for the logs (no admin view of attempts: docs/security.md says why).
        log.info("failed sign-in from %s", self.get_client_ip(request))
