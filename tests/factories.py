import factory
from django.core.files.base import ContentFile

from artists.models import Artist
from backstage.models import User
from tracks.models import Release, Rendition, Track


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ArtistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Artist

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Artist {n}")
    slug = factory.Sequence(lambda n: f"artist-{n}")
    bio = "Makes music in a shed."


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    artist = factory.SubFactory(ArtistFactory)
    title = factory.Sequence(lambda n: f"Release {n}")


class TrackFactory(factory.django.DjangoModelFactory):
    """A ready track with (tiny, fake) renditions; use the pipeline for real audio."""

    class Meta:
        model = Track
        skip_postgeneration_save = True

    artist = factory.SubFactory(ArtistFactory)
    title = factory.Sequence(lambda n: f"Track {n}")
    status = Track.Status.READY
    duration = 4.0
    original = factory.LazyFunction(lambda: ContentFile(b"fLaC-not-really", name="original.flac"))
    original_filename = "original.flac"
    peaks = factory.LazyFunction(lambda: [10, 40, 90, 60, 30] * 20)

    @factory.post_generation
    def renditions(obj, create, extracted, **kwargs):
        if create and obj.status == Track.Status.READY and extracted is not False:
            for fmt in ("opus", "mp3"):
                Rendition.objects.create(
                    track=obj,
                    format=fmt,
                    size=1000,
                    bitrate=96000,
                    file=ContentFile(bytes(range(256)) * 40, name=f"{fmt}.{fmt}"),
                )
