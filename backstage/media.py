"""Uploaded bytes are never a page: every response that carries them says what they are (a
Content-Type we chose, not the uploader's), forbids the browser to guess otherwise (nosniff),
names them with a safe filename (inline for pictures and audio, attachment for downloads) and,
when this site serves them itself, runs them under `default-src 'none'; sandbox` so even a
file that slipped through could not run script or reach the site (docs/security.md
"Uploaded files")."""

import posixpath

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views import static

SANDBOX = "default-src 'none'; sandbox"
OCTET_STREAM = "application/octet-stream"
# Pictures are re-encoded as JPEG (backstage/images.py); the others are listed for older files.
PICTURE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".gif": "image/gif",
}


def disposition(name: str, *, attachment: bool = False) -> str:
    """`inline; filename="…"` (or attachment) with the last part of `name`, quoted safely."""
    filename = posixpath.basename(name or "")
    return content_disposition_header(attachment, filename) or (
        "attachment" if attachment else "inline"
    )


def picture_type(name: str) -> str | None:
    """The Content-Type a stored picture is served with, from the extension we gave it."""
    return PICTURE_TYPES.get(posixpath.splitext(name or "")[1].lower())


def seal(
    response: HttpResponse,
    *,
    content_type: str,
    name: str = "",
    attachment: bool = False,
    sandbox: bool = True,
) -> HttpResponse:
    """Set the headers that keep uploaded bytes from running as a page. `sandbox` adds the
    restrictive CSP (responses carrying the bytes; not redirects to S3)."""
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = disposition(name, attachment=attachment)
    if sandbox:
        response["Content-Security-Policy"] = SANDBOX
    return response


def serve_public_media(request, path, document_root):
    """/media/ in the embedded default (avatars, banners, covers): pictures inline with their
    type, anything else (there should be nothing else) as an opaque download."""
    response = static.serve(request, path, document_root=document_root)
    content_type = picture_type(path)
    return seal(
        response,
        content_type=content_type or OCTET_STREAM,
        name=path,
        attachment=content_type is None,
    )
