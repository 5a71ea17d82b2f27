import datetime

import factory
from django.test import Client
from django.utils import timezone

from collab.models import Application, Call
from tests.factories import ArtistFactory


def days_ahead(days: int) -> datetime.date:
    return timezone.now().date() + datetime.timedelta(days=days)


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call

    poster = factory.SubFactory(ArtistFactory)
    title = factory.Sequence(lambda n: f"Looking for a vocalist {n}")
    description = "A downtempo track, half written. I need a voice for the chorus."
    skills = factory.LazyFunction(lambda: ["vocalist"])
    genre = "downtempo"
    remote = True
    compensation = Call.Compensation.REVENUE_SHARE
    deadline = factory.LazyFunction(lambda: days_ahead(14))


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    applicant = factory.SubFactory(ArtistFactory)
    message = "I sing, and I love downtempo."


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
