"""Where snapshots and reports live: a local directory or an S3 prefix, written atomically.

Local writes go to a temporary file in the same directory and are renamed into place, so a
reader never sees half a file. S3 PUTs are atomic per object. S3 honours the standard
``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` variables, so an emulator works unchanged.
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from cloudaudit.errors import ConfigError


class Store(ABC):
    """A root (``/path`` or ``s3://bucket/prefix``) under which relative keys are read and written."""

    root: str

    @abstractmethod
    def read_bytes(self, key: str) -> bytes | None:
        """The object's bytes, or None when it does not exist."""

    @abstractmethod
    def write_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        """Write atomically; returns the full location written."""

    @abstractmethod
    def list_keys(self, prefix: str) -> list[str]:
        """Keys under a prefix, relative to the root, sorted."""

    def exists(self, key: str) -> bool:
        return self.read_bytes(key) is not None

    def location(self, key: str) -> str:
        return f"{self.root.rstrip('/')}/{key}"


def _check_key(key: str) -> str:
    parts = key.split("/")
    if key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"invalid store key: {key!r}")
    return key


class LocalStore(Store):
    def __init__(self, root: str | Path) -> None:
        self.root = str(Path(root).resolve())

    def _path(self, key: str) -> Path:
        return Path(self.root) / _check_key(key)

    def read_bytes(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def write_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(path)

    def list_keys(self, prefix: str) -> list[str]:
        base = Path(self.root) / prefix if prefix else Path(self.root)
        if not base.exists():
            return []
        root = Path(self.root)
        return sorted(
            str(p.relative_to(root)) for p in base.rglob("*")
            if p.is_file() and not p.name.endswith(".part")
        )


class S3Store(Store):
    """An S3 prefix. When the bucket has Object Lock with a default retention, every object we
    write carries that retention explicitly (mode and retain-until date), so evidence cannot be
    overwritten or deleted before it expires, whatever the endpoint's defaults."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/")
        rest = root[len("s3://"):]
        self.bucket, _, prefix = rest.partition("/")
        if not self.bucket:
            raise ConfigError(f"{root}: expected s3://bucket/prefix")
        self.prefix = prefix.strip("/")
        self._client: Any = None
        self._retention: dict[str, Any] | None = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.client("s3", config=Config(retries={"mode": "standard", "max_attempts": 5}))
        return self._client

    def _key(self, key: str) -> str:
        _check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def read_bytes(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"]
            return bytes(body.read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise

    def default_retention(self) -> dict[str, Any]:
        """The bucket's Object Lock default retention as put_object arguments ({} when none)."""
        if self._retention is None:
            from botocore.exceptions import ClientError

            try:
                config = self.client.get_object_lock_configuration(Bucket=self.bucket)
                rule = config.get("ObjectLockConfiguration", {}).get("Rule", {}).get("DefaultRetention", {})
            except ClientError:  # no Object Lock on the bucket (or not allowed to ask): S3's defaults apply
                rule = {}
            self._retention = {}
            if rule.get("Mode"):
                import datetime

                days = int(rule.get("Days") or 0) + 365 * int(rule.get("Years") or 0)
                until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)
                self._retention = {"ObjectLockMode": rule["Mode"], "ObjectLockRetainUntilDate": until}
        return self._retention

    def write_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        import base64
        import hashlib

        digest = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                               ContentType=content_type, ContentMD5=digest, **self.default_retention())
        return f"s3://{self.bucket}/{self._key(key)}"

    def list_keys(self, prefix: str) -> list[str]:
        full = "/".join(p for p in (self.prefix, prefix) if p)
        keys: list[str] = []
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
            for item in page.get("Contents", []):
                key = item["Key"]
                keys.append(key[len(self.prefix) + 1:] if self.prefix else key)
        return sorted(keys)


def open_store(root: str) -> Store:
    """A Store for a local path or an ``s3://bucket/prefix``."""
    if root.startswith("s3://"):
        return S3Store(root)
    if "://" in root:
        raise ConfigError(f"{root}: unsupported location (use a local path or s3://bucket/prefix)")
    return LocalStore(root)
