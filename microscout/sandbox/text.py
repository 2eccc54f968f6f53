"""Words: captions, bios and comments, built as segments so that each wire format can
render them its own way (HTML with hashtag links for Mastodon, plain text with UTF-8
byte-offset facets for Bluesky)."""
from __future__ import annotations

import random

# A caption is a list of segments: ("text", s) | ("tag", name) | ("mention", who) | ("link", url)
Segment = tuple[str, str]

CAMPAIGN_TAGS = ("veganrecipes", "plantbased")
TAGS = {
    "vegan": ("veganrecipes", "plantbased", "vegan", "tofu", "meatlessmonday", "veganfood"),
    "fitness": ("fitness", "workout", "running", "strength", "mobility"),
    "tech": ("python", "opensource", "linux", "selfhosting", "programming"),
    "travel": ("travel", "hiking", "backpacking", "vanlife", "slowtravel"),
}
KEYWORDS = {
    "vegan": ("vegan", "recipe", "plant-based", "tofu", "lentils", "chickpeas", "tempeh", "miso"),
    "fitness": ("workout", "squats", "protein", "5k", "stretching", "deadlift"),
    "tech": ("python", "release", "bug", "terminal", "server", "refactor"),
    "travel": ("trail", "hostel", "train", "itinerary", "summit", "ferry"),
}
SENTENCES = {
    "vegan": ("Tonight's {0} {1}: crispy {2} with a ginger glaze, ready in 25 minutes.",
              "My weekly {0} meal prep is all about {1} and roasted veg.",
              "Tried a {0} twist on shepherd's pie with {1} instead of mince.",
              "Cheap {0} dinner: {1} curry, rice and a squeeze of lime.",
              "This {0} {1} stew got my whole family asking for seconds.",
              "Baked {1} with smoked paprika is my new {0} staple."),
    "fitness": ("Morning {0}: five rounds of {1}, felt strong today.",
                "Week three of my {0} plan, adding {1} on Fridays.",
                "Recovery day: {0} and a long walk, {1} tomorrow."),
    "tech": ("Shipped a {0} {1} today, the changelog is short and sweet.",
             "Spent the evening chasing a {0} {1}. Found it in the config.",
             "Small {0} tip: keep your {1} boring and your logs loud."),
    "travel": ("Took the night {0}, woke up next to the {1}.",
               "Three days on the {0}, one perfect {1} at sunrise.",
               "Budget {0} notes: the {1} was half the price of the guidebook's."),
}
OPENERS = ("", "Okay,", "New post!", "Finally:", "Quick one.", "Weekend vibes.")
BRANDS = ("Oatly", "GreenPan", "Tofurky", "Garmin", "Framework", "Osprey", "Huel", "Vitamix")
CITIES = ("Leeds", "Lyon", "Porto", "Austin", "Oslo", "Melbourne", "Toronto", "Kraków")
BIOS = {
    "vegan": "Plant-based home cook sharing easy vegan recipes",
    "fitness": "Runner and strength coach, training logs and tips",
    "tech": "Software engineer writing about open source",
    "travel": "Slow travel by train and on foot",
}
THOUGHTFUL = (
    "Made this last night with {0}, my partner went back for thirds. Did you press the tofu first?",
    "How long does it keep in the fridge? Planning to batch it for {0} lunches.",
    "Swapped the {0} for what I had in the cupboard and it still worked, thank you!",
    "The tip about {0} is gold, I never knew that. Saving this one.",
    "Been following your {0} posts for a year, this might be my favourite.",
    "Would this work with {0}? My kid is allergic to soy.",
    "I disagree a little on the {0}, but the method is spot on.",
    "Printed this out for the {0} club at work, we cook one of yours each month.",
)
# Bios of accounts run by a script (they say so, and the platform's flag is set).
BOT_BIOS = {
    "vegan": "Automated account: a plant-based recipe from the archive every day",
    "fitness": "Automated account: a daily workout of the day, posted by a script",
    "tech": "Automated account: new releases of popular open source projects",
    "travel": "Automated account: a train route of the day, posted by a script",
}
# One line of bio on a dressed-up bought account.
FAKE_BIOS = ("", "Living my best life ✨", "Dreamer | Believer", "Follow for follow", "Entrepreneur 💰",
             "Music lover", "Just vibes", "Love travel and food")
# Spam comments, in the words the comment sections of big accounts are full of. `{n}` and
# `{who}` vary the amounts and the accounts named.
SELF_PROMOTION = ("sub to me please, I post every day 🙏", "check out my channel, I do {niche} stuff too!",
                  "help me get 100 subs 🙏🙏", "follow me and I'll follow back 💯",
                  "new video on my page, go watch it and tell me what you think!",
                  "check out my page, just hit {n}00 followers 🥳")
SCAM = ("i made ${n}00 a day working from home with @{who}, message her 💸",
        "I was broke until @{who} showed me how to earn ${n}k a week, dm them",
        "Earn ${n}00 daily from your phone, ask me how 📲",
        "Thanks to @{who} I made ${n}k in crypto profits this month, they are legit")
SELLING = ("if you need followers dm me", "buy real followers and likes cheap, dm me 💯",
           "want {n}k followers fast? check my bio", "I can promote your page to {n}0k people, dm me")
SCAMMERS = ("wealth_with_amy", "coach.daniel.fx", "trader_sofia_official", "mr_jones_invests")
GENERIC = ("love this 🔥", "great post!", "🔥🔥🔥", "😍😍", "amazing!!", "so good 👏", "👏👏👏",
           "nice one!", "❤️", "wow 😍", "yes!!", "🙌")
FIRST = ("sam", "ana", "li", "omar", "june", "theo", "maya", "kofi", "ines", "noah", "zoe", "ravi")
LAST = ("green", "oak", "river", "stone", "bloom", "field", "brook", "moss", "wren", "ash")


def code_for(brand: str, rng: random.Random) -> str:
    return f"{brand.upper()[:5]}{rng.choice((10, 15, 20, 25))}"


_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def short_link(host: str, rng: random.Random) -> str:
    """A shortened link (bit.ly, amzn.to): seven base-62 characters that hide the target."""
    return f"https://{host}/{''.join(rng.choice(_B62) for _ in range(7))}"


# Adequate affiliate wording (DOMAIN.md: FTC, and the sentence Amazon's programme requires),
# placed before the fold, followed by the link it discloses.
AFFILIATE_LABELS = ("As an Amazon Associate I earn from qualifying purchases.",
                    "Affiliate links below, I earn a small commission if you buy through them.",
                    "This post contains affiliate links: I earn a commission on purchases, at no cost to you.")
# Denials are no labels (DOMAIN.md): an ad that says it is not one is still undisclosed.
DENIALS = ("Not sponsored, I just love it!", "This is not an ad, I just really like it.",
           "Not an ad, nobody paid me for this.", "No one sponsored this, just sharing what I use.")
# Closings of ordinary posts that thank the audience; none of them is a label.
THANK_YOUS = ("Thank you for watching!", "Thanks for watching, see you next week!",
              "Thank you for watching the stream everyone!", "Thanks so much for reading!")


def caption(rng: random.Random, niche: str, tags: list[str], keywords: list[str], kind: str,
            variant: str, brand: str, brand_at: str, mention: str | None) -> list[Segment]:
    """The caption of one post. ``kind`` is organic | ad | undisclosed | weak.

    ``brand_at`` is the brand's account as the platform spells it; ``mention`` another
    creator's, for organic shout-outs.
    """
    words = list(keywords) + ["recipe", "dinner"]
    body = rng.choice(SENTENCES[niche]).format(words[0], words[1] if len(words) > 1 else words[0],
                                               words[2] if len(words) > 2 else words[0])
    opener = rng.choice(OPENERS)
    segs: list[Segment] = []
    code = code_for(brand, rng)
    shop = f"https://{brand.lower()}.example/shop?utm_source=sandbox&utm_medium=influencer&utm_campaign={code}"
    if kind == "ad":
        label = rng.choice(("#ad ", "#sponsored ", "Paid partnership with {b}. ", "#{b}Partner ", "affiliate"))
        if label == "affiliate":  # an affiliate post: the wording discloses the commission
            wording = rng.choice(AFFILIATE_LABELS)
            link = short_link("amzn.to", rng) if "Amazon" in wording else \
                f"https://{brand.lower()}.example/shop?ref=creator{rng.randrange(1000, 9999)}"
            segs += [("text", f"{wording} {body} The {brand} one I use: "), ("link", link), ("text", " ")]
        else:
            if label.startswith("#"):
                segs += [("tag", label.strip().lstrip("#").format(b=brand)), ("text", " ")]
            else:
                segs.append(("text", label.format(b=brand)))
            segs += [("text", f"{body} Made with {brand}, "), ("mention", brand_at),
                     ("text", f". Use code {code} at "), ("link", shop), ("text", " ")]
    elif kind == "undisclosed":
        signal = rng.choice(("code", "link", "gifted", "denied_code", "denied_link", "short_link"))
        segs.append(("text", f"{opener} {body} ".lstrip()))
        if signal == "code":
            segs.append(("text", f"Use code {code} for 15% off! "))
        elif signal == "link":
            segs += [("text", "Grab yours here: "), ("link", shop), ("text", " ")]
        elif signal == "gifted":
            segs += [("text", "Gifted by the lovely folks at "), ("mention", brand_at), ("text", " ")]
        elif signal == "denied_code":  # a denial beside a discount code
            segs.append(("text", f"{rng.choice(DENIALS)} Use code {code} for 15% off. "))
        elif signal == "denied_link":  # a denial beside an affiliate link
            segs += [("text", f"{rng.choice(DENIALS)} The {brand} one: "), ("link", short_link("amzn.to", rng)),
                     ("text", " ")]
        else:  # a shortener hides the shop beside product wording
            wording = rng.choice(("Gear I used: the {b} one, ", "Where to buy the {b} one I use: ",
                                  "The {b} one is on Amazon: "))
            segs += [("text", wording.format(b=brand)), ("link", short_link("bit.ly", rng)), ("text", " ")]
    elif kind == "weak":
        sale = f"Use code {code} for 15% off. "
        if variant in ("sp", "spon", "collab"):
            segs += [("text", f"{body} {sale}"), ("tag", variant), ("text", " ")]
        elif variant == "thanks":
            segs += [("text", f"Thanks {brand}! {body} {sale}")]
        elif variant == "late_ad":
            # Past the ~125-character fold: the label exists but nobody sees it.
            filler = " Honestly it took me a few tries to get the texture right, but it is worth it."
            segs += [("text", f"{body}{filler} {sale}"), ("tag", "ad"), ("text", " ")]
        else:  # buried_ad: a label lost at the end of a block of hashtags
            segs += [("text", f"{body} {sale}")]
            # Filler tags outside every niche's pool keep the tag timelines exact.
            block = ["foodie", "homecooking", "dinnerideas", "instagood", "yum", "ad"]
            for t in block:
                segs += [("tag", t), ("text", " ")]
    else:
        segs.append(("text", f"{opener} {body} ".lstrip()))
        if mention:
            segs += [("text", "Inspired by "), ("mention", mention), ("text", ". ")]
        if rng.random() < 0.06:  # thanking the audience is no label
            segs.append(("text", f"{rng.choice(THANK_YOUS)} "))
    for t in tags:
        segs += [("tag", t), ("text", " ")]
    while segs and segs[-1] == ("text", " "):
        segs.pop()
    return segs


def plain(segs: list[Segment]) -> str:
    out = []
    for kind, value in segs:
        out.append({"tag": "#", "mention": "@"}.get(kind, "") + value)
    return "".join(out)


def comment(rng: random.Random, niche: str, kind: str) -> str:
    """A comment of one kind: thoughtful | generic | self_promotion | scam | selling."""
    if kind == "generic":
        return rng.choice(GENERIC)
    if kind in ("self_promotion", "scam", "selling"):
        pool = {"self_promotion": SELF_PROMOTION, "scam": SCAM, "selling": SELLING}[kind]
        return rng.choice(pool).format(n=rng.randint(2, 9), who=rng.choice(SCAMMERS), niche=niche)
    return rng.choice(THOUGHTFUL).format(rng.choice(KEYWORDS[niche]))


def person_name(rng: random.Random) -> tuple[str, str]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return first, last
