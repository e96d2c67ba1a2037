"""PACT client secrets (scrypt hashes), access tokens (HMAC-signed, expiring, only for PACT) and
the PACT settings read from the environment."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from fastapi.testclient import TestClient
from pact_harness import CLIENT_ID, CLIENT_SECRET, GRANT, OpenApi, Receiver, pact_settings

from api.app import create_app
from api.pact.credentials import hash_secret, issue_token, secret_matches, verify_token
from graph import pact_store
from graph.falkor import FalkorStore
from lcagraph.config import load_settings
from lcagraph.errors import ConfigurationError, NotAuthenticated, TokenExpired
from lcagraph.records import PactClient

KEY = b"k" * 32


def test_secrets_are_stored_as_salted_scrypt_hashes() -> None:
    one, two = hash_secret("s3cret"), hash_secret("s3cret")
    assert one != two and "s3cret" not in one and one.startswith("scrypt$16384$8$1$")
    assert secret_matches("s3cret", one) and secret_matches("s3cret", two)
    assert not secret_matches("s3cret ", one) and not secret_matches("s3cret", "plain-text")


def test_tokens_are_signed_and_expire() -> None:
    token = issue_token("client-a", KEY, 60, now=1000.0)
    assert token.expires_in == 60 and verify_token(token.value, KEY, now=1059.0) == "client-a"
    with pytest.raises(TokenExpired):
        verify_token(token.value, KEY, now=1060.0)
    with pytest.raises(NotAuthenticated, match="Invalid token"):
        verify_token(token.value, b"another key", now=1000.0)
    prefix, _, mac = token.value.split(".")
    forged = issue_token("client-b", b"attacker", 60, now=1000.0).value.split(".")[1]
    with pytest.raises(NotAuthenticated, match="Invalid token"):
        verify_token(f"{prefix}.{forged}.{mac}", KEY, now=1000.0)


def test_pact_routes_accept_only_pact_tokens_of_existing_clients(
    pact_graph: FalkorStore, receiver: Receiver, openapi: OpenApi,
) -> None:
    settings = replace(pact_settings(receiver), api_token="the-graphql-token")
    key = settings.pact.token_key.encode()
    short_lived = PactClient("short-lived", "x", hash_secret("pw"), "2026-01-01T00:00:00Z")
    pact_store.create_client(pact_graph, short_lived)
    expired = issue_token(CLIENT_ID, key, 60, now=0.0).value
    removed = issue_token("short-lived", key, 600).value
    assert pact_store.delete_client(pact_graph, "short-lived")
    with TestClient(create_app(settings, pact_graph), base_url="https://pact.example.com") as client:
        cases = (("the-graphql-token", "BadRequest"), (expired, "TokenExpired"), (removed, "BadRequest"))
        for token, code in cases:
            response = client.get("/3/footprints", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401 and response.json()["code"] == code
            openapi.check(response, "GET", "/3/footprints")
        basic = {"Authorization": httpx.BasicAuth(CLIENT_ID, CLIENT_SECRET)._auth_header,
                 "Content-Type": "application/x-www-form-urlencoded"}
        wrong_grant = client.post("/auth/token", content=b"grant_type=password", headers=basic)
        assert wrong_grant.status_code == 400 and wrong_grant.json()["error"] == "unsupported_grant_type"
        assert client.post("/auth/token", content=GRANT).status_code == 401


def test_pact_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LCAGRAPH_PACT_REQUIRE_HTTPS", "true")
    monkeypatch.setenv("LCAGRAPH_PACT_TOKEN_LIFETIME", "600")
    monkeypatch.setenv("LCAGRAPH_PACT_CALLBACKS",
                       '[{"url": "https://recipient.example/", "client_id": "us", "client_secret": "pw"},'
                       ' {"url": "https://b.example", "client_id": "b", "client_secret": "q",'
                       '  "token_url": "https://login.b.example/oauth2/token"}]')
    pact = load_settings().pact
    assert pact.require_https and pact.token_lifetime_s == 600
    assert [(c.url, c.client_id, c.token_url) for c in pact.callbacks] == [
        ("https://recipient.example", "us", ""), ("https://b.example", "b", "https://login.b.example/oauth2/token")]
    assert "pw" not in repr(pact)
    monkeypatch.setenv("LCAGRAPH_PACT_CALLBACKS", '[{"url": "ftp://x"}]')
    with pytest.raises(ConfigurationError, match="LCAGRAPH_PACT_CALLBACKS"):
        load_settings()
    monkeypatch.setenv("LCAGRAPH_PACT_TOKEN_LIFETIME", "soon")
    with pytest.raises(ConfigurationError, match="LCAGRAPH_PACT_TOKEN_LIFETIME='soon'"):
        load_settings()
