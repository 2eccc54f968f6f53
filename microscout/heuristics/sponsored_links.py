"""Links in a post as commercial signals (microscout.heuristics.sponsored): affiliate
networks and the affiliate URL patterns of Mathur, Narayanan & Chetty (CSCW 2018), shortened
links beside product wording or in a "gear" list (or alone, with shortener_alone), and plain
links beside an offer of a price cut; never a link to the creator's own channels or work or to
a social, video or music platform."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Protocol
from urllib.parse import unquote_plus

from microscout.heuristics import text as textlib
from microscout.heuristics.lazy_regex import compile_on_use
from microscout.heuristics.sponsored_selling import NOT_A_COMMUNITY


class LinkSettings(Protocol):
    """What the link signals read of the detector's settings (SponsoredSettings)."""

    affiliate_domains: list[str]
    affiliate_url_patterns: list[str]
    shortener_domains: list[str]
    social_domains: list[str]
    shortener_alone: bool


# A link's query parameters that can name an affiliate, each read by _affiliate_query.
AFFILIATE_PARAM_RE = compile_on_use(
    r"[?&](utm_[a-z]+|ref|aff|aff_id|affid|affiliate|affiliate_id|tag|irclickid|clickref)=([^&#]*)", re.IGNORECASE)
# Where a link was shared from, as campaign tags (utm_source, utm_medium) or a ref= name it: a
# share button's news link ("?utm_source=bluesky&utm_medium=social"), a newsletter's, a blog
# engine's outbound link ("?ref=someblog.com", as Ghost writes every one) is no brand paying anyone.
SHARED_FROM = frozenset((
    "social", "social-media", "socialmedia", "share", "sharing", "share_button", "sharebutton", "email", "e-mail",
    "newsletter", "rss", "feed", "organic", "copy", "copylink", "copy_link", "bluesky", "bsky", "bsky.app",
    "twitter", "tw", "twt", "x", "t.co", "facebook", "fb", "mastodon", "threads", "linkedin", "reddit", "whatsapp",
    "telegram", "pinterest", "tumblr", "instagram", "ig", "ig_web_copy_link", "youtube", "yt", "tiktok", "ios",
    "android", "app", "web", "direct", "push", "sms", "hn", "hackernews", "producthunt", "github", "substack",
    "ig_web_button_share_sheet",
    # a site's own navigation, as its ref= names where on it a link was taken from (Kickstarter's
    # "discovery", itch.io's "discover", Twitch's "panel", Ko-fi's "bio", a "user_menu")
    "discover", "discovery", "search", "nav", "navigation", "menu", "panel", "bio", "home", "homepage",
    "sidebar", "footer", "header", "profile", "widget", "category", "related", "recommended", "trending",
    "explore", "clipboard", "copylink"))
# Where a creator is supported directly: a link there is the creator's own, whatever its tags say.
SUPPORT_HOSTS_RE = compile_on_use(
    r"(?:^|\.)(?:patreon\.com|ko-fi\.com|buymeacoffee\.com|liberapay\.com|opencollective\.com)$")
# A share button's source ("?utm_source=share"): its medium then names only the app it was shared
# from, in the platform's words (Reddit's "&utm_medium=web3x" or "ios_app", LinkedIn's "member_desktop").
SHARE_SOURCES = frozenset(("share", "sharing", "share_button", "sharebutton"))
# A tag's words, apart at a separator; in a utm_ tag, a word's parts also where a lower-case
# letter meets a capital, as a publisher names its own feed ("twCNN", "fbNYT": its Twitter and
# Facebook accounts). A word is read whole too: a channel written with capitals inside it
# ("YouTube_Community", "LinkedIn_Company_Page", "eMail_Campaign") is still that channel.
_TAG_WORDS = compile_on_use(r"[_\-+ ]+")
_CAMEL_PARTS = compile_on_use(r"(?<=[a-z])(?=[A-Z])")
# An Amazon associate's tag ("name-20"): "tag=" elsewhere is mostly a blog's tag page.
AMAZON_TAG_RE = compile_on_use(r"-2\d$")
AMAZON_HOST_RE = compile_on_use(r"(?:^|\.)(?:amazon|amzn|audible)\.")
# Words in a link's tags that name a creator's channel; at a word's start, a capital after a
# small letter starting one ("janeInfluencer"; "prepaid" and "Kolkata" name none; "paid_social"
# is a brand's own ads, not a creator's).
FOR_A_CREATOR_RE = compile_on_use(
    r"(?:(?<![a-z])|(?-i:(?<=[a-z])(?=[A-Z])))(?:influenc|affiliat|partner|ambassador|creator|sponsor|collab|blogger|kols?(?![a-z]))",
    re.IGNORECASE)
# Click and share ids, opaque tokens that name nobody: letters at random, in which FOR_A_CREATOR_RE
# finds "xKol8" or "aCollab" now and then (a Facebook share's fbclid=IwAR3xKol8…: an "undisclosed ad").
CLICK_ID_RE = compile_on_use(
    r"(?:^|&)(?:fbclid|gclid|gbraid|wbraid|dclid|msclkid|twclid|ttclid|yclid|igsh|igshid|mc_eid|mc_cid|_hsenc|_hsmi"
    r"|si)=[^&]*", re.IGNORECASE)
# A link through an affiliate path: /aff/…, or a referral or cloaked link whose last part names
# the referrer or product ("/ref/JaneDoe/", "/go/lucid-fast-track"); a /go/ or /ref/ with more
# path after it is a site's own (github.com/golang/go/issues/1, docs' /ref/api.html).
AFFILIATE_PATH_RE = compile_on_use(
    r"/(?:aff|affiliate|affiliates)/|/(?:ref|go)/[^/?#.\s]+/?(?:[?#]|$)", re.IGNORECASE)
# Links written without a scheme ("bit.ly/x", "www.amazon.com/dp/1?tag=x"); textlib.links
# finds those with http(s) and a few shorteners.
BARE_LINK_RE = compile_on_use(r"(?<![\w.@/:-])(?:[a-z0-9][a-z0-9-]*\.)+[a-z]{2,}/[^\s<>\"')\]]*", re.IGNORECASE)
# Beside a shortened link: words that sell (on its line), or a list it sits in ("GEAR:").
PRODUCT_WORDING_RE = compile_on_use(
    r"\b(?:buy|buying|purchase|order|shop|shopping|get\s+(?:it|yours|one|them|this|the)|grab|price|prices|deals?"
    r"|discount|coupon|sale|\d+\s*%\s*off|gear|equipment|camera|lens|mic|microphone|tripod|gimbal|products?"
    r"|amazon|ebay|aliexpress|available|download|free\s+trial|click\s+here"
    r"|(?:get|buy|grab|order|find|download|try)\b[^\n]{0,40}?\bhere)\b|[$€£]\s?\d", re.IGNORECASE)
GEAR_HEADER_RE = compile_on_use(
    r"\b(?:gear|equipment|kit|set-?up|products?|items?|links?|shop|shopping|tools|things\s+i\s+(?:use|used|love)"
    r"|what\s+i\s+(?:use|used|wear|bought)|mentioned|featured|used\s+in\s+(?:this|the)\s+video|buy"
    r"|where\s+to\s+(?:buy|get|find))\b", re.IGNORECASE)
# A link to the creator's own channels or products is no ad. A website only where it is the
# poster's ("my website", "the website", a "Website:" line), not "save 10% off your first website".
OWN_OR_SOCIAL_RE = compile_on_use(
    r"\b(?:socials?|subscribe|subscribing|follow|instagram|insta|twitter|facebook|snapchat|tiktok|twitch|discord"
    r"|patreon|merch|merchandise|playlist|channel|podcast|spotify|itunes|soundcloud|donate|donations?|paypal"
    r"|(?:my|our|the)\s+(?:own\s+|new\s+)?(?:website|blog|site)|^\W*(?:website|blog)\s*[:\-–]"
    r"|my\s+(?:book|course|album|single|music))\b", re.IGNORECASE)
# Nor is a shortened link on a line that names the creator's own work ("my new book", "our
# app", "I wrote a book", "we're releasing"): the FTC asks for a label where there is a
# connection to a brand, and these name none. Only nouns a creator makes, never one they
# may own ("my new lens", "my brand new kit", "my collection", "my studio"), and not the first
# of two nouns ("my record player", "my film camera", "our app of the week").
_WORK_END = r"(?![\w-])(?!\s+(?:players?|cameras?|lights?|stands?|bags?|bus|case|shelf|shelves|of\s+the|with|using)\b)"
OWN_WORK_RE = compile_on_use(
    r"\b(?:my|our)\s+(?:(?:new|first|debut|latest|own|little|online)\s+)*(?:book|novel|album|single|ep|record"
    r"|vinyl|course|class|classes|workshop|masterclass|shop|store|boutique|app|prints|presets|tour|menu|bakery"
    r"|restaurant|caf[eé]|newsletter|dataset|zine|film|documentary|paintings|handmade)" + _WORK_END
    + r"|\bi\s+(?:wrote|made|designed|built|created|launched|painted|recorded|released|illustrated)\s+(?:a|an|my"
    r"|our|this)\s+(?:(?:new|first|debut|little)\s+)?(?:book|novel|album|single|ep|record|course|app|game|zine"
    r"|film|documentary|print|prints|presets|font|cookbook)" + _WORK_END
    + r"|\bwe(?:['’]re|\s+are)?\s+(?:releasing|launching|opening)\s+(?:a|an|our|the|my)\b", re.IGNORECASE)
# Things a creator buys rather than makes: beside them, the creator's own work is no excuse
# ("Gear I used for my film:", "the camera I used for my new film"). Not Amazon or eBay: the
# creator's own book or album is sold there too.
GEAR_NOUN_RE = compile_on_use(r"\b(?:gear|equipment|camera|lens|mic|microphone|tripod|gimbal)\b", re.IGNORECASE)
# Beside a plain link (not shortened, not an affiliate network): an offer of a price cut on
# its line ("20% off", "deep discounts", "lowest price", "cheap hotels", "hot deals").
DEAL_WORDING_RE = compile_on_use(
    r"\b\d+\s*%\s*off\b|\bdiscount(?:s|ed)?\b"
    r"|\b(?:best|lowest|cheapest|low)\s+prices?\b|\bcheap(?:er|est)?\b"
    r"|\bdeals\b|\b(?:hot|best|great|fantastic|exclusive|special|daily)\s+deal\b|\bcoupons?\b|\bpromo\s+codes?\b"
    r"|\bon\s+sale\b|\bfree\s+shipping\b", re.IGNORECASE)
# The same cut as an amount ("$10 off") and in Spanish, Portuguese, French, German, Italian and
# Dutch, as a cut of so much ("5% de descuento", "20 % Rabatt", "sconto del 10%", "-20 %"): read
# as a sponsor's offer only as OFFER_WORDING_RE is (sponsor_offer), for news, a town's or a
# museum's prices say them too ("Descuento para jubilados: crtm.es/…", "$10 off for students this
# week at the campus bookstore"); the word alone, unless offered ("Descuento exclusivo"), is as
# often advice ("não cair em desconto falso").
_CUT_WORD = r"(?:descuento|desconto|dto|r[ée]duction|remise|rabatt|sconto|korting)"
MORE_DEAL_WORDING_RE = compile_on_use(
    r"[$€£₹]\s?\d+(?:[.,]\d\d)?\s+off\b"
    r"|\b\d{1,2}\s?%\s*(?:de\s+)?" + _CUT_WORD + r"\b|\b" + _CUT_WORD + r"\s+(?:de|del|von|van)\s+\d{1,2}\s?%"
    # or one offered: "Descuento exclusivo", "Desconto especial", "exklusiver Rabatt"
    r"|\b" + _CUT_WORD + r"\s+(?:exclusiv[oa]|especial|speciale|exclusive?|sp[ée]ciale?|exklusiv)\b"
    r"|\b(?:exklusive[nr]?|exclusie[fv]e?|esclusiv[oa])\s+" + _CUT_WORD + r"\b"
    r"|(?<![\w-])-\s?\d{1,2}\s?%(?!\w)", re.IGNORECASE)
# Tickets "on sale" are for sale, not cut in price ("TOUR ON SALE NOW 🎟️ band.com/tour").
EVENT_RE = compile_on_use(r"\b(?:tickets?|tix|tours?|shows?|concerts?|gigs?|festival|pre-?sale|dates)\b|🎟",
                          re.IGNORECASE)
# Beside a link: a sponsor read's offer, the other half of a YouTube integration ("Try Skillshare
# free for 2 months: skl.sh/jane", "Start listening with a 30-day trial at audible.com/jane",
# "the first 1,000 people to use my link"). Only an offer made to the reader, after a call
# ("try", "get", "start"…): "my free trial ran out", "a 30 day trial of keto" or "the gym was
# free for 2 months" offer nothing.
_COUNT = r"(?:\d+|one|two|three|four|five|six|seven|ten|twelve|fourteen|thirty)"
_OFFER_CALL = (r"\b(?:try|get|gets|getting|use|start|enjoy|claim|grab|receive|unlock|activate|join"
               r"|sign\s+up\s+for)\b")
OFFER_WORDING_RE = compile_on_use(
    _OFFER_CALL + r"[^.!?\n]{0,40}?(?:\b(?:free\s+)?" + _COUNT + r"[-\s]?(?:day|week|month)s?\s+(?:free\s+)?trial"
    r"|\bfree\s+trial|\b(?:" + _COUNT + r"|a)\s+(?:free\s+months?|months?\s+(?:for\s+)?free"
    r"|months?\s+of\s+\w+(?:\s+\w+)?\s+(?:for\s+)?free)|\bfirst\s+month\s+(?:for\s+)?free"
    r"|\bfree\s+for\s+(?:" + _COUNT + r"|a)\s+(?:days?|weeks?|months?))\b"
    r"|\bfree\s+trial\s*(?:[:→👉➡]|(?:at|here|via)\b)"
    r"|(?<!of the )(?<!among the )\bfirst\s+\d[\d,.]*k?\s+(?:people|viewers|subscribers|customers|users|of\s+you)"
    r"\s+to\s+(?:click|use|sign\s+up|go\s+to|download|join" + NOT_A_COMMUNITY + r"|order|buy)\b"
    r"|\b(?:exclusive|special|limited[-\s]time)\s+offer\b"
    # a sign-up bonus or a first order's extra: "get up to 3 free stocks", "a special starter pack",
    # "free vitamin D3 with your first order"
    r"|" + _OFFER_CALL + r"[^.!?\n]{0,30}?\bfree\s+(?:stocks?|shares?)\b"
    r"|\b(?:special|exclusive|free)\s+starter\s+pack\b"
    r"|\b(?:with|on|off)\s+your\s+first\s+(?:order|box|purchase|month|subscription)\b", re.IGNORECASE)
# What makes the offer a sponsor's (sponsor_offer): a link that names whoever shares it, as a
# sponsor gives each creator one ("skl.sh/jane", "audible.com/janecuts", "nordvpn.com/special/jane",
# "/es/promo/jane", a Shopify store's "/discount/JANE10"): one word or handle after the host (or
# after a landing page's "/lp/", "/promo/", "/offer/"…), not a page's ("/join",
# "/tickets", "/pricing"), a slug ("/besuch-planen"), a file or an article's path
# ("/products/premiere/free-trial-download.html", "/2026/3/4/story"), nor the bare site. Not a
# government's or a school's host either.
_VANITY_PATH_RE = compile_on_use(
    r"^(?:https?://)?[^/?#\s]+/(?:(?:[a-z]{2}(?:[-_][a-z]{2})?/)?(?:go|lp|r|promo|offers?|special|deals?|partners?"
    r"|creators?|influencers?|try|pages|discount)/)?(?P<name>[a-z0-9]+)/?(?:[?#]\S*)?$", re.IGNORECASE)
_PAGE_WORDS = frozenset((
    "join", "signup", "register", "registration", "login", "hours", "visit", "order", "orders",
    "ticket", "tickets", "events", "event", "about", "contact", "download", "downloads", "pricing", "plans", "promo",
    "promos", "promotions", "offer", "offers", "deal", "deals", "sale", "sales", "classes", "courses", "volunteer",
    "membership", "members", "trial", "freetrial", "start", "shop", "store", "menu", "schedule", "news",
    "blog", "faq", "help", "support", "careers", "jobs", "apply", "donate", "info", "home", "index", "products",
    "students", "student", "education", "learn", "free", "gift", "gifts", "subscribe", "premium", "rewards",
    "discounts", "coupons", "catalog", "library", "museum", "tour", "tours", "programs", "program", "search",
    "tienda", "loja", "boutique", "ofertas", "promociones", "promocoes", "angebote", "offerte", "aanbiedingen",
    "entradas", "ingressos", "billets", "biglietti", "precios", "precos", "prix", "preise", "prezzi", "prijzen",
    "tarifas", "tarifs", "tarife", "tariffe", "tarieven", "socios", "inscripcion", "inscricao", "inscription",
    "anmeldung", "iscrizione", "aanmelden", "cursos", "abbonamenti", "abonnement", "abono", "assinatura"))
_PUBLIC_HOST_RE = compile_on_use(r"(?:^|\.)(?:gov|gob|gouv|govt|edu|mil|ac|int)(?:\.[a-z]{2})?$")
# An offer quoted is talked about, not made ("check whether '$10 off' is real").
_QUOTED_RE = compile_on_use(r"(?<!\w)(['\"‘“«])[^'\"‘“«’”»\n]{1,80}?['\"’”»](?!\w)")
# Where a sentence ends on a link's line: its links blanked, a dot in them ends nothing.
_SENTENCE_END_RE = compile_on_use(r"[.!?…]+(?=\s|$)")
# A shortened link alone (shortener_alone) is no signal where its line or list says it leads
# somewhere that is no brand's: something to read, watch or hear, a store of the creator's
# own releases, or the creator's own event, form or contact.
NOT_A_BRAND_RE = compile_on_use(
    r"\b(?:docs?|documentation|articles?|read|reading|blog\s+post|episodes?|watch\s+(?:it|the|here|now|more|part"
    r"|full|on)|watching|videos?|stream|streaming|listen|listening|tutorials?|slides|transcript|sources?"
    r"|(?:the|our|my|full)\s+paper|study|news|story|github|trailer"
    r"|part\s+\d+|full\s+(?:interview|talk|story|video)|more\s+info|info|details|learn\s+more"
    r"|apple\s+music|google\s+play|amazon\s+music|deezer|tidal|bandcamp|youtube|vine|pinterest|tumblr|linkedin"
    r"|google\+|g\+|tickets?|tour|events?|register|registration|sign\s*-?\s*up|rsvp|newsletter|survey|form"
    r"|petition|apply\s+(?:now|here|today|online)|application|contact|vote|map|directions|menu|photos?|album"
    r"|gallery|recipes?|schedule|agenda"
    r"|livestream|live\s*-?\s*stream|zoom|webinar|faq)(?!\w)", re.IGNORECASE)
HEADER_MAX_CHARS = 60  # a list's header is a short line
HEADER_MAX_LINES = 10  # looked at above a link, not across a blank line
SCHEME_RE = compile_on_use(r"^[a-z]+://", re.IGNORECASE)

# Affiliate URL patterns found on YouTube and Pinterest by Mathur, Narayanan & Chetty,
# "Endorsements on Social Media: An Empirical Study of Affiliate Marketing Disclosures on
# YouTube and Pinterest", CSCW 2018 (github.com/aruneshmathur/affiliate-marketing-disclosures,
# affiliate_markting_links.txt), rewritten from Adblock Plus filters: "||" dropped, the
# "?x=" / "&x=" pairs merged into one "?x=".
STUDY_AFFILIATE_URL_PATTERNS = [
    "ad.admitad.com/g/", "ad.admitad.com/goto/", "performance.affiliaxe.com/*?aff_id=", "s.aliexpress.com/*?af=",
    "amazon.com/*?tag=", "amazon.de/*?tag=", "amazon.it/*?tag=", "amazon.in/*?tag=", "amazon.fr/*?tag=",
    "primevideo.com/*?ref=", "itunes.apple.com/*?at=", "apple.com/*?afid=",
    "affiliates.audiobooks.com/*?a_aid=*?a_bid=", "affiliates.audiobooks.com/*?a_bid=*?a_aid=",
    "avantlink.com/*?pw=", "secure.avangate.com/*?affiliate=", "awin1.com/*?awinaffid=", "ad.zanox.com/ppc^",
    "zenaps.com/rclick.php?", "banggood.com/*?p=", "bookdepository.com/*?a_aid=", "booking.com/*?aid=",
    "hop.clickbank.net^", "anrdoezrs.net/click-", "cj.dotomi.com^", "dpbolvw.net/click-", "emjcd.com^",
    "jdoqocy.com/click-", "kqzyfj.com/click-", "qksrv.net^", "tkqlhce.com/click-", "designmodo.com/?u=",
    "rover.ebay.com/*?campid=", "audiojungle.net/*?ref=", "codecanyon.net/*?ref=", "marketplace.envato.com/*?ref=",
    "graphicriver.net/*?ref=", "themeforest.net/*?ref=", "videohive.net/*?ref=", "buyeasy.by/cashback/",
    "buyeasy.by/redirect/", "flipkart.com/*?affid=", "gtomegaracing.com/*?tracking=", "/aff_c?*?aff_id=",
    "/aff_c?aff_id=", "search.hotellook.com/*?marker=", "hotmart.net.br/*?a=", "7eer.net/c/", "evyy.net/c/",
    "kontrolfreek.com/*?a_aid=", "online.ladbrokes.com/promoRedirect?key=",
    "online.ladbrokes.com/promoRedirect?*?key=", "makeupgeek.com/*?acc=", "gopjn.com/t/", "pjatr.com/t/",
    "pjtra.com/t/", "pntra.com/t/", "pntrac.com/t/", "pntrs.com/t/", "click.linksynergy.com/*?id=",
    "go.redirectingat.com/*?id=", "olymptrade.com/*?affiliate_id=", "rstyle.me^", "shopstyle.it^",
    "shareasale.com/r.cfm^", "shareasale.com/m-pr.cfm^", "shareasale.com/u.cfm^", "apessay.com/*?rid=",
    "tatacliq.com/*?cid=af:", "thermoworks.com/*?tw=", "zaful.com/*?lkid=",
]

# Affiliate links of networks the study's list leaves out: ShopStyle Collective's retailer
# redirect (the publisher's id in pid=), Admitad's AliExpress deeplinks (alitems.com/g/, the
# same network as ad.admitad.com/g/ above) and the eBay Partner Network's links as it writes
# them now (campid on the item's own address, not rover.ebay.com).
MORE_AFFILIATE_URL_PATTERNS = ["shopstyle.com/action/apiVisitRetailer*?pid=",
                               "shopstyle.co.uk/action/apiVisitRetailer*?pid=", "alitems.com/g/",
                               "ebay.com/*?campid=", "ebay.co.uk/*?campid=", "ebay.de/*?campid=", "ebay.fr/*?campid=",
                               "ebay.it/*?campid=", "ebay.es/*?campid=", "ebay.ca/*?campid=", "ebay.com.au/*?campid="]


def domain(url: str) -> str:
    host = SCHEME_RE.sub("", url).split("/", 1)[0].split("?", 1)[0]
    return host.lower().removeprefix("www.")


@lru_cache(maxsize=64)
def lowered_domains(domains: tuple[str, ...]) -> frozenset[str]:
    return frozenset(d.lower() for d in domains)


def host_matches(host: str, domains: frozenset[str]) -> bool:
    return host in domains or any(host.endswith("." + d) for d in domains)


def _pattern_rest(rest: str) -> str:
    """The path/query part of an affiliate_url_patterns entry as a regex (see the setting)."""
    return "".join({"*": "[^#]*", "?": "[?&]", "^": "(?:[/?&#=:]|$)"}.get(ch, re.escape(ch)) for ch in rest)


@lru_cache(maxsize=64)
def _url_patterns(patterns: tuple[str, ...]) -> tuple[dict[str, re.Pattern[str]], re.Pattern[str] | None]:
    """affiliate_url_patterns compiled: one regex per host (over what follows the host) and one
    for the patterns that start with '/' (any host, anywhere in the path). Looking the
    link's host up first keeps a link from being tried against every pattern."""
    by_host: dict[str, list[str]] = {}
    anywhere = []
    for pattern in patterns:
        pattern = pattern.strip().lower()
        if not pattern:
            continue
        if pattern.startswith("/"):
            anywhere.append(r"[^?#]*?" + _pattern_rest(pattern))
            continue
        cut = min([i for i in (pattern.find("/"), pattern.find("?"), pattern.find("^")) if i >= 0] or [len(pattern)])
        by_host.setdefault(pattern[:cut].removeprefix("www."), []).append(_pattern_rest(pattern[cut:]))
    compiled = {host: re.compile("|".join(f"(?:{r})" for r in rests)) for host, rests in by_host.items()}
    return compiled, (re.compile("|".join(f"(?:{r})" for r in anywhere)) if anywhere else None)


def matches_url_pattern(url: str, patterns: tuple[str, ...]) -> bool:
    by_host, anywhere = _url_patterns(patterns)
    bare = SCHEME_RE.sub("", url).lower().removeprefix("www.")
    cut = len(bare)
    for sep in "/?#":
        at = bare.find(sep)
        if 0 <= at < cut:
            cut = at
    host, rest = bare[:cut].split(":", 1)[0], bare[cut:]
    if not rest.startswith("/"):  # "go.redirectingat.com?id=1" is "go.redirectingat.com/?id=1" (RFC 3986, 6.2.3)
        rest = "/" + rest
    labels = host.split(".")
    for i in range(len(labels) - 1):  # the host and every parent domain: "smile.amazon.com", "amazon.com"
        regex = by_host.get(".".join(labels[i:]))
        if regex is not None and regex.match(rest):
            return True
    return bool(anywhere and anywhere.match(rest))


def links_in(text: str) -> list[tuple[str, int, int]]:
    """Every link in the text as (link, start, end): with a scheme, or a bare 'host.tld/path'."""
    found = [(s.value, s.start, s.end) for s in textlib.links(text)]
    for m in BARE_LINK_RE.finditer(text):
        if not any(a <= m.start() < b for _, a, b in found):
            found.append((m.group(0).rstrip(".,!?;:"), m.start(), m.end()))
    return sorted(found, key=lambda x: x[1])


# A referral link pays whoever shares it (a sign-up bonus, a credit): its query names a referral
# or a coupon ("?referral=JANE", "?cod_descuento=LUCIA"), its host or path is a
# referral program's ("refer.amex.us/JANE", "dropbox.com/referrals/AAx": the referrer's code last,
# not a hospital's "/refer/forms/referral-form.pdf"), SafetyWing's "?referenceID=nikos" (elsewhere
# the name is any reference: a catalogue record's, a journal's "?referenceID=pubmed"), or it is an
# Amazon influencer's storefront ("amazon.com/shop/jane"). Not an "/invite/" path nor an
# "?invite_code=": a chat community's or a game guild's ("curse.com/invite/…",
# "…/guild/join?invite_code=HILLS") reads the same as a program's.
# Read only off the social hosts.
REFERRAL_LINK_RE = compile_on_use(
    r"[?&](?:referral|referral_?code|ref_?code|ref_?id|referred_?by"
    r"|coupon|coupon_?code|promo_?code|discount_?code|cod_descuento|cupom|codigo)=[^&#\s]"
    r"|^(?:https?://)?(?:www\.)?safetywing\.com/[^?#\s]*\?(?:[^#\s]*&)?reference_?id=[^&#\s]"
    r"|^(?:https?://)?(?:refer|referral|referrals)\.[^/\s]+/[^/?#\s]"
    r"|^(?:https?://)?[^/\s]+/(?:referral|referrals|refer)/[^/?#.\s]+/?(?:[?#]|$)"
    r"|^(?:https?://)?(?:www\.|smile\.)?amazon\.[a-z.]{2,6}/shop/[^/?#\s]+", re.IGNORECASE)


def is_affiliate_link(url: str, settings: LinkSettings) -> bool:
    host = domain(url)
    if host_matches(host, lowered_domains(tuple(settings.affiliate_domains))):
        return True
    if _affiliate_query(host, url) or AFFILIATE_PATH_RE.search(url):
        return True
    return matches_url_pattern(url, tuple(settings.affiliate_url_patterns))


def _affiliate_query(host: str, url: str) -> bool:
    """Whether a link's query names an affiliate: an affiliate id, an Amazon associate's tag, a
    ref= that names someone, or campaign tags that say more than where it was shared from
    (any tag naming a creator, influencer or partner counts whatever else it says)."""
    # values keep their case: a capital parts words in them (_TAG_WORDS)
    params = [(n.lower(), unquote_plus(v).strip()) for n, v in AFFILIATE_PARAM_RE.findall(url)]
    if not params or _shop_navigation(host, url) or SUPPORT_HOSTS_RE.search(host):
        return False
    query = CLICK_ID_RE.sub("", url.partition("?")[2].partition("#")[0])
    for_a_creator = FOR_A_CREATOR_RE.search(unquote_plus(query)) is not None
    said = []
    for name, value in params:
        if name == "tag":
            if AMAZON_HOST_RE.search(host) or AMAZON_TAG_RE.search(value.lower()):
                return True
        elif name == "ref":
            # Amazon's own ref= is where on its site a link was made (its share button's
            # "cm_sw_r_…", a search's "sr_1_1"): its associates are named by tag=
            if not AMAZON_HOST_RE.search(host) and (for_a_creator or not _where_shared(value, camel=False)):
                return True
        elif name in ("utm_source", "utm_medium"):
            said.append(value)
        elif not name.startswith("utm_"):
            return True
    utm = any(name.startswith("utm_") for name, _ in params)
    shared = any(name == "utm_source" and value.lower() in SHARE_SOURCES for name, value in params)
    return utm and (for_a_creator or not said or not shared and not all(map(_where_shared, said)))


def _where_shared(value: str, camel: bool = True) -> bool:
    """Whether a tag's value names where a link was shared from: a channel (SHARED_FROM), alone or
    as a word of it ("npr_newsletter", "fb-share", "YouTube_Community"), or a host, as a
    newsletter's or a site's referral names it ("www.letter.com", as beehiiv tags every link;
    "reddit.com"). ``camel``: a word's parts at a capital after a small letter count too ("twCNN");
    not in a ref=, which mostly names a person ("ref=maxWeb", "ref=samHomeCooking": no channel)."""
    if value.lower() in SHARED_FROM or "." in value:
        return True
    for word in _TAG_WORDS.split(value):
        if word.lower() in SHARED_FROM:
            return True
        if camel and any(part.lower() in SHARED_FROM for part in _CAMEL_PARTS.split(word)):
            return True
    return False


ETSY_HOST_RE = compile_on_use(r"(?:^|\.)etsy\.(?:com|[a-z]{2}|co\.uk|com\.au|ca)$")
ETSY_NAVIGATION_RE = compile_on_use(r"[?&](?:utm_[a-z]+|aff\w*|affiliate\w*|irclickid|clickref)=", re.IGNORECASE)


def _shop_navigation(host: str, url: str) -> bool:
    """A shop platform's own navigation tag ("etsy.com/shop/X?ref=search_shop_redirect"): the
    page the visitor came from, not an affiliate; Etsy's affiliates come through its network
    (utm_ parameters, which still count)."""
    return ETSY_HOST_RE.search(host) is not None and ETSY_NAVIGATION_RE.search(url) is None


def line_of(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def line_without_links(text: str, start: int, end: int, links: list[tuple[str, int, int]]) -> tuple[str, int]:
    """The line of the link at [start, end), its links blanked (a link's own path says
    nothing), and where the line starts."""
    line_start, line_end = line_of(text, start, end)
    line = text[line_start:line_end]
    for _, a, b in links:
        if line_start <= a < line_end:
            line = line.replace(text[a:b], " ")
    return line, line_start


def shortened_link_context(text: str, start: int, end: int, links: list[tuple[str, int, int]],
                           alone: bool = False) -> str | None:
    """Why a shortened link looks commercial: product wording on its line, or the header of
    the list it sits in; with ``alone``, also that nothing says where it leads. None when it
    points to the creator's own channels, or (alone) to something to read, watch or hear."""
    line, line_start = line_without_links(text, start, end, links)
    if OWN_OR_SOCIAL_RE.search(line) or _own_work(line):
        return None
    wording = PRODUCT_WORDING_RE.search(line) or OFFER_WORDING_RE.search(line)
    if wording:
        return f"beside \"{wording.group(0)}\""
    header = list_header(text, line_start, links)
    if header is not None:
        if OWN_OR_SOCIAL_RE.search(header) or _own_work(header):
            return None
        if GEAR_HEADER_RE.search(header):
            return f"in a \"{header}\" list"
    if not alone or NOT_A_BRAND_RE.search(line) or (header is not None and NOT_A_BRAND_RE.search(header)):
        return None
    said = " ".join(line.split())
    return f"hides where it leads (its line: \"{said}\")" if said else "hides where it leads (alone on its line)"


def _own_work(line: str) -> bool:
    """Whether a line names the creator's own work and nothing bought beside it."""
    return OWN_WORK_RE.search(line) is not None and GEAR_NOUN_RE.search(line) is None


def list_header(text: str, line_start: int, links: list[tuple[str, int, int]]) -> str | None:
    """The header of the list the line at ``line_start`` sits in: up the lines holding links
    (its items), the first short line without one, not across a blank line."""
    pos = line_start
    for _ in range(HEADER_MAX_LINES):
        if pos <= 0:
            return None
        prev_start = text.rfind("\n", 0, pos - 1) + 1
        prev = text[prev_start:pos - 1]
        pos = prev_start
        if not prev.strip():
            return None
        if any(prev_start <= a < prev_start + len(prev) for _, a, _b in links):
            continue
        header = prev.strip()
        return header if len(header) <= HEADER_MAX_CHARS else None
    return None


# What link_key reads of a link: its scheme (absent in a bare link), its authority (up to the
# path, query or fragment) and the rest.
_LINK_PARTS_RE = compile_on_use(r"^(?:(https?)://)?([^/?#]*)(.*)$", re.IGNORECASE | re.DOTALL)
_DEFAULT_PORT = {"http": ":80", "https": ":443"}
_PERCENT_RE = compile_on_use(r"%[0-9a-fA-F]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent(m: re.Match[str]) -> str:
    """A percent-encoded octet as RFC 3986 normalises it: an unreserved character decoded
    (6.2.2.2), any other in upper-case hex (6.2.2.1)."""
    ch = chr(int(m.group(0)[1:], 16))
    return ch if ch in _UNRESERVED else m.group(0).upper()


def link_key(url: str) -> str:
    """What is the same in every form a post writes one link in, so the link is quoted once.

    RFC 3986's normalisations (6.2.2, 6.2.3): the scheme's and host's case, a default port
    (":443" on https, ":80" on http, or an empty one), an empty path as "/"
    ("shop.example?ref=x" is "shop.example/?ref=x"), percent-encoding's case and unreserved
    characters decoded. Beyond it, as the crawlers and the link signals read links: http,
    https or no scheme at all (a bare "amzn.to/x" the platform makes a link of; Bluesky's app
    and shows_link drop the scheme when they show a link) and "www." before the host (shows_link
    takes "amazon.com/dp/…" for a display of "https://www.amazon.com/dp/…"; domain() drops it
    too). Everything else keeps two links apart: the path's case and a trailing slash after a
    path (a site may tell "/P" from "/p" and "/deal" from "/deal/"), the query (another tag or
    its order), the fragment, another subdomain or host."""
    m = _LINK_PARTS_RE.match(url)
    assert m is not None  # every part is optional
    scheme, authority, rest = (m.group(1) or "").lower(), m.group(2), m.group(3)
    userinfo, at, host = authority.rpartition("@")  # a user name keeps its case; a host has none
    host = host.lower()
    if scheme and host.endswith(_DEFAULT_PORT[scheme]):
        host = host[:-len(_DEFAULT_PORT[scheme])]
    host = host.removesuffix(":").removeprefix("www.")
    if not rest.startswith("/"):
        rest = "/" + rest
    if "%" in rest:
        rest = _PERCENT_RE.sub(_percent, rest)
    return f"{userinfo}{at}{host}{rest}"


def link_signals(text: str, settings: LinkSettings) -> list[tuple[str, str]]:
    """The links of a post that are commercial signals, in order, each link quoted once: a post
    that writes one link twice ("HTTPS://AMZN.TO/x" and "amzn.to/x"; a link in its words and
    again after a blank line, as a crawler appends a hidden or card link: with_hidden_links)
    holds one piece of evidence, not two. The first of its forms that is a signal is quoted as
    the post writes it; a later form is still read where the first says nothing (a shortened
    link on a plain line, then in a "Gear:" list). Links that differ (link_key) stay apart."""
    links = links_in(text)
    if not links:
        return []
    shorteners = lowered_domains(tuple(settings.shortener_domains))
    social = lowered_domains(tuple(settings.social_domains))
    signals: list[tuple[str, str]] = []
    quoted: set[str] = set()  # the link_key of each link quoted, where the post holds several
    for url, start, end in links:
        key = link_key(url) if len(links) > 1 else url
        if key in quoted:
            continue
        said = len(signals)
        if is_affiliate_link(url, settings):
            signals.append(("affiliate_link", url))
        elif host_matches(host := domain(url), shorteners):
            context = shortened_link_context(text, start, end, links, settings.shortener_alone)
            if context:
                signals.append(("shortened_link", f"{url} … {context}"))
        elif not host_matches(host, social):
            if REFERRAL_LINK_RE.search(url):
                signals.append(("affiliate_link", url))
            elif wording := deal_beside(text, start, end, links):
                signals.append(("deal_link", f"{url} … beside \"{wording}\""))
        if len(signals) > said:
            quoted.add(key)
    return signals


def deal_beside(text: str, start: int, end: int, links: list[tuple[str, int, int]]) -> str | None:
    """The deal wording on a plain link's line ("Deep Discounts on Hotels", "20% off your
    first order"), or a sponsor's offer beside it (sponsor_offer: "Try it free for 30 days"),
    unless the line is about the creator's own channels or products."""
    line, _ = line_without_links(text, start, end, links)
    if OWN_OR_SOCIAL_RE.search(line) or _own_work(line):
        return None
    events = EVENT_RE.search(line) is not None
    wording = next((m for m in DEAL_WORDING_RE.finditer(line)
                    if not (events and m.group(0).lower().startswith("on"))), None)
    return wording.group(0) if wording else sponsor_offer(text, start, end, links)


def sponsor_offer(text: str, start: int, end: int, links: list[tuple[str, int, int]]) -> str | None:
    """A sponsor read's offer beside the link at [start, end) (OFFER_WORDING_RE, MORE_DEAL_WORDING_RE):
    in the link's own sentence ("Try Skillshare free for 2 months: skl.sh/jane"; a link standing
    after the sentence is its), not quoted, and beside a link that names whoever shares it
    (_VANITY_PATH_RE). News, a how-to or a town's notice says the same of a page anyone reaches
    ("Get 2 months free? Nope. Story: cnet.com/…", "Adobe has a 7-day free trial:
    adobe.com/products/…", "Descuento para jubilados: crtm.es/billetes-y-tarifas")."""
    vanity = _VANITY_PATH_RE.match(text[start:end])
    if (vanity is None or vanity.group("name").lower() in _PAGE_WORDS
            or _PUBLIC_HOST_RE.search(domain(text[start:end]).split(":", 1)[0])):
        return None
    line_start, line_end = line_of(text, start, end)
    line = list(text[line_start:line_end])
    for _, a, b in links:  # blanked in place: positions stay, a link's dots end no sentence
        if line_start <= a < line_end:
            line[a - line_start:min(b, line_end) - line_start] = " " * (min(b, line_end) - a)
    blanked = "".join(line)
    at = start - line_start
    ends = [m.end() for m in _SENTENCE_END_RE.finditer(blanked)]
    left = max([e for e in ends if e <= at], default=0)
    right = min([e for e in ends if e > at], default=len(blanked))
    if not re.search(r"\w", blanked[left:right]):  # the link stands alone after its sentence
        left = max([e for e in ends if e < left], default=0)
    sentence = blanked[left:right]
    quoted = [(m.start(), m.end()) for m in _QUOTED_RE.finditer(sentence)]
    for regex in (MORE_DEAL_WORDING_RE, OFFER_WORDING_RE):
        for m in regex.finditer(sentence):
            if not any(a <= m.start() < b for a, b in quoted):
                return m.group(0)
    return None
