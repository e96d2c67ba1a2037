"""PACT client credentials and access tokens.

Secrets are stored as scrypt hashes with a random salt (``scrypt$n$r$p$salt$hash``, hex); a
secret is shown once, when the client is made. Access tokens are ``pact.<payload>.<mac>``: the
payload (client id, expiry) base64url-encoded and signed with HMAC-SHA256 under the configured
key, so every worker checks them without shared state. They are a different kind of token
from the GraphQL one (LCAGRAPH_API_TOKEN) and are accepted only by the PACT routes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from lcagraph.errors import NotAuthenticated, TokenExpired

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_TOKEN_PREFIX = "pact"  # noqa: S105 - the tag of the token format, not a secret


@dataclass(frozen=True, slots=True)
class Token:
    """An access token and what it grants."""

    value: str
    client_id: str
    expires_in: int


def new_client_credentials() -> tuple[str, str]:
    """A fresh (client id, secret): the id is a random UUID-like hex, the secret 256 random bits."""
    return secrets.token_hex(16), secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def secret_matches(secret: str, stored: str) -> bool:
    """Constant-time check of ``secret`` against a ``hash_secret`` value."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    n, r, p = (int(x) for x in parts[1:4])
    digest = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(parts[4]), n=n, r=r, p=p, dklen=32)
    return hmac.compare_digest(digest.hex(), parts[5])


def issue_token(client_id: str, key: bytes, lifetime_s: int, now: float | None = None) -> Token:
    expires = int((time.time() if now is None else now) + lifetime_s)
    payload = _b64(json.dumps({"sub": client_id, "exp": expires}, separators=(",", ":")).encode())
    return Token(f"{_TOKEN_PREFIX}.{payload}.{_mac(payload, key)}", client_id, lifetime_s)


def verify_token(value: str, key: bytes, now: float | None = None) -> str:
    """The client id the token was issued to; NotAuthenticated if it is forged, malformed or expired."""
    prefix, _, rest = value.partition(".")
    payload, _, mac = rest.partition(".")
    if prefix != _TOKEN_PREFIX or not hmac.compare_digest(mac, _mac(payload, key)):
        raise NotAuthenticated("Invalid token provided")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if int(claims["exp"]) <= (time.time() if now is None else now):
        raise TokenExpired("The access token has expired: request a new one at /auth/token")
    return str(claims["sub"])


def token_key(configured: str) -> bytes:
    """The signing key: the configured one, else a random key for this process."""
    return configured.encode() if configured else secrets.token_bytes(32)


def _mac(payload: str, key: bytes) -> str:
    return _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
