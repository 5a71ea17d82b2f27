"""Reads for credits and split proposals; `access_*` raise Http404 for anything the user may not
see (a work they neither uploaded nor are a party to is as missing as an unknown one)."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404

from artists.models import Artist
from artists.selectors import artist_of
from backstage.models import User
from payments.split_models import Split
from tracks.models import Release, Track
from tracks.selectors import listed_releases, listed_tracks

from .models import Credit, ProposalShare, SplitProposal

KINDS = {"track": Track, "release": Release}
LIVE = [Credit.Status.PENDING, Credit.Status.CONFIRMED]  # credits that make someone a party


class NotAnArtist(Exception):
    """Credits and splits are between artists: the user has no artist profile yet."""


def artist_required(*, user: User) -> Artist:
    artist = artist_of(user=user)
    if artist is None:
        raise NotAnArtist
    return artist


def work_filter(work: Track | Release) -> dict:
    return {"track": work} if isinstance(work, Track) else {"release": work}


def kind_of(work: Track | Release) -> str:
    return "track" if isinstance(work, Track) else "release"


def find_artist(*, text: str) -> Artist | None:
    """The artist someone typed: their address (with or without @), else their exact name
    (case-insensitive; None when several artists share it, so nobody is credited by chance)."""
    text = text.strip().lstrip("@").strip()[:100]
    if not text:
        return None
    by_slug = Artist.objects.filter(slug=text.lower()).first()
    if by_slug is not None:
        return by_slug
    named = list(Artist.objects.filter(name__iexact=text)[:2])
    return named[0] if len(named) == 1 else None


def _is_party(artist: Artist, work: Track | Release) -> bool:
    where = work_filter(work)
    return (
        Credit.objects.filter(**where, artist=artist, status__in=LIVE).exists()
        or ProposalShare.objects.filter(
            **{f"proposal__{key}": value for key, value in where.items()}, artist=artist
        ).exists()
        or Split.objects.filter(**where, artist=artist).exists()
    )


def access_work(
    *, user: User, kind: str, public_id: str, write: bool = False
) -> tuple[Track | Release, Artist]:
    """The work and the user's artist, if the user uploaded it (write=True: only then) or is a
    party to it (credited, or sharing its sales now or in a proposal); Http404 otherwise.
    Raises NotAnArtist for a user without an artist profile."""
    artist = artist_required(user=user)
    model = KINDS.get(kind)
    if model is None:
        raise Http404("No such work.")
    related = ("artist", "release") if model is Track else ("artist",)
    work = model.objects.select_related(*related).filter(public_id=public_id).first()
    if work is None:
        raise Http404("No such work.")
    if work.artist_id == artist.id:
        return work, artist
    if write or not _is_party(artist, work):
        raise Http404("No such work.")
    return work, artist


def access_credit(*, user: User, credit_id: int) -> tuple[Credit, Artist]:
    """A credit the user's artist holds, or on a work they uploaded; Http404 otherwise."""
    artist = artist_required(user=user)
    credit = (
        Credit.objects.select_related("artist", "track__artist", "release__artist")
        .filter(id=credit_id)
        .filter(Q(artist=artist) | Q(track__artist=artist) | Q(release__artist=artist))
        .first()
    )
    if credit is None:
        raise Http404("No such credit.")
    return credit, artist


def access_proposal(*, user: User, proposal_id: int) -> tuple[SplitProposal, Artist]:
    """A proposal in which the user's artist has a share to answer; Http404 otherwise."""
    artist = artist_required(user=user)
    proposal = (
        SplitProposal.objects.select_related("track__artist", "release__artist", "proposed_by")
        .filter(id=proposal_id, shares__artist=artist)
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal.")
    return proposal, artist


def credited_artist_ids(work: Track | Release) -> set[int]:
    """Artists credited (confirmed or still asked) on the work or, for a track, its release;
    for a release, on it or any of its tracks: the people its sales may be split with."""
    if isinstance(work, Track):
        on = Q(track=work) | (Q(release_id=work.release_id) if work.release_id else Q(pk__in=[]))
    else:
        on = Q(release=work) | Q(track__release=work)
    return set(Credit.objects.filter(on, status__in=LIVE).values_list("artist_id", flat=True))


def _proposals(work: Track | Release):
    shares = ProposalShare.objects.select_related("artist")
    return (
        SplitProposal.objects.filter(**work_filter(work))
        .select_related("proposed_by")
        .prefetch_related(Prefetch("shares", queryset=shares))
    )


def work_page(*, work: Track | Release, artist: Artist) -> dict:
    """Everything the credits page of a work shows its uploader or one of its parties."""
    field = kind_of(work)
    credits = list(Credit.objects.filter(**work_filter(work)).select_related("artist"))
    proposals = list(_proposals(work))
    for row in credits + proposals:  # they are all about this work: no query per row for it
        setattr(row, field, work)
    return {
        "work": work,
        "kind": kind_of(work),
        "artist": artist,
        "is_owner": work.artist_id == artist.id,
        "credits": credits,
        "splits": list(Split.objects.filter(**work_filter(work)).select_related("artist")),
        "pending": next((p for p in proposals if p.status == SplitProposal.Status.PENDING), None),
        "proposals": proposals,
        "roles": Credit.Role.choices,
    }


def inbox(*, artist: Artist) -> dict:
    """An artist's credits page: what waits for their answer, their credits on others' work,
    and their own works that have credits or proposals."""
    mine = Credit.objects.filter(artist=artist).select_related("track__artist", "release__artist")
    waiting_shares = ProposalShare.objects.filter(
        artist=artist,
        answer=ProposalShare.Answer.PENDING,
        proposal__status=SplitProposal.Status.PENDING,
    ).select_related(
        "proposal__track__artist", "proposal__release__artist", "proposal__proposed_by"
    )
    has_credits = Credit.objects.filter(Q(track=OuterRef("pk")) | Q(release=OuterRef("pk")))
    return {
        "artist": artist,
        "asked": list(mine.filter(status=Credit.Status.PENDING)),
        "confirmed": list(mine.filter(status=Credit.Status.CONFIRMED)),
        "waiting_shares": list(waiting_shares),
        "own_tracks": list(
            Track.objects.filter(artist=artist).filter(Exists(has_credits)).order_by("title")
        ),
        "own_releases": list(
            Release.objects.filter(artist=artist).filter(Exists(has_credits)).order_by("title")
        ),
    }


def confirmed_credits(work: Track | Release) -> list[Credit]:
    """The credits shown publicly on a work's page, artists in good standing only."""
    return list(
        Credit.objects.filter(
            **work_filter(work), status=Credit.Status.CONFIRMED, artist__is_suspended=False
        ).select_related("artist")
    )


def appears_on(*, artist: Artist, limit: int = 50) -> dict:
    """Listed music by other artists on which `artist` has a confirmed credit (two queries):
    private, unlisted, taken-down music and suspended uploaders stay out, as everywhere."""
    confirmed = Credit.objects.filter(artist=artist, status=Credit.Status.CONFIRMED)
    tracks = (
        listed_tracks()
        .filter(Exists(confirmed.filter(track=OuterRef("pk"))))
        .exclude(artist=artist)
        .order_by("-created_at")[:limit]
    )
    releases = (
        listed_releases()
        .filter(Exists(confirmed.filter(release=OuterRef("pk"))))
        .exclude(artist=artist)
        .order_by("-created_at")[:limit]
    )
    return {"credited_tracks": list(tracks), "credited_releases": list(releases)}


def credits_any_of(kind: str, artist_ids) -> Q:
    """A filter for releases (kind "release") or tracks ("track") on which any of `artist_ids`
    (ids or a values queryset) has a confirmed credit — for a release, on it or on one of its
    tracks. Subqueries, so a feed stays one query whatever the number of follows."""
    confirmed = Credit.objects.filter(
        status=Credit.Status.CONFIRMED, artist_id__in=artist_ids, artist__is_suspended=False
    )
    if kind == "track":
        return Q(Exists(confirmed.filter(track=OuterRef("pk"))))
    return Q(Exists(confirmed.filter(release=OuterRef("pk")))) | Q(
        Exists(confirmed.filter(track__release=OuterRef("pk")))
    )
