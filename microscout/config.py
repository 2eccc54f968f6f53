"""The configuration file, as pydantic models.

Every default here is also written, with a comment, in the repository's config.toml;
tests/test_docs.py keeps the two in step. The package carries the same file as
microscout/defaults.toml (with the demo campaign and an example schedule): it is the
configuration when no config file is found, so an installed microscout runs anywhere.
A wrong key, a wrong type or an impossible value is one ConfigError naming the file,
the key and what would be right.
"""
from __future__ import annotations

import os
import re
import string
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from microscout.words import did_you_mean

TIER_NAMES = ("nano", "micro", "mid", "macro", "mega")
DEFAULT_CONFIG_NAME = "config.toml"
# The documented defaults the package carries (config.toml in the repository is the same file).
DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")
BUILTIN_SOURCE = "(built-in defaults)"


class ConfigError(Exception):
    """A configuration problem; str() is the whole message a user sees."""


class Strict(BaseModel):
    # TOML reads inf and nan as floats; no setting means them (a budget of inf fills nothing).
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


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
    edges: list[int | None] = [*bounds, None]
    return {name: Tier(min=bounds[i], max=edges[i + 1]) for i, name in enumerate(TIER_NAMES)}


class Platform(Strict):
    """Where a platform is reached and how its audiences are sized."""

    enabled: bool = True
    base_url: str = ""
    tiers: dict[str, Tier]
    # Per-platform overrides of [rules.NAME] options.
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url(value)

    @field_validator("tiers")
    @classmethod
    def _tier_names(cls, value: dict[str, Tier]) -> dict[str, Tier]:
        unknown = set(value) - set(TIER_NAMES)
        if unknown:
            raise ValueError(f"unknown tier {sorted(unknown)}; tiers are {', '.join(TIER_NAMES)}")
        return value


def http_url(value: str) -> str:
    """A server's address as the config gives it: empty (none), or http(s)://host[:port][/path]
    (a crawl checks it again, with its credentials rule, when it starts)."""
    from urllib.parse import urlsplit

    if not value:
        return value
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValueError(f"not a server's address ({exc}); e.g. https://mastodon.social") from None
    if parts.username is not None or parts.password is not None or "?" in value:
        # a key, token or password written into the address: refused, and the value never shown
        raise PydanticCustomError(
            "url_credentials", "holds a user name, a password or a query string; give the server's address alone "
            "(credentials come from the environment or an {\"$env\" = NAME} reference)")
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value.strip()):
        raise ValueError("not an http:// or https:// address with a host name; e.g. https://mastodon.social or "
                         "http://127.0.0.1:8080")
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

    @field_validator("pds")
    @classmethod
    def _pds_url(cls, value: str) -> str:
        return http_url(value)


def check_did(value: str) -> str:
    """A DID, optionally with a #service_id (what an atproto-proxy header names)."""
    did, sep, service = value.partition("#")
    if (not did.startswith("did:") or did.count(":") < 2 or " " in value
            or (sep and (not service or "#" in service))):
        raise ValueError("not a DID like did:web:api.bsky.app (optionally followed by #service_id)")
    return value


class YouTube(Platform):
    """YouTube Data API v3: an API key (environment MICROSCOUT_YOUTUBE_API_KEY or api_key)."""

    base_url: str = "https://www.googleapis.com/youtube/v3"
    api_key: SecretStr | None = None
    # The project's daily quota in units (Google's default 10,000; it resets at midnight
    # Pacific time). A crawl stops before it, saying what was done and what is left.
    daily_quota: int = Field(default=10_000, ge=1)
    tiers: dict[str, Tier] = Field(default_factory=lambda: tiers(1_000, 10_000, 100_000, 500_000, 1_000_000))


class Instagram(Platform):
    """Instagram Graph API: a user access token and the Instagram professional account id
    the calls are made as (MICROSCOUT_INSTAGRAM_TOKEN, MICROSCOUT_INSTAGRAM_USER_ID)."""

    base_url: str = "https://graph.facebook.com/v21.0"
    access_token: SecretStr | None = None
    ig_user_id: str = ""
    # Instagram allows 30 unique hashtags per account in a rolling 7 days.
    hashtags_per_week: int = Field(default=30, ge=1)
    tiers: dict[str, Tier] = Field(default_factory=lambda: tiers(1_000, 10_000, 100_000, 500_000, 1_000_000))


class TikTok(Platform):
    """TikTok Research API: client key and secret (MICROSCOUT_TIKTOK_CLIENT_KEY, _SECRET)."""

    base_url: str = "https://open.tiktokapis.com"
    client_key: SecretStr | None = None
    client_secret: SecretStr | None = None
    # Video queries cover at most 30 days (the API's limit): this many days back from today.
    search_days: int = Field(default=30, ge=1, le=30)
    tiers: dict[str, Tier] = Field(default_factory=lambda: tiers(1_000, 5_000, 50_000, 500_000, 1_000_000))


class LinkedIn(Platform):
    """LinkedIn: no API a scout can use; profiles and posts come in with `microscout import`."""

    base_url: str = "https://www.linkedin.com"
    # LinkedIn micro 5K-25K connections/followers (DOMAIN.md, theinfluencerpost.com).
    tiers: dict[str, Tier] = Field(default_factory=lambda: tiers(1_000, 5_000, 25_000, 100_000, 500_000))


class Platforms(Strict):
    mastodon: Mastodon = Field(default_factory=Mastodon)
    bluesky: Bluesky = Field(default_factory=Bluesky)
    instagram: Instagram = Field(default_factory=Instagram)
    tiktok: TikTok = Field(default_factory=TikTok)
    youtube: YouTube = Field(default_factory=YouTube)
    linkedin: LinkedIn = Field(default_factory=LinkedIn)

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


class Shortlists(Strict):
    """What shortlist runs keep."""

    # Verdicts are rows per run that judged them (a run keeping them names that run), so a
    # weekly schedule re-judging would otherwise add every candidate's verdicts each week.
    keep_runs: int = Field(default=5, ge=1)


class Campaign(Strict):
    """A brand's search: where, what niche, which tier, and how to judge."""

    description: str = ""
    platforms: list[str] = Field(default_factory=lambda: ["mastodon", "bluesky"])
    hashtags: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    target_tier: str | list[str] = "micro"
    gates: list[str] = Field(default_factory=list)
    # A weight scales a rule's score in the mean; below 0 it would reward failing (refused).
    weights: dict[str, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = Field(default_factory=dict)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    shortlist_size: int = Field(default=25, ge=1)
    price_per_post: tuple[float, float] | None = None
    budget: float | None = Field(default=None, gt=0)

    @field_validator("target_tier")
    @classmethod
    def _tier(cls, value: str | list[str]) -> str | list[str]:
        if not value:  # [] passed config check, and tier_bounds then excluded every creator
            raise ValueError("names no tier; give the tier the campaign targets, e.g. \"micro\" "
                             "or [\"nano\", \"micro\"]")
        for name in [value] if isinstance(value, str) else value:
            if name not in TIER_NAMES:
                raise ValueError(f"unknown tier {name!r}; tiers are {', '.join(TIER_NAMES)}")
        return value

    @field_validator("keywords")
    @classmethod
    def _keywords(cls, value: list[str]) -> list[str]:
        # [""] matched nothing yet counted as keywords: niche_relevance failed every creator, where
        # no keywords at all is 'unknown'
        for word in value:
            if not word.strip():
                raise ValueError(f"{word!r} is no keyword; remove it, or write the words the niche's posts use")
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


Step = Literal["crawl", "shortlist", "export"]
SCHEDULE_STEPS: tuple[Step, ...] = ("crawl", "shortlist", "export")
# What a schedule's file name and folder may contain, with an example value each.
SCHEDULE_FIELDS = {"schedule": "weekly", "campaign": "demo", "date": datetime(2025, 1, 6, 8, 0, tzinfo=timezone.utc),
                   "ext": "csv", "format": "csv", "run": 1}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def check_pattern(pattern: str, what: str) -> str:
    """A str.format pattern using only SCHEDULE_FIELDS ({date:%Y-%m-%d} takes strftime codes)."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None]
    except ValueError as exc:
        raise ValueError(f"{what} {pattern!r} is not a valid pattern ({exc}); write fields as {{campaign}}") from None
    for field in fields:
        if field not in SCHEDULE_FIELDS:
            raise ValueError(f"{what} {pattern!r}: unknown field {{{field}}}; fields are "
                             + ", ".join(f"{{{f}}}" for f in SCHEDULE_FIELDS))
    try:
        pattern.format(**SCHEDULE_FIELDS)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what} {pattern!r} cannot be filled in ({exc})") from None
    for _, name, spec, _ in string.Formatter().parse(pattern):
        if name == "date" and spec:
            _check_strftime(spec, pattern, what)
    return pattern


# One strftime directive: %%, or % with glibc's flags, width and E/O modifier, then its letter.
_DIRECTIVE = re.compile(r"%%|%[-_0^#]*[0-9]*[EO]?.", re.DOTALL)


def _check_strftime(spec: str, pattern: str, what: str) -> None:
    # A directive the C library does not know is copied as it is ("{date:%Q}" wrote "%Q.csv"
    # at every run, each replacing the last); Windows' refuses it, caught above.
    sample = SCHEDULE_FIELDS["date"]
    for match in _DIRECTIVE.finditer(spec):
        directive = match.group()
        if directive != "%%" and format(sample, directive) == directive:
            raise ValueError(f"{what} {pattern!r}: {directive} is not a strftime directive (it would be written "
                             f"as it is); use strftime codes such as %Y %m %d %H %M, or %% for a '%'")


class Schedule(Strict):
    """When a campaign is crawled, shortlisted and exported by `microscout schedule run`."""

    enabled: bool = True
    cron: str
    timezone: str = "UTC"
    campaign: str
    steps: list[Step] = Field(default_factory=lambda: list(SCHEDULE_STEPS))
    crawl_args: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=lambda: ["csv"], min_length=1)
    destination: str = "exports"
    filename: str = "{campaign}-{date:%Y-%m-%d}.{ext}"
    retries: int = Field(default=2, ge=0, le=20)
    retry_delay: float = Field(default=60.0, ge=0, le=86_400)
    catch_up: Literal["once", "skip"] = "once"

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from cronsim import CronSim, CronSimError

        five = "five fields: minute hour day-of-month month day-of-week, e.g. \"0 8 * * MON\""
        if len(value.split()) != 5:
            # cronsim also reads a sixth, seconds field: "0 0 8 * * MON" ran every minute of 08:00
            fields = len(value.split())
            raise ValueError(f"not a cron expression ({fields} field{'' if fields == 1 else 's'}); {five}")
        try:
            CronSim(value, datetime(2025, 1, 1, tzinfo=timezone.utc))
        except CronSimError as exc:
            raise ValueError(f"not a cron expression ({exc}); {five}") from None
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone; use an IANA name such as \"Europe/Paris\" or \"UTC\"") from None
        return value

    @field_validator("steps")
    @classmethod
    def _steps(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError(f"give at least one step of {', '.join(SCHEDULE_STEPS)}")
        # Whatever order they are written in, they run in the order data flows.
        return [s for s in SCHEDULE_STEPS if s in value]

    @field_validator("crawl_args")
    @classmethod
    def _crawl_args(cls, value: list[str]) -> list[str]:
        for arg in value:
            if arg in ("--db", "--config") or arg.startswith(("--db=", "--config=")):
                raise ValueError(f"{arg}: the schedule's crawl always uses the schedule's config and database")
        return value

    @field_validator("filename")
    @classmethod
    def _filename(cls, value: str) -> str:
        check_pattern(value, "file name")
        sample = value.format(**SCHEDULE_FIELDS)
        if "/" in sample or "\\" in sample or sample in ("", ".", ".."):
            raise ValueError(f"{value!r} must be a file name, not a path; put the folder in destination")
        return value

    @field_validator("destination")
    @classmethod
    def _destination(cls, value: str) -> str:
        return check_pattern(value, "destination")

    @model_validator(mode="after")
    def _one_file_per_format(self) -> "Schedule":
        if len(set(self.formats)) != len(self.formats):
            raise ValueError(f"formats {self.formats} names a format twice")
        if len(self.formats) > 1 and "{ext" not in self.filename and "{format" not in self.filename:
            raise ValueError(f"filename {self.filename!r} has no {{ext}} or {{format}}: the formats "
                             f"{', '.join(self.formats)} would overwrite each other")
        if "{ext" not in self.filename and "{format" not in self.filename:
            # "latest.csv" for an xlsx export wrote a workbook under a .csv name
            suffix = self.filename.rpartition(".")[2].lower() if "." in self.filename else ""
            for fmt in self.formats:
                wanted = BUILTIN_EXTENSIONS.get(fmt)
                if wanted and suffix != wanted:
                    raise ValueError(f"filename {self.filename!r} ends in "
                                     f"{'.' + suffix if suffix else 'no extension'}, but format {fmt} writes "
                                     f".{wanted}; end it in .{wanted} or {{ext}}")
        return self


# The built-in exporters' file extensions (engine/exporters.py), for checking a schedule's
# fixed file name before a plugin's exporters are loaded.
BUILTIN_EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "html": "html", "json": "json", "jsonl": "jsonl"}


class Sandbox(Strict):
    size: int = Field(default=400, ge=10)
    seed: int = 7
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)

    @field_validator("host")
    @classmethod
    def _loopback(cls, value: str) -> str:
        return loopback_host(value)


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def loopback_host(value: str) -> str:
    """The sandbox is a simulated platform for this machine only: it binds the loopback interface."""
    if value not in LOOPBACK_HOSTS:
        raise ValueError(f"the sandbox binds only the loopback interface: use 127.0.0.1, not {value!r}")
    return value


class Config(Strict):
    database: str = "microscout.db"
    plugins_dir: str | None = "plugins"
    platforms: Platforms = Field(default_factory=Platforms)
    crawl: Crawl = Field(default_factory=Crawl)
    scoring: Scoring = Field(default_factory=Scoring)
    shortlists: Shortlists = Field(default_factory=Shortlists)
    rules: dict[str, dict[str, Any]] = Field(default_factory=dict)
    campaigns: dict[str, Campaign] = Field(default_factory=dict)
    exports: Exports = Field(default_factory=Exports)
    schedules: dict[str, Schedule] = Field(default_factory=dict)
    sandbox: Sandbox = Field(default_factory=Sandbox)

    # Set by load_config, not by the file: where relative paths start.
    source: str = Field(default=BUILTIN_SOURCE, exclude=True)
    root: str = Field(default=".", exclude=True)
    # Each {"$env" = "NAME"} reference's variable, by key (platforms.instagram.access_token).
    _env_refs: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("database")
    @classmethod
    def _database(cls, value: str) -> str:
        # "" was the config's folder: config check said OK, and every command then "is a folder"
        if not value.strip() or Path(value).name in ("", ".", "..") or value.endswith(("/", "\\")):
            raise ValueError("names no file; give the SQLite database file's path, e.g. \"microscout.db\" "
                             "(relative to this file's folder)")
        return value

    @model_validator(mode="after")
    def _campaign_platforms(self) -> "Config":
        from microscout.crawlers.platforms import CRAWLABLE

        known = self.platforms.names()
        for name, campaign in self.campaigns.items():
            # It names export files and folders: any name a file may have (spaces, accents).
            if not name.strip() or "/" in name or "\\" in name or name.startswith(".") or not name.isprintable():
                raise ValueError(f"campaigns.{name!r}: a campaign's name names its export files, so it may not "
                                 f"hold '/' or '\\' or control characters, nor start with '.'")
            if name in CRAWLABLE:
                raise ValueError(f"campaigns.{name}: {name!r} is a platform's name, so `microscout crawl {name}` "
                                 f"crawls the platform and never this campaign; rename the campaign")
            for platform in campaign.platforms:
                if platform not in known:
                    raise ValueError(
                        f"campaigns.{name}.platforms: unknown platform {platform!r}; "
                        f"known: {', '.join(known)}")
        for name, schedule in self.schedules.items():
            if not _NAME.fullmatch(name):
                raise ValueError(f"schedules.{name!r}: a schedule's name starts with a letter or digit, then letters, "
                                 f"digits, '-', '_' or '.' (64 at most: it names its lock and its files)")
            if schedule.campaign not in self.campaigns:
                raise ValueError(f"schedules.{name}.campaign: no campaign {schedule.campaign!r} in [campaigns]; "
                                 f"known: {', '.join(sorted(self.campaigns)) or 'none defined'}")
        return self

    def secret_origin(self, key: str, configured: bool, env_var: str) -> str:
        """Where a secret the crawl used came from, as a message telling how to fix it names it:
        the variable a {"$env"} reference at ``key`` names, ``key`` itself, or ``env_var``."""
        if key in self._env_refs:
            return f"${self._env_refs[key]} (which {key} in {self.source} names)"
        if configured:
            return f"{key} in {self.source}"
        return f"${env_var}"

    def path(self, value: str) -> Path:
        """A path from the file, relative to the file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else Path(self.root) / p

    @property
    def from_file(self) -> bool:
        """Whether a config file was read (else: the packaged defaults)."""
        return self.source != BUILTIN_SOURCE

    def schedule(self, name: str) -> Schedule:
        if name not in self.schedules:
            known = ", ".join(sorted(self.schedules)) or "none defined"
            raise ConfigError(f"{self.source}: no schedule {name!r} in [schedules]; "
                              f"{did_you_mean(name, self.schedules)}known: {known}")
        return self.schedules[name]

    def campaign(self, name: str) -> Campaign:
        if name not in self.campaigns:
            known = ", ".join(sorted(self.campaigns)) or "none defined"
            raise ConfigError(f"{self.source}: no campaign {name!r} in [campaigns]; "
                              f"{did_you_mean(name, self.campaigns)}known: {known}")
        return self.campaigns[name]

    def judged_platforms(self, name: str) -> list[str]:
        """The platforms whose profiles campaign ``name`` judges: its own, or every one when it
        names none (``platforms = []``)."""
        return self.campaign(name).platforms or self.platforms.names()


class UnsetSecret(SecretStr):
    """A secret whose {"$env" = "NAME"} variable is not set: the config loads (a command that
    never uses the secret, an export or a shortlist, needs none of it), and reading it
    raises the ConfigError that says which variable to export."""

    def __init__(self, message: str, variable: str) -> None:
        super().__init__("")
        self.message, self.variable = message, variable

    def get_secret_value(self) -> str:
        raise ConfigError(self.message)

    def __bool__(self) -> bool:  # configured (as a reference), so its reader asks for it and is told
        return True

    def __str__(self) -> str:  # `config show`: which variable to export
        return f"(${self.variable} is not set)"

    def __repr__(self) -> str:
        return f"UnsetSecret(${self.variable})"

    # SecretStr compares and hashes its value: an unset one is the variable it waits for.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, UnsetSecret) and other.variable == self.variable

    def __hash__(self) -> int:
        return hash(("UnsetSecret", self.variable))


def unset_secrets(model: Any) -> list[str]:
    """The messages of the UnsetSecret values in a config (or any part of it)."""
    found: list[str] = []
    for name in getattr(type(model), "model_fields", {}):
        value = getattr(model, name)
        if isinstance(value, UnsetSecret):
            found.append(value.message)
        elif isinstance(value, BaseModel):
            found += unset_secrets(value)
        elif isinstance(value, dict):
            found += [m for v in value.values() if isinstance(v, BaseModel) for m in unset_secrets(v)]
    return found


def resolve_env(value: Any, key: str, source: str, unset: dict[str, tuple[str, str]] | None = None,
                refs: dict[str, str] | None = None) -> Any:
    """Replace {"$env": "NAME"} tables with the environment variable's value. A secret
    field's variable that is not set is recorded in ``unset`` (key -> message, variable) and read as
    UnsetSecret after validation; any other key's is a ConfigError now. ``refs`` collects each
    key's variable (key -> NAME), so a refused secret's message can say which variable to fix."""
    if isinstance(value, dict):
        if set(value) == {"$env"}:
            var = value["$env"]
            if not isinstance(var, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", var):
                # The value is not shown: it may be the secret itself, pasted in the wrong place.
                raise ConfigError(f"{source}: {key}: {{\"$env\" = …}} must name an environment variable (letters, "
                                  f"digits and _), e.g. {{\"$env\" = \"MY_SECRET\"}}")
            if refs is not None:
                refs[key] = var
            if var not in os.environ:
                message = (f"{source}: {key} refers to environment variable ${var}, which is not set; "
                           f"export {var}=... or remove the key")
                if unset is None or not _is_secret(tuple(key.split("."))):
                    raise ConfigError(message)
                unset[key] = (message, var)
                return "unset"  # validated as any secret, replaced by UnsetSecret below
            return os.environ[var]
        return {k: resolve_env(v, f"{key}.{k}" if key else k, source, unset, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env(v, f"{key}[{i}]", source, unset, refs) for i, v in enumerate(value)]
    return value


def _describe(error: ErrorDetails) -> str:
    key = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-after"))
    if not key.isprintable():
        key = repr(key)
    if error["type"] == "extra_forbidden":
        loc = tuple(p for p in error["loc"] if not str(p).startswith("function-after"))
        near = did_you_mean(str(loc[-1]), _keys_at(loc[:-1])) if loc else ""
        return f"{key}: unknown key; {near}remove it or check its spelling"
    inp = error.get("input")
    shown = "" if isinstance(inp, dict) or inp is None else f" (got {shortened(repr(inp))})"
    if _is_secret(error["loc"]) or error["type"] == "url_credentials":
        shown = ""  # a secret's value never reaches a message, right or wrong
    msg = error["msg"].removeprefix("Value error, ")
    # A check of the whole config has no key of its own; its message names the key.
    return f"{key}: {msg}{shown}" if key else f"{msg}{shown}"


def _keys_at(loc: tuple) -> list[str]:
    """The keys the config's table at ``loc`` takes (its model's fields, stepping over a
    table of named ones: campaigns.NAME), so a misspelt key can be told the one it meant."""
    import types
    import typing

    model: Any = Config
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is not None:
            if part not in fields:
                return []
            model = fields[part].annotation
        elif typing.get_origin(model) is dict:
            model = typing.get_args(model)[1]
        else:
            return []
        if typing.get_origin(model) in (typing.Union, types.UnionType):  # Sandbox | None
            model = next((a for a in typing.get_args(model) if hasattr(a, "model_fields")), None)
    fields = getattr(model, "model_fields", {})
    return [name for name, field in fields.items() if not field.exclude]  # not source, root


def _is_secret(loc: tuple) -> bool:
    """Whether an error's location is a secret field (SecretStr) of the config models."""
    model: Any = Config
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return False
        annotation = fields[part].annotation
        if "SecretStr" in repr(annotation):
            return True
        model = next((a for a in getattr(annotation, "__args__", (annotation,)) if hasattr(a, "model_fields")),
                     None)
    return False


def secrets_in_file(data: Any, loc: tuple = ()) -> list[str]:
    """The keys of secret fields written into a config's TOML as plain text, not as an
    {"$env" = "NAME"} reference (which keeps them out of the file)."""
    if isinstance(data, dict) and set(data) != {"$env"}:
        return [key for k, v in data.items() for key in secrets_in_file(v, (*loc, k))]
    if isinstance(data, str) and data and _is_secret(loc) and re.search(r"password|secret|key|token", str(loc[-1])):
        return [".".join(map(str, loc))]  # a login handle is kept private, but is no secret to keep out of a file
    return []


def shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def parse_config(data: dict[str, Any], source: str = BUILTIN_SOURCE, root: str = ".") -> Config:
    unset: dict[str, tuple[str, str]] = {}
    refs: dict[str, str] = {}
    try:
        data = resolve_env(data, "", source, unset, refs)
        config = Config.model_validate(data)
    except RecursionError:
        raise ConfigError(f"{source}: values nested too deeply; a config needs only a few levels of tables") from None
    except ValidationError as exc:
        lines = [_describe(e) for e in exc.errors(include_url=False)]
        raise ConfigError(f"{source}: " + "; ".join(lines)) from None
    for key, (message, variable) in unset.items():
        *path, name = key.split(".")
        holder: Any = config
        for part in path:
            holder = getattr(holder, part)
        setattr(holder, name, UnsetSecret(message, variable))
    config.source, config.root = source, root
    config._env_refs = refs
    return config


def find_config(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    env = os.environ.get("MICROSCOUT_CONFIG")
    if env:
        return Path(env)
    local = Path.cwd() / DEFAULT_CONFIG_NAME
    return local if local.exists() else None


def packaged_defaults() -> dict[str, Any]:
    """The documented defaults the package carries (microscout/defaults.toml) as a TOML table."""
    return read_toml(DEFAULTS_FILE)


def load_config(path: str | Path | None = None) -> Config:
    """Read a config file; with no file at all, the packaged defaults (relative paths
    start in the current folder)."""
    found = find_config(str(path) if path else None)
    if found is None:
        return parse_config(packaged_defaults(), root=str(Path.cwd()))
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

