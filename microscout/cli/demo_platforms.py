"""How `microscout demo --platform P` reaches the sandbox as P: the crawl's arguments and
the sandbox's credentials for it.

The credentials are the sandbox's own, but they travel the way real ones must: in the
crawl subprocess's environment only, never on a command line or in what the demo prints
(the crawl records its arguments in the database).
"""
from __future__ import annotations

from pathlib import Path

from microscout.crawlers.platforms import CRAWLABLE

PLATFORMS = CRAWLABLE
NAMES = {"mastodon": "Mastodon", "bluesky": "Bluesky", "youtube": "YouTube (Data API v3)",
         "instagram": "Instagram (Graph API)", "tiktok": "TikTok (Research API)"}
# Where each API platform lives on the sandbox (the `--api` root its spider expects).
API_PATH = {"youtube": "/youtube/v3", "instagram": "/v21.0", "tiktok": ""}


def crawl_args(platform: str | None, campaign: str, hashtags: list[str], url: str) -> list[str]:
    """`crawl …` arguments: the campaign on its own platforms (None), else P with the campaign's hashtags."""
    if platform is None:
        return ["crawl", campaign, "--instance", url, "--appview", url, "--pds", url]
    args = ["crawl", platform, *(a for tag in hashtags for a in ("--hashtag", tag))]
    if platform == "mastodon":
        return [*args, "--instance", url]
    if platform == "bluesky":
        return [*args, "--appview", url, "--pds", url]
    return [*args, "--api", url + API_PATH[platform]]


def seed_args(platform: str | None, pop, folder: str | Path, limit: int | None = None) -> list[str]:
    """`--handles FILE` for a platform whose API finds no creator from a hashtag (Instagram:
    hashtag media name no author, captions come without "@"), as a team would seed it: a
    handles file, written into ``folder``, with the usernames of the population as that
    platform serves them, in the population's order (the first ``limit``, or all). Never
    chosen by what the sandbox knows about a person (archetype, niche). [] elsewhere."""
    if platform != "instagram":
        return []
    from microscout.sandbox import instagram_wire

    people = list(pop)[:limit] if limit else list(pop)
    path = Path(folder) / "instagram-handles.txt"
    path.write_text("# the demo's Instagram seeds: the sandbox population's usernames\n"
                    + "".join(f"{instagram_wire.username(p)}\n" for p in people), encoding="utf-8")
    return ["--handles", str(path)]


def credentials(platform: str | None, state_dir: str) -> dict[str, str]:
    """The environment the crawl needs to log in to the sandbox as ``platform`` (None: the
    campaign's own platforms, Mastodon and Bluesky)."""
    from microscout.sandbox import instagram_wire, routes_instagram, routes_tiktok, routes_youtube
    from microscout.sandbox.routes_bluesky import IDENTIFIER, PASSWORD

    # The Bluesky login session is kept for the second crawl in a folder of its own, not
    # beside the user's real Bluesky sessions.
    env = {"MICROSCOUT_STATE_DIR": state_dir}
    if platform in (None, "bluesky"):
        env.update(MICROSCOUT_BSKY_HANDLE=IDENTIFIER, MICROSCOUT_BSKY_APP_PASSWORD=PASSWORD)
    if platform == "youtube":
        env["MICROSCOUT_YOUTUBE_API_KEY"] = routes_youtube.API_KEY
    if platform == "instagram":
        env.update(MICROSCOUT_INSTAGRAM_TOKEN=routes_instagram.TOKEN,
                   MICROSCOUT_INSTAGRAM_USER_ID=instagram_wire.OWN_ACCOUNT)
    if platform == "tiktok":
        env.update(MICROSCOUT_TIKTOK_CLIENT_KEY=routes_tiktok.CLIENT_KEY,
                   MICROSCOUT_TIKTOK_CLIENT_SECRET=routes_tiktok.CLIENT_SECRET)
    return env


def secrets(env: dict[str, str]) -> list[str]:
    """The values in ``env`` that must never be printed (all but the state folder and the
    Instagram account id, which is no secret)."""
    return [v for k, v in env.items() if k not in ("MICROSCOUT_STATE_DIR", "MICROSCOUT_INSTAGRAM_USER_ID")]

