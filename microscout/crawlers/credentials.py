"""Credentials for the API platforms, from the config (a {"$env" = "VAR"} reference) or the
environment; and CrawlProblem, the one way a crawl that cannot start says why.

A secret is read here and handed to the spider in memory: it never goes into a URL, a run's
arguments, the job folder, the log, an error message or the database.
"""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from pydantic import SecretStr


class CrawlProblem(Exception):
    """A crawl that cannot start: bad input, missing or refused credentials (exit 2), or a
    login that may work later (rate limited, the server unreachable: exit_code 1)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


# Where each secret read in this process came from, by config key, as origin_of names it.
_ORIGINS: dict[str, str] = {}


def secret(configured: SecretStr | str | None, env_var: str, key: str, what: str, config: Any = None) -> str:
    """The configured value, else the environment variable's; CrawlProblem naming both when
    neither is set. ``key`` is the config key (platforms.youtube.api_key), ``what`` says what
    the value is for (a YouTube Data API key); with ``config``, where the value came from is
    remembered for origin_of."""
    if isinstance(configured, SecretStr):
        configured = configured.get_secret_value()
    value = (configured or os.environ.get(env_var, "")).strip()
    if not value:
        raise CrawlProblem(f"{what} is not set: export {env_var}=... (or set {key} = {{\"$env\" = \"VAR\"}} "
                           "in the config)")
    where = config.secret_origin(key, bool(configured), env_var) if config is not None else \
        (key if configured else f"${env_var}")
    odd = next((i for i, char in enumerate(value) if not char.isprintable() or not char.isascii()), None)
    if odd is not None:
        # A line break, a tab or an invisible character (a token exported from a file with two
        # lines, a copied zero-width space) is in no key, token or password. Sent on, it stops
        # the call with an error that repeats the whole header ("Invalid header value
        # b'Bearer …'", http.client), into the message, errors.log and a schedule's record.
        # Nor is a letter beyond ASCII (a typographic quote pasted around it, "’"): headers are
        # ASCII, and it ended the crawl in "unexpected error: UnicodeEncodeError".
        char = value[odd]
        named = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}.get(char, f"U+{ord(char):04X}")
        # One clause, not parentheses in parentheses: ``where`` may say which config key names it.
        raise CrawlProblem(f"{what}, from {where}, holds a line break, a tab, an invisible character or one "
                           f"beyond ASCII (its character {odd + 1}, {named}): set it again without it")
    if config is not None:
        _ORIGINS[key] = where
    return value


def origin_of(key: str, env_var: str) -> str:
    """Where the secret at config ``key`` came from, to name in a message saying it was refused:
    the variable its {"$env"} reference names, the key in the config file, or ``env_var``
    (a message naming an environment variable the config's value overrides would send the
    user to fix the wrong one)."""
    return _ORIGINS.get(key, f"${env_var}")


# A "secret" shorter than this is no credential worth hiding (a placeholder a local mock takes)
# and too common to replace: in an answer's body it would be every "ing" of every caption.
MIN_SECRET = 4


def redact(text: str, *secrets: str) -> str:
    """``text`` with every secret replaced by [redacted] (for messages built from a server's answer)."""
    for value in secrets:
        if value and len(value) >= MIN_SECRET:
            text = text.replace(value, "[redacted]")
    return text


def _origin(url: str) -> tuple[str, str, int | None] | None:
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        return None


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """urllib sends a request's headers on to wherever a redirect points, the Authorization
    with its token among them (a server that moved, a captive portal, a hostile proxy): a
    credential would reach a server nobody configured. A redirect to another origin is the
    answer (an HTTPError with its 3xx), never followed; one on the same origin is."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        elsewhere = _origin(newurl)
        if elsewhere is None or elsewhere != _origin(req.full_url):
            where = f"{elsewhere[0]}://{elsewhere[1]}:{elsewhere[2]}" if elsewhere else newurl[:100]
            raise urllib.error.HTTPError(req.full_url, code, f"a redirect to another server ({where}), not followed",
                                         headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOriginRedirects)


def urlopen(request: urllib.request.Request, timeout: float):
    """urllib.request.urlopen for a call that carries a credential (a token, an app password,
    client credentials), made outside Scrapy: it goes to the configured server only, as the
    crawl's own requests do (OriginGuardMiddleware)."""
    return _OPENER.open(request, timeout=timeout)
