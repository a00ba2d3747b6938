"""Read access to published reports under ``CLOUDAUDIT_OUTPUT``: a local directory or an S3 prefix.

The portal lists, hashes and serves only the two files the SPEC publishes per country and
date; local files are streamed from disk, S3 objects are handed out as short-lived
presigned URLs so that report bytes never pass through the api-server.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudaudit.portal.names import FileKind, parse_report_key, report_key
from cloudaudit.store.backend import LocalStore, S3Store, Store, open_store

PRESIGNED_SECONDS = 300


@dataclass(frozen=True)
class PublishedFile:
    country: str
    day: str
    kind: FileKind
    key: str


class Outputs:
    """The published reports of one output root."""

    def __init__(self, root: str, *, presigned_seconds: int = PRESIGNED_SECONDS) -> None:
        self.root = root
        self.store: Store = open_store(root)
        self.presigned_seconds = presigned_seconds

    def files(self) -> list[PublishedFile]:
        """Every published spreadsheet and bundle; anything else under the root is ignored."""
        found: list[PublishedFile] = []
        for key in self.store.list_keys(""):
            parsed = parse_report_key(key)
            if parsed is not None:
                found.append(PublishedFile(*parsed, key=key))
        return found

    def key(self, country: str, day: str, kind: FileKind) -> str:
        return report_key(country, day, kind)

    def version(self, key: str) -> str | None:
        """Changes whenever the file does (size and mtime, or the ETag); None when it is absent."""
        if isinstance(self.store, LocalStore):
            try:
                stat = (Path(self.store.root) / key).stat()
            except FileNotFoundError:
                return None
            return f"{stat.st_size}:{stat.st_mtime_ns}"
        if isinstance(self.store, S3Store):
            from botocore.exceptions import ClientError

            try:
                head: dict[str, Any] = self.store.client.head_object(Bucket=self.store.bucket,
                                                                     Key=self.store._key(key))
            except ClientError:
                return None
            return str(head.get("ETag", ""))
        return None

    def read(self, key: str) -> bytes | None:
        return self.store.read_bytes(key)

    def local_path(self, key: str) -> Path | None:
        """The file on disk for a local root (streamed by the portal), else None."""
        if isinstance(self.store, LocalStore):
            path = Path(self.store.root) / key
            return path if path.is_file() else None
        return None

    def presigned_url(self, key: str, download_name: str) -> str | None:
        """A GET URL valid for ``presigned_seconds`` for an S3 root, else None."""
        if not isinstance(self.store, S3Store):
            return None
        import boto3
        from botocore.config import Config

        signer = boto3.client("s3", config=Config(signature_version="s3v4"))  # SigV4: X-Amz-Expires is honoured
        url: str = signer.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.store.bucket, "Key": self.store._key(key),
                    "ResponseContentDisposition": f'attachment; filename="{download_name}"'},
            ExpiresIn=self.presigned_seconds)
        return url
