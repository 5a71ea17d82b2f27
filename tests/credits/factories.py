import factory

from credits.models import Credit
from tests.factories import ArtistFactory, TrackFactory


class CreditFactory(factory.django.DjangoModelFactory):
    """A confirmed credit on a track (pass status="pending" for one still asked)."""

    class Meta:
        model = Credit

    track = factory.SubFactory(TrackFactory)
    artist = factory.SubFactory(ArtistFactory)
    role = Credit.Role.FEATURING
    status = Credit.Status.CONFIRMED
