"""Splits: setting who shares a work's artist part, and dividing a booked share among them."""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from artists.models import Artist
from tracks.models import Release, Track

from .checkout_models import Payment
from .models import LedgerAccount, LedgerEntry
from .split_models import Split
from .splitting import allocate

WHOLE = 10_000  # basis points in 100 %
MAX_PARTIES = 20
PERCENT = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


@dataclass(frozen=True)
class Party:
    artist: Artist
    basis_points: int


def parse_splits(text: str, *, owner: Artist) -> list[Party]:
    """Read "artist-slug percent" lines (e.g. "mira-sol 33.34") into parties summing to 100 %.

    Raises ValidationError listing every problem (its messages are plain text; templates escape
    them). An empty text means no splits: the uploader keeps the whole artist part.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_PARTIES:
        raise ValidationError(f"At most {MAX_PARTIES} people can share a work.")
    errors, wanted = [], []
    for number, line in enumerate(lines, start=1):
        slug, _, percent = line.rpartition(" ")
        slug, percent = slug.strip().lstrip("@"), percent.strip().rstrip("%")
        if not slug or not PERCENT.match(percent):
            errors.append(
                f"Line {number}: write an artist's address and a percentage, e.g. “mira-sol 50”."
            )
            continue
        try:
            basis_points = int(Decimal(percent) * 100)
        except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
            basis_points = 0
        if not 0 < basis_points <= WHOLE:
            errors.append(f"Line {number}: a share is more than 0 % and at most 100 %.")
            continue
        wanted.append((number, slug[:100], basis_points))
    artists = {a.slug: a for a in Artist.objects.filter(slug__in=[slug for _, slug, _ in wanted])}
    parties, seen = [], set()
    for number, slug, basis_points in wanted:
        artist = artists.get(slug)
        if artist is None:
            errors.append(f"Line {number}: there is no artist “{slug}”.")
        elif artist.pk in seen:
            who = "You are" if artist.pk == owner.pk else f"{artist.name} is"
            errors.append(f"Line {number}: {who} listed twice; give each person one share.")
        else:
            seen.add(artist.pk)
            parties.append(Party(artist, basis_points))
    if not errors and parties and (total := sum(p.basis_points for p in parties)) != WHOLE:
        errors.append(
            f"The shares add up to {total / 100:.2f} %; they must add up to exactly 100 %."
        )
    if errors:
        raise ValidationError(errors)
    return parties


def set_splits(*, work: Track | Release, parties: list[Party]) -> list[Split]:
    """Replace `work`'s splits with `parties` (none: the uploader keeps the whole part).

    The caller has checked that the uploader owns `work`. Sales already booked keep the shares
    they were booked with; only later sales use the new ones."""
    if parties and sum(p.basis_points for p in parties) != WHOLE:
        raise ValidationError("Splits must add up to exactly 100 %.")
    field = "track" if isinstance(work, Track) else "release"
    with transaction.atomic():
        Split.objects.filter(**{field: work}).delete()
        return Split.objects.bulk_create(
            Split(**{field: work}, artist=p.artist, basis_points=p.basis_points, position=i)
            for i, p in enumerate(parties)
        )


def splits_of(work: Track | Release) -> list[Split]:
    field = "track" if isinstance(work, Track) else "release"
    return list(Split.objects.filter(**{field: work}).select_related("artist"))


def share_out(*, payment: Payment, share: int) -> list[tuple[Artist, int]]:
    """Who gets what of the artist `share` of `payment`: its track's splits, else its release's
    (a track's own release when the track has none), else all of it to the payment's artist.

    Deterministic (largest remainders, ties to the earlier party) and the parts sum to `share`.
    A payment already booked (a replayed event) gets the parts it was booked with, even if the
    splits have changed since, so the replay finds the same entries and books nothing new."""
    if payment.status != Payment.Status.PENDING and payment.payment_intent_id:
        booked = LedgerEntry.objects.filter(
            transaction__kind=payment.kind,
            transaction__reference=payment.payment_intent_id,
            account__kind=LedgerAccount.Kind.ARTIST_BALANCE,
        ).select_related("account__artist")
        if booked:
            return [(row.account.artist, row.amount) for row in booked]
    splits = []
    if payment.track_id:
        splits = list(Split.objects.filter(track_id=payment.track_id).select_related("artist"))
        release_id = payment.release_id or (payment.track.release_id if payment.track else None)
    else:
        release_id = payment.release_id
    if not splits and release_id:
        splits = list(Split.objects.filter(release_id=release_id).select_related("artist"))
    if not splits or payment.kind != Payment.Kind.SALE:
        return [(payment.artist, share)]
    parts = allocate(share, [split.basis_points for split in splits])
    return [(split.artist, part) for split, part in zip(splits, parts, strict=True)]
