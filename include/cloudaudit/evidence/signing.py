"""Ed25519 signing keys: load from a PEM file or an Airflow connection, create one for the demo.

The private key never appears in a message: errors name the file or connection and the reason.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cloudaudit.errors import ConfigError

_PRIVATE_MODE = 0o600
_MAX_KEY_FILE = 64 * 1024  # a PEM key is a few hundred bytes; anything bigger is not one


def private_key_from_pem(data: bytes, source: str, password: bytes | None = None) -> Ed25519PrivateKey:
    """Parse a PEM private key; ``source`` (a path or connection id) names it in errors."""
    try:
        key = serialization.load_pem_private_key(data, password=password)
    except TypeError:
        # cryptography raises TypeError when the key is encrypted and no password was given
        raise ConfigError(f"signing key {source}: encrypted; an unencrypted PEM key is expected") from None
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigError(f"signing key {source}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"signing key {source}: not an Ed25519 key ({type(key).__name__})")
    return key


def load_private_key(path: Path | str, password: bytes | None = None) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file (``CLOUDAUDIT_SIGNING_KEY``)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(_MAX_KEY_FILE + 1)
    except FileNotFoundError:
        raise ConfigError(f"signing key {path}: file not found") from None
    except OSError as exc:
        raise ConfigError(f"signing key {path}: cannot read ({exc.strerror})") from None
    if len(data) > _MAX_KEY_FILE:
        raise ConfigError(f"signing key {path}: too large to be a PEM key")
    return private_key_from_pem(data, str(path), password)


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted: what ``load_private_key`` and ``openssl pkey`` read."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_or_create_private_key(path: Path | str) -> Ed25519PrivateKey:
    """The key at ``path``; when there is none, a new one written there with mode 0600.

    Safe when several tasks start at once: the key is written to a private temporary file
    and hard-linked into place, so the loser of a race reads the winner's complete key.
    """
    path = Path(path)
    if path.exists():
        return load_private_key(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    fd, tmp_name = tempfile.mkstemp(prefix=".signing-key-", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(private_key_pem(key))
        os.chmod(tmp_name, _PRIVATE_MODE)
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return load_private_key(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
    return key


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM (``-----BEGIN PUBLIC KEY-----``), as openssl expects."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_pem(data: bytes, source: str) -> Ed25519PublicKey:
    """Parse a PEM public key; a private key's PEM is accepted too (its public half is used)."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        try:
            return private_key_from_pem(data, source).public_key()
        except ConfigError:
            raise ConfigError(f"public key {source}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"public key {source}: not an Ed25519 key ({type(key).__name__})")
    return key


def fingerprint(public_key: Ed25519PublicKey | Ed25519PrivateKey) -> str:
    """``SHA256:`` + hex SHA-256 of the raw 32-byte public key."""
    public = public_key.public_key() if isinstance(public_key, Ed25519PrivateKey) else public_key
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def load_private_key_from_connection(conn_id: str) -> Ed25519PrivateKey:
    """The key held in an Airflow connection's password field (PEM), e.g. from a secrets backend.

    Airflow is imported here only, so the package works without it.
    """
    try:
        from airflow.sdk import Connection
    except ImportError:
        raise ConfigError(f"signing key connection {conn_id}: Airflow is not installed") from None
    try:
        connection = Connection.get(conn_id)
    except Exception as exc:  # Airflow raises its own not-found and runtime errors
        raise ConfigError(f"signing key connection {conn_id}: not available ({type(exc).__name__})") from None
    pem = connection.password or ""
    if not pem.strip():
        raise ConfigError(f"signing key connection {conn_id}: password field is empty; it must hold the PEM")
    # secrets backends and UIs often turn newlines into literal "\n"
    pem = pem.replace("\\n", "\n")
    return private_key_from_pem(pem.encode(), f"connection {conn_id}")
