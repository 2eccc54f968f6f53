"""Selling wording: a post that sells ("shop now", "DM to order", "flash sale", "30% off
everything", "enter to win") is promotional, whoever's product it is.

Written for issue #7 from what promotional Instagram captions say (calls to buy, price
cuts, shipping and stock, ordering by message, giveaways, tickets, prices), not from a
labeled caption set: none is in shared/data. Such wording makes a post sponsored (it counts
towards ad frequency and the sponsored-post detector) but is no accusation on its own: a
creator selling their own work needs no #ad label (FTC: a label is owed for a connection
to a brand), and DOMAIN.md judges disclosure verdicts by their precision. Nor is it one
beside an @mention: that is as often a venue, stockist, label or friend as a paying brand
(docs/HEURISTICS.md); only sponsored.py's narrower brand wording beside a mention accuses.

Each family is a name and parts; a part is a regex and its gate: strings, one of which
every match contains in lower case. One scan of the post finds every gate string, and only
the parts whose gate is there run. tests/heuristics/test_sponsored_selling.py checks that
this never changes a result, and holds every phrase beside a near miss.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import Callable, NamedTuple

from microscout.heuristics.lazy_regex import compile_on_use
from microscout.heuristics.trigger_scan import TriggerScan, prefix_free

_I = re.IGNORECASE
_CURRENCY = r"(?:[$€£₹]|rs\.?\s?|usd\s?|eur\s?|gbp\s?|inr\s?)"
_DAYS = r"(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
# Prices: "$45", "₦18,500", "Rs 85L", "KSh 3,500", "R$ 89,90", and "12€", "45rb" written after.
_SYMBOLS = ("$", "€", "£", "₹", "₦", "₱")
_PRICE_SYMBOL = r"[$€£₹₦₱]"
_CODES = ("rs.", "rs", "inr", "ksh", "kes", "aed", "usd", "mxn", "php", "rp.", "rp")
_PRICE_CODE = r"\b(?:rs\.?|inr|ksh|kes|aed|usd|mxn|php|rp\.?)"
_CODE_GATES = tuple(c + sep + "0" for c in _CODES for sep in ("", " "))
_AMOUNT = r"\s?[0-9]+(?:[.,][0-9]+)*(?:\s?(?:k|m|l|rb)\b)?"
# On the price's line, just after it: what it buys ("each", "pp", "per night", "adv", "deposit").
_PRICE_NEAR = compile_on_use(
    r"\b(?:each|ea|pp|(?:per|a)\s+(?:person|night|hour|session|month|box|dozen|piece|pair|set|bottle|jar)|only|adv"
    r"|deposit|includes?|included)\b", re.IGNORECASE)
NEAR_CHARS = 60  # how far after a price, on its line, _PRICE_NEAR may start
# Anywhere in the post: how to pay it ("DM me", "book", "link in bio", "tickets", "come grab one").
_PRICE_CALL = compile_on_use(
    r"\b(?:dm|pm|message\s+(?:me|us)|to\s+book|book\s+(?:now|via|your|online)|booking|bookings|to\s+order"
    r"|order\s+(?:now|yours|here|online|via|form)|orders|ordering|shop\s+(?:now|at|online)|delivery|pickup|pick-?up"
    r"|sizes?|spots?|slots?|tickets?"
    r"|link\s+in\s+(?:my\s+|our\s+|the\s+)?bio|instant\s+download|viewings?|enquir\w*|inquir\w*|reservations?"
    r"|whatsapp|cod|direct|call\s+(?:us|me|now|to|for)|visit\s+(?:us|our)|come\s+(?:thru|through|grab|get|try"
    r"|see\s+us))\b", re.IGNORECASE)
# "Puppies for sale, message for details": a sale offered, not one seen ("a house for sale on our walk").
_SALE_CALL = compile_on_use(
    r"\b(?:dm|pm|message|inbox|contact|whatsapp|price|prices|priced|enquir\w*|inquir\w*|obo|ono|pick-?up"
    r"|delivery|shipping|link\s+in\s+(?:my\s+|our\s+|the\s+)?bio|call\s+(?:us|me|now))\b|[$€£₹₦]", re.IGNORECASE)
# Before a price, in its clause: the price was paid, not asked ("paid $30", "tickets were $150 each").
BUYERS_PRICE = compile_on_use(r"\b(?:paid|pay|paying|spent|spend|cost|costs|costing|were|was|bought|got|rent"
                              r"|owe|lost|won|saved)\b[^.!?\n]{0,25}$", re.IGNORECASE)
_AMOUNT_CALL = compile_on_use(r"\b(?:dm|book|order|shop|delivery|envíos?|pedidos?|whatsapp|cod|viernes|lunes)\b",
                              re.IGNORECASE)

_ZERO = str.maketrans("123456789", "000000000")


class Part(NamedTuple):
    regex: re.Pattern[str]
    gates: tuple[str, ...]          # strings in lower case, one of which every match contains
    near: re.Pattern[str] | None    # with also: one of them must follow the match, this one on its
    also: re.Pattern[str] | None    # line within NEAR_CHARS ("$8 each"), that one anywhere ("DM me")
    unless_after: re.Pattern[str] | None  # must not match just before the match, in its clause ("paid $30")


def _part(pattern: str, *gates: str, near: re.Pattern[str] | None = None, also: re.Pattern[str] | None = None,
          unless_after: re.Pattern[str] | None = None) -> Part:
    return Part(compile_on_use(pattern, _I), gates, near, also, unless_after)


# For the wording added after the real recorded posts, narrowed after a review's organic posts
# (docs/HEURISTICS.md): before a shop link, a buyer's words ("bought this sticker from a
# redbubble.com/… artist"); before "заказать", "no longer"; before "سفارش بدهید", "to X" (advice);
# beside "пишите в личку" or WhatsApp, a word of trade (an order, a price, delivery, stock).
_BUYER = compile_on_use(r"\b(?:bought|got|ordered|order|arrived|found|gift|scammed|fake|from\s+(?:some|a|an|this)"
                        r"\s+\w+)\b[^.!?\n]{0,60}$", re.IGNORECASE)
_NO_LONGER = compile_on_use(r"(?:раньше|когда-то|больше\s+не)[^.!?\n]{0,20}$", re.IGNORECASE)
_FA_ADVISE = compile_on_use(r"(?:^|\s)به\s+\S+\s*$")
_RU_BUSINESS = compile_on_use(r"заказ|цен|доставк|наличи|₽|руб", re.IGNORECASE)
_AR_BUSINESS = compile_on_use(r"طلب|حجز|سعر|أسعار|الاسعار|توصيل|للاستفسار|متوفر|ريال|درهم|جنيه|الرقم|[0-9٠-٩]{6,}")

# After "the first 50 people to join": a community joined, not a product ("the Discord", "our server").
NOT_A_COMMUNITY = (r"(?!\s+(?:(?:the|our|my)\s+)?(?:discord|server|community|club|group|guild|stream|livestream"
                    r"|live|channel|membership|team|chat|crew|us|me)\b)")
# Before "the first 50 people to…": someone who was among them ("I was one of"), not an offer.
_WAS_AMONG = compile_on_use(r"\b(?:was|were|i'?m|i\s+am|we'?re|we\s+are)\s+(?:one\s+of|among)\s+the\s+$", re.IGNORECASE)

# Print-on-demand and shop platforms: a link to one sells the creator's (or someone's) goods.
_SHOP_PLATFORMS = (r"(?:teespring\.com|spri\.ng|creator-spring\.com|spreadshirt\.[a-z]{2,3}|redbubble\.com"
                   r"|teepublic\.com|bonfire\.com|fourthwall\.com|merchbar\.com|bigcartel\.com|myshopify\.com"
                   r"|etsy\.com/(?:shop|listing))")

# (family, parts): a family fires on its leftmost match among its parts.
SELLING_FAMILIES: tuple[tuple[str, tuple[Part, ...]], ...] = (
    # "Shop now", "order yours", "buy it here", "shop online at", "tap to shop", "link in bio to order".
    ("call to buy", (
        _part(r"\b(?:shop|buy|order|purchase)\s+(?:now|today|here|yours|them\s+(?:now|here)"
              r"|it\s+(?:now|here|today))\b",
              *(verb + " " + then for verb in ("shop", "buy", "order", "purchase")
                for then in ("now", "today", "here", "yours", "them", "it"))),
        _part(r"\bshop\s+online\s+(?:at|now|today|via|through|on)\b", "shop online"),
        _part(r"\bshop\s+(?:our|the\s+(?:new|full|latest|whole|entire)\s+(?:collection|range|line|drop|sale))\b",
              "shop our", "shop the"),
        _part(r"\b(?:get|grab|snag|claim)\s+(?:yours\b|your\s+(?:copy|copies|tickets?|pair|bottle|box|bundle|kit)\b)",
              "yours", "your copy", "your copies", "your ticket", "your pair", "your bottle", "your box",
              "your bundle", "your kit"),
        _part(r"\b(?:tap|click|swipe\s+up|link\s+in\s+(?:my\s+|our\s+|the\s+)?bio)\s+(?:\w+\s+){0,2}?to\s+"
              r"(?:shop|buy|order|purchase|book)\b", "to shop", "to buy", "to order", "to purchase", "to book"),
        _part(r"\bvisit\s+our\s+(?:store|shop|website|site|boutique|showroom|online\s+store)\b", "visit our"),
    )),
    # "DM to order", "message us for prices", "WhatsApp 0801 234 5678 to order", "book your appointment".
    ("ordering", (
        _part(r"\b(?:dm|pm|message|inbox|whatsapp|text|call|contact)\b[^.!?\n]{0,25}?\b(?:to|for)\s+"
              r"(?:order|orders|ordering|purchase|prices?|pricing|price\s+list|book|booking|bookings|appointments?"
              r"|enquiries|inquiries|wholesale)\b",
              *(prep + " " + stem for prep in ("to", "for") for stem in ("order", "purchase", "pric", "book",
                                                                         "appointment")),
              "enquiries", "inquiries", "wholesale"),
        _part(r"\b(?:book|reserve)\s+(?:now|today|online|yours|your\s+(?:appointment|slot|spot|table|session|stay))\b",
              *(verb + " " + word for verb in ("book", "reserve") for word in ("now", "today", "online", "your"))),
        _part(r"\bpre-?orders?\s+(?:(?:are|is)\s+)?(?:now\s+)?(?:open|available|live)\b"
              r"|\bpre-?order\s+(?:now|today|yours|here)\b", "preorder", "pre-order"),
    )),
    # "Up to 50% off", "30% off everything", "flash sale", "sale ends Sunday", "for sale".
    ("price cut", (
        _part(r"\b(?:up\s+to|save|enjoy|take|extra|flat|get)\s+\d{1,2}\s*(?:%|percent)\s*off\b"
              r"|\b\d{1,2}\s*(?:%|percent)\s*off\s+(?:everything|all\b|sitewide|site-wide|storewide|store-wide|your"
              r"|selected|select|the\s+entire|orders?|today|this\s+weekend|until|till|through|thru|on\s+all)"
              r"|\bsave\s+\d{1,2}\s*(?:%|percent)", "%", "percent"),
        _part(r"\b(?:flash|clearance|closing[- ]down|warehouse)\s+sale\b"
              r"|\b(?:our|my)\s+(?:[\w-]+\s+){0,2}?(?:sale|deals)\s+(?:is\s+|are\s+)?(?:now\s+on|on\s+now|now\s+live"
              r"|live|ends|starts|ending|starting)\b|\b(?:sale|deals)\s+(?:is\s+|are\s+)?(?:now\s+on|on\s+now"
              r"|now\s+live)\b|\bon\s+sale\s+now\b", "sale", "deals"),
        _part(r"\bfor\s+sale\b", "for sale", also=_SALE_CALL),
        _part(r"\bbuy\s+(?:one|1|2|two)\s*,?\s*get\s+(?:one|1|2|two)\b|\bbogo\b", "get one", "get 0", "get two",
              "bogo"),
    )),
    # "Free shipping", "we ship worldwide", "delivery available", "limited stock", "back in stock".
    ("shipping and stock", (
        _part(r"\bfree\s+(?:shipping|delivery)\b(?!\s+of\b)|\b(?:ships?|shipping|delivery)\s+(?:worldwide|nationwide"
              r"|available|all\s+over)\b|\b(?:nationwide|worldwide|international|same[- ]day|next[- ]day)\s+"
              r"(?:delivery|shipping)\b|\bwe\s+(?:ship|deliver)\s+(?:worldwide|nationwide|internationally|globally"
              r"|anywhere|all\s+over|across|to\s+(?:all|every|the\s+(?:us|uk|usa|eu)))\b", "ship", "deliver"),
        _part(r"\blimited\s+(?:time\s+(?:only|offer)|stock|quantities|pieces|slots|spots)\b"
              r"|\bwhile\s+(?:supplies|stocks?)\s+lasts?\b", "limited ", "while supplies", "while stock"),
        _part(r"\b(?:back|now)\s+in\s+stock\b|\brestocked\s+(?:our|online|in\s+store)\b", "in stock", "restocked"),
        _part(r"\bnew\s+arrivals\b", "new arrivals"),
        _part(r"\b(?:now\s+available|available\s+now)\s+(?:at|on|in|for|online)\b"
              r"|\bavailable\s+(?:to\s+order|for\s+(?:order|purchase|pre-?order)|online\s+(?:at|now)|in\s+stores?"
              r"|at\s+(?:all\s+)?(?:our\s+)?(?:locations|stores|retailers|branches))\b",
              "now available", "available now", "available to", "available for", "available online", "available in",
              "available at"),
    )),
    # "#giveaway", "enter to win", "to enter:", "GIVEAWAY TIME", "we're giving away".
    ("giveaway", (
        _part(r"#giveaway\b|\bgiveaway\s+(?:time|alert|is\s+(?:now\s+)?(?:open|live)|winner|ends|closes)\b",
              "giveaway"),
        _part(r"\benter\s+to\s+win\b|\bto\s+enter\s*[:,-]|\b(?:for\s+a|your)\s+chance\s+to\s+win\b",
              "to enter", "enter to", "chance to"),
        _part(r"\b(?:we'?re|we\s+are|i'?m|i\s+am)\s+giving\s+away\b", "giving away"),
    )),
    # "Tickets on sale", "tickets at the link in bio", "Price: $45", "was $60 now $40".
    ("tickets and prices", (
        _part(r"\btickets?\s+(?:are\s+)?(?:now\s+)?(?:on\s+sale|available|at\s+(?:the\s+)?link|via"
              r"|in\s+(?:my\s+|our\s+|the\s+)?bio|out\s+now|go\s+on\s+sale|link)\b", "ticket"),
        _part(r"\bprices?\s*[:-]\s*" + _CURRENCY + r"\s?\d|\bpriced\s+at\s+" + _CURRENCY + r"\s?\d"
              r"|\bprices?\s+(?:start\s+|starting\s+|starts\s+)?(?:at|from)\s+" + _CURRENCY + r"\s?\d", "price"),
        _part(r"\bwas\s+" + _CURRENCY + r"\s?\d[\d.,]*\s*,?\s*now\s+" + _CURRENCY + r"\s?\d",
              *("was " + c for c in ("$", "€", "£", "₹", "rs", "usd", "eur", "gbp", "inr"))),
    )),
    # Sellers' own hashtags: #shopnow, #forsale, #smallbusiness, #freeshipping.
    ("selling hashtag", (
        _part(r"#(?:shop(?:now|online|small|local)|buynow|ordernow|preorder|forsale|onsale|sale|discount|promocode"
              r"|freeshipping|smallbusiness|supportsmallbusiness|shopsmallbusiness)\b",
              "#shop", "#buynow", "#ordernow", "#preorder", "#forsale", "#onsale", "#sale", "#discount", "#promocode",
              "#freeshipping", "#smallbusiness", "#supportsmall"),
    )),
    # --- Added after reading the misses of blind caption set A (stage 1, docs/HEURISTICS.md) ---
    # "Now booking", "Booking for December is now open", "taking new clients", "only 8 slots",
    # "reservations via the link", "enrollment closes Friday", "place your order", "order form".
    ("booking and places", (
        _part(r"\bnow\s+booking\b|\bbookings?\s+(?:for\s+[\w ]{1,20}?\s+)?(?:(?:is|are)\s+)?(?:now\s+)?open\b"
              r"|\bbook\s+(?:via|thru|through|online)\b", "booking", "book "),
        _part(r"\btaking\s+(?:new\s+)?(?:clients|bookings|orders|commissions)\b"
              r"|\bcommissions\s+(?:are\s+)?(?:now\s+)?open\b", "taking", "commissions"),
        _part(r"\b(?:\d+|few|limited)\s+(?:spots?|slots?|seats?|places)\s+(?:left|only|available|remaining)\b"
              r"|\bonly\s+\d+\s+(?:spots?|slots?|seats?|places)\b|\b(?:spots?|slots?|seats?|places)\s+are\s+limited\b",
              "spot", "slot", "seat", "places"),
        _part(r"\breservations?\s+(?:via|through|at|recommended|strongly|required|are\s+open)\b", "reservation"),
        _part(r"\b(?:enrol(?:l)?ment|registrations?|applications?)\s+(?:(?:is|are)\s+)?(?:now\s+)?"
              r"(?:open\s+(?:for|now|until)|closes?|closing)\b", "enrol", "registration", "application"),
        _part(r"\bplace\s+your\s+orders?\b|\border\s+(?:online|form)\b", "place your order", "order online",
              "order form"),
    )),
    # "New drop Friday", "restock alert", "the collection drops Thursday", "single out everywhere now",
    # "presave", "download free today", "live on the App Store".
    ("drops and releases", (
        _part(r"\bnew\s+drop\b|\b(?:collection|drop|capsule|new\s+line|merch|restock)\s+(?:just\s+)?(?:drops"
              r"|dropped|launches|is\s+live|is\s+here)\b|\b(?:collection|capsule|merch|restock|preorder|pre-order"
              r"|it|everything)\s+drops?\s+(?:this\s+)?" + _DAYS + r"\b", "drop", "launches", "is live", "is here"),
        _part(r"\brestock(?:ing)?\s+alert\b|\brestocking\b", "restock"),
        _part(r"\bout\s+everywhere\b|\bavailable\s+everywhere\b", "everywhere"),
        _part(r"\bpre-?save\b|\bstream\s+it\s+(?:now|everywhere|on)\b", "presave", "pre-save", "stream it"),
        _part(r"\b(?:my|our)\s+(?:[\w'-]+\s+){0,2}?(?:single|album|ep|mixtape|novel|book|course|app|merch|collection)\b"
              r"[^.!?\n]{0,40}?\b"
              r"(?:is\s+|are\s+)?(?:out|live|available)\s+(?:now|today|everywhere)\b",
              "out now", "out today", "out everywhere", "live now", "live today", "live everywhere", "available now",
              "available today", "available everywhere"),
        _part(r"\bdownload\s+(?:it\s+)?(?:free|now|today|for\s+free)\b", "download"),
        _part(r"\bon\s+the\s+(?:app\s+store|play\s+store)\b", "app store", "play store"),
    )),
    # "Shop the Marbella set at the link in bio", "Etsy link in bio", "up on the shop", "listed on our depop".
    ("shop links", (
        _part(r"\bshop\s+(?:the|this|our|my)\b[^.!?\n]{0,40}?\b(?:at|via|in|on)\s+(?:the\s+)?(?:link|bio|website"
              r"|site|store)\b|\bshop\s+at\s+(?:the\s+)?link\b", "shop the", "shop this", "shop our", "shop my",
              "shop at"),
        _part(r"\b(?:etsy|depop|vinted|poshmark|shopee|tokopedia|shop|store|order\s+form|booking\s+link"
              r"|price\s+list)\s+(?:link\s+)?(?:is\s+)?(?:in|on)\s+(?:my\s+|our\s+|the\s+)?bio\b", "bio"),
        _part(r"\b(?:up|listed|available)\s+on\s+(?:the|our|my)\s+(?:shop|store|website|site|depop|etsy)\b",
              "up on", "listed on", "available on"),
        _part(r"#(?:etsyseller|etsyshop|depopseller|vintedseller|poshmarkseller|shopsmall|onlineshop|olshop)\w*\b",
              "#etsy", "#depop", "#vinted", "#poshmark", "#shopsmall", "#onlineshop", "#olshop"),
    )),
    # "Everything in store 15% off", "$20 off your first facial", "2 for 1", "early bird price", "new client special".
    ("offers", (
        _part(r"\b\d{1,2}\s*(?:%|percent)\s*off\b", "%", "percent"),
        _part(r"[$€£₹]\s?[0-9]+\s+off\b", "0 off"),
        _part(r"\b(?:2|two|3|three)\s+for\s+(?:1|one|2|two|[$€£₹]\d)", "0 for", "two for", "three for"),
        _part(r"\b(?:early[- ]bird|launch|introductory|intro)\s+(?:price|pricing|offer|special|discount|rate)\b"
              r"|\bnew\s+client\s+special\b|\bspecial\s+offer\b|\blimited[- ]time\s+offer\b",
              "bird", *(first + " " + then for first in ("launch", "introductory", "intro")
                        for then in ("pric", "offer", "special", "discount", "rate")),
              "client special", "special offer", "time offer"),
        # A sponsor read's limited offer: "the first 1,000 people to click the link get two months free".
        # Not an event's or a community's first comers ("the first 100 people to register get a tote
        # bag", "the first 100 people to join the Discord get a role").
        _part(r"\bfirst\s+\d[\d,.]*k?\s+(?:people|viewers|subscribers|customers|users|of\s+you)\s+to\s+(?:click"
              r"|use|sign\s+up|go\s+to|download|join" + NOT_A_COMMUNITY + r"|order|buy)\b",
              *(who + " to" for who in ("people", "viewers", "subscribers", "customers", "users", "of you")),
              unless_after=_WAS_AMONG),
    )),
    # A price beside a reason to pay it: "$8 each", "tickets $15 adv", "$175 … DM me to book", "12€ … de lunes".
    ("price with a call", (
        _part(_PRICE_SYMBOL + _AMOUNT, *_SYMBOLS, near=_PRICE_NEAR, also=_PRICE_CALL, unless_after=BUYERS_PRICE),
        _part(_PRICE_CODE + _AMOUNT, *_CODE_GATES, near=_PRICE_NEAR, also=_PRICE_CALL, unless_after=BUYERS_PRICE),
        _part(r"(?<![0-9])[0-9]+(?:[.,][0-9]+)*\s?(?:€|£|(?:rb|usd|eur|gbp|mxn)\b)",
              *("0" + sep + c for sep in ("", " ") for c in ("€", "£", "rb", "usd", "eur", "gbp", "mxn")),
              also=_AMOUNT_CALL, unless_after=BUYERS_PRICE),
    )),
    # "Comment PLAN and I'll send you…", "DM me 'INFO'", "join my team", "free masterclass".
    ("funnels", (
        _part(r"\bcomment\s+[\"'“‘]?(?-i:[A-Z]{2,})[\"'”’]?\s+(?:below\s+)?(?:and|&)\s+(?:i'?ll|we'?ll|i\s+will"
              r"|we\s+will)\s+(?:send|dm|message)\b", "comment"),
        _part(r"\bdm\s+me\s+[\"'“‘]?(?-i:[A-Z]{3,})\b", "dm me"),
        _part(r"\bjoin\s+my\s+team\b", "join my team"),
        _part(r"\bfree\s+(?:masterclass|webinar)\b|\b(?:get|claim|grab|book|join|start|dm\s+(?:me|us)\s+for"
              r"|sign\s+up\s+for|register\s+for)\s+(?:a\s+|your\s+|my\s+|the\s+)?free\s+(?:sample|samples|consultation"
              r"|consult|trial|class|call|guide|ebook|session|lesson)\b",
              "free masterclass", "free webinar", "free sample", "free consult", "free trial", "free class",
              "free call", "free guide", "free ebook", "free session", "free lesson"),
        _part(r"\b1:1\s+coaching\b", "0:0 coaching"),
    )),
    # Sellers' wording in Spanish, Portuguese, Indonesian, German and French.
    ("selling in other languages", (
        _part(r"\b(?:pedidos?|encomendas?)\s+(?:por|pelo|pela|via|al|ao|no|en)\b"
              r"|\b(?:fa[çc]a|haz)\s+(?:j[áa]\s+)?(?:seu|su|tu)\s+pedido\b", "pedido", "encomenda"),
        _part(r"\benv[ií]os?\s+(?:a\s+tod[oa]|gr[aá]tis|gratis|para\s+todo|nacionales?)\b|\benviamos\s+para\b",
              "envio", "envío", "enviamos"),
        _part(r"\bchama\s+no\s+(?:direct|dm|whats)", "chama"),
        _part(r"\b(?:ya|j[áa])\s+dispon[ií](?:ve?l|ble)\b|\bdispon[ií]vel\s+(?:j[áa]|agora|na|no)\b"
              r"|\bdisponible\s+(?:ya|ahora|en\s+(?:nuestra|todas|tiendas?))\b", "dispon"),
        _part(r"\ba\s+partir\s+de\s+r?\$|\bdesde\s+\$", "a partir de", "desde $"),
        _part(r"\bc[óo]digo\s+(?-i:[A-Z0-9]{3,})|\bcupom\b|\bcup[óo]n\b", "digo", "cupom", "cupon", "cupón"),
        _part(r"\bdiskon\s+\d|#diskon\b|\bpromo\s+(?:bulan|hari|spesial)\b|\bbeli\s+\d+\s+gratis\b|\bbisa\s+cod\b"
              r"|\border\s+(?:langsung|sekarang)\b", "diskon", "promo bulan", "promo hari", "promo spesial", "beli ",
              "bisa cod", "order langsung", "order sekarang"),
        _part(r"\bjetzt\s+(?:bestellen|kaufen|erh[äa]ltlich)\b|\bversandkostenfrei\b", "jetzt", "versand"),
        _part(r"\bcommandez\b|\blivraison\s+(?:gratuite|offerte)\b|\ben\s+vente\s+(?:sur|d[èe]s|maintenant)\b",
              "commandez", "livraison", "en vente"),
    )),
    # --- Added after reading the real recorded posts (docs/HEURISTICS.md, "Real posts") ---
    # Creators' own merch and shops: "CHECK OUT MY MERCH", "Buy Merch:", "Shop SoCal Surfer!
    # teespring.com/…", a link to a print-on-demand or shop platform.
    ("merch and shops", (
        # an imperative at a sentence start (not "to buy the merch", "did anyone grab some merch"),
        # not a fan's "my merch haul/signed"
        _part(r"\b(?:check\s+out|buy|grab|get|shop|cop|order)\s+(?:my|our)\s+(?:new\s+)?merch\b"
              r"(?!\s+(?:haul|signed|from|at|stand|table))"
              r"|(?<![\w,:;'’])(?<![\w,:;'’]\s)(?<![\w,:;'’]\s\s)(?:check\s+out|buy|grab|get|shop|cop|order)\s+"
              r"(?:the\s+|some\s+)?(?:new\s+)?merch\b(?!\s+(?:haul|signed|from|at|stand|table))"
              # "Merch: <link>", "merch → <link>", "merch store is live", "our merch is out now"
              r"|\bmerch\b\s*[:→►➤▶👉]?(?=[^\n]{0,25}?(?:https?://|www\.|\blink\s+in\s+(?:my\s+|our\s+|the\s+)?bio\b))"
              r"|\bmerch\s*[:→►➤▶👉](?=[^\S\n]*(?:\n|$))"
              r"|\bmerch\s+(?:store|shop)\s+(?:is\s+)?(?:now\s+)?(?:open|live)\b"
              r"|\b(?:my|our)\s+(?:new\s+)?merch\s+(?:is\s+|are\s+)?(?:out\s+now|available|live)\b",
              "merch"),
        # as a link (scheme, www. or a subdomain), not a domain named in talk; vetoed after buyer's wording
        _part(r"(?:(?<=[/.])|\b(?=" + _SHOP_PLATFORMS + r"/\w))" + _SHOP_PLATFORMS + r"(?!/admin)",
              "teespring.com", "spri.ng", "creator-spring.com", "spreadshirt.", "redbubble.com", "teepublic.com",
              "bonfire.com", "fourthwall.com", "merchbar.com", "bigcartel.com", "myshopify.com", "etsy.com/",
              unless_after=_BUYER),
        _part(r"(?m)^[^\w\n]*shop\s+(?!(?:class|cat|dog|teacher|talk|tour|update|vac|fire|windows?|boys?|til|till"
              r"|owner|keeper|floor|rat|local)\b)[^\n]{1,40}?(?:https?://|www\.)"
              r"(?!(?:www\.)?(?:youtu\.?be|youtube\.com|imgur\.com|instagram\.com|flickr\.com|flic\.kr"
              r"|photos\.app\.goo\.gl|tiktok\.com|twitter\.com|x\.com|facebook\.com)\b)", "shop "),
    )),
    # Ordering in Russian, Persian, Arabic and Turkish ("Для заказа пишите в Direct", "تلفن سفارش: ۴۲…",
    # "للطلب عبر الواتساب", "sipariş için DM"): the same call as "DM to order", beside a way to order.
    ("ordering in other languages", (
        _part(r"\bдля\s+заказа\b(?=[^.\n]{0,20}?(?:пиш|звон|direct|директ|лс\b|личк|дм\b|whatsapp|ватсап"
              r"|телефон|тел\b|:|→|👉))"
              r"|\bпод\s+заказа?\b"
              r"|\b(?:можно|успейте|успей|хотите|чтобы)\s+заказать\b|\bзаказать\s+можно\b",
              "для заказ", "под заказ", "заказать", unless_after=_NO_LONGER),
        _part(r"\bпишите\s+в\s+(?:direct|директ|личку|лс|дм)\b", "пишите в", also=_RU_BUSINESS),
        _part(r"(?:تلفن|ثبت|جهت|برای)\s+سفارش(?=\s*[:،]?\s*(?:[۰-۹0-9]|دایرکت|پیام|واتساپ|تماس|با\s+شماره))",
              "سفارش"),
        _part(r"سفارش\s+(?:بدید|بدهید|دهید)", "سفارش", unless_after=_FA_ADVISE),
        _part(r"(?:للطلب(?:ات)?|للحجز)(?![\u0621-\u064A])"
              r"(?=(?:\s+و\S+)?\s*(?::|[0-9٠-٩]|عبر|على|راسل|تواصل|اتصل|واتس|خاص|الرابط|📞|☎))",
              "للطلب", "للحجز"),
        _part(r"(?:عبر|على)\s+(?:ال)?واتس\s?[اآ]ب", "واتس", also=_AR_BUSINESS),
        _part(r"\bsipariş\s+için\b(?=[^.\n?]{0,20}?(?:dm|whatsapp|wp\b|mesaj|iletişim|ara|tel|:|📩|link|bio))"
              r"|\bsipariş\s+verebilirsiniz\b|\bsiparişleriniz\s+için\b|\bsiparişler?\s+alınır\b(?!\s+m[ıi]\b)",
              "sipariş"),
    )),
    # Property listings: "just listed", "new to market", "guide price", "for rent".
    ("property", (
        _part(r"\bjust\s+listed\b|\bnew\s+(?:to\s+(?:the\s+)?market|listing)\b|\bguide\s+price\b"
              r"|\b(?:apartment|flat|room|house|home|condo|studio|office|space|unit|villa|property|bhk|bed|bedroom"
              r"|shop|land|plot)\s+(?:available\s+)?for\s+(?:rent|lease)\b|\boffered\s+at\s+[$€£₹]",
              "just listed", "new to", "new listing", "guide price", "for rent", "for lease", "offered at"),
    )),
    # --- Added after reading the real Instagram posts of the intent set (docs/HEURISTICS.md) ---
    # A business speaking of itself: "Shop all rugs at the link in our bio", "shop the new
    # collection at the link in bio", "available in my Etsy shop", "tickets available at x.com".
    # Narrowed after three reviews' ordinary posts (news, churches, museums, schools, libraries,
    # charities, families): what they showed too close to those ("explore our collection", "see
    # our menu", "link to the full collection in bio", "save your spot", "join our workshop", "To
    # book, email us", "last week to get our…", "available on Amazon", "find yours at") was taken
    # out; "tap the link in our bio to shop" is the older "call to buy".
    ("business calls", (
        _part(r"\bshop\s+(?:all\s+|the\s+(?:new\s+|full\s+|latest\s+|whole\s+)?|our\s+(?:new\s+|full\s+|latest\s+"
              r"|whole\s+)?)(?:[\w'-]+\s+){0,2}?(?:collection|line|store|shop|styles|products|selection|rugs|prints)\b"
              r"[^.!?\n]{0,30}?(?:\blink\b|\bbio\b)(?![^.!?\n]{0,30}?\bfree\b)",
              "shop all", "shop the", "shop our"),
        _part(r"\bavailable\s+(?:now\s+)?(?:exclusively\s+|only\s+)?(?:in|on|at)\s+(?:my|our)\s+(?:etsy|online)\s+"
              r"(?:store|shop)\b", "available "),
        _part(r"\btickets?\b[^.!?\n]{0,25}?(?<!\bwere\s)(?<!\bwas\s)(?<!n't\s)(?<!\bnot\s)\bavailable\s+(?:now\s+)?"
              r"(?:at|on|from|via)\s+(?:[\w-]+\.(?:com|co|org|net|live|events?)\b|the\s+link|@\w|(?:my|our)\s+"
              r"(?:site|website|bio))", "ticket"),
    )),
)


def _first(text: str, part: Part, stands: Callable[[re.Match[str]], bool]) -> re.Match[str] | None:
    """The first match of the part that stands, is not vetoed by what comes just before it, and
    is followed by what ``near`` or ``also`` ask for (each searched once per post, not per match)."""
    if part.near is None and part.also is None and part.unless_after is None:
        return next((m for m in part.regex.finditer(text) if stands(m)), None)
    near_starts: list[int] | None = None
    after: re.Match[str] | None = None  # the first match of ``also`` at or after the last position asked for
    none_after = part.also is None
    for m in part.regex.finditer(text):
        end = m.end()
        followed = part.near is None and part.also is None
        if part.near is not None:
            if near_starts is None:
                near_starts = [n.start() for n in part.near.finditer(text)]
            i = bisect_left(near_starts, end)
            followed = (i < len(near_starts) and near_starts[i] - end <= NEAR_CHARS
                        and "\n" not in text[end:near_starts[i]])
        if not followed and not none_after:
            assert part.also is not None
            if after is None or after.start() < end:
                after = part.also.search(text, end)
            none_after = after is None  # none after this match, so none after any later one
            followed = not none_after
        if not followed:
            if none_after and part.near is None:
                return None
            continue
        if part.unless_after is not None and part.unless_after.search(text, max(0, m.start() - 40), m.start()):
            continue
        if stands(m):
            return m
    return None


@lru_cache(maxsize=1)
def _scan() -> tuple[list[tuple[int, Part]], TriggerScan]:
    """Every part (with its family's index), and one scan of the lower-cased text for every
    gate string, giving the parts the strings it finds let run."""
    parts = [(f, part) for f, (_name, family) in enumerate(SELLING_FAMILIES) for part in family]
    wanted: dict[str, set[int]] = {}
    for i, (_f, part) in enumerate(parts):
        for gate in part.gates:
            wanted.setdefault(gate, set()).add(i)
    return parts, TriggerScan(prefix_free(wanted))


def selling_wording(text: str, low: str, stands: Callable[[re.Match[str]], bool],
                    pre_checks: bool = True) -> list[str]:
    """The first selling phrase of each family in ``text`` that ``stands`` (is not denied), in
    family order. ``low`` is the text as the regexes' IGNORECASE sees it, in lower case: one
    scan of it for the gates decides which parts run (``pre_checks=False`` runs them all)."""
    parts, scan = _scan()
    if pre_checks:
        # Gates hold single spaces where their regexes take any run of whitespace (\s+ matches
        # exactly what str.split() splits on) and "0" for any ASCII digit.
        live = scan.fires(" ".join(low.split()).translate(_ZERO))
    else:
        live = set(range(len(parts)))
    best: dict[int, re.Match[str]] = {}
    for i in sorted(live):
        family, part = parts[i]
        found = _first(text, part, stands)
        if found is not None and (family not in best or found.start() < best[family].start()):
            best[family] = found
    return [best[f].group(0) for f in sorted(best)]
