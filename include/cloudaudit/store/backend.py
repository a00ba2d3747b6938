"""Where snapshots and reports live: a local directory or an S3 prefix, written atomically.

Local writes go to a temporary file in the same directory, are fsynced and renamed into
place (and the directory fsynced), so a reader never sees half a file, even after SIGKILL or
a power cut; the writer holds an flock on its temporary file, so the next write in that
directory can tell a dead writer's leftover (lock free) from a live one's and remove it. S3
PUTs are atomic per object, and each carries Content-MD5, so a truncated body is refused rather
than stored.

``swap_bytes`` is the compare-and-swap both offer: replace a key only if it is still at the
version the caller read (``read_versioned``/``version``), or create it only if it is absent.
A version is the object's ETag on S3 (``If-Match``, or ``If-None-Match: *`` to create) and the
SHA-256 of the file locally, where the compare and the rename happen under an exclusive flock
on a hidden ``.<name>.lock`` file beside the key (lock files are never removed: removing one
would let two writers lock two different files). S3 honours the standard ``AWS_ENDPOINT_URL``
/ ``AWS_ENDPOINT_URL_S3`` variables, so an emulator works unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cloudaudit.errors import ConfigError

WRITE_CHUNK = 1024 * 1024
# Fault injection for the durability tests: called with (location, bytes written so far) while a
# body is being written (locally) or handed to the HTTP client (S3). None in normal operation.
write_progress: Callable[[str, int], None] | None = None


def _progress(location: str, done: int) -> None:
    if write_progress is not None:
        write_progress(location, done)


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
    def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The object's bytes and version (what ``swap_bytes`` compares), or None when absent."""

    @abstractmethod
    def version(self, key: str) -> str | None:
        """The object's current version, or None when it does not exist."""

    @abstractmethod
    def swap_bytes(self, key: str, data: bytes, expected: str | None, *,
                   content_type: str = "application/octet-stream") -> str | None:
        """Write atomically only if the object is still at version ``expected`` (None: only if it
        does not exist). Returns the new version, or None when the condition did not hold (the
        object is then left untouched)."""

    def create_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> bool:
        """Write atomically only if ``key`` does not exist: True when this call created it."""
        return self.swap_bytes(key, data, None, content_type=content_type) is not None

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object if it exists (best effort: retention may keep it)."""

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

    @contextlib.contextmanager
    def _temp_file(self, path: Path, data: bytes) -> Iterator[str]:
        """``data`` in a fsynced, hidden ``.part`` file beside ``path``, locked (flock) until the
        caller has given it its final name: a ``.part`` nobody holds was left by a dead writer."""
        path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink:
                break
            os.close(fd)  # swept between mkstemp and flock: take another name
        try:
            with os.fdopen(fd, "wb") as handle:
                for start in range(0, len(data), WRITE_CHUNK):
                    handle.write(data[start:start + WRITE_CHUNK])
                    handle.flush()
                    _progress(str(path), min(start + WRITE_CHUNK, len(data)))
                os.fsync(handle.fileno())
                yield tmp
        finally:
            Path(tmp).unlink(missing_ok=True)  # gone already after a rename
        _fsync_dir(path.parent)
        _sweep_dead_parts(path.parent)

    def write_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        path = self._path(key)
        with self._temp_file(path, data) as tmp:
            os.replace(tmp, path)
        return str(path)

    def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        data = self.read_bytes(key)
        return None if data is None else (data, _sha256(data))

    def version(self, key: str) -> str | None:
        found = self.read_versioned(key)
        return found[1] if found else None

    def swap_bytes(self, key: str, data: bytes, expected: str | None, *,
                   content_type: str = "application/octet-stream") -> str | None:
        path = self._path(key)
        # The body is written and fsynced before the lock is taken: the lock covers only the
        # compare and the rename, so a slow or killed writer never holds it for long.
        with self._temp_file(path, data) as tmp, _locked(path.parent / f".{path.name}{LOCK}"):
            if self.version(key) != expected:
                return None
            os.replace(tmp, path)
        return _sha256(data)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def list_keys(self, prefix: str) -> list[str]:
        base = Path(self.root) / prefix if prefix else Path(self.root)
        if not base.exists():
            return []
        root = Path(self.root)
        return sorted(
            str(p.relative_to(root)) for p in base.rglob("*")
            if p.is_file() and not (p.name.startswith(".") and p.name.endswith((".part", LOCK)))
        )


LOCK = ".lock"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _locked(lock_file: Path) -> Iterator[None]:
    """An exclusive flock on ``lock_file`` (created if need be); the kernel frees it if we die."""
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _sweep_dead_parts(directory: Path) -> None:
    """Remove temporary files of writers that died (SIGKILL, power loss): their lock is free."""
    for part in directory.glob(".*.part"):
        try:
            fd = os.open(part, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError: a live writer holds it
            part.unlink(missing_ok=True)
        except OSError:
            pass
        finally:
            os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make a rename or link in ``directory`` durable (a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _ReportingBody(io.BytesIO):
    """A PUT body that reports how much of it the HTTP client has read (``write_progress``),
    handed out WRITE_CHUNK bytes at a time so that it is sent in pieces."""

    def __init__(self, data: bytes, location: str) -> None:
        super().__init__(data)
        self._location = location

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(WRITE_CHUNK if size is None or size < 0 else min(size, WRITE_CHUNK))
        if chunk:
            _progress(self._location, self.tell())
        return chunk


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

    def _location(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"

    def _put(self, key: str, data: bytes, content_type: str, **conditions: str) -> dict[str, Any]:
        import base64

        digest = base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode()
        body: Any = _ReportingBody(data, self._location(key)) if write_progress is not None else data
        response: dict[str, Any] = self.client.put_object(
            Bucket=self.bucket, Key=self._key(key), Body=body, ContentType=content_type, ContentMD5=digest,
            **conditions, **self.default_retention())
        return response

    def write_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> str:
        self._put(key, data, content_type)
        return self._location(key)

    def read_versioned(self, key: str) -> tuple[bytes, str] | None:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        return bytes(response["Body"].read()), str(response["ETag"])

    def version(self, key: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            return str(self.client.head_object(Bucket=self.bucket, Key=self._key(key))["ETag"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise

    def swap_bytes(self, key: str, data: bytes, expected: str | None, *,
                   content_type: str = "application/octet-stream") -> str | None:
        from botocore.exceptions import ClientError

        condition = {"IfMatch": expected} if expected is not None else {"IfNoneMatch": "*"}
        for _ in range(5):
            try:
                return str(self._put(key, data, content_type, **condition)["ETag"])
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code in ("PreconditionFailed", "412", "NoSuchKey", "404"):  # changed, or deleted under If-Match
                    return None
                if code != "ConditionalRequestConflict":  # 409: another conditional PUT in flight; ask again
                    raise
        return None

    def delete(self, key: str) -> None:
        from botocore.exceptions import ClientError

        with contextlib.suppress(ClientError):  # Object Lock may refuse: the orphan then stays, harmless
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

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
