"""The configuration file, as pydantic models.

Every default here is also written, with a comment, in the repository's config.toml;
tests/test_docs.py keeps the two in step. A wrong key, a wrong type or an impossible
value is one ConfigError naming the file, the key and what would be right.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

TIER_NAMES = ("nano", "micro", "mid", "macro", "mega")
DEFAULT_CONFIG_NAME = "config.toml"


class ConfigError(Exception):
    """A configuration problem; str() is the whole message a user sees."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Tier(Strict):
    """Follower bounds of one tier: min <= followers < max (max None = unbounded)."""

    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> "Tier":
        if self.max is not None and self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self

    def contains(self, followers: int) -> bool:
        return followers >= self.min and (self.max is None or followers < self.max)


def tiers(*bounds: int) -> dict[str, Tier]:
    """Five tiers from four boundaries: nano starts at bounds[0], mega has no top."""
    edges = list(bounds) + [None]
    return {name: Tier(min=edges[i], max=edges[i + 1]) for i, name in enumerate(TIER_NAMES)}


class Platform(Strict):
    """Where a platform is reached and how its audiences are sized."""

    enabled: bool = True
    base_url: str = ""
    tiers: dict[str, Tier]
    # Per-platform overrides of [rules.NAME] options.
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("tiers")
    @classmethod
    def _tier_names(cls, value: dict[str, Tier]) -> dict[str, Tier]:
        unknown = set(value) - set(TIER_NAMES)
        if unknown:
            raise ValueError(f"unknown tier {sorted(unknown)}; tiers are {', '.join(TIER_NAMES)}")
        return value


class Mastodon(Platform):
    base_url: str = "https://mastodon.social"
    # Fediverse audiences are about ten times smaller than Instagram's.
    tiers: dict[str, Tier] = Field(default_factory=lambda: tiers(100, 1_000, 10_000, 50_000, 100_000))


class Bluesky(Platform):
    base_url: str = "https://public.api.bsky.app"  # the AppView
    pds: str = "https://bsky.social"
    # The AppView's DID: the PDS proxies logged-in calls to it (atproto-proxy header).
    appview_did: str = "did:web:api.bsky.app"
    # Where the session is kept between runs; "" = the state folder (see crawlers/bsky_session.py).
    session_file: str = ""
    handle: SecretStr | None = None
    app_password: SecretStr | None = None
    tiers: dict[str, Tier] = Field(default_factory=lambda: tiers(100, 1_000, 10_000, 50_000, 100_000))

    @field_validator("appview_did")
    @classmethod
    def _did(cls, value: str) -> str:
        return check_did(value)


def check_did(value: str) -> str:
    """A DID, optionally with a #service_id (what an atproto-proxy header names)."""
    did, sep, service = value.partition("#")
    if (not did.startswith("did:") or did.count(":") < 2 or " " in value
            or (sep and (not service or "#" in service))):
        raise ValueError("not a DID like did:web:api.bsky.app (optionally followed by #service_id)")
    return value


class Platforms(Strict):
    mastodon: Mastodon = Field(default_factory=Mastodon)
    bluesky: Bluesky = Field(default_factory=Bluesky)
    instagram: Platform = Field(default_factory=lambda: Platform(
        enabled=False, base_url="https://graph.facebook.com/v21.0",
        tiers=tiers(1_000, 10_000, 100_000, 500_000, 1_000_000)))
    tiktok: Platform = Field(default_factory=lambda: Platform(
        enabled=False, base_url="https://open.tiktokapis.com",
        tiers=tiers(1_000, 5_000, 50_000, 500_000, 1_000_000)))
    youtube: Platform = Field(default_factory=lambda: Platform(
        enabled=False, base_url="https://www.googleapis.com/youtube/v3",
        tiers=tiers(1_000, 10_000, 100_000, 500_000, 1_000_000)))

    def get(self, name: str) -> Platform:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None

    def names(self) -> list[str]:
        return list(type(self).model_fields)


class Crawl(Strict):
    """Bounds and manners of a discovery crawl."""

    user_agent: str = "microscout/0.1 (+https://github.com/microscout/microscout)"
    obey_robots: bool = True
    hashtag_pages: int = Field(default=5, ge=1)
    posts_per_profile: int = Field(default=30, ge=0, le=200)
    replies_per_post: int = Field(default=20, ge=0)
    posts_with_replies: int = Field(default=5, ge=0)
    follower_sample: int = Field(default=80, ge=0)
    max_profiles: int = Field(default=500, ge=1)
    max_requests: int = Field(default=5_000, ge=1)
    concurrency_per_host: int = Field(default=4, ge=1)
    download_delay: float = Field(default=0.0, ge=0)
    autothrottle: bool = True
    retry_times: int = Field(default=3, ge=0)
    # Slow down when fewer than this share of the rate-limit window remains.
    rate_limit_reserve: float = Field(default=0.1, ge=0, le=1)
    prefilter: bool = True
    jobdir: str = ".microscout/crawls"
    # A response body larger than this is malformed, not parsed (8 MiB; pages are ~100 KB).
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=64 * 1024)


class Scoring(Strict):
    """How verdicts become one score."""

    unknown_score: float = Field(default=0.5, ge=0, le=1)
    warn_penalty: float = Field(default=0.0, ge=0, le=1)


class Campaign(Strict):
    """A brand's search: where, what niche, which tier, and how to judge."""

    description: str = ""
    platforms: list[str] = Field(default_factory=lambda: ["mastodon", "bluesky"])
    hashtags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    target_tier: str | list[str] = "micro"
    gates: list[str] = Field(default_factory=list)
    weights: dict[str, float] = Field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    shortlist_size: int = Field(default=25, ge=1)
    price_per_post: tuple[float, float] | None = None
    budget: float | None = Field(default=None, gt=0)

    @field_validator("target_tier")
    @classmethod
    def _tier(cls, value: str | list[str]) -> str | list[str]:
        for name in [value] if isinstance(value, str) else value:
            if name not in TIER_NAMES:
                raise ValueError(f"unknown tier {name!r}; tiers are {', '.join(TIER_NAMES)}")
        return value

    @field_validator("price_per_post")
    @classmethod
    def _price(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not 0 <= value[0] <= value[1]:
            raise ValueError(f"price range {list(value)} must be [low, high] with 0 <= low <= high")
        return value

    @property
    def target_tiers(self) -> list[str]:
        return [self.target_tier] if isinstance(self.target_tier, str) else list(self.target_tier)


class Exports(Strict):
    dir: str = "exports"
    default_format: str = "csv"


class Sandbox(Strict):
    size: int = Field(default=400, ge=10)
    seed: int = 7
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)

    @field_validator("host")
    @classmethod
    def _loopback(cls, value: str) -> str:
        # The sandbox is a simulated platform for this machine only.
        if value not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the sandbox binds only the loopback interface: use 127.0.0.1, not {value!r}")
        return value


class Config(Strict):
    database: str = "microscout.db"
    plugins_dir: str | None = "plugins"
    platforms: Platforms = Field(default_factory=Platforms)
    crawl: Crawl = Field(default_factory=Crawl)
    scoring: Scoring = Field(default_factory=Scoring)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    campaigns: dict[str, Campaign] = Field(default_factory=dict)
    exports: Exports = Field(default_factory=Exports)
    sandbox: Sandbox = Field(default_factory=Sandbox)

    # Set by load_config, not by the file: where relative paths start.
    source: str = Field(default="(built-in defaults)", exclude=True)
    root: str = Field(default=".", exclude=True)

    @model_validator(mode="after")
    def _campaign_platforms(self) -> "Config":
        known = self.platforms.names()
        for name, campaign in self.campaigns.items():
            for platform in campaign.platforms:
                if platform not in known:
                    raise ValueError(
                        f"campaigns.{name}.platforms: unknown platform {platform!r}; "
                        f"known: {', '.join(known)}")
        return self

    def path(self, value: str) -> Path:
        """A path from the file, relative to the file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else Path(self.root) / p

    def campaign(self, name: str) -> Campaign:
        if name not in self.campaigns:
            known = ", ".join(sorted(self.campaigns)) or "none defined"
            raise ConfigError(f"{self.source}: no campaign {name!r} in [campaigns]; known: {known}")
        return self.campaigns[name]


def resolve_env(value: Any, key: str, source: str) -> Any:
    """Replace {"$env": "NAME"} tables with the environment variable's value."""
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            var = value["$env"]
            if var not in os.environ:
                raise ConfigError(
                    f"{source}: {key} refers to environment variable ${var}, which is not set; "
                    f"export {var}=... or remove the key")
            return os.environ[var]
        return {k: resolve_env(v, f"{key}.{k}" if key else k, source) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env(v, f"{key}[{i}]", source) for i, v in enumerate(value)]
    return value


def _describe(error: dict) -> str:
    key = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-after"))
    if not key.isprintable():
        key = repr(key)
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key; remove it or check its spelling"
    inp = error.get("input")
    shown = "" if isinstance(inp, dict) or inp is None else f" (got {_short(repr(inp))})"
    msg = error["msg"].removeprefix("Value error, ")
    return f"{key}: {msg}{shown}"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def parse_config(data: dict[str, Any], source: str = "(built-in defaults)", root: str = ".") -> Config:
    try:
        data = resolve_env(data, "", source)
        config = Config.model_validate(data)
    except RecursionError:
        raise ConfigError(f"{source}: values nested too deeply; a config needs only a few levels of tables") from None
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors(include_url=False)]
        raise ConfigError(f"{source}: " + "; ".join(lines)) from None
    config.source, config.root = source, root
    return config


def find_config(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("MICROSCOUT_CONFIG")
    if env:
        return Path(env)
    local = Path.cwd() / DEFAULT_CONFIG_NAME
    return local if local.exists() else None


def load_config(path: str | Path | None = None) -> Config:
    """Read a config file; with no file at all, the built-in defaults."""
    found = find_config(str(path) if path else None)
    if found is None:
        return parse_config({}, root=str(Path.cwd()))
    if not found.exists():
        raise ConfigError(f"{found}: no such config file; pass --config PATH or create config.toml")
    return parse_config(read_toml(found), source=str(found), root=str(found.resolve().parent))


def read_toml(found: Path) -> dict[str, Any]:
    """The TOML table in the file; every way the file can be unreadable is a ConfigError."""
    try:
        raw = found.read_bytes()
    except IsADirectoryError:
        raise ConfigError(f"{found}: is a folder, not a config file; pass --config PATH to a .toml file") from None
    except OSError as exc:
        raise ConfigError(f"{found}: cannot read the config file ({exc.strerror or exc}); "
                          f"check its permissions or pass --config PATH") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        offset = exc.start + len(raw) - len(exc.object)  # past a byte-order mark, if any
        line = raw.count(b"\n", 0, offset) + 1
        raise ConfigError(f"{found}: not UTF-8 text (byte 0x{raw[offset]:02x} at offset {offset}, "
                          f"line {line}); save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{found}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{found}: not valid TOML: arrays or tables nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise ConfigError(f"{found}: not valid TOML: {exc}") from None

