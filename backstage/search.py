"""Search across listed music, artists, public playlists and tags.

On PostgreSQL each searchable table carries a `search_vector` kept by a trigger and indexed with
GIN (backstage/migrations/0003_search_vectors.py): every word typed becomes a prefix lexeme
(`harb:*`), all must match, and results come in ts_rank order (a title outweighs a genre or a
tag, which outweigh a description, bio or credits). Elsewhere (the embedded SQLite default) each
word must appear somewhere in the same fields, case-insensitively, newest first.

Only what anyone may find is searched: listed tracks (playable, public, artist in good standing),
public releases with something to play, artists not suspended, public playlists not taken down
(and not of a suspended person).
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import Col

from artists.models import Artist
from playlists.models import Playlist
from tracks.models import Visibility
from tracks.selectors import listed_releases, listed_tracks, with_tag

KINDS = ("tracks", "releases", "artists", "playlists", "tags")
MAX_QUERY_CHARS = 200
MAX_WORDS = 8
COUNT_CAP = 100  # tab labels say "100+" rather than count every match of a very common word
TAB_DEPTH = 1000  # how far a tab pages (50 pages of 20)
RANK_CANDIDATES = TAB_DEPTH + 1  # the newest matches ranked for a tab
PREVIEW_CANDIDATES = 200  # instant results and the All tab show a few of each kind
# Columns lists of results never show: a track's waveform peaks alone are kilobytes.
UNSHOWN = {
    "tracks": ("peaks", "embedded_tags", "edited_fields", "credits", "status_message"),
    "releases": ("description",),
    "artists": ("bio", "links"),
    "playlists": ("description",),
}

# The words of a query: letters and digits in any script. Everything else (tsquery operators,
# quotes, backslashes, emoji) separates words, so no input can change the query's syntax.
WORD = re.compile(r"[^\W_]+")

FIELDS = {
    "tracks": ("title", "genre", "tags", "credits"),
    "releases": ("title", "description"),
    "artists": ("name", "location", "bio"),
    "playlists": ("title", "description"),
}


@dataclass(frozen=True)
class Query:
    """What someone typed, cleaned: the words to match and, for "#ambient", the tag asked for."""

    text: str
    words: tuple[str, ...]
    tag: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.words

    @property
    def tsquery(self) -> str:
        """`harb:* & lig:*`: safe because words hold only letters and digits."""
        return " & ".join(f"{word}:*" for word in self.words)


def parse_query(raw: str | None) -> Query:
    text = " ".join((raw or "").split())[:MAX_QUERY_CHARS]
    words = tuple(dict.fromkeys(w.lower() for w in WORD.findall(text)))[:MAX_WORDS]
    tag = " ".join(words) if text.startswith("#") else ""
    return Query(text=text, words=words, tag=tag)


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


# --- Who may be found --------------------------------------------------------------------------


def findable(kind: str) -> QuerySet:
    if kind == "tracks":
        return listed_tracks()
    if kind == "releases":
        return listed_releases()
    if kind == "artists":
        return Artist.objects.filter(is_suspended=False)
    if kind == "playlists":
        return Playlist.objects.filter(
            visibility=Visibility.PUBLIC,
            taken_down_at__isnull=True,
            owner__is_active=True,
            owner__suspended_at__isnull=True,
        ).select_related("owner")
    raise ValueError(kind)


# --- Matching ----------------------------------------------------------------------------------


def _vector(model) -> Col:
    """The `search_vector` column the migration added (not a model field, so that SQLite and
    Django's ORM never see it). A Col keeps the table alias right when the query is nested."""
    from django.contrib.postgres.search import SearchVectorField

    field = SearchVectorField()
    field.set_attributes_from_name("search_vector")
    field.model = model
    return Col(model._meta.db_table, field)


def _full_text(queryset: QuerySet, query: Query, *, ranked: bool, candidates: int) -> QuerySet:
    from django.contrib.postgres.search import SearchQuery, SearchRank

    tsquery = SearchQuery(query.tsquery, search_type="raw", config="simple")
    vector = _vector(queryset.model)
    matches = queryset.alias(vector=vector).filter(vector=tsquery)
    if not ranked:
        return matches
    # Ranking reads every match's vector: for a very common word ("love" in half the
    # catalogue) that alone costs hundreds of ms. So rank only the newest `candidates`
    # matches: bounded work for any query, exact ranking for all but the commonest words.
    newest = matches.order_by("-pk").values("pk")[:candidates]
    return (
        queryset.filter(pk__in=newest)
        .annotate(rank=SearchRank(vector, tsquery))
        .order_by("-rank", "-pk")
    )


def _contains(queryset: QuerySet, kind: str, query: Query) -> QuerySet:
    """The fallback: every word somewhere in the searchable fields, newest first."""
    each_word = [
        reduce(or_, (Q(**{f"{field}__icontains": word}) for field in FIELDS[kind]))
        for word in query.words
    ]
    return queryset.filter(reduce(and_, each_word)).order_by("-pk")


def _tagged(queryset: QuerySet, tag: str) -> QuerySet:
    return with_tag(queryset, tag).order_by("-pk")


def matching(
    kind: str,
    query: Query,
    *,
    full_text: bool | None = None,
    ranked: bool = True,
    candidates: int | None = None,
) -> QuerySet:
    """Findable `kind` objects matching `query`, best first (empty for an empty query).

    `full_text` defaults to whether the database can (PostgreSQL); tests pass False to check
    the fallback on PostgreSQL too. `ranked=False` skips ranking, for counting; `candidates`
    (default RANK_CANDIDATES) is how many of the newest matches are ranked.
    """
    if full_text is None:
        full_text = full_text_available()
    queryset = findable(kind).defer(*UNSHOWN[kind])
    if query.is_empty:
        return queryset.none()
    if kind == "tracks" and query.tag:
        return _tagged(queryset, query.tag)
    if full_text:
        return _full_text(queryset, query, ranked=ranked, candidates=candidates or RANK_CANDIDATES)
    return _contains(queryset, kind, query)


# --- Tags ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    name: str
    tracks: int


def matching_tags(
    query: Query,
    *,
    limit: int = 30,
    full_text: bool | None = None,
    candidates: int | None = None,
) -> list[Tag]:
    """Tags of findable tracks whose words start with the words typed, most used first
    (counted among the `candidates` newest matching tracks)."""
    if full_text is None:
        full_text = full_text_available()
    if query.is_empty:
        return []
    words_only = Query(text=query.text, words=query.words)
    tracks = matching("tracks", words_only, full_text=full_text, candidates=candidates)
    if not full_text:
        return _count_tags_in_python(tracks, query, limit)
    sql, params = _tags_sql(tracks, query)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, limit])
        return [Tag(name, count) for name, count in cursor.fetchall()]


def _tags_sql(tracks: QuerySet, query: Query) -> tuple[str, list]:
    """SQL for (tag, tracks) of `tracks` whose tag matches the words, most used first."""
    sql, params = tracks.order_by().values("tags").query.sql_with_params()
    # Each word must start the tag or one of its words ("dream pop" matches "po" and "dre").
    conditions = " AND ".join("(tag LIKE %s OR tag LIKE %s)" for _ in query.words)
    like = [p for word in query.words for p in (f"{word}%", f"% {word}%")]
    return (
        f"SELECT tag, count(*) FROM ({sql}) AS found, "
        f"jsonb_array_elements_text(found.tags) AS tag WHERE {conditions} "
        "GROUP BY tag ORDER BY count(*) DESC, tag",
        [*params, *like],
    )


def _tag_matches(tag: str, words: tuple[str, ...]) -> bool:
    tag_words = tag.lower().split()
    return all(any(t.startswith(w) for t in tag_words) for w in words)


def _count_tags_in_python(tracks: QuerySet, query: Query, limit: int) -> list[Tag]:
    counts: dict[str, int] = {}
    for tags in tracks.values_list("tags", flat=True)[:5000]:
        for tag in tags if isinstance(tags, list) else []:
            if isinstance(tag, str) and _tag_matches(tag, query.words):
                counts[tag] = counts.get(tag, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [Tag(name, count) for name, count in ordered[:limit]]


# --- What pages show -------------------------------------------------------------------------


def count_matching(kind: str, query: Query) -> int:
    """How many, up to COUNT_CAP + 1 (shown as "100+"): bounded work for any query."""
    if kind == "tags":
        return len(matching_tags(query, limit=COUNT_CAP + 1))
    return matching(kind, query, ranked=False).order_by()[: COUNT_CAP + 1].count()


def suggestions(query: Query, *, per_kind: int = 3) -> dict[str, list]:
    """The few best of each kind, for the instant results under the header's search box."""
    if query.is_empty:
        return {}
    found = {
        kind: list(matching(kind, query, candidates=PREVIEW_CANDIDATES)[:per_kind])
        for kind in ("tracks", "artists", "releases", "playlists")
    }
    found["tags"] = matching_tags(query, limit=per_kind, candidates=PREVIEW_CANDIDATES)
    return found


TAB_LABELS = {
    "all": "All",
    "tracks": "Tracks",
    "releases": "Releases",
    "artists": "Artists",
    "playlists": "Playlists",
    "tags": "Tags",
}
PAGE_SIZE = 20
PREVIEW = {"tracks": 5, "releases": 4, "artists": 4, "playlists": 4, "tags": 12}


def _preview(kind: str, query: Query, tags: list[Tag]) -> list:
    if kind == "tags":
        return tags[: PREVIEW[kind]]
    return list(matching(kind, query, candidates=PREVIEW_CANDIDATES)[: PREVIEW[kind]])


def _count(kind: str, query: Query, preview: list | None) -> int:
    """A preview shorter than it may be holds every match (previews rank the newest
    PREVIEW_CANDIDATES, far more than they show): no need to count again."""
    if preview is not None and len(preview) < PREVIEW[kind]:
        return len(preview)
    return count_matching(kind, query)


@dataclass(frozen=True)
class Tab:
    kind: str
    label: str
    count: int

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP}+" if self.count > COUNT_CAP else str(self.count)


def results_page(query: Query, *, kind: str, page: str | int | None) -> dict:
    """What the results page shows: tabs with counts, and either a preview of every kind
    (kind "all") or one page of one kind."""
    if kind not in TAB_LABELS:
        kind = "all"
    if query.is_empty:
        return {"query": query, "kind": kind, "tabs": [], "sections": {}, "page": None}
    # The Tags tab lists tags of the TAB_DEPTH newest matching tracks; every other page takes
    # its tags preview and the tab's count from the PREVIEW_CANDIDATES newest (a fifth of the work).
    depth = None if kind == "tags" else PREVIEW_CANDIDATES
    tags = matching_tags(query, limit=TAB_DEPTH + 1, candidates=depth)
    previews = {k: _preview(k, query, tags) for k in KINDS} if kind == "all" else {}
    counts = {k: _count(k, query, previews.get(k)) for k in KINDS if k != "tags"}
    counts["tags"] = min(len(tags), COUNT_CAP + 1)
    tabs = [Tab("all", TAB_LABELS["all"], sum(counts.values()))]
    tabs += [Tab(k, TAB_LABELS[k], counts[k]) for k in KINDS]
    if kind == "all":
        sections = {k: found for k, found in previews.items() if found}
        return {"query": query, "kind": kind, "tabs": tabs, "sections": sections, "page": None}
    found = tags[:TAB_DEPTH] if kind == "tags" else matching(kind, query)[:TAB_DEPTH]
    return {
        "query": query,
        "kind": kind,
        "tabs": tabs,
        "sections": {},
        "page": Paginator(found, PAGE_SIZE).get_page(page),
    }
