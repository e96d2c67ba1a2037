"""Who is calling: client credentials (HTTP Basic, at /auth/token) and bearer tokens (every
other PACT route). A client removed with ``lcagraph pact client remove`` loses access at once,
even with a token that has not expired."""

from __future__ import annotations

import base64
import binascii

from api.pact.credentials import secret_matches, verify_token
from graph import pact_store
from graph.store import GraphStore
from lcagraph.errors import NotAuthenticated

_FAILED = "Client authentication failed"


def authenticate_client(store: GraphStore, authorization: str) -> str:
    """The id of the client whose HTTP Basic credentials are in ``authorization``."""
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise NotAuthenticated(f"{_FAILED}: send the client id and secret with HTTP Basic authentication")
    try:
        client_id, sep, secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as e:
        raise NotAuthenticated(f"{_FAILED}: the Basic credentials are not base64 'id:secret'") from e
    client = pact_store.read_client(store, client_id) if sep else None
    if client is None or not secret_matches(secret, client.secret_hash):
        raise NotAuthenticated(_FAILED)
    return client.id


def authenticated_client(store: GraphStore, authorization: str, key: bytes) -> str:
    """The id of the client a valid bearer token in ``authorization`` was issued to."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated("Invalid token provided: send 'Authorization: Bearer <token>' "
                               "with a token from /auth/token")
    client_id = verify_token(token.strip(), key)
    if pact_store.read_client(store, client_id) is None:
        raise NotAuthenticated("Invalid token provided: its client has been removed")
    return client_id
