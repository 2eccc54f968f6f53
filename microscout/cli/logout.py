"""`microscout logout bluesky`: forget the saved Bluesky session(s)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from microscout.cli.common import with_env


def _saved_sessions(env) -> list[Path]:
    from microscout.crawlers.bsky_session import sessions_dir

    configured = env.config.platforms.bluesky.session_file
    paths = [env.config.path(configured)] if configured else []
    folder = sessions_dir()
    if folder.is_dir():
        paths += sorted(folder.glob("*.json"))
    return [p for p in dict.fromkeys(paths) if p.is_file()]


def _revoke(data: dict, user_agent: str) -> str:
    """Best effort: com.atproto.server.deleteSession at the PDS, so the refresh token dies too."""
    from microscout.crawlers.bsky_session import SessionProblem, XrpcError, xrpc_call

    pds, token = data.get("pds"), data.get("refresh_jwt")
    if not isinstance(pds, str) or not isinstance(token, str) or not pds or not token:
        return ""
    try:
        xrpc_call(pds, "com.atproto.server.deleteSession", token=token, user_agent=user_agent, timeout=10)
    except XrpcError as err:
        if err.name in ("ExpiredToken", "InvalidToken"):
            return "; it had already expired at the PDS"
        return f"; the PDS did not revoke it ({err})"
    except SessionProblem as problem:
        return f"; could not reach the PDS to revoke it ({problem})"
    return "; revoked at the PDS"


@click.command("logout", short_help="Delete the saved login session of a platform.")
@click.argument("platform", type=click.Choice(["bluesky"]))
@with_env
def command(env, platform):
    """Delete the saved login session of PLATFORM (and revoke it at the PDS)."""
    from microscout.crawlers.bsky_session import sessions_dir

    paths = _saved_sessions(env)
    if not paths:
        click.echo(f"No saved Bluesky session (looked in {sessions_dir()}"
                   + (f" and {env.config.path(env.config.platforms.bluesky.session_file)}"
                      if env.config.platforms.bluesky.session_file else "") + "): nothing to delete")
        return
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            data = {}
        revoked = _revoke(data, env.config.crawl.user_agent)
        path.unlink(missing_ok=True)
        who = f" of {data['handle']} at {data['pds']}" if data.get("handle") and data.get("pds") else ""
        click.echo(f"Deleted the saved Bluesky session{who}: {path}{revoked}")
