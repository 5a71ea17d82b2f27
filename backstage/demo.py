"""Demo content for the embedded default: artists with generated, listenable music and art.

The music is synthesised by ffmpeg (a chord progression, a pentatonic melody and a hi-hat),
different for every track, and then goes through the real upload pipeline.
"""

import io
import math
import random
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

from tracks.audio import binaries

PROGRESSIONS = [(0, 7, 9, 5), (0, 5, 7, 5), (9, 5, 0, 7), (0, 3, 8, 10)]


def synthesise(path: Path, *, seed: int, seconds: int) -> Path:
    """Write a short piece of music to `path` (FLAC), deterministic for a given seed."""
    rng = random.Random(seed)
    root = 110 * 2 ** (rng.randrange(0, 12) / 12)  # A2 and up
    bps = rng.choice([1.6, 1.8, 2.0, 2.2])  # beats per second
    a, b, c, d = rng.choice(PROGRESSIONS)
    step, hop = rng.choice([(7, 3), (3, 2), (5, 4), (2, 1)])
    chord = (
        f"({a}*eq(mod(floor(t*{bps}/4),4),0)+{b}*eq(mod(floor(t*{bps}/4),4),1)"
        f"+{c}*eq(mod(floor(t*{bps}/4),4),2)+{d}*eq(mod(floor(t*{bps}/4),4),3))"
    )
    note = f"floor(2.4*mod(floor(t*{bps}*2)*{step}+floor(t*{bps}/2)*{hop},5))"
    melody = f"0.22*sin(2*PI*t*{root * 4:.3f}*pow(2,({chord}+{note})/12))*exp(-mod(t*{bps}*2,1)*5)"
    pad = f"0.16*sin(2*PI*t*{root:.3f}*pow(2,{chord}/12))*(0.6+0.4*sin(2*PI*t*0.25))"
    fifth = f"0.08*sin(2*PI*t*{root * 1.5:.3f}*pow(2,{chord}/12))"
    hat = f"0.05*(random(0)*2-1)*exp(-mod(t*{bps}*2+0.5,1)*40)"
    loop_seconds = 16 / bps  # one pass through the four-chord progression
    left = f"{melody}+{pad}+{fifth}+{hat}"
    right = f"{melody.replace('0.22', '0.18')}+{pad}+{fifth}*1.2+{hat}"
    loop = path.with_suffix(".loop.flac")
    # Evaluating the expression per sample is slow, so synthesise one pass and loop it.
    subprocess.run(
        [
            binaries.ffmpeg(),
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc='{left}|{right}':s=22050:d={loop_seconds:.4f}",
            "-c:a",
            "flac",
            str(loop),
        ],
        check=True,
    )
    subprocess.run(
        [
            binaries.ffmpeg(),
            "-v",
            "error",
            "-y",
            "-stream_loop",
            "-1",
            "-i",
            str(loop),
            "-t",
            str(seconds),
            "-af",
            f"afade=t=in:d=2,afade=t=out:st={seconds - 3}:d=3",
            "-ar",
            "44100",
            "-c:a",
            "flac",
            str(path),
        ],
        check=True,
    )
    loop.unlink()
    return path


def artwork(*, seed: int, size: int = 800) -> bytes:
    """Abstract cover art: a gradient with circles, as JPEG bytes."""
    rng = random.Random(seed)
    hue = rng.random()
    image = Image.new("RGB", (size, size))
    draw = ImageDraw.Draw(image)
    for y in range(size):
        t = y / size
        draw.line([(0, y), (size, y)], fill=_hsv(hue + 0.15 * t, 0.65, 0.85 - 0.45 * t))
    for _ in range(rng.randint(3, 7)):
        r = rng.randint(size // 12, size // 3)
        x, y = rng.randint(0, size), rng.randint(0, size)
        draw.ellipse(
            [x - r, y - r, x + r, y + r],
            outline=_hsv(hue + 0.5, 0.4, 1.0),
            width=rng.randint(3, 14),
        )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    h = (h % 1) * 6
    i, f = math.floor(h), h - math.floor(h)
    p, q, t = v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))
    r, g, b = [(v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q)][i % 6]
    return int(r * 255), int(g * 255), int(b * 255)
