"""OpenSSH public keys: reading one line of a ``.pub`` file, and its SHA256 fingerprint.

Only the standard library: the key lookup that sshd runs at every login uses it too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

# The key types OpenSSH 9 accepts for user authentication (DSA is gone from its defaults).
KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)
MAX_KEY_TEXT = 16 * 1024  # an RSA key of 16,384 bits is about 2,800 characters


@dataclass(frozen=True)
class PublicKey:
    key_type: str
    key_data: str  # the base64 blob, as sshd's %k gives it
    fingerprint: str
    comment: str | None


def fingerprint(blob: bytes) -> str:
    """``SHA256:`` and the unpadded base64 of the blob's SHA-256, as ``ssh-keygen -l`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def parse_public_key(text: str, source: str) -> PublicKey:
    """The one public key in ``text`` (a line of a ``.pub`` or ``authorized_keys`` file
    without options). Raises ValueError with a sentence that names ``source`` and the fix."""
    if "PRIVATE KEY" in text:
        raise ValueError(
            f"{source} is a private key, which must never leave its owner's computer; "
            "give the public key instead (the file that ends in .pub)"
        )
    if len(text) > MAX_KEY_TEXT:
        raise ValueError(
            f"{source} is longer than a public key ({MAX_KEY_TEXT:,} characters at most); give one .pub file"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise ValueError(f"{source} holds no public key; give the member's .pub file (such as id_ed25519.pub)")
    if len(lines) > 1:
        raise ValueError(f"{source} holds {len(lines)} lines; give one public key at a time")
    parts = lines[0].split(None, 2)
    key_type = parts[0]
    if key_type not in KEY_TYPES:
        shown = key_type if len(key_type) <= 40 and key_type.isascii() and key_type.isprintable() else "that"
        raise ValueError(
            f"{source} does not start with a known key type ({shown} is not one); give an OpenSSH public key "
            f"line, such as `ssh-ed25519 AAAA... maria@laptop` (types: {', '.join(sorted(KEY_TYPES))})"
        )
    if len(parts) < 2:
        raise ValueError(f"{source} has a key type but no key after it; give the whole line of the .pub file")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(
            f"{source}: the key after {key_type} is not base64; give the whole, unchanged .pub line"
        ) from None
    if _blob_type(blob) != key_type:
        raise ValueError(
            f"{source}: the key is not a {key_type} key (its data say otherwise); give the unchanged .pub line"
        )
    comment = parts[2].strip() if len(parts) > 2 and parts[2].strip() else None
    return PublicKey(key_type, parts[1], fingerprint(blob), comment[:500] if comment else None)


def _blob_type(blob: bytes) -> str | None:
    """The key type a key blob names in its first field (an SSH string), or None."""
    if len(blob) < 4:
        return None
    (length,) = struct.unpack(">I", blob[:4])
    if length > 64 or len(blob) < 4 + length:
        return None
    try:
        return blob[4 : 4 + length].decode("ascii")
    except UnicodeDecodeError:
        return None
