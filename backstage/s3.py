"""S3 helpers for the full stack: presigned uploads and downloads that browsers can use.

URLs are signed by a client pointed at S3_PUBLIC_ENDPOINT_URL, the address browsers reach
(in docker-compose the web container talks to http://minio:9000, browsers to localhost:9000).
"""

from functools import cache

import boto3
from botocore.config import Config
from django.conf import settings
from django.core.files.storage import Storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from .media import OCTET_STREAM, disposition, picture_type


def is_s3(storage: Storage) -> bool:
    return hasattr(storage, "bucket_name")


def object_key(storage: Storage, name: str) -> str:
    """The bucket key of a file the storage calls `name` (storages prefix their location)."""
    return storage._normalize_name(clean_name(name))


@cache
def signing_client(*, internal: bool = False):
    """A client that signs URLs for browsers (or, internal=True, for nginx inside the stack)."""
    options = settings.STORAGES["audio"]["OPTIONS"]
    return boto3.client(
        "s3",
        endpoint_url=settings.S3_ENDPOINT_URL if internal else settings.S3_PUBLIC_ENDPOINT_URL,
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
        config=Config(
            signature_version="s3v4", s3={"addressing_style": options["addressing_style"]}
        ),
    )


def presigned_get(
    *,
    storage: Storage,
    name: str,
    ttl: int,
    content_type: str,
    internal: bool = False,
    disposition: str = "",
) -> str:
    """A signed GET of `name`; `disposition` (a Content-Disposition) makes it a download."""
    params = {
        "Bucket": storage.bucket_name,
        "Key": object_key(storage, name),
        "ResponseContentType": content_type,
    }
    if disposition:
        params["ResponseContentDisposition"] = disposition
    return signing_client(internal=internal).generate_presigned_url(
        "get_object", Params=params, ExpiresIn=ttl
    )


def presigned_post(*, storage: Storage, name: str, max_bytes: int, ttl: int) -> dict:
    """URL and form fields for a browser to POST one file of at most `max_bytes`."""
    return signing_client().generate_presigned_post(
        Bucket=storage.bucket_name,
        Key=object_key(storage, name),
        Conditions=[["content-length-range", 1, max_bytes]],
        ExpiresIn=ttl,
    )


class BrowserFacingS3Storage(S3Storage):
    """S3Storage whose file URLs (covers, avatars) are signed for the public endpoint."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        # S3 answers with the type and disposition we sign into the URL, not whatever the
        # object was stored with: a picture inline, anything else as an opaque download.
        content_type = picture_type(name)
        return signing_client().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket_name,
                "Key": object_key(self, name),
                "ResponseContentType": content_type or OCTET_STREAM,
                "ResponseContentDisposition": disposition(name, attachment=not content_type),
                **(parameters or {}),
            },
            ExpiresIn=expire or self.querystring_expire,
        )
