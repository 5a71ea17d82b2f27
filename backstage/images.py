"""Pictures people upload (avatars, banners, cover art) and pictures found inside audio files.

Every image is decoded, size-capped and re-encoded before it is stored: that drops EXIF data
(GPS positions from phones), defuses files that only pretend to be images and keeps pages light.
"""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

Image.MAX_IMAGE_PIXELS = 60_000_000  # larger pictures raise DecompressionBombError

MESSAGE_UNREADABLE = "This picture could not be read. Please upload a JPEG, PNG or WebP image."


def normalise_image(data: bytes | io.IOBase, *, max_side: int, stem: str) -> ContentFile:
    """Decode, orient, shrink to `max_side` and re-encode as JPEG. Raises ValidationError."""
    raw = data if isinstance(data, bytes) else data.read()
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_side, max_side))
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, (255, 255, 255))
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=86, optimize=True, progressive=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(MESSAGE_UNREADABLE, code="invalid_image") from exc
    return ContentFile(out.getvalue(), name=f"{stem}-{secrets.token_hex(4)}.jpg")
