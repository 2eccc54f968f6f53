"""Credentials for the API platforms, from the config (a {"$env" = "VAR"} reference) or the
environment; and CrawlProblem, the one way a crawl that cannot start says why.

A secret is read here and handed to the spider in memory: it never goes into a URL, a run's
arguments, the job folder, the log, an error message or the database.
"""
from __future__ import annotations

import os

from pydantic import SecretStr


class CrawlProblem(Exception):
    """A crawl that cannot start: bad input, missing or refused credentials (exit 2), or a
    login that may work later (rate limited, the server unreachable: exit_code 1)."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def secret(configured: SecretStr | str | None, env_var: str, key: str, what: str) -> str:
    """The configured value, else the environment variable's; CrawlProblem naming both when
    neither is set. ``key`` is the config key (platforms.youtube.api_key), ``what`` says what
    the value is for (a YouTube Data API key)."""
    if isinstance(configured, SecretStr):
        configured = configured.get_secret_value()
    value = (configured or os.environ.get(env_var, "")).strip()
    if not value:
        raise CrawlProblem(f"{what} is not set: export {env_var}=... (or set {key} = {{\"$env\" = \"VAR\"}} "
                           "in the config)")
    return value


def redact(text: str, *secrets: str) -> str:
    """``text`` with every secret replaced by [redacted] (for messages built from a server's answer)."""
    for value in secrets:
        if value and len(value) >= 4:
            text = text.replace(value, "[redacted]")
    return text
