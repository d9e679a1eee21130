"""The office's key: an Ed25519 signature over each archived version's manifest.

The manifest lists every file of the version with its SHA-256 (PDFs, DOCX, XLSX, the content
copy) and the hash of the previous version's manifest, so one signature over it covers them
all, and the PDF/A files keep the bytes a rebuild reproduces. The private key stays with the
office (a PEM file, readable by its owner only); whoever verifies needs only the public key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import EXIT_USAGE, NoticeError

KEY_ENV = "NOTICE_KEY"  # the key file, when --key is not given
SIGNATURE = "manifest.json.sig"  # beside manifest.json: the raw 64-byte signature


class KeyProblem(NoticeError):
    """The key file given cannot be used (missing, unreadable, not an Ed25519 key)."""

    exit_code = EXIT_USAGE


def key_path(given: Path | None) -> Path | None:
    """The key file: the one given, else $NOTICE_KEY, else none."""
    if given is not None:
        return Path(given)
    value = os.environ.get(KEY_ENV, "").strip()
    return Path(value) if value else None


def generate(path: Path) -> tuple[Path, Path]:
    """A new key pair: the private key in `path` (mode 0600), the public one in path.pub.
    An existing file is never overwritten."""
    path = Path(path)
    public = path.with_name(path.name + ".pub")
    for target in (path, public):
        if target.exists():
            raise KeyProblem(f"{target} already exists; it was left as it was (choose another "
                             "name, or remove it if it is really not needed)")
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_pem)
    public.write_bytes(public_pem)
    return path, public


def private_key(path: Path) -> Ed25519PrivateKey:
    """The office's private key, to sign with."""
    data = _read(path)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"{path}: not a private key without a password ({exc}); make one "
                         "with: python build.py archive keygen FILE") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path}: not an Ed25519 key; make one with: python build.py archive "
                         "keygen FILE")
    return key


def public_key(path: Path) -> Ed25519PublicKey:
    """The key to check signatures with, from a public key file or the private key file."""
    data = _read(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as exc:
            raise KeyProblem(f"{path}: neither a public nor a private key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyProblem(f"{path}: not an Ed25519 key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    """How a manifest names the key that signed it: the public key's 32 bytes, in hex."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def from_id(identity: str) -> Ed25519PublicKey | None:
    try:
        return Ed25519PublicKey.from_public_bytes(bytes.fromhex(identity))
    except (ValueError, TypeError):
        return None


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def valid(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KeyProblem(f"{path}: the key file cannot be read: {exc.strerror or exc}") from None
