"""TikTok Research API endpoints of the sandbox, under /v2/: (status, body, headers) out, no HTTP plumbing."""
from __future__ import annotations

PREFIX = "/v2/"


def route(app, method: str, path: str, query: dict, body: bytes, headers: dict):
    """The answer to a request under PREFIX, or None for any other path."""
    if not path.startswith(PREFIX):
        return None
    return 501, {"error": {"code": 501, "message": "not served by the sandbox yet"}}, {}
