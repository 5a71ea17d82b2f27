"""Coverage-guided fuzzing (atheris, libFuzzer) of the pure parsers: audio sniffing and naming,
mutagen's reading of damaged files, beacon bodies and oEmbed URLs. The properties are those of
tests/fuzz/parsers.py, which the unit suite also checks under Hypothesis (test_parsers.py).

    make fuzz                                    # every target, FUZZ_SECONDS (60) each
    make fuzz FUZZ_TARGETS=beacon FUZZ_SECONDS=600
    .venv/bin/python tests/fuzz/atheris_parsers.py TARGET [libFuzzer options] [corpus dirs]

A failing input is written as crash-<hash> in the working directory (make fuzz: var/fuzz/);
turn it into an @example in test_parsers.py once fixed.
"""

import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


INSTRUMENTED = ("tracks.audio.", "analytics.payload", "playlists.oembed", "mutagen", "json.")


def _instrument(atheris, module) -> None:
    for value in list(vars(module).values()):
        members = vars(value).values() if isinstance(value, type) else [value]
        for member in members:
            member = getattr(member, "__func__", member)  # classmethods, staticmethods
            if hasattr(member, "__code__") and getattr(member, "__module__", "") == module.__name__:
                with contextlib.suppress(Exception):  # an odd code object: left as it is
                    atheris.instrument_func(member)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit(f"usage: {sys.argv[0]} TARGET [libFuzzer options] [corpus dirs]")
    target = sys.argv[1]
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backstage.settings")
    os.environ["SITE_URL"] = "https://music.example"  # the host check_oembed_url prefixes

    import atheris
    import django

    django.setup()
    from tests.fuzz import parsers

    # Django's setup has already imported most of the code under test, so atheris's import
    # hook would miss it, and instrument_all() takes minutes on the whole project: instrument
    # the functions and methods of the modules that do the parsing.
    for name, module in list(sys.modules.items()):
        if name.startswith(INSTRUMENTED):
            _instrument(atheris, module)
    if target not in parsers.CHECKS:
        sys.exit(f"unknown target {target!r}: choose one of {', '.join(parsers.CHECKS)}")
    atheris.Setup([sys.argv[0], *sys.argv[2:]], parsers.CHECKS[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
