"""Authentication of the ``rest`` ticket sink: none, basic, bearer, OAuth2 client credentials, login.

:func:`build_auth` runs when the sink is built: secrets are resolved then (``*_env`` /
``*_file``, held as ``SecretStr``, never logged; a missing one raises MissingCredential).
Per request the sink asks :meth:`headers`; token flows (``oauth2``, ``login``) fetch a token
on first use and keep it until it expires (OAuth ``expires_in`` less ``expiry_margin``, or
``token_ttl`` for a login). After a 401 the sink calls :meth:`invalidate` and, when it returns
True, retries that request once with a fresh token. A token request is checked like any call
(:func:`schemas.plumbing.http.check`): 5xx/429 retry later, a refused login is a dead letter.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Literal, Union
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from schemas.plumbing import http
from schemas.plumbing.credentials import secret
from sinks.tickets.base import basic_auth
from sinks.tickets.rest_calls import compile_jsonpath, first_scalar

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class _Auth(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoAuth(_Auth):
    type: Literal["none"] = "none"


class BasicAuth(_Auth):
    type: Literal["basic"] = "basic"
    user: str
    password_env: str = "WEBCARE_REST_PASSWORD"
    password_file: str | None = None


class BearerAuth(_Auth):
    type: Literal["bearer"] = "bearer"
    token_env: str = "WEBCARE_REST_TOKEN"
    token_file: str | None = None
    scheme: str = "Bearer"


class OAuth2Auth(_Auth):
    """Client-credentials grant (RFC 6749 4.4) against ``token_url``."""

    type: Literal["oauth2"] = "oauth2"
    token_url: str = Field(description="absolute, or a path on the tool's url")
    client_id: str
    client_secret_env: str = "WEBCARE_REST_CLIENT_SECRET"
    client_secret_file: str | None = None
    scope: str | None = None
    client_auth: Literal["body", "basic"] = "body"
    expiry_margin: float = Field(default=30.0, ge=0, description="renew this many s early")


class LoginAuth(_Auth):
    """POST user + password as a form, keep the token it returns (BMC AR-JWT, Efecte)."""

    type: Literal["login"] = "login"
    path: str = "/api/jwt/login"
    user: str
    password_env: str = "WEBCARE_REST_PASSWORD"
    password_file: str | None = None
    user_field: str = "username"
    password_field: str = "password"
    token_from: Literal["body", "header", "jsonpath"] = "body"
    token_header: str = Field(default="Authorization", description="token_from: header")
    token_jsonpath: str | None = Field(default=None, description="token_from: jsonpath")
    scheme: str = Field(default="AR-JWT", description="Authorization: <scheme> <token>")
    token_ttl: float = Field(default=3000.0, gt=0, description="s a token is reused")

    @model_validator(mode="after")
    def _check_jsonpath(self) -> LoginAuth:
        if self.token_from == "jsonpath":
            if not self.token_jsonpath:
                raise ValueError("token_from: jsonpath needs `token_jsonpath`")
            compile_jsonpath(self.token_jsonpath, "token_jsonpath")
        return self


AuthConfig = Annotated[Union[NoAuth, BasicAuth, BearerAuth, OAuth2Auth, LoginAuth],
                       Field(discriminator="type")]


class StaticAuth:
    """The same header on every request (none, basic, bearer): nothing to refresh."""

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def headers(self) -> dict[str, str]:
        return dict(self._headers)

    def invalidate(self) -> bool:
        return False


class TokenAuth:
    """A fetched token, cached until it expires; ``fetch`` returns (token, lifetime s)."""

    def __init__(self, fetch: Callable[[], tuple[str, float]], scheme: str,
                 clock: Callable[[], float]) -> None:
        self.fetch, self.scheme, self.clock = fetch, scheme, clock
        self._token: str | None = None
        self._expires = 0.0

    def headers(self) -> dict[str, str]:
        if self._token is None or self.clock() >= self._expires:
            token, lifetime = self.fetch()
            self._token, self._expires = token, self.clock() + lifetime
        return {"Authorization": f"{self.scheme} {self._token}"}

    def invalidate(self) -> bool:
        self._token = None
        return True


def absolute(url: str, base: str) -> str:
    return url if url.startswith(("http://", "https://")) else base.rstrip("/") + url


def strip_scheme(token: str, scheme: str) -> str:
    """``Bearer abc`` → ``abc`` when the tool already put the scheme in front."""
    token = token.strip()
    if scheme and token.lower().startswith(scheme.lower() + " "):
        return token[len(scheme) + 1:].strip()
    return token


def oauth2_fetch(config: OAuth2Auth, client_secret: SecretStr, base: str, timeout: float):
    def fetch() -> tuple[str, float]:
        form = {"grant_type": "client_credentials"}
        headers = dict(FORM)
        if config.client_auth == "basic":
            headers["Authorization"] = basic_auth(config.client_id, client_secret)
        else:
            form.update(client_id=config.client_id,
                        client_secret=client_secret.get_secret_value())
        if config.scope:
            form["scope"] = config.scope
        response = http.check(http.request("POST", absolute(config.token_url, base), headers,
                                           timeout=timeout, data=urlencode(form).encode()))
        data = response.json()
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise http.Rejected(response.status, response.body, "no access_token in the answer")
        try:
            lifetime = float(data.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0  # RFC 6749 makes expires_in optional
        return token, max(0.0, lifetime - config.expiry_margin)
    return fetch


def login_fetch(config: LoginAuth, password: SecretStr, base: str, timeout: float):
    token_path = compile_jsonpath(config.token_jsonpath or "$.token", "auth.token_jsonpath")

    def fetch() -> tuple[str, float]:
        form = {config.user_field: config.user, config.password_field: password.get_secret_value()}
        response = http.check(http.request("POST", absolute(config.path, base), dict(FORM),
                                           timeout=timeout, data=urlencode(form).encode()))
        if config.token_from == "header":
            raw = response.headers.get(config.token_header.lower())
        elif config.token_from == "jsonpath":
            raw = first_scalar(token_path.find(response.json()))
        else:
            raw = response.body
        token = strip_scheme(raw or "", config.scheme)
        if not token or any(c.isspace() for c in token):
            raise http.Rejected(response.status, response.body,
                                f"login: no token in the {config.token_from}")
        return token, config.token_ttl
    return fetch


def build_auth(config, base: str, timeout: float,
               clock: Callable[[], float] = time.monotonic) -> StaticAuth | TokenAuth:
    """The authenticator of one sink; raises MissingCredential when a secret is not set."""
    if isinstance(config, BasicAuth):
        password = secret(config.password_env, config.password_file)
        return StaticAuth({"Authorization": basic_auth(config.user, password)})
    if isinstance(config, BearerAuth):
        token = secret(config.token_env, config.token_file)
        return StaticAuth({"Authorization": f"{config.scheme} {token.get_secret_value()}"})
    if isinstance(config, OAuth2Auth):
        client_secret = secret(config.client_secret_env, config.client_secret_file)
        return TokenAuth(oauth2_fetch(config, client_secret, base, timeout), "Bearer", clock)
    if isinstance(config, LoginAuth):
        password = secret(config.password_env, config.password_file)
        return TokenAuth(login_fetch(config, password, base, timeout), config.scheme, clock)
    return StaticAuth({})
