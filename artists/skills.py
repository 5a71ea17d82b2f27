"""The published list of skills and roles an artist can offer (and a call can ask for).

A fixed list, so the directory's filter finds everyone who plays the bass whatever they would
have typed ("bass", "bassist", "bass guitar"). Stored on profiles and calls as lists of these
slugs (JSON; filtered with backstage/jsonlists.py). Add to the end; never rename a slug."""

SKILLS = [
    ("producer", "Producer"),
    ("beatmaker", "Beatmaker"),
    ("vocalist", "Vocalist"),
    ("rapper", "Rapper / MC"),
    ("songwriter", "Songwriter"),
    ("lyricist", "Lyricist"),
    ("composer", "Composer"),
    ("guitarist", "Guitarist"),
    ("bassist", "Bassist"),
    ("drummer", "Drummer"),
    ("percussionist", "Percussionist"),
    ("keys", "Keys / piano"),
    ("strings", "Strings"),
    ("brass-winds", "Brass / winds"),
    ("dj", "DJ"),
    ("mixing-engineer", "Mixing engineer"),
    ("mastering-engineer", "Mastering engineer"),
    ("sound-designer", "Sound designer"),
    ("arranger", "Arranger"),
    ("session-musician", "Session musician"),
]
SKILL_LABELS = dict(SKILLS)
MAX_GENRES = 5
MAX_GENRE_LENGTH = 30


def skill_labels(slugs: list[str]) -> list[str]:
    """Labels of known skill slugs, in the published order (unknown slugs are skipped)."""
    return [label for slug, label in SKILLS if slug in slugs]


def normalise_genre(text: str) -> str:
    """One genre as stored and compared: lower case, single spaces ("Lo-Fi  Hip Hop" →
    "lo-fi hip hop")."""
    return " ".join(text.split()).casefold()
