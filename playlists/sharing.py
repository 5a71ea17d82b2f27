"""What sharing a page needs: absolute URLs, the embed iframe code, social links and the Open
Graph / Twitter card fields of tracks, releases, playlists and artists.

Everything here is data (strings and numbers, never markup built by hand except the iframe
code, which is escaped with `format_html`); templates and the oEmbed view render it.
"""

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode, urljoin, urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from artists.models import Artist
from tracks.models import Release, Track, Visibility

from .models import Playlist
from .selectors import first_cover

KINDS = ("track", "release", "playlist", "artist")
THEMES = ("light", "dark")
WIDTH = 560
# Height of the embed iframe by layout: one track, or a collection with its tracklist.
HEIGHTS = {
    "standard": {"track": 160, "collection": 420},
    "compact": {"track": 80, "collection": 80},
}
SIZES = tuple(HEIGHTS)
MAX_START = 24 * 3600


def absolute(url: str) -> str:
    """`url` on SITE_URL (already absolute URLs, e.g. S3 pictures, are kept)."""
    return urljoin(settings.SITE_URL + "/", url)


def site_host() -> str:
    return urlsplit(settings.SITE_URL).netloc.lower()


def kind_of(obj) -> str:
    for cls, kind in ((Track, "track"), (Release, "release"), (Playlist, "playlist")):
        if isinstance(obj, cls):
            return kind
    if isinstance(obj, Artist):
        return "artist"
    raise TypeError(f"{type(obj).__name__} cannot be shared.")


def is_shareable(obj) -> bool:
    """Public and unlisted music (not taken down, by an artist in good standing) has a share
    menu, cards and an embed; private and taken-down items have none."""
    if isinstance(obj, Artist):
        return not obj.is_suspended
    if obj.visibility == Visibility.PRIVATE or obj.is_taken_down:
        return False
    if isinstance(obj, Playlist) and obj.is_hidden:
        return False
    if isinstance(obj, Track) and not obj.is_playable:
        return False
    if isinstance(obj, Playlist):
        return not obj.owner.is_suspended
    return not (hasattr(obj, "artist") and obj.artist.is_suspended)


def is_collection(kind: str) -> bool:
    return kind != "track"


def embed_height(kind: str, size: str = "standard") -> int:
    return HEIGHTS[size]["collection" if is_collection(kind) else "track"]


def _image(obj):
    if isinstance(obj, Track):
        return obj.display_cover
    if isinstance(obj, Artist):
        return obj.avatar or None
    if isinstance(obj, Playlist) and not obj.cover:
        return first_cover(playlist=obj)
    return obj.cover or None


@dataclass(frozen=True)
class Share:
    """One shareable item, seen from outside: every URL absolute."""

    kind: str
    id: str  # public id (artist: slug)
    title: str
    author_name: str
    author_url: str
    page_url: str
    image: object = field(default=None, repr=False)  # an ImageFieldFile, or None
    description: str = ""

    @property
    def image_url(self) -> str:
        return absolute(self.image.url) if self.image else ""

    @property
    def embed_url(self) -> str:
        return absolute(reverse(f"embed:{self.kind}", args=[self.id]))

    @property
    def oembed_url(self) -> str:
        return absolute(reverse("embed:oembed")) + "?" + urlencode({"url": self.page_url})

    @property
    def title_by(self) -> str:
        return f"{self.title} by {self.author_name}" if self.author_name else self.title

    @property
    def player_title(self) -> str:
        """The iframe's accessible name."""
        return f"{self.title_by} — {settings.SITE_NAME} player"


def share_of(obj) -> Share:
    kind = kind_of(obj)
    if kind == "artist":
        return Share(
            kind=kind,
            id=obj.slug,
            title=obj.name,
            author_name="",
            author_url=absolute(obj.get_absolute_url()),
            page_url=absolute(obj.get_absolute_url()),
            image=_image(obj),
            description=obj.bio,
        )
    if kind == "playlist":
        # Listeners' own pages are not linked: a playlist names its maker, nothing more.
        author, author_url = obj.owner.name, ""
    else:
        author, author_url = obj.artist.name, absolute(obj.artist.get_absolute_url())
    return Share(
        kind=kind,
        id=obj.public_id,
        title=obj.title,
        author_name=author,
        author_url=author_url,
        page_url=absolute(obj.get_absolute_url()),
        image=_image(obj),
        description=getattr(obj, "description", ""),
    )


# --- Embed code -------------------------------------------------------------------------------


def embed_src(share: Share, *, theme: str = "light", size: str = "standard", start: int = 0) -> str:
    query = {}
    if theme != "light":
        query["theme"] = theme
    if size != "standard":
        query["size"] = size
    if start and share.kind == "track":
        query["t"] = int(start)
    return share.embed_url + ("?" + urlencode(query) if query else "")


def iframe_code(
    share: Share,
    *,
    theme: str = "light",
    size: str = "standard",
    start: int = 0,
    width: int = WIDTH,
    height: int | None = None,
) -> str:
    """The `<iframe>` people paste into their sites (and oEmbed's `html`)."""
    return format_html(
        '<iframe src="{}" width="{}" height="{}" title="{}" loading="lazy" allow="autoplay"'
        ' style="border:0;border-radius:12px;max-width:100%"></iframe>',
        embed_src(share, theme=theme, size=size, start=start),
        width,
        height or embed_height(share.kind, size),
        share.player_title,
    )


# --- Social sites -----------------------------------------------------------------------------


def social_links(share: Share) -> list[tuple[str, str]]:
    """(site name, share URL) for the common social sites, each opening a prefilled post."""
    url, text = share.page_url, share.title_by
    q = quote
    return [
        ("X", f"https://x.com/intent/post?url={q(url, safe='')}&text={q(text, safe='')}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={q(url, safe='')}"),
        ("Reddit", f"https://www.reddit.com/submit?url={q(url, safe='')}&title={q(text, safe='')}"),
        ("Bluesky", f"https://bsky.app/intent/compose?text={q(f'{text} {url}', safe='')}"),
        ("Mastodon", f"https://mastodonshare.com/?text={q(text, safe='')}&url={q(url, safe='')}"),
        ("WhatsApp", f"https://wa.me/?text={q(f'{text} {url}', safe='')}"),
        ("E-mail", f"mailto:?subject={q(text, safe='')}&body={q(url, safe='')}"),
    ]


# --- Open Graph and Twitter cards ---------------------------------------------------------------

OG_TYPES = {
    "track": "music.song",
    "release": "music.album",
    "playlist": "music.playlist",
    "artist": "profile",
}


def meta_tags(
    share: Share,
    *,
    songs=(),
    audio_url: str = "",
    duration=None,
    album: Release | None = None,
    album_track: int = 0,
    release_date=None,
) -> list[tuple]:
    """(attribute, name, value) triples for <meta> tags: Open Graph (property=) and the
    Twitter/X player card (name=). Values are plain text; the template escapes them."""
    height = embed_height(share.kind)
    description = (share.description or f"{share.title_by} — listen on {settings.SITE_NAME}.")[:300]
    tags = [
        ("property", "og:type", OG_TYPES[share.kind]),
        ("property", "og:site_name", settings.SITE_NAME),
        ("property", "og:title", share.title_by),
        ("property", "og:description", description),
        ("property", "og:url", share.page_url),
    ]
    if share.image_url:
        tags += [
            ("property", "og:image", share.image_url),
            ("property", "og:image:alt", f"Picture for {share.title}"),
        ]
    if audio_url:
        tags += [
            ("property", "og:audio", audio_url),
            ("property", "og:audio:type", "audio/mpeg"),
        ]
    if duration:
        tags.append(("property", "music:duration", str(int(duration))))
    if album is not None:
        tags.append(("property", "music:album", absolute(album.get_absolute_url())))
        if album_track:
            tags.append(("property", "music:album:track", str(album_track)))
    if share.kind in ("track", "release") and share.author_url:
        tags.append(("property", "music:musician", share.author_url))
    if release_date:
        tags.append(("property", "music:release_date", release_date.isoformat()))
    if share.kind == "playlist" and share.author_url:
        tags.append(("property", "music:creator", share.author_url))
    for number, song in enumerate(songs, start=1):
        tags += [
            ("property", "music:song", absolute(song.get_absolute_url())),
            ("property", "music:song:track", str(number)),
        ]
    tags += [
        ("property", "og:video", share.embed_url),
        ("property", "og:video:secure_url", share.embed_url),
        ("property", "og:video:type", "text/html"),
        ("property", "og:video:width", str(WIDTH)),
        ("property", "og:video:height", str(height)),
        ("name", "twitter:card", "player"),
        ("name", "twitter:title", share.title_by),
        ("name", "twitter:description", description),
        ("name", "twitter:player", share.embed_url),
        ("name", "twitter:player:width", str(WIDTH)),
        ("name", "twitter:player:height", str(height)),
    ]
    if share.image_url:
        tags.append(("name", "twitter:image", share.image_url))
    return tags
