"""A listener's own settings: e-mails and profile visibility."""

from .models import User


def update_preferences(*, user: User, email_new_releases: bool, public_profile: bool) -> User:
    User.objects.filter(pk=user.pk).update(
        email_new_releases=email_new_releases, public_profile=public_profile
    )
    user.email_new_releases, user.public_profile = email_new_releases, public_profile
    return user
