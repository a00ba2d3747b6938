"""Signing keys: PEM loading with clear errors, demo key creation, fingerprints, Airflow connections."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cloudaudit.errors import ConfigError
from cloudaudit.evidence.signing import (
    fingerprint,
    load_or_create_private_key,
    load_private_key,
    load_private_key_from_connection,
    private_key_pem,
    public_key_from_pem,
    public_key_pem,
)


def _pem_body(pem: bytes) -> str:
    """The base64 lines of a PEM block: the part that must never show up in a message."""
    return "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))


def test_load_or_create_writes_a_private_file_and_reuses_it(tmp_path: Path) -> None:
    path = tmp_path / "state" / "signing_key.pem"
    created = load_or_create_private_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = load_or_create_private_key(path)
    assert fingerprint(again) == fingerprint(created)
    assert fingerprint(load_private_key(path)) == fingerprint(created)
    assert [p.name for p in path.parent.iterdir()] == ["signing_key.pem"]  # no temporary left behind


def test_missing_key_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.pem"
    with pytest.raises(ConfigError, match=r"nope\.pem: file not found"):
        load_private_key(path)


def test_wrong_key_type_is_refused_without_quoting_the_key(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    pem = ec_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption())
    path = tmp_path / "ec.pem"
    path.write_bytes(pem)
    with pytest.raises(ConfigError, match="not an Ed25519 key") as caught:
        load_private_key(path)
    assert _pem_body(pem)[:40] not in str(caught.value)


@pytest.mark.parametrize("content", [b"", b"not a key at all", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_junk_key_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.pem"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=r"junk\.pem: not a PEM private key"):
        load_private_key(path)


def test_encrypted_key_asks_for_an_unencrypted_one(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.BestAvailableEncryption(b"correct horse"))
    path = tmp_path / "enc.pem"
    path.write_bytes(pem)
    with pytest.raises(ConfigError, match="encrypted"):
        load_private_key(path)
    assert fingerprint(load_private_key(path, password=b"correct horse")) == fingerprint(key)


def test_fingerprint_is_sha256_of_the_raw_public_key_as_openssl_sees_it(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    value = fingerprint(key.public_key())
    assert value.startswith("SHA256:") and len(value) == len("SHA256:") + 64
    if shutil.which("openssl") is None:
        pytest.skip("openssl binary not installed")
    pub = tmp_path / "k.pub"
    pub.write_bytes(public_key_pem(key))
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", str(pub), "-outform", "DER"],
                         check=True, capture_output=True, timeout=30).stdout
    assert value == "SHA256:" + hashlib.sha256(der[-32:]).hexdigest()  # SPKI ends with the raw 32-byte key


def test_public_key_pem_round_trips_and_rejects_other_types() -> None:
    key = Ed25519PrivateKey.generate()
    assert fingerprint(public_key_from_pem(public_key_pem(key), "k.pub")) == fingerprint(key)
    ec_pub = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(ConfigError, match="not an Ed25519 key"):
        public_key_from_pem(ec_pub, "ec.pub")


def test_key_from_airflow_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("airflow.sdk")
    key = Ed25519PrivateKey.generate()
    # secrets backends often store the PEM with escaped newlines
    escaped = private_key_pem(key).decode().replace("\n", "\\n")
    monkeypatch.setenv("AIRFLOW_CONN_CLOUDAUDIT_SIGNING",
                       json.dumps({"conn_type": "generic", "password": escaped}))
    assert fingerprint(load_private_key_from_connection("cloudaudit_signing")) == fingerprint(key)

    monkeypatch.setenv("AIRFLOW_CONN_CLOUDAUDIT_EMPTY", json.dumps({"conn_type": "generic"}))
    with pytest.raises(ConfigError, match="password field is empty"):
        load_private_key_from_connection("cloudaudit_empty")
    with pytest.raises(ConfigError, match="cloudaudit_missing: not available"):
        load_private_key_from_connection("cloudaudit_missing")
