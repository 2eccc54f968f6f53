"""The seeded population: every object is a pure function of (seed, indexes).

Profile ``i`` comes from ``random.Random(f"{seed}:{i}")``, its post ``k`` from
``f"{seed}:{i}:{k}"``, its ``m``-th follower from ``f"{seed}:{i}:f{m}"`` — so any one
of them can be produced without the others and memory stays flat at 1,000,000 profiles.
Words (captions, comments, bios) come from generators of their own (Draws, draws.py, keyed
like their object plus ":words" or ":bio"), so varying them left every number as it was.

Time is in seconds relative to the sandbox's day 0 (negative = before). Each profile
has up to ``PAST_POSTS`` posts before day 0 and a schedule of posts for the next
``FUTURE_DAYS`` days, which become visible as the sandbox's day advances.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from microscout.sandbox import ids, text
from microscout.sandbox.archetypes import (
    BACKGROUND_BOTS,
    BLOCK,
    CAMPAIGN_NICHE,
    FOLLOWER_BOTS,
    NICHES,
    SPECS,
    benchmark_er,
    slot_table,
)
from microscout.sandbox.comment_text import comment
from microscout.sandbox.draws import Draws, Rng

DAY = 86_400
PAST_POSTS = 40
FUTURE_DAYS = 30
MAX_FUTURE_POSTS = 40
LISTED_FOLLOWERS = 400     # servers list every follower; no crawler samples more than this
JUMP_DAY = 3               # bought_followers buy another batch on this day
POD_SIZE = 6
MAX_SIZE = 1_000_000      # ids reserve 6 digits for the profile index (ids.py)
CARD_SHARE = 0.75         # posts holding a link that carry its card (Bluesky)
CARD_ONLY_SHARE = 0.4     # undisclosed ads among them whose affiliate link is in the card alone
WEAK_VARIANTS = ("sp", "spon", "collab", "thanks", "late_ad", "buried_ad")


@dataclass(slots=True)
class Person:
    i: int
    platform: str                  # mastodon | bluesky
    archetype: str
    niche: str
    username: str                  # Mastodon username, or the first label of the Bluesky handle
    host: str                      # Mastodon acct domain (ids.LOCAL_DOMAIN when local)
    display_name: str
    bio: str
    has_avatar: bool
    created_days: int              # account age at day 0
    real0: int                     # real audience at day 0
    bought0: int                   # bought followers at day 0
    jump: int                      # bought on JUMP_DAY
    growth: float                  # organic growth per day
    following: int
    statuses_before: int           # posts older than the materialized ones
    er: float                      # engagement per real follower per post
    cadence: float                 # posts per week
    shares: tuple[float, float, float]  # ad, undisclosed, weak
    susp: float                    # share of suspicious accounts among (bought) followers
    generic: float                 # share of generic comments
    bot: bool = False
    hide_collections: bool = False
    opt_out: dict = field(default_factory=dict)  # noindex/discoverable/indexable/label
    friend: int = 1                # offset of a nearby profile this one sometimes mentions
    dormant: float = 0.0           # share of dormant readers among the real followers
    spam: float = 0.0              # share of spam comments (self-promotion, scams)

    @property
    def remote(self) -> bool:
        return self.host == ids.REMOTE_DOMAIN

    @property
    def bridged(self) -> bool:
        return self.host == ids.BRIDGE_DOMAIN

    @property
    def acct(self) -> str:
        """The acct as the sandbox instance shows it (local accounts: no domain)."""
        return self.username if self.host == ids.LOCAL_DOMAIN else f"{self.username}@{self.host}"

    @property
    def full_acct(self) -> str:
        return f"{self.username}@{self.host}"

    @property
    def handle(self) -> str:
        return self.username.replace("_", "-") + ids.BSKY_SUFFIX  # no "_" in Bluesky handles

    @property
    def did(self) -> str:
        return ids.did(ids.DID_PROFILE, self.i)

    def known_as(self, name: str) -> bool:
        name = name.lstrip("@")
        return name in (self.username, self.acct, self.full_acct, self.handle) or (
            self.host == ids.LOCAL_DOMAIN and name.partition("@")[0] == self.username)

    @property
    def platform_id(self) -> str:
        return self.full_acct if self.platform == "mastodon" else self.did

    def followers(self, day: int) -> int:
        organic = self.real0 * (1 + self.growth) ** day
        return int(organic) + self.bought0 + (self.jump if day >= JUMP_DAY else 0)

    def real_audience(self, day: float) -> float:
        return self.real0 * (1 + self.growth) ** max(day, 0)


@dataclass(frozen=True, slots=True)
class Card:
    """A Bluesky link card (app.bsky.embed.external): the app makes one of the first link a post
    is written with; its author may then delete the link from the words and keep the card."""

    uri: str
    title: str
    description: str
    thumb: bool            # the page had a preview image (most do)
    only: bool             # the link is in the card alone, not in the post's words


@dataclass(slots=True)
class Post:
    i: int
    k: int
    t: int                 # seconds relative to day 0
    niche: str
    tags: list[str]
    kind: str              # organic | ad | undisclosed | weak
    segments: list[text.Segment]
    likes: int
    reblogs: int
    replies: int
    quotes: int
    language: str = "en"
    card: Card | None = None  # Bluesky only: the post's link card

    @property
    def id(self) -> int:
        return ids.status_id(self.t, self.i, self.k)

    @property
    def sponsored(self) -> bool:
        return self.kind != "organic"


@dataclass(slots=True)
class Account:
    """A follower or commenter: not a creator, just an account with its own counts."""

    kind: str              # follower | podster
    a: int                 # profile index (follower) or pod index (podster)
    b: int                 # follower index m or member index c
    platform: str
    username: str
    host: str
    display_name: str
    # How the bio is written when it is read: (writer in BIO_WRITERS, niche, key of its
    # words' generator); None: no bio. Most accounts (commenters) are never shown.
    bio_from: tuple[str, str, str] | None
    has_avatar: bool
    followers: int
    following: int
    posts: int
    created_days: int      # age at day 0
    last_post_days: int | None  # days before day 0, None = never posted
    suspicious: bool       # the truth: a fake (bought) account
    role: str = "real"     # real | dormant | mass | fake | bot
    bot: bool = False      # flagged automated by its platform

    @property
    def bio(self) -> str:
        if self.bio_from is None:
            return ""
        writer, niche, key = self.bio_from
        return BIO_WRITERS[writer](Draws(key), niche)

    @property
    def mastodon_id(self) -> int:
        if self.kind == "podster":
            return ids.podster_account_id(self.a, self.b)
        return ids.follower_account_id(self.a, self.b)

    @property
    def did(self) -> str:
        kind = ids.DID_PODSTER if self.kind == "podster" else ids.DID_FOLLOWER
        return ids.did(kind, self.a, self.b)

    @property
    def acct(self) -> str:
        return self.username if self.host == ids.LOCAL_DOMAIN else f"{self.username}@{self.host}"

    @property
    def handle(self) -> str:
        return self.username.replace("_", "-") + ids.BSKY_SUFFIX


BIO_WRITERS: dict[str, Callable[[Draws, str], str]] = {
    "follower": text.follower_bio, "bot": text.bot_bio, "fake": lambda rng, niche: text.fake_bio(rng),
    "podster": lambda rng, niche: text.podster_bio(rng)}


@dataclass(slots=True)
class Reply:
    i: int
    k: int
    r: int
    t: int
    text: str
    author: Account
    likes: int
    kind: str = "thoughtful"  # the truth: thoughtful | generic | self_promotion | scam | selling

    @property
    def id(self) -> int:
        return ids.reply_id(self.t, self.i, self.k, self.r)


# Followers' names end in their profile's syllables, asked for ~80 times in a row.
_syllables = lru_cache(maxsize=4096)(ids.syllables)


def _lu(rng: Rng, lo: float, hi: float) -> float:
    """Log-uniform: as many accounts near 1K as near 8K, like real audiences."""
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


class Population:
    def __init__(self, size: int, seed: int):
        if not 1 <= size <= MAX_SIZE:
            raise ValueError(f"size must be between 1 and {MAX_SIZE:,} (got {size})")
        self.size, self.seed = size, seed
        self._slots = slot_table(seed)
        # Small caches keep the server fast on hot profiles without growing with size.
        self.person = lru_cache(maxsize=4096)(self._person)
        self.posts = lru_cache(maxsize=512)(self._posts)
        self._times_of = lru_cache(maxsize=4096)(lambda i: self._times(self.person(i)))

    def __iter__(self):
        return (self.person(i) for i in range(self.size))

    def archetype(self, i: int) -> str:
        return self._slots[i % BLOCK]

    # -- profiles ---------------------------------------------------------------------------

    def _person(self, i: int) -> Person:
        if not 0 <= i < self.size:
            raise IndexError(i)
        rng = random.Random(f"{self.seed}:{i}")
        archetype = self.archetype(i)
        spec = SPECS[archetype]
        platform = "mastodon" if rng.random() < 0.55 else "bluesky"
        if spec.niche is None:
            niche = rng.choice(NICHES)
        elif spec.niche == "other":
            niche = rng.choice([n for n in NICHES if n != CAMPAIGN_NICHE])
        else:
            niche = spec.niche
        host = ids.LOCAL_DOMAIN
        if platform == "mastodon" and archetype == "background":
            roll = rng.random()
            host = ids.REMOTE_DOMAIN if roll < 0.04 else ids.BRIDGE_DOMAIN if roll < 0.07 else host
        first, last = text.person_name(rng)
        word = rng.choice((first, last, niche, first + last))
        username = f"{word}_{ids.syllables(i)}"
        if host == ids.BRIDGE_DOMAIN:
            username = f"{word}-{ids.syllables(i)}.bsky.social"
        if spec.followers is None:
            real0 = int(min(3_000_000, max(3, math.exp(rng.gauss(math.log(900), 1.5)))))
        else:
            real0 = int(_lu(rng, *spec.followers))
        bought0 = int(real0 * rng.uniform(*spec.bought_ratio))
        jump = int((real0 + bought0) * rng.uniform(*spec.jump))
        cadence = rng.uniform(*spec.posts_per_week)
        created_days = rng.randint(200, 2_500)
        opt_out: dict = {}
        if archetype == "opted_out":
            opt_out = ({"label": "!no-unauthenticated"} if platform == "bluesky" else
                       rng.choice(({"noindex": True}, {"discoverable": False}, {"indexable": False})))
        city = rng.choice(text.CITIES)
        # The words come from a generator of their own: the profile's numbers stay as they were.
        words = Draws(f"{self.seed}:{i}:bio")
        bio = text.creator_bio(words, niche, city, collabs=archetype in ("ad_heavy", "celebrity"))
        if archetype == "automated":  # a feed run by a script, and saying so
            username = f"{niche}daily_{ids.syllables(i)}"
            first, last = niche, "daily"
            bio = text.bot_bio(words, niche)
        return Person(
            i=i, platform=platform, archetype=archetype, niche=niche, username=username, host=host,
            display_name=f"{first.title()} {last.title()}", bio=bio,
            has_avatar=rng.random() < 0.97, created_days=created_days,
            real0=real0, bought0=bought0, jump=jump, growth=rng.uniform(0.0005, 0.003),
            following=int(_lu(rng, 80, 900)),
            statuses_before=int(cadence * created_days / 7 * rng.uniform(0.3, 0.8)),
            er=benchmark_er(real0) * rng.uniform(*spec.er_mult),
            cadence=cadence,
            shares=(rng.uniform(*spec.sponsored_share), rng.uniform(*spec.undisclosed_share),
                    rng.uniform(*spec.weak_share)),
            susp=rng.uniform(*spec.suspicious_followers), generic=rng.uniform(*spec.generic_comments),
            bot=archetype == "automated" or (archetype == "background" and rng.random() < BACKGROUND_BOTS),
            hide_collections=archetype == "background" and platform == "mastodon" and rng.random() < 0.05,
            opt_out=opt_out, friend=rng.randrange(1, 50),
            dormant=rng.uniform(*spec.dormant_followers), spam=rng.uniform(*spec.spam_comments))

    def index_of_username(self, name: str) -> int | None:
        """Decode a username, acct or Bluesky handle back to the profile's index."""
        base = name.lstrip("@").split("@", 1)[0].removesuffix(ids.BSKY_SUFFIX).removesuffix(".bsky.social")
        sep = max(base.rfind("_"), base.rfind("-"))
        i = ids.unsyllables(base[sep + 1:]) if sep >= 0 else None
        if i is None or not 0 <= i < self.size:
            return None
        return i if self.person(i).known_as(name) else None

    # -- posts ------------------------------------------------------------------------------

    def _times(self, p: Person) -> list[tuple[int, int]]:
        """(k, t) for every materialized post, newest first."""
        gap = 7 * DAY / p.cadence

        def draw(rng: random.Random) -> float:
            if p.archetype == "inconsistent":  # bursts, then weeks of silence
                return rng.expovariate(1 / (4 * DAY)) if rng.random() < 0.6 else rng.uniform(20, 45) * DAY
            return rng.expovariate(1 / gap)

        rng = random.Random(f"{self.seed}:{p.i}:times")
        past, t = [], -rng.uniform(0.02, 0.5) * min(gap, 3 * DAY)
        for k in range(PAST_POSTS):
            if t < -ids.T_OFF + DAY:  # ids encode time since T_OFF before day 0
                break
            past.append((k, int(t)))
            t -= draw(rng) + 600
        future, t = [], 0.0
        for k in range(PAST_POSTS, PAST_POSTS + MAX_FUTURE_POSTS):
            t += draw(rng) + 600
            if t > FUTURE_DAYS * DAY:
                break
            future.append((k, int(t)))
        return list(reversed(future)) + past

    def _posts(self, i: int) -> tuple[Post, ...]:
        """Every materialized post of profile i, newest first (callers filter by day)."""
        p = self.person(i)
        return tuple(self.post(p, k, t) for k, t in self.times(p))

    def visible_posts(self, i: int, day: int) -> list[Post]:
        cutoff = day * DAY
        return [post for post in self.posts(i) if post.t <= cutoff]

    def times(self, p: Person) -> list[tuple[int, int]]:
        return self._times_of(p.i)

    def visible_times(self, p: Person, day: int) -> list[tuple[int, int]]:
        """(k, t) of the posts visible on ``day``, newest first, without generating them."""
        cutoff = day * DAY
        return [(k, t) for k, t in self.times(p) if t <= cutoff]

    def statuses_count(self, p: Person, day: int) -> int:
        return p.statuses_before + len(self.visible_times(p, day))

    def post_head(self, p: Person, k: int) -> tuple[random.Random, str, list[str], list[str]]:
        """The first draws of post k (niche, hashtags, keywords): all a search index needs.

        ``post`` continues with the same generator, so both always agree.
        """
        rng = random.Random(f"{self.seed}:{p.i}:{k}")
        spec = SPECS[p.archetype]
        own = rng.random() < (0.97 if p.archetype == "background" and p.niche != CAMPAIGN_NICHE
                              else spec.on_niche_share)
        if own:
            niche = p.niche
        elif p.niche == CAMPAIGN_NICHE:
            niche = rng.choice([n for n in NICHES if n != CAMPAIGN_NICHE])
        else:
            niche = CAMPAIGN_NICHE  # the occasional niche hashtag that gets them discovered
        pool = text.TAGS[niche]
        tags = rng.sample(pool, rng.randint(1, 3))
        if niche == CAMPAIGN_NICHE and rng.random() < 0.75 and not set(tags) & set(text.CAMPAIGN_TAGS):
            tags[0] = rng.choice(text.CAMPAIGN_TAGS)
        keywords = rng.sample(text.KEYWORDS[niche], 3)
        return rng, niche, tags, keywords

    def post(self, p: Person, k: int, t: int) -> Post:
        rng, niche, tags, keywords = self.post_head(p, k)
        ad, undisclosed, weak = p.shares
        roll = rng.random()
        kind = "ad" if roll < ad else "undisclosed" if roll < ad + undisclosed else \
            "weak" if roll < ad + undisclosed + weak else "organic"
        variant = rng.choice(WEAK_VARIANTS) if kind == "weak" else ""
        brand = rng.choice(text.BRANDS)
        mention = None
        # A shout-out to a nearby profile on the same platform; the index does not depend
        # on the population's size, so profile i stays a function of (seed, i).
        j = p.i - p.friend if p.i >= p.friend else p.i + p.friend
        if kind == "organic" and rng.random() < 0.1 and j < self.size:
            friend = self.person(j)
            if friend.platform == p.platform:
                mention = friend.acct if p.platform == "mastodon" else friend.handle
        brand_at = (f"{brand.lower()}@{ids.BRAND_DOMAIN}" if p.platform == "mastodon"
                    else f"{brand.lower()}.{ids.BRAND_DOMAIN}")
        words = Draws(f"{self.seed}:{p.i}:{k}:words")
        segments = text.caption(rng, words, niche, tags, keywords, kind, variant, brand, brand_at, mention)
        # Engagement: the real audience × the profile's rate, noisy per post; the audience
        # tunes out ads (DOMAIN: sponsored engagement drops).
        day = t / DAY
        total = p.real_audience(day) * p.er * math.exp(rng.gauss(0, 0.3))
        if kind != "organic":
            total *= 0.5 if p.archetype == "ad_heavy" else 0.9
        reply_share = 0.25 if p.archetype == "pods" else rng.uniform(0.05, 0.1)
        replies = int(total * reply_share)
        reblogs = int(total * 0.12)
        quotes = int(total * 0.01)
        likes = max(0, int(total) - replies - reblogs - quotes)
        card = self._card(p, k, kind, segments, brand) if p.platform == "bluesky" else None
        return Post(i=p.i, k=k, t=t, niche=niche, tags=tags, kind=kind, segments=segments,
                    likes=likes, reblogs=reblogs, replies=replies, quotes=quotes, card=card)

    def _card(self, p: Person, k: int, kind: str, segments: list[text.Segment], brand: str) -> Card | None:
        """The link card of a Bluesky post that holds a link: the composer offers one for the first
        link, and most posts keep it (third-party clients and bridges often make none). Now and
        then an undisclosed ad's affiliate link is left in its card alone, the words saying
        nothing of it: the card's link is as much the post's. Drawn by a generator of its own, so
        every other draw (and every other platform's output) is as it was."""
        link = next((value for what, value in segments if what == "link"), None)
        if link is None:
            return None
        rng = random.Random(f"{self.seed}:{p.i}:{k}:card")
        if rng.random() >= CARD_SHARE:
            return None
        title, description = text.card_text(rng, link, brand)
        only = kind == "undisclosed" and text.affiliate_shop(link) and rng.random() < CARD_ONLY_SHARE
        return Card(uri=link, title=title, description=description, thumb=rng.random() < 0.85, only=only)

    def post_by_id(self, i: int, k: int) -> Post | None:
        if not 0 <= i < self.size:
            return None
        return next((post for post in self.posts(i) if post.k == k), None)

    # -- replies ----------------------------------------------------------------------------

    def replies(self, post: Post, day: int) -> list[Reply]:
        """The materialized replies (at most ids.MAX_REPLIES), oldest first."""
        p = self.person(post.i)
        out = []
        for r in range(min(post.replies, ids.MAX_REPLIES)):
            rng = random.Random(f"{self.seed}:{p.i}:{post.k}:r{r}")
            t = post.t + 60 + int(min(rng.expovariate(1 / (3 * 3600)), 2 * DAY))  # most within hours
            if t > day * DAY:
                continue
            roll = rng.random()
            kind = "generic" if roll < p.generic else "spam" if roll < p.generic + p.spam else "thoughtful"
            if p.archetype == "pods" and kind != "thoughtful":
                # The same handful of pod members on every post; being creators, they
                # plug their own channels now and then.
                author = self.podster(p.i // (BLOCK * 2), rng.randrange(POD_SIZE))
                kind = "self_promotion" if kind == "spam" else kind
            else:
                real = max(1, p.real0)  # commenters come from the real (oldest) followers
                author = self.follower(p, rng.randrange(real))
                if kind == "spam":  # scams, follower sellers and channel plugs alike
                    kind = rng.choice(("scam", "selling", "self_promotion"))
            words = Draws(f"{self.seed}:{p.i}:{post.k}:r{r}:words")
            out.append(Reply(i=p.i, k=post.k, r=r, t=t, text=comment(words, post.niche, kind),
                             author=author, likes=rng.randint(0, 3), kind=kind))
        return out

    # -- followers --------------------------------------------------------------------------

    def follower_indexes(self, p: Person, day: int) -> range:
        """Indexes m of the listed followers, newest first (m grows with follow time)."""
        if p.hide_collections:
            return range(0)
        total = p.followers(day)
        return range(total - 1, max(total - LISTED_FOLLOWERS, 0) - 1, -1)

    def follower(self, p: Person, m: int) -> Account:
        """The m-th follower: fake (bought), a platform-flagged bot, a dormant reader, or active.

        Shapes follow DOMAIN.md and the "Fame for sale" accounts (cresci-2015, the public set
        closest to Mastodon and Bluesky): genuine users nearly all have a picture and are
        followed back (their followers a fraction of their following, seldom under a tenth);
        bought ones follow hundreds to thousands who do not follow back.
        """
        rng = random.Random(f"{self.seed}:{p.i}:f{m}")
        key = f"{self.seed}:{p.i}:f{m}:bio"
        bought_region = p.bought0 > 0 and m >= p.real0
        share = p.susp if (bought_region or p.bought0 == 0) else 0.05
        host = ids.LOCAL_DOMAIN if rng.random() < 0.7 else rng.choice(("mastodon.example", "fosstodon.example"))
        if rng.random() < share:
            return self._fake(p, m, rng, host, key)
        first, last = text.person_name(rng)
        tail = f"{_syllables(p.i)}{_syllables(m, 1)}"
        username = f"{first}{last}_{tail}"
        niche = p.niche if rng.random() < 0.7 else rng.choice(NICHES)
        display = f"{first.title()} {last.title()}"
        roll = rng.random()
        if roll < FOLLOWER_BOTS:
            # A feed or a bridge run by a script, flagged as such by its owner.
            return Account("follower", p.i, m, p.platform, f"{niche}feed_{tail}",
                           host, f"{niche.title()} feed", ("bot", niche, key), True,
                           int(_lu(rng, 20, 3_000)), rng.randint(0, 40), int(_lu(rng, 2_000, 60_000)),
                           rng.randint(200, 2_500), 0, False, role="bot", bot=True)
        if roll < FOLLOWER_BOTS + p.dormant:
            # A real person who signed up to read: no posts, a few followers, a modest
            # following, a picture, often no bio (DOMAIN.md).
            bio = None if rng.random() < 0.6 else ("follower", niche, key)
            return Account("follower", p.i, m, p.platform, username, host, display if rng.random() < 0.8 else "",
                           bio, True, rng.randint(3, 60), int(_lu(rng, 18, 955)), 0,
                           rng.randint(1, 2_000), None, False, role="dormant")
        # Active: followed back in proportion (followers ≈ 0.6 × following, log-normal).
        mass = rng.random() < 0.03  # some real people follow thousands
        following = int(_lu(rng, 1_500, 4_000) if mass else _lu(rng, 30, 900))
        followers = max(1, int(following * math.exp(rng.gauss(math.log(0.6), 0.8))))
        return Account("follower", p.i, m, p.platform, username, host, display,
                       None if rng.random() < 0.1 else ("follower", niche, key),
                       rng.random() < 0.97, followers, following,
                       int(_lu(rng, 5, 4_000)), rng.randint(90, 3_000), rng.randint(0, 20), False,
                       role="mass" if mass else "real")

    def _fake(self, p: Person, m: int, rng: random.Random, host: str, key: str) -> Account:
        """A bought follower: follows hundreds to thousands who do not follow back, few followers.

        Most are empty shells (HypeAuditor/Modash's suspicious account: no posts, no picture,
        no bio, a digit-heavy name); the rest are dressed up with a picture, a line of bio
        and a few posts, as the markets in the "Fame for sale" study sell them. ``key`` is
        that of the bio's generator.
        """
        if rng.random() < 0.55:
            following = rng.randint(1_500, 7_500) if rng.random() < 0.6 else rng.randint(200, 1_400)
            return Account("follower", p.i, m, p.platform, f"user{rng.randrange(10**7, 10**9)}", host,
                           "", None, False, rng.randint(0, 12), following, 0,
                           rng.randint(1, 60), None, True, role="fake")
        first, last = text.person_name(rng)
        posts = rng.randint(1, 40)
        return Account("follower", p.i, m, p.platform, f"{first}{last}{rng.randrange(10**4, 10**6)}", host,
                       f"{first.title()} {last.title()}", None if rng.randrange(8) == 0 else ("fake", p.niche, key),
                       True,
                       rng.randint(0, 30), int(_lu(rng, 250, 3_000)), posts, rng.randint(5, 200),
                       rng.randint(1, 60), True, role="fake")

    def podster(self, pod: int, c: int) -> Account:
        rng = random.Random(f"{self.seed}:pod{pod}:{c}")
        key = f"{self.seed}:pod{pod}:{c}:bio"
        first, last = text.person_name(rng)
        # Pod members are creators themselves (HypeAuditor): real audiences, many posts.
        return Account("podster", pod, c, "any", f"{first}{last}_pod{ids.syllables(pod)}{ids.syllables(c, 1)}",
                       ids.LOCAL_DOMAIN, f"{first.title()} {last.title()} ✨", ("podster", "", key),
                       True, int(_lu(rng, 1_000, 9_000)), int(_lu(rng, 800, 2_000)),
                       int(_lu(rng, 300, 3_000)), rng.randint(300, 2_000), rng.randint(0, 3), False)

    def account(self, kind: str, a: int, b: int) -> Account | None:
        if kind == "podster":
            return self.podster(a, b) if 0 <= b < POD_SIZE and a <= self.size // (BLOCK * 2) else None
        if kind == "follower" and 0 <= a < self.size:
            p = self.person(a)
            if 0 <= b < max(p.followers(FUTURE_DAYS), p.real0):
                return self.follower(p, b)
        return None
