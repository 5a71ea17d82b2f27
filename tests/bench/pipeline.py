"""Upload pipeline benchmark: how fast and how lean `process_track_audio` is.

Runs on the embedded default (SQLite and media in a temporary folder, no Celery), so it needs
no database server. Prints figures and targets; it never fails on a missed target.

    .venv/bin/python -m tests.bench.pipeline
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parents[2]
SONG_SECONDS = 300
LONG_SECONDS = 47 * 60  # 44.1 kHz stereo s16: ~500 MB of WAV
TARGET_RATIO = 3.0  # whole pipeline vs a bare decode of the same file
TARGET_WORKER_MB = 200
FFMPEG = ["ffmpeg", "-v", "error", "-nostdin"]


def _configure(var_dir: Path) -> None:
    """Point Django at a throwaway embedded default before it reads its settings."""
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET"):
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="backstage.settings",
        VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )


def _django() -> None:
    import django

    django.setup()


def _clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02d}"


def _mb(kilobytes: int) -> float:
    return kilobytes / 1024  # ru_maxrss is in KiB on Linux


# --- Files ---------------------------------------------------------------------------------------


def song() -> Path:
    """Five minutes of the test suite's two-voice melody as 44.1 kHz stereo FLAC (cached)."""
    from tests.audio_files import audio_file

    return audio_file("flac", seconds=SONG_SECONDS)


def long_wav(folder: Path, source: Path) -> Path:
    """~500 MB of 44.1 kHz stereo 16-bit WAV: the five-minute song looped for 47 minutes."""
    target = folder / "long-take.wav"
    subprocess.run(
        [
            *FFMPEG,
            "-y",
            "-stream_loop",
            "-1",
            "-i",
            str(source),
            "-t",
            str(LONG_SECONDS),
            "-c:a",
            "pcm_s16le",
            str(target),
        ],
        check=True,
    )
    return target


def _ffmpeg_seconds(path: Path, output: list[str], *, runs: int = 1) -> float:
    """Best wall time of ffmpeg decoding `path` into `output`."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([*FFMPEG, "-i", str(path), *output], check=True)
        best = min(best, time.perf_counter() - started)
    return best


def bare_decode(path: Path) -> float:
    """Best of 3 of `ffmpeg -i file -f null -`: the floor any pipeline stands on."""
    return _ffmpeg_seconds(path, ["-f", "null", "-"], runs=3)


def output_costs(path: Path, folder: Path, *, decode: float) -> dict[str, float]:
    """What each output of the render adds to a bare decode, made by ffmpeg on its own."""
    from tracks.audio.render import OUTPUTS, PEAK_RATE

    outputs = {
        fmt: [*options, "-y", str(folder / f"alone{ext}")]
        for fmt, (ext, options, _) in OUTPUTS.items()
    }
    outputs["loudness"] = ["-af", "ebur128=framelog=verbose", "-f", "null", "-"]
    outputs["peaks feed"] = ["-af", f"aresample={PEAK_RATE}", "-ac", "1", "-f", "s16le", "-y"]
    outputs["peaks feed"].append(os.devnull)
    return {
        name: max(0.0, _ffmpeg_seconds(path, output) - decode) for name, output in outputs.items()
    }


# --- Through the services --------------------------------------------------------------------


def bench_artist():
    from artists.models import Artist
    from backstage.models import User

    user, _ = User.objects.get_or_create(username="bench", defaults={"email": "bench@example.com"})
    artist, _ = Artist.objects.get_or_create(user=user, defaults={"name": "Bench", "slug": "bench"})
    return artist


def _moved_into_storage(path: Path):
    """Like Django's TemporaryUploadedFile: a big upload already on disk, moved, not copied."""
    from django.core.files import File

    class OnDisk(File):
        def temporary_file_path(self) -> str:
            return str(path)

    file = OnDisk(None, name=path.name)
    file.size = path.stat().st_size
    return file


def upload(artist, path: Path, *, move: bool = False):
    """start_upload, receive_upload_file and complete_upload, as the upload views call them."""
    from django.core.files import File

    from tracks import services

    started, _target = services.start_upload(
        user=artist.user, artist=artist, filename=path.name, size=path.stat().st_size
    )
    if move:
        services.receive_upload_file(upload=started, file=_moved_into_storage(path))
    else:
        with open(path, "rb") as handle:
            services.receive_upload_file(upload=started, file=File(handle, name=path.name))
    # The embedded default would run the pipeline eagerly on commit; the bench runs (and
    # times) the worker's part itself instead.
    with mock.patch("tracks.services.uploads.enqueue_processing"):
        return services.complete_upload(upload=started)


@contextmanager
def timed_stages(stages: dict):
    """Time the probe and render steps inside process_track_audio, with their CPU split."""
    from tracks.audio import probe, render

    originals = {"probe": (probe, probe.probe), "render": (render, render.render)}

    def wrap(name, function):
        def timed(*args, **kwargs):
            before = _cpu()
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                after = _cpu()
                stages[name] = {
                    "wall": time.perf_counter() - started,
                    "python_cpu": after[0] - before[0],
                    "ffmpeg_cpu": after[1] - before[1],
                }

        return timed

    for name, (module, function) in originals.items():
        setattr(module, name, wrap(name, function))
    try:
        yield stages
    finally:
        for name, (module, function) in originals.items():
            setattr(module, name, function)


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def process(track_id: int) -> dict:
    """process_track_audio once, with the stage times and the resulting track."""
    from tracks import services
    from tracks.models import Track

    stages: dict = {}
    with timed_stages(stages):
        started = time.perf_counter()
        services.process_track_audio(track_id=track_id)
        total = time.perf_counter() - started
    track = Track.objects.get(id=track_id)
    return {
        "total": total,
        "stages": stages,
        "status": track.status,
        "message": track.status_message,
    }


# --- The two measurements ------------------------------------------------------------------------


def speed(artist, folder: Path, *, runs: int = 2) -> None:
    source = song()
    size_mb = source.stat().st_size / 1e6
    print(f"Upload pipeline: {_clock(SONG_SECONDS)} of 44.1 kHz stereo FLAC ({size_mb:.1f} MB)")
    decode = bare_decode(source)
    print(
        f"  bare decode   ffmpeg -i … -f null -, best of 3   {decode:7.2f} s "
        f"{SONG_SECONDS / decode:6.0f}× realtime"
    )
    best = None
    for _ in range(runs):
        started = time.perf_counter()
        track = upload(artist, source)
        uploaded = time.perf_counter() - started
        result = process(track.id)
        if result["status"] != "ready":
            print(f"  !! the pipeline did not finish: {result['status']}: {result['message']}")
            return
        if best is None or result["total"] < best["total"]:
            best, best["upload"] = result, uploaded
    total, stages = best["total"], best["stages"]
    ratio = total / decode
    met = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(
        f"  pipeline      process_track_audio, best of {runs}   {total:7.2f} s "
        f"{SONG_SECONDS / total:6.0f}× realtime  {ratio:5.1f}× bare decode "
        f"(target ≤ {TARGET_RATIO:g}×: {met})"
    )
    probe, render = stages["probe"], stages["render"]
    print(f"    probe       mutagen (+ ffprobe if needed)    {probe['wall']:7.2f} s")
    print(
        f"    render      one ffmpeg pass + peaks          {render['wall']:7.2f} s "
        f"  CPU: ffmpeg {render['ffmpeg_cpu']:.2f} s, Python (peaks) {render['python_cpu']:.2f} s"
    )
    rest = total - probe["wall"] - render["wall"]
    print(f"    finish      store renditions, save track     {rest:7.2f} s")
    print(f"  (upload services: start, receive, complete      {best['upload']:7.2f} s)")
    costs = output_costs(source, folder, decode=decode)
    print("  What each output adds to a bare decode, made by ffmpeg alone:")
    for name, seconds in costs.items():
        print(f"    {name:<12}{seconds:>36.2f} s  {seconds / decode:5.1f}× bare decode")
    floor = decode + sum(costs.values())
    print(
        f"  ffmpeg floor for these outputs: {floor:.2f} s; the pipeline is "
        f"{total / floor:.2f}× that floor."
    )


def memory(artist, folder: Path) -> None:
    source = long_wav(folder, song())
    size_mb = source.stat().st_size / 1e6
    print(f"\nWorker memory: {_clock(LONG_SECONDS)} of 44.1 kHz stereo WAV ({size_mb:.0f} MB)")
    track = upload(artist, source, move=True)
    started = time.perf_counter()
    worker = subprocess.run(
        [sys.executable, "-m", "tests.bench.pipeline", "--worker", str(track.id)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    if worker.returncode != 0:
        print(f"  !! the worker process failed:\n{worker.stderr[-2000:]}")
        return
    report = json.loads(worker.stdout.strip().splitlines()[-1])
    if report["status"] != "ready":
        print(f"  !! the pipeline did not finish: {report['status']}: {report['message']}")
    worker_mb = _mb(report["worker_maxrss_kb"])
    met = "met" if worker_mb < TARGET_WORKER_MB else "MISSED"
    print(
        f"  worker process (Python) peak RSS                {worker_mb:7.0f} MB "
        f"(target < {TARGET_WORKER_MB} MB: {met}); {report['baseline_mb']:.0f} MB of it is "
        f"Django before the file"
    )
    ffmpeg_mb = _mb(report["ffmpeg_maxrss_kb"])
    print(f"  its ffmpeg child, peak RSS                      {ffmpeg_mb:7.0f} MB")
    print(
        f"  process_track_audio                             {report['total']:7.1f} s "
        f"{LONG_SECONDS / report['total']:6.0f}× realtime (process incl. start-up: {wall:.1f} s)"
    )


def worker(track_id: int) -> None:
    """The child process: what a Celery worker does with one track, then its peak memory."""
    import psutil

    _django()
    baseline = psutil.Process().memory_info().rss / 2**20
    result = process(track_id)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                **result,
                "baseline_mb": baseline,
                "worker_maxrss_kb": own,
                "ffmpeg_maxrss_kb": children,
            }
        )
    )


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="backstage-bench-") as tmp:
        folder = Path(tmp)
        _configure(folder / "var")
        _django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        artist = bench_artist()
        speed(artist, folder)
        memory(artist, folder)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(int(sys.argv[2]))
    else:
        main()
