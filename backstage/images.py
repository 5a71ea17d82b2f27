"""Pictures people upload (avatars, banners, cover art) and pictures found inside audio files.

Every image is recognised by its content, never by its name or the browser's Content-Type:
Pillow must identify it as one of ALLOWED_FORMATS (JPEG, PNG, WebP, GIF) from its bytes, its
size is read from the header and refused above MAX_PIXELS before anything is decoded (a small
file can declare 20000 × 20000 pixels: a decompression bomb), then it is decoded in full (a
truncated file fails here), shrunk and re-encoded as JPEG under a name we choose (.jpg). That
drops EXIF data (GPS positions from phones), anything appended to or hidden in the file (an
HTML or script polyglot) and keeps pages light (docs/security.md "Uploaded files").
"""

import io
import secrets
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_PIXELS = 50_000_000  # an 8000 × 6000 phone photo is 48 MP
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own backstop: warns above, raises at twice this

MESSAGE_UNREADABLE = "This picture could not be read. Please upload a JPEG, PNG or WebP image."
MESSAGE_NOT_A_PICTURE = (
    "This file is not a JPEG, PNG, WebP or GIF picture, whatever its name says. "
    "Please upload a picture in one of those formats."
)


def _too_large(size: str = "") -> ValidationError:
    return ValidationError(
        f"This picture has too many pixels{size}: the limit is "
        f"{MAX_PIXELS // 1_000_000} megapixels. Please upload a smaller picture.",
        code="too_many_pixels",
    )


def open_picture(raw: bytes, *, at_least: int | None = None) -> Image.Image:
    """The picture in `raw`, identified by content and fully decoded; ValidationError if it is
    not an allowed format, declares too many pixels, or is damaged. With `at_least`, a JPEG
    is decoded at the smallest scale (1/2, 1/4, 1/8) still at least that many pixels a side."""
    try:
        with warnings.catch_warnings():
            # Between MAX_PIXELS and twice that Pillow only warns: our own check below refuses
            # with the picture's size. Above twice that, Pillow refuses before we can look.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS)
    except UnidentifiedImageError as exc:
        raise ValidationError(MESSAGE_NOT_A_PICTURE, code="not_a_picture") from exc
    except Image.DecompressionBombError as exc:
        raise _too_large() from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ValidationError(MESSAGE_UNREADABLE, code="invalid_image") from exc
    if image.width * image.height > MAX_PIXELS:
        image.close()
        raise _too_large(f" ({image.width} × {image.height})")
    if at_least and image.format == "JPEG":
        image.draft("RGB", (at_least, at_least))
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        image.close()
        raise ValidationError(MESSAGE_UNREADABLE, code="invalid_image") from exc
    return image


def normalise_image(data: bytes | io.IOBase, *, max_side: int, stem: str) -> ContentFile:
    """Identify, decode, orient, shrink to `max_side` and re-encode as JPEG, named
    `<stem>-<random>.jpg`. Raises ValidationError with a message for the person."""
    raw = data if isinstance(data, bytes) else data.read()
    with open_picture(raw, at_least=max_side) as image:
        try:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=86, optimize=True, progressive=True)
        except (OSError, ValueError, SyntaxError) as exc:
            raise ValidationError(MESSAGE_UNREADABLE, code="invalid_image") from exc
    return ContentFile(out.getvalue(), name=f"{stem}-{secrets.token_hex(4)}.jpg")
