"""Seed the embedded default with demo artists, music and fans (idempotent)."""

import tempfile
from pathlib import Path

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from artists import services as artist_services
from artists.models import Artist
from backstage.demo import artwork, synthesise
from backstage.images import normalise_image
from backstage.models import User
from playlists import services as playlist_services
from playlists.models import Playlist
from tracks import services as track_services
from tracks.models import Release, Track

DEMO_PASSWORD = "listen-to-backstage"

ARTISTS = [
    {
        "name": "Mira Sol",
        "slug": "mira-sol",
        "location": "Lisbon",
        "bio": "Bedroom synth-pop about night buses and long summers.",
        "links": ["https://example.org/mira-sol"],
        "release": ("Night Bus Home", "ep", ["Last Stop", "Sodium Lights", "Window Seat"]),
        "singles": ["Tidewater"],
        "moods": {
            "Last Stop": ["melancholic", "dreamy"],
            "Sodium Lights": ["energetic", "happy"],
            "Window Seat": ["dreamy", "chill"],
            "Tidewater": ["uplifting", "romantic"],
        },
    },
    {
        "name": "The Lantern Choir",
        "slug": "the-lantern-choir",
        "location": "Glasgow",
        "bio": "Four friends, one harmonium, too many songs about the sea.",
        "links": [],
        "release": ("Harbour Songs", "album", ["Salt", "The Long Rope", "Gannets", "Home Light"]),
        "singles": [],
        "moods": {
            "Salt": ["melancholic", "dark"],
            "The Long Rope": ["dark"],
            "Gannets": ["happy", "uplifting"],
            "Home Light": ["calm", "romantic"],
        },
    },
    {
        "name": "Kōji Drift",
        "slug": "koji-drift",
        "location": "Osaka",
        "bio": "Slow ambient loops recorded between trains.",
        "links": ["https://example.org/koji"],
        "release": ("Platform 4", "ep", ["Morning Platform", "Overhead Wires"]),
        "singles": ["Rain on Tin"],
        "moods": {
            "Morning Platform": ["calm", "chill"],
            "Overhead Wires": ["dreamy", "dark"],
            "Rain on Tin": ["calm", "melancholic"],
        },
    },
]
COLLAB_PROFILES = {
    "mira-sol": {
        "skills": ["producer", "songwriter", "keys"],
        "genres": ["synth-pop", "electronic"],
        "open_to_collab": True,
    },
    "the-lantern-choir": {
        "skills": ["vocalist", "songwriter", "guitarist"],
        "genres": ["folk", "choral"],
        "open_to_collab": True,
    },
    "koji-drift": {
        "skills": ["producer", "sound-designer", "mixing-engineer"],
        "genres": ["ambient"],
        "open_to_collab": False,
    },
}
FANS = [("fan@example.com", "Sam Listener"), ("jo@example.com", "Jo Crate-Digger")]


class Command(BaseCommand):
    help = "Create demo artists with generated music, and demo fans. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=75, help="Length of each track.")

    def handle(self, *args, seconds: int, **options):
        admin = self._user("admin@example.com", "Site admin", staff=True)
        for email, name in FANS:
            self._user(email, name)
        seed = 0
        with tempfile.TemporaryDirectory() as tmp:
            for spec in ARTISTS:
                seed += 100
                if Artist.objects.filter(slug=spec["slug"]).exists():
                    continue
                self._artist(spec, seed=seed, seconds=seconds, workdir=Path(tmp))
        self._moods()
        self._library()
        self._plays()
        self._radio()
        self._similar_artists()
        self._collaboration(seconds=seconds)
        self._credits()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready. Log in as fan@example.com, mira-sol@example.com or {admin.email} "
                f"(password: {DEMO_PASSWORD})."
            )
        )

    def _moods(self) -> None:
        """The specs' mood tags, added to a track's tags where missing, so every mood station
        has something to play (also in a demo seeded before moods were)."""
        for spec in ARTISTS:
            tracks = Track.objects.filter(artist__slug=spec["slug"], title__in=spec["moods"])
            for track in tracks:
                missing = [m for m in spec["moods"][track.title] if m not in track.tags]
                if missing:
                    track_services.update_track(track=track, tags=[*track.tags, *missing])

    @transaction.atomic
    def _library(self) -> None:
        """Fans who follow, save and share playlists (one of them collaborative)."""
        fan, jo = (User.objects.get(email=email) for email, _ in FANS)
        if Playlist.objects.filter(owner=fan).exists():
            return
        tracks = {t.title: t for t in Track.objects.select_related("artist")}
        for slug in ("mira-sol", "koji-drift"):
            artist_services.set_following(user=fan, artist=Artist.objects.get(slug=slug), on=True)
        playlist_services.set_release_saved(
            user=fan, release=Release.objects.get(title="Harbour Songs"), on=True
        )
        for title in ("Tidewater", "Rain on Tin"):
            playlist_services.set_track_saved(user=fan, track=tracks[title], on=True)
        night = playlist_services.create_playlist(
            owner=fan,
            title="Night drives",
            description="Windows down, city lights, nobody talking.",
        )
        picks = ["Sodium Lights", "Overhead Wires", "Tidewater", "Home Light", "Rain on Tin"]
        playlist_services.add_tracks(playlist=night, tracks=[tracks[t] for t in picks], by=fan)
        sea = playlist_services.create_playlist(
            owner=jo, title="Sea shanties & static", description="Songs that smell of salt."
        )
        playlist_services.invite_collaborator(playlist=sea, user=fan)
        playlist_services.accept_invitation(playlist=sea, user=fan)
        picks = ["Salt", "Gannets", "Window Seat"]
        playlist_services.add_tracks(playlist=sea, tracks=[tracks[t] for t in picks], by=jo)
        playlist_services.set_playlist_followed(user=fan, playlist=sea, on=True)
        self.stdout.write("  fans: follows, saves and two playlists")

    def _plays(self) -> None:
        """Two months of listening, so the artists' stats pages have something to show."""
        from analytics.models import PlayEvent
        from analytics.simulate import simulate_listening

        if PlayEvent.objects.exists():
            return
        tracks = list(Track.objects.filter(status=Track.Status.READY))
        beacons = simulate_listening(tracks=tracks)
        plays = PlayEvent.objects.filter(counted=True).count()
        self.stdout.write(f"  listeners: {plays} plays over 60 days ({beacons} beacons drained)")

    def _radio(self) -> None:
        """Two weeks of radio: plays, likes, dislikes with reasons, skips, timed comments."""
        from radio.models import RadioPlay
        from radio.simulate import simulate_radio

        if RadioPlay.objects.exists():
            return
        fans = list(User.objects.filter(email__in=[email for email, _ in FANS]))
        plays = simulate_radio(commenters=fans)
        self.stdout.write(f"  radio: {plays} plays with feedback and timed comments")

    def _similar_artists(self) -> None:
        """Artist radio's neighbours, which the nightly task would otherwise compute only
        after the first night (shared tags and the listening above)."""
        from radio.models import ArtistSimilarity
        from radio.similarity import refresh_similarity

        if ArtistSimilarity.objects.exists():
            return
        pairs = refresh_similarity()
        self.stdout.write(f"  radio: {pairs} pairs of similar artists")

    def _collaboration(self, *, seconds: int) -> None:
        """Skills, genres and "open to collaborate" on the demo artists, two calls on the
        board (Mira's shares a private rough sketch as its reference track), and the choir's
        answer accepted, with a short conversation after it, so the board, the reference
        track, the directory and the messages look lived in."""
        import datetime
        import uuid

        from collab import services as collab_services
        from collab.models import Call, today
        from messaging import services as messaging_services

        for slug, profile in COLLAB_PROFILES.items():
            artist = Artist.objects.filter(slug=slug).first()
            if artist is not None and not artist.skills:
                artist_services.update_artist(artist=artist, **profile)
        if Call.objects.exists():
            return
        mira, koji, choir = (
            Artist.objects.get(slug=slug)
            for slug in ("mira-sol", "koji-drift", "the-lantern-choir")
        )
        with tempfile.TemporaryDirectory() as tmp:
            sketch = self._track(
                mira,
                "Last Bus (rough sketch)",
                seed=990,
                seconds=seconds,
                workdir=Path(tmp),
                visibility="private",
            )
        night_bus = collab_services.post_call(
            poster=mira,
            title="A voice for a night-bus ballad",
            description="A slow synth-pop song about the last bus home, written and half "
            "produced. I am looking for a warm, low voice for the verses and a harmony on the "
            "chorus. Remote is fine: send stems, I will mix.",
            skills=["vocalist"],
            genre="synth-pop",
            remote=True,
            place="",
            compensation=Call.Compensation.REVENUE_SHARE,
            deadline=today() + datetime.timedelta(days=30),
            reference_track=sketch,
        )
        collab_services.post_call(
            poster=koji,
            title="Field recordings for an ambient EP",
            description="Trains, rain, markets: I would love recordings from your city to "
            "weave into four ambient pieces. Credit on every track.",
            skills=["sound-designer", "mixing-engineer"],
            genre="ambient",
            remote=True,
            place="Osaka",
            compensation=Call.Compensation.FREE,
            deadline=today() + datetime.timedelta(days=45),
        )
        answer = collab_services.apply_to_call(
            call=night_bus,
            applicant=choir,
            message="Our singer has exactly that low voice, and we love a sad bus song. "
            "Have a listen to Salt.",
            tracks=list(Track.objects.filter(artist=choir, title="Salt")),
        )
        collab_services.decide_application(application=answer, decision="accept")
        for sender, recipient, body in (
            (mira, choir, "Salt is exactly the voice I hoped for. Stems by Friday?"),
            (choir, mira, "Friday works. Is the sketch in D minor?"),
            (mira, choir, "D minor, 84 bpm. I will send the click track tonight."),
        ):
            messaging_services.send_message(
                sender=sender.user,
                recipient=recipient.user,
                body=body,
                token=uuid.uuid4(),
                about=night_bus.title,
            )
        self.stdout.write(
            "  collaboration: profiles, two calls, a reference track, one answer accepted "
            "and a conversation"
        )

    def _credits(self) -> None:
        """Kōji Drift mixed Mira Sol's EP (confirmed: it appears on his page); The Lantern Choir
        is asked to confirm a featuring credit on her single, with a 70/30 split waiting."""
        from credits import services as credit_services
        from credits.models import Credit
        from tracks.models import Release

        if Credit.objects.exists():
            return
        mira, koji = Artist.objects.get(slug="mira-sol"), Artist.objects.get(slug="koji-drift")
        ep = Release.objects.get(artist=mira, title="Night Bus Home")
        mixed = credit_services.add_credit(
            work=ep, by=mira, artist_text="koji-drift", role="mixing"
        )
        credit_services.answer_credit(credit=mixed, artist=koji, confirm=True)
        tidewater = Track.objects.get(artist=mira, title="Tidewater")
        credit_services.add_credit(
            work=tidewater, by=mira, artist_text="the-lantern-choir", role="featuring"
        )
        credit_services.propose_split(
            work=tidewater, by=mira, text="mira-sol 70\nthe-lantern-choir 30"
        )
        self.stdout.write("  credits: a confirmed one, one asked, and a split waiting")

    def _user(self, email: str, name: str, *, staff: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                username=email.split("@")[0],
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                is_staff=staff,
                is_superuser=staff,
            )
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    @transaction.atomic
    def _artist(self, spec: dict, *, seed: int, seconds: int, workdir: Path) -> None:
        user = self._user(f"{spec['slug']}@example.com", spec["name"])
        artist = artist_services.create_artist(
            user=user,
            name=spec["name"],
            slug=spec["slug"],
            bio=spec["bio"],
            links=spec["links"],
            location=spec["location"],
            avatar=normalise_image(artwork(seed=seed + 1, size=400), max_side=400, stem="avatar"),
            banner=normalise_image(artwork(seed=seed + 2, size=1200), max_side=1600, stem="banner"),
        )
        title, kind, track_titles = spec["release"]
        release = track_services.create_release(
            artist=artist,
            title=title,
            kind=kind,
            visibility="public",
            cover=normalise_image(artwork(seed=seed + 3), max_side=1200, stem="cover"),
        )
        for position, track_title in enumerate(track_titles, start=1):
            self._track(
                artist,
                track_title,
                seed=seed + 10 + position,
                seconds=seconds,
                workdir=workdir,
                release=release,
                position=position,
            )
        for n, track_title in enumerate(spec["singles"]):
            self._track(
                artist,
                track_title,
                seed=seed + 50 + n,
                seconds=seconds,
                workdir=workdir,
                cover_seed=seed + 60 + n,
            )
        self.stdout.write(f"  {artist.name}: {len(track_titles) + len(spec['singles'])} tracks")

    def _track(
        self,
        artist,
        title,
        *,
        seed,
        seconds,
        workdir,
        release: Release | None = None,
        position: int = 0,
        cover_seed: int | None = None,
        visibility: str = "public",
    ) -> Track:
        path = synthesise(workdir / f"{seed}.flac", seed=seed, seconds=seconds)
        track = track_services.import_audio_file(
            artist=artist,
            path=path,
            filename=f"{title}.flac",
            release=release,
            position=position,
        )
        changes = {
            "title": title,
            "genre": "Electronic",
            "licence": "cc-by",
            "visibility": visibility,
        }
        if cover_seed is not None:
            changes["cover"] = normalise_image(
                artwork(seed=cover_seed), max_side=1200, stem="cover"
            )
        return track_services.update_track(track=track, **changes)
