"""An artist connects payouts in Chromium: Studio → Get paid → the sandbox's hosted onboarding →
back on Backstage, where payouts turn on once the signed account.updated has come in."""

import pytest

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.paying import connect_payouts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_artist_connects_payouts_through_the_hosted_page(page, live_server, artist, embedded):
    sign_in(page, live_server, artist.user)

    connect_payouts(page, embedded, artist, check=assert_accessible)

    screenshot(page, "payouts-on")
