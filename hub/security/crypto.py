"""Encryption of secrets at rest (TikTok tokens, extension secrets) with Fernet.

MultiFernet lets operators rotate keys: the newest key in `HUB_ENCRYPTION_KEYS` encrypts, every listed
key decrypts, and `rotate()` re-encrypts old values. Without explicit keys one key is derived from
`HUB_SECRET_KEY` with HKDF so the embedded default still never stores a secret in clear.
"""

from __future__ import annotations

import base64
from typing import Iterable

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.security import log_redaction


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted with any configured key (a key was dropped too early)."""


def derive_key(secret_key: str) -> str:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"tiktok-shop-sync", info=b"at-rest-encryption")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode())).decode()


class SecretBox:
    def __init__(self, keys: Iterable[str]):
        keys = [k for k in keys if k]
        if not keys:
            raise ValueError("At least one encryption key is required")
        self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])

    @classmethod
    def from_settings(cls, settings) -> "SecretBox":  # noqa: ANN001 - avoids a config import cycle
        keys = list(settings.encryption_keys) or [derive_key(settings.secret_key)]
        return cls(keys)

    def encrypt(self, plaintext: str) -> str:
        log_redaction.remember(plaintext)
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            plaintext = self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable("A stored secret could not be decrypted with the configured keys") from exc
        log_redaction.remember(plaintext)  # whatever this process holds in clear, its logs never show
        return plaintext

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()
