"""Selling wording: a post that sells ("shop now", "DM to order", "flash sale", "30% off
everything", "enter to win") is promotional, whoever's product it is.

Written for issue #7 from what promotional Instagram captions say (calls to buy, price
cuts, shipping and stock, ordering by message, giveaways, tickets, prices), not from a
labeled caption set: none is in shared/data. Such wording makes a post sponsored (it counts
towards ad frequency and the sponsored-post detector) but is no accusation on its own: a
creator selling their own work needs no #ad label (FTC: a label is owed for a connection
to a brand), and DOMAIN.md judges disclosure verdicts by their precision. With a brand
@mention the same wording is the `brand_mention` signal, which is.

Each family is (name, regex, gate words): every match contains one of the gate words in
lower case, so the regex runs only when one is in the post (tests/heuristics/
test_fast_paths.py checks that the gates never change a result). Every phrase is held
beside a near miss in tests/heuristics/test_sponsored_selling.py.
"""
from __future__ import annotations

import re

from microscout.heuristics.lazy_regex import compile_on_use

_I = re.IGNORECASE
_CURRENCY = r"(?:[$€£₹]|rs\.?\s?|usd\s?|eur\s?|gbp\s?|inr\s?)"

SELLING_FAMILIES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    # "Shop now", "order yours", "buy it here", "shop online at", "tap to shop", "link in bio to order".
    ("call to buy", compile_on_use(
        r"\b(?:shop|buy|order|purchase)\s+(?:now|today|here|yours|them\s+(?:now|here)|it\s+(?:now|here|today))\b"
        r"|\bshop\s+online\s+(?:at|now|today|via|through|on)\b"
        r"|\bshop\s+(?:our|the\s+(?:new|full|latest|whole|entire)\s+(?:collection|range|line|drop|sale))\b"
        r"|\b(?:get|grab|snag|claim)\s+(?:yours|your\s+(?:copy|copies|tickets?|pair|bottle|box|bundle|kit)\b)"
        r"|\b(?:tap|click|swipe\s+up|link\s+in\s+(?:my\s+|our\s+|the\s+)?bio)\s+(?:\w+\s+){0,2}?to\s+"
        r"(?:shop|buy|order|purchase|book)\b"
        r"|\bvisit\s+our\s+(?:store|shop|website|site|boutique|showroom|online\s+store)\b", _I),
     ("shop", "buy", "order", "purchase", "yours", "your", "book", "visit")),
    # "DM to order", "message us for prices", "WhatsApp 0801 234 5678 to order", "book your appointment".
    ("ordering", compile_on_use(
        r"\b(?:dm|pm|message|inbox|whatsapp|text|call|contact)\b[^.!?\n]{0,25}?\b(?:to|for)\s+"
        r"(?:order|orders|ordering|purchase|prices?|pricing|price\s+list|bookings?|appointments?|enquiries"
        r"|inquiries|wholesale)\b"
        r"|\b(?:book|reserve)\s+(?:now|today|online|yours|your\s+(?:appointment|slot|spot|table|session|stay))\b"
        r"|\bpre-?orders?\s+(?:(?:are|is)\s+)?(?:now\s+)?(?:open|available|live)\b"
        r"|\bpre-?order\s+(?:now|today|yours|here)\b", _I),
     ("dm", "pm", "message", "inbox", "whatsapp", "text", "call", "contact", "book", "reserve", "order")),
    # "Up to 50% off", "30% off everything", "flash sale", "sale ends Sunday", "for sale".
    ("price cut", compile_on_use(
        r"\b(?:up\s+to|save|enjoy|take|extra|flat|get)\s+\d{1,2}\s*(?:%|percent)\s*off\b"
        r"|\b\d{1,2}\s*(?:%|percent)\s*off\s+(?:everything|all\b|sitewide|site-wide|storewide|store-wide|your"
        r"|selected|select|the\s+entire|orders?|today|this\s+weekend|until|till|through|thru|on\s+all)"
        r"|\bsave\s+\d{1,2}\s*(?:%|percent)"
        r"|\b(?:flash|clearance|closing[- ]down|warehouse)\s+sale\b"
        r"|\b(?:sale|deals)\s+(?:is\s+|are\s+)?(?:now\s+on|on\s+now|now\s+live|live|ends|starts|ending|starting)\b"
        r"|\bon\s+sale\s+now\b|\bfor\s+sale\b"
        r"|\bbuy\s+(?:one|1|2|two)\s*,?\s*get\s+(?:one|1|2|two)\b|\bbogo\b", _I),
     ("off", "sale", "deals", "save", "bogo", "buy")),
    # "Free shipping", "we ship worldwide", "delivery available", "limited stock", "back in stock".
    ("shipping and stock", compile_on_use(
        r"\bfree\s+(?:shipping|delivery)\b(?!\s+of\b)|\b(?:ships?|shipping|delivery)\s+(?:worldwide|nationwide|available"
        r"|all\s+over)\b|\bwe\s+(?:ship|deliver)\s+(?:worldwide|nationwide|internationally|globally|anywhere"
        r"|all\s+over|across|to\s+(?:all|every|the\s+(?:us|uk|usa|eu)))\b"
        r"|\blimited\s+(?:time\s+(?:only|offer)|stock|quantities|pieces|slots|spots)\b"
        r"|\bwhile\s+(?:supplies|stocks?)\s+lasts?\b"
        r"|\b(?:back|now)\s+in\s+stock\b|\brestocked\s+(?:our|online|in\s+store)\b|\bnew\s+arrivals\b"
        r"|\b(?:now\s+available|available\s+now)\s+(?:at|on|in|for|online)\b"
        r"|\bavailable\s+(?:to\s+order|for\s+(?:order|purchase|pre-?order)|online\s+(?:at|now)|in\s+stores?"
        r"|at\s+(?:all\s+)?(?:our\s+)?(?:locations|stores|retailers|branches))\b", _I),
     ("free", "ship", "deliver", "limited", "while", "stock", "arrival", "available")),
    # "#giveaway", "enter to win", "to enter:", "GIVEAWAY TIME", "we're giving away".
    ("giveaway", compile_on_use(
        r"#giveaway\b|\bgiveaway\s+(?:time|alert|is\s+(?:now\s+)?(?:open|live)|winner|ends|closes)\b"
        r"|\benter\s+to\s+win\b|\bto\s+enter\s*[:,-]|\b(?:for\s+a|your)\s+chance\s+to\s+win\b"
        r"|\b(?:we'?re|we\s+are|i'?m|i\s+am)\s+giving\s+away\b", _I),
     ("giveaway", "enter", "win", "giving away")),
    # "Tickets on sale", "tickets at the link in bio", "Price: $45", "was $60 now $40".
    ("tickets and prices", compile_on_use(
        r"\btickets?\s+(?:are\s+)?(?:now\s+)?(?:on\s+sale|available|at\s+(?:the\s+)?link|via|in\s+(?:my\s+|our\s+|the\s+)?bio"
        r"|out\s+now|go\s+on\s+sale|link)\b"
        r"|\bprices?\s*[:-]\s*" + _CURRENCY + r"\s?\d|\bpriced\s+at\s+" + _CURRENCY + r"\s?\d"
        r"|\bprices?\s+(?:start\s+|starting\s+|starts\s+)?(?:at|from)\s+" + _CURRENCY + r"\s?\d"
        r"|\bwas\s+" + _CURRENCY + r"\s?\d[\d.,]*\s*,?\s*now\s+" + _CURRENCY + r"\s?\d", _I),
     ("ticket", "price", "was")),
    # Sellers' own hashtags: #shopnow, #forsale, #smallbusiness, #freeshipping.
    ("selling hashtag", compile_on_use(
        r"#(?:shop(?:now|online|small|local)|buynow|ordernow|preorder|forsale|onsale|sale|discount|promocode"
        r"|freeshipping|smallbusiness|supportsmallbusiness|shopsmallbusiness)\b", _I),
     ("shop", "buy", "order", "sale", "discount", "promo", "shipping", "business")),
)
