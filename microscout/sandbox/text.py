"""Words: captions and bios, built from templates and word lists so that nearly every one
is different (comments are in comment_text.py). Captions are segments so that each wire
format can render them its own way (HTML with hashtag links for Mastodon, plain text with
UTF-8 byte-offset facets for Bluesky).

Varied text makes the benchmarks pay what real data costs (a comment classifier's cache,
say, hits on repeated texts only). The vocabulary stays within what the rules must not
misread: no commercial wording in ordinary captions, and the campaign's keywords
(CAMPAIGN_TERMS) only in the campaign niche's captions and bios.
"""
from __future__ import annotations

import string
from functools import lru_cache
from typing import Callable, Mapping, Union

from microscout.sandbox.draws import Rng

# A caption is a list of segments: ("text", s) | ("tag", name) | ("mention", who) | ("link", url)
Segment = tuple[str, str]

CAMPAIGN_TAGS = ("veganrecipes", "plantbased")
# The demo campaign's keywords: in the campaign niche's words only (tests check it).
CAMPAIGN_TERMS = ("vegan", "recipe", "plant-based", "tofu", "lentils")
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

# --- filling templates ---------------------------------------------------------------------
# A field is filled from a tuple of words or by a function of the generator (numbers).
Fill = Union[tuple[str, ...], Callable[[Rng], str]]


def _num(lo: int, hi: int) -> Callable[[Rng], str]:
    return lambda rng: str(rng.randint(lo, hi))


FILLS: dict[str, Fill] = {
    "n": _num(2, 9), "n2": _num(10, 90), "mins": _num(12, 55), "km": _num(3, 28), "reps": _num(5, 20),
    "reps2": _num(5, 20), "week": _num(2, 14), "hours": _num(2, 11), "year": _num(2009, 2023), "count": _num(3, 40),
    "ver": lambda rng: f"{rng.randint(0, 4)}.{rng.randint(0, 19)}.{rng.randint(0, 9)}",
    "day": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "season": ("winter", "spring", "summer", "autumn", "the month", "the week", "the year"),
    "time": ("six", "seven", "eight", "nine", "ten", "noon", "four", "dusk", "dawn"),
    "city": ("Leeds", "Lyon", "Porto", "Austin", "Oslo", "Melbourne", "Toronto", "Kraków", "Ghent", "Bilbao",
             "Tallinn", "Quito", "Hobart", "Utrecht", "Nantes", "Cork", "Turin", "Kyoto", "Halifax", "Boulder",
             "Dunedin", "Graz", "Bergen", "Valencia", "Glasgow", "Montreal", "Adelaide", "Seville", "Brno"),
    "who": ("my sister", "my flatmate", "my dad", "my mum", "my neighbour", "my nephew", "my gran", "a friend",
            "my brother", "my housemate", "my best mate", "my aunt", "my little one", "a colleague"),
    "veg": ("spinach", "kale", "sweet potato", "squash", "broccoli", "cauliflower", "peppers", "courgette",
            "aubergine", "mushrooms", "carrots", "leeks", "cabbage", "beetroot", "green beans", "peas", "fennel",
            "pak choi", "chard", "parsnips", "tomatoes", "corn", "asparagus"),
    "grain": ("rice", "quinoa", "couscous", "noodles", "flatbreads", "farro", "bulgur", "polenta", "orzo",
              "sourdough", "barley", "soba"),
    "spice": ("smoked paprika", "cumin", "garam masala", "za'atar", "harissa", "turmeric", "sumac", "ginger",
              "fennel seeds", "chipotle", "five spice", "cardamom", "black pepper", "curry leaves"),
    "sauce": ("tahini", "peanut sauce", "chilli oil", "salsa verde", "lemon-garlic dressing", "satay sauce",
              "chimichurri", "sesame dressing", "green chutney", "gochujang glaze", "romesco"),
    "classic": ("shepherd's pie", "lasagne", "bolognese", "chilli", "pad thai", "moussaka", "dal", "ramen",
                "burrito bowls", "stroganoff", "katsu curry", "paella"),
    "trick": ("a long rest in the fridge", "toasting the spices first", "a very hot pan", "a spoon of miso",
              "squeezing out the water", "patience", "a splash of vinegar at the end", "baking it twice"),
    "lift": ("squats", "deadlifts", "pull-ups", "push-ups", "lunges", "rows", "hip thrusts", "kettlebell swings",
             "burpees", "step-ups", "planks"),
    "hardware": ("Raspberry Pi", "old laptop", "mini PC", "second-hand ThinkPad", "NAS", "tiny VPS"),
    "tool": ("tmux", "vim", "git bisect", "strace", "a profiler", "SQLite", "systemd timers", "Makefiles"),
    "place": ("lake", "old town", "harbour", "ridge", "valley", "market", "lighthouse", "waterfall", "pass",
              "castle", "beach", "monastery", "glacier"),
}


@lru_cache(maxsize=None)
def _fields(template: str) -> tuple[str, ...]:
    """The named fields of a template, in order, each once."""
    named = [f for _, f, _, _ in string.Formatter().parse(template) if f and not f.isdigit()]
    return tuple(dict.fromkeys(named))


def fill(rng: Rng, template: str, *positional: str, fills: Mapping[str, Fill] = FILLS, **fixed: str) -> str:
    """The template with its named fields drawn from ``fills`` (``fixed`` ones given); a drawn
    value may hold fields of its own ("Hello from {city}!")."""
    names = _fields(template)
    if not names and not positional:
        return template  # most list entries are plain words
    values = dict(fixed)
    for field in names:
        if field not in values:
            source = fills[field]
            value = rng.choice(source) if isinstance(source, tuple) else source(rng)
            values[field] = fill(rng, value, fills=fills) if "{" in value else value
    return template.format(*positional, **values)


def capitalised(s: str) -> str:
    return s[:1].upper() + s[1:]


# --- captions --------------------------------------------------------------------------------
# A post's own generator (population.py) draws its kind, its engagement and a caption's
# commercial parts; the words come from a second generator. The post's generator still
# picks a group of SENTENCES and of OPENERS, from as many groups as there used to be single
# sentences, so it draws exactly what it drew before the words were varied: posts keep their
# kinds and numbers. The words generator picks within the group and fills the fields.
# Each group's sentences name the keywords its old single sentence named: {0} and {1}
# always (the search index finds a post by its first two keywords), {2} in the first
# group only, so a post matches a campaign's keywords exactly when it used to.
SENTENCES = {
    "vegan": (("Tonight's {0} {1}: crispy {2} with a {sauce} glaze, ready in {mins} minutes.",
               "Sheet-pan {0} {1} with {2}, {veg}, {spice} and a pile of {grain}.",
               "A {0} {1} traybake with {2} for {n} people, {mins} minutes in the oven and done."),
              ("My weekly {0} meal prep is all about {1}, {veg} and roasted {grain}.",
               "Meal-prepped {n} boxes of {0} {1} with {veg} for the week ahead.",
               "{day} lunch sorted: a {0} bowl with {1}, {veg} and {sauce}."),
              ("Tried a {0} twist on {classic} with {1} instead of mince.",
               "Finally nailed a {0} {1} that holds together: the trick is {trick}."),
              ("Cheap {0} dinner: {1} curry, {grain} and a squeeze of lime.",
               "{n} ingredients, one pan: {0} {1} with {veg} and {grain}.",
               "Leftover {veg} became a {0} {1} soup with a swirl of {sauce}."),
              ("This {0} {1} stew got {who} asking for seconds.",
               "{who} asked for my {0} {1} again, so here it is with extra {spice}.",
               "Slow-cooked {1} in a {spice} broth, the most comforting {0} thing I made all {season}."),
              ("Baked {1} with {spice} is my new {0} staple.",
               "Crispy baked {1} with {spice} and {veg}, my {0} staple this {season}.")),
    "fitness": (("Morning {0}: {n} rounds of {1}, felt strong today.",
                 "Quick {0} at lunch: {reps} reps of {1} between meetings.",
                 "{reps} {lift}, {reps2} {1}, repeat {n} times: today's {0} in one line.",
                 "{day} {0}: {1}, a {km} km jog and a lot of water."),
                ("Week {week} of my {0} plan, adding {1} on {day}s.",
                 "New personal best on the {0} today, {1} finally clicked after {week} weeks.",
                 "Slow down the {1} and your {0} gets easier, {week} weeks of proof in my log.",
                 "Form check on my {1}: {reps} reps, slow on the way down, {0} done."),
                ("Recovery day: {0} and a long walk, {1} tomorrow.",
                 "{km} km easy run then {1}, the {0} habit is sticking.",
                 "Rainy {day}, so {0} indoors: {1}, {lift} and {mins} minutes of mobility.",
                 "Back from a {km} km trail run, {1} and {0} tomorrow morning.")),
    "tech": (("Shipped a {0} {1} today, the changelog is short and sweet.",
              "Version {ver} is out: a {0} {1} with {count} fixes and one new flag.",
              "{n2} lines deleted, {n} added: the {0} {1} I should have done last year.",
              "Wrote up how our {0} {1} went from {n2} minutes to seconds."),
             ("Spent the evening chasing a {0} {1}. Found it in the config.",
              "Today I learned why my {0} {1} took {n2} seconds to start: DNS, again.",
              "Debugged a {0} {1} with {who} for {hours} hours, worth every minute.",
              "Found the {0} {1} with {tool} after {hours} hours of guessing."),
             ("Small {0} tip: keep your {1} boring and your logs loud.",
              "Moved my {0} {1} to a {hardware} in the cupboard, uptime {count} days so far.",
              "My {0} setup for {season}: one {1}, a {hardware} and a lot of {tool}.")),
    "travel": (("Took the night {0}, woke up next to the {1}.",
                "{hours} hours on the {0} from {city} and the {1} was worth every minute.",
                "{city} by {0}, then the {1} and the {place} before dark.",
                "Missed the {0} by {n} minutes, so we walked to the {1} instead."),
               ("Three days on the {0}, one perfect {1} at sunrise.",
                "Day {n} of the {0}: rain all morning, then the {1} cleared at {time}.",
                "Found a quiet {0} outside {city}, the {1} was almost empty.",
                "The {0} to the {place} took {hours} hours, the {1} another {n}."),
               ("Budget {0} notes: the {1} was half the price of the guidebook's.",
                "Slow morning in {city}, {0} planning for the {1} tomorrow.",
                "Packing for the {0}: {n} kg on my back and a map of the {1}.")),
}
OPENERS = (("", "", "", "✨", "🌱", "So."), ("Okay,", "Right then.", "Real talk:", "Okay so."),
           ("New post!", "Back again!", "Hello friends!", "Long time no post."),
           ("Finally:", "Little update:", "Story time:", "Midweek check-in:"),
           ("Quick one.", "Morning all.", "Hi from {city}!"), ("Weekend vibes.", "Happy {day}!", "Sunday reset."))
# Closing lines of ordinary posts: no label, no commercial wording, no campaign keyword
# outside the campaign niche.
CLOSERS = {
    "vegan": ("Serves {n}.", "Leftovers keep for {n} days.", "Freezes well.", "Who else is cooking tonight?",
              "Double it, you will want seconds.", "Works with {grain} too."),
    "fitness": ("Rest day {day}.", "Stretch after, always.", "Who is training tonight?", "{km} km next week.",
                "Sleep is part of the plan."),
    "tech": ("Notes in the replies.", "Questions welcome.", "The diff is tiny.", "Tests pass, ship it.",
             "More on {day}."),
    "travel": ("More photos soon.", "Next stop: {city}.", "Tips welcome for {city}!", "{n} days to go.",
               "Slow is the point."),
    "any": ("More soon.", "Photos do not do it justice.", "Let me know what you think.", "Happy {day} everyone!",
            "Back on {day}.", "Saving this one for {season}.", "👇", "🙌", "💚", "😊"),
}
BRANDS = ("Oatly", "GreenPan", "Tofurky", "Garmin", "Framework", "Osprey", "Huel", "Vitamix")
# Drawn once per creator by the profile's generator: the list must not change length.
CITIES = ("Leeds", "Lyon", "Porto", "Austin", "Oslo", "Melbourne", "Toronto", "Kraków")


def code_for(brand: str, rng: Rng) -> str:
    return f"{brand.upper()[:5]}{rng.choice((10, 15, 20, 25))}"


_B62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def short_link(host: str, rng: Rng) -> str:
    """A shortened link (bit.ly, amzn.to): seven base-62 characters that hide the target."""
    return f"https://{host}/{''.join(rng.choice(_B62) for _ in range(7))}"


# What a brand's shop page says of itself, as a link card shows it (its OpenGraph title and
# description). A card's words are never a label: the app shows them, no crawler stores them.
PRODUCTS = {"Oatly": "Oat Drink Barista Edition", "GreenPan": "Ceramic Nonstick Frying Pan, 10 inch",
            "Tofurky": "Plant-Based Deli Slices", "Garmin": "Forerunner 255 GPS Running Watch",
            "Framework": "Laptop 13 DIY Edition", "Osprey": "Daylite Plus Daypack",
            "Huel": "Black Edition Complete Protein", "Vitamix": "E310 Explorian Blender"}
SHOP_BLURBS = ("Free shipping on orders over $50.", "Shop the full range online.",
               "Order today, delivered in 2-3 days.", "Find it online or in a store near you.")


def card_text(rng: Rng, link: str, brand: str) -> tuple[str, str]:
    """The title and description of a link card for ``link``, the brand's product page."""
    product = PRODUCTS.get(brand, "Starter Kit")
    if "://amzn.to/" in link:  # Amazon's product page, as its card reads
        return (f"Amazon.com: {brand} {product}",
                rng.choice((f"Buy {brand} {product} on Amazon.com. FREE SHIPPING on qualified orders.",
                            "Free delivery on eligible orders. Read honest and unbiased product reviews.")))
    return f"{product} | {brand}", f"{brand} {product}. {rng.choice(SHOP_BLURBS)}"


def affiliate_shop(link: str) -> bool:
    """Whether a caption's link is an affiliate one (a tagged shop link or Amazon's short
    link), not a general shortener that hides its target."""
    return "://amzn.to/" in link or "utm_campaign=" in link or "?ref=" in link


def without_link(segs: list[Segment], link: str) -> list[Segment]:
    """The caption with ``link`` deleted from its words, as an author leaves a link in its card
    alone: the words before it now point at the card ("The Oatly one 👇")."""
    out: list[Segment] = []
    for kind, value in segs:
        if kind == "link" and value == link:
            if out and out[-1][0] == "text":
                out[-1] = ("text", out[-1][1].rstrip(" :,") + " 👇")
            continue
        out.append((kind, value))
    return out


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


def caption(rng: Rng, words: Rng, niche: str, tags: list[str], keywords: list[str], kind: str,
            variant: str, brand: str, brand_at: str, mention: str | None) -> list[Segment]:
    """The caption of one post. ``kind`` is organic | ad | undisclosed | weak.

    ``rng`` is the post's generator, ``words`` the generator of its words (see SENTENCES).
    ``brand_at`` is the brand's account as the platform spells it; ``mention`` another
    creator's, for organic shout-outs.
    """
    kw = list(keywords) + ["recipe", "dinner"]
    text = fill(words, words.choice(rng.choice(SENTENCES[niche])), kw[0], kw[1] if len(kw) > 1 else kw[0],
                kw[2] if len(kw) > 2 else kw[0])
    opener = fill(words, words.choice(rng.choice(OPENERS)))
    segs: list[Segment] = []
    code = code_for(brand, rng)
    shop = f"https://{brand.lower()}.example/shop?utm_source=sandbox&utm_medium=influencer&utm_campaign={code}"
    if kind == "ad":
        label = rng.choice(("#ad ", "#sponsored ", "Paid partnership with {b}. ", "#{b}Partner ", "affiliate"))
        if label == "affiliate":  # an affiliate post: the wording discloses the commission
            wording = rng.choice(AFFILIATE_LABELS)
            link = short_link("amzn.to", rng) if "Amazon" in wording else \
                f"https://{brand.lower()}.example/shop?ref=creator{rng.randrange(1000, 9999)}"
            segs += [("text", f"{wording} {text} The {brand} one I use: "), ("link", link), ("text", " ")]
        else:
            if label.startswith("#"):
                segs += [("tag", label.strip().lstrip("#").format(b=brand)), ("text", " ")]
            else:
                segs.append(("text", label.format(b=brand)))
            segs += [("text", f"{text} Made with {brand}, "), ("mention", brand_at),
                     ("text", f". Use code {code} at "), ("link", shop), ("text", " ")]
    elif kind == "undisclosed":
        signal = rng.choice(("code", "link", "gifted", "denied_code", "denied_link", "short_link"))
        segs.append(("text", f"{opener} {text} ".lstrip()))
        if signal == "code":
            segs.append(("text", f"Use code {code} for 15% off! "))
        elif signal == "link":
            segs += [("text", "Grab yours here: "), ("link", shop), ("text", " ")]
        elif signal == "gifted":  # a gift not named as one: "gifted by @brand" is a weak label
            segs += [("text", "The lovely folks at "), ("mention", brand_at), ("text", " sent me this to try ")]
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
            segs += [("text", f"{text} {sale}"), ("tag", variant), ("text", " ")]
        elif variant == "thanks":
            segs += [("text", f"Thanks {brand}! {text} {sale}")]
        elif variant == "late_ad":
            # Past the ~125-character fold: the label exists but nobody sees it.
            filler = " Honestly it took me a few tries to get the texture right, but it is worth it."
            segs += [("text", f"{text}{filler} {sale}"), ("tag", "ad"), ("text", " ")]
        else:  # buried_ad: a label lost at the end of a block of hashtags
            segs += [("text", f"{text} {sale}")]
            # Filler tags outside every niche's pool keep the tag timelines exact.
            block = ["foodie", "homecooking", "dinnerideas", "instagood", "yum", "ad"]
            for t in block:
                segs += [("tag", t), ("text", " ")]
    else:
        segs.append(("text", f"{opener} {text} ".lstrip()))
        if mention:
            segs += [("text", "Inspired by "), ("mention", mention), ("text", ". ")]
        if rng.random() < 0.06:  # thanking the audience is no label
            segs.append(("text", f"{rng.choice(THANK_YOUS)} "))
        elif words.random() < 0.45:
            closers = CLOSERS[niche] if words.random() < 0.5 else CLOSERS["any"]
            segs.append(("text", f"{fill(words, words.choice(closers))} "))
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


# --- people ----------------------------------------------------------------------------------
# Names of creators, followers and pod members: drawn by their generators, which draw their
# numbers too, so these lists must not change length.
FIRST = ("sam", "ana", "li", "omar", "june", "theo", "maya", "kofi", "ines", "noah", "zoe", "ravi")
LAST = ("green", "oak", "river", "stone", "bloom", "field", "brook", "moss", "wren", "ash")
# Names that comments mention (and scammers' handles).
FIRST_NAMES = FIRST + (
    "ada", "ben", "cleo", "dev", "elif", "finn", "gita", "hugo", "isla", "jonas", "kira", "leo", "mina", "nico",
    "olga", "pia", "quinn", "rosa", "sven", "tara", "uma", "vik", "wanda", "yusuf", "zara", "alba", "bruno",
    "chloe", "dario", "emma", "femi", "greta", "hana", "ivan", "jade", "kai", "lena", "milo", "nora", "otto",
    "priya", "rafa", "sofia", "tomas", "vera", "will", "yara", "amir", "bea", "cyrus", "dina", "eli", "fatima",
    "gus", "hiro", "iris", "jamal", "kenji", "lucia", "marta", "nadia", "oscar", "paulo", "rhea", "sara", "tess")
LAST_NAMES = LAST + (
    "hill", "vale", "frost", "lake", "marsh", "birch", "hale", "fern", "glen", "heath", "reed", "shaw", "thorn",
    "weir", "cliff", "dale", "ford", "grove", "holt", "lane", "mead", "pike", "rowe", "ridge", "sage", "wood",
    "park", "cole", "fox", "gray", "hart", "king", "lowe", "moon", "north", "pond", "rain", "snow", "storm", "west")


def person_name(rng: Rng) -> tuple[str, str]:
    """A creator's, follower's or pod member's name, drawn by their own generator (see FIRST)."""
    return rng.choice(FIRST), rng.choice(LAST)


def name(rng: Rng) -> tuple[str, str]:
    """A name to mention in a comment."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


# --- bios ------------------------------------------------------------------------------------
# A creator's bio: who they are (the campaign niche's roles name a campaign keyword, as its
# creators' bios do; the others never do), what they post, where, and a bit of life.
ROLES = {
    "vegan": ("Plant-based home cook", "Vegan recipe developer", "Vegan food blogger",
              "Cooking plant-based on a budget", "Tofu enthusiast and vegan home cook", "Plant-based chef",
              "Vegan since {year}", "Lentils, beans and plant-based comfort food", "Vegan cook and recipe tester",
              "Vegan baker"),
    "fitness": ("Runner and strength coach", "Marathon runner", "Personal trainer", "Weekend lifter", "Trail runner",
                "Strength coach", "Mobility nerd", "Couch to 5k graduate", "Kettlebell coach", "Climber and runner"),
    "tech": ("Software engineer", "Open source maintainer", "Backend developer", "Sysadmin", "Python developer",
             "Self-hoster", "Linux tinkerer", "SRE by day", "Embedded developer", "Data engineer"),
    "travel": ("Slow traveller", "Train travel nerd", "Backpacker", "Hiker and map collector", "Travel writer",
               "Van dweller", "Walker of long trails", "Ferry enthusiast", "Rail pass collector", "Hostel veteran"),
}
DETAILS = {
    "vegan": ("easy weeknight dinners", "batch cooking", "budget meals", "food for the whole family",
              "spice lover", "soups and stews", "new dish every {day}", "{count} recipes and counting",
              "easy vegan recipes", "sharing what I cook"),
    "fitness": ("training logs and tips", "{n} marathons so far", "PB chaser", "strength for everyone",
                "early mornings", "running {km} km a week", "mobility first", "lifting since {year}"),
    "tech": ("writing about open source", "Rust and Python", "homelab", "terminal fan", "databases",
             "maintainer of small tools", "on call less than before", "coding since {year}"),
    "travel": ("by train and on foot", "{count} countries and counting", "off-season trips", "long walks",
               "night trains", "one bag only", "maps and timetables", "on the road since {year}"),
}
LIFE = ("mum of {n}", "dad of {n}", "cat person", "dog person", "coffee first", "she/her", "he/him", "they/them",
        "tea drinker", "bookworm", "amateur photographer", "gardener", "choir singer", "learning Spanish",
        "cyclist", "allotment keeper", "board games", "🌿", "☕", "📚")
SEPARATORS = (" · ", " | ", ". ", ", ", " ✦ ", " • ")
FILLS["life"] = LIFE


def creator_bio(rng: Rng, niche: str, city: str, collabs: bool) -> str:
    parts = [fill(rng, rng.choice(ROLES[niche]))]
    if rng.random() < 0.7:
        parts.append(fill(rng, rng.choice(DETAILS[niche])))
    if rng.random() < 0.5:
        parts.append(fill(rng, rng.choice(LIFE)))
    parts.insert(rng.randint(1, len(parts)), rng.choice((city, f"based in {city}", f"{city} area", city)))
    if collabs:
        parts.append(rng.choice(("DM for collabs", "collabs: DM", "open to collabs")))
    return rng.choice(SEPARATORS).join(parts)


# Bios of accounts run by a script (they say so, and the platform's flag is set).
BOT_FEEDS = {
    "vegan": ("a plant-based recipe from the archive", "one vegan dinner idea", "a tofu recipe at random",
              "a vegan recipe from the community"),
    "fitness": ("a workout of the day", "one mobility drill", "a random running tip", "the day's training plan"),
    "tech": ("new releases of popular open source projects", "security advisories", "the top Python packages",
             "kernel release notes"),
    "travel": ("a train route of the day", "one hiking trail", "a ferry timetable change", "a random map"),
}


def bot_bio(rng: Rng, niche: str) -> str:
    when = rng.choice(("every day", "every morning", "twice a day", "daily at {time}", "every {day}"))
    how = rng.choice((", posted by a script", ", run by a bot", " 🤖", ". Not monitored"))
    return fill(rng, f"Automated account: {rng.choice(BOT_FEEDS[niche])} {when}{how}")


INTERESTS = {
    "vegan": ("home cooking", "veg growing", "baking", "spicy food", "farmers markets", "fermenting", "soups",
              "street food", "bread", "animal welfare"),
    "fitness": ("running", "the gym", "yoga", "cycling", "climbing", "swimming", "parkrun", "bouldering",
                "pilates", "rowing"),
    "tech": ("open source", "retro computers", "the command line", "small websites", "electronics", "3D printing",
             "keyboards", "ham radio", "homelabs", "game dev"),
    "travel": ("trains", "hiking", "maps", "islands", "long walks", "camping", "sailing", "wild swimming",
               "old towns", "photography"),
}
JOBS = ("nurse", "teacher", "student", "designer", "accountant", "chef", "barista", "retired", "engineer",
        "librarian", "carpenter", "pharmacist", "vet", "translator", "electrician", "researcher")


def follower_bio(rng: Rng, niche: str) -> str:
    """A real follower's line of bio (whether there is one is the caller's draw)."""
    parts = []
    if rng.random() < 0.75:
        interest = rng.choice(INTERESTS[niche])
        parts.append(rng.choice((interest, f"into {interest}", f"{interest} fan", f"loves {interest}",
                                 f"{interest} and {rng.choice(INTERESTS[rng.choice(tuple(INTERESTS))])}")))
    if rng.random() < 0.5:
        job = rng.choice(JOBS)
        parts.append(fill(rng, rng.choice(("{j}", "{j} in {city}", "{j} by day", "ex-{job}")), j=capitalised(job),
                          job=job))
    if rng.random() < 0.4:
        parts.append(fill(rng, rng.choice(LIFE)))
    if rng.random() < 0.3:
        parts.append(fill(rng, rng.choice(("{city}", "📍{city}", "{city} born"))))
    if not parts:
        parts.append(rng.choice(INTERESTS[niche]))
    if len(parts) == 1 and rng.random() < 0.7:
        parts.append(fill(rng, rng.choice(("{city}", "{life}", "{life}", "since {year}"))))
    if rng.random() < 0.25:
        parts.append(rng.choice(("mostly lurking", "lurker", "here to read", "reading more than posting")))
    return rng.choice(SEPARATORS).join(parts)


FAKE_WORDS = ("Living my best life", "Dreamer", "Believer", "Entrepreneur", "Music lover", "Just vibes",
              "Love travel and food", "Follow for follow", "Good vibes only", "Blessed", "Fashion", "Model",
              "Gamer", "Foodie", "CEO of my own life", "Hustle", "Positive energy", "Queen", "King", "Nature lover")
FAKE_EMOJI = ("✨", "💰", "💯", "🔥", "👑", "💋", "🌸", "🦋", "😎", "🙏", "💎", "")


def fake_bio(rng: Rng) -> str:
    """A dressed-up bought account's line of bio (one in eight has none: the caller's draw)."""
    words = [rng.choice(FAKE_WORDS) for _ in range(rng.randint(1, 3))]
    return f"{' | '.join(dict.fromkeys(words))} {rng.choice(FAKE_EMOJI)}".strip()


def podster_bio(rng: Rng) -> str:
    what = rng.choice(("Creator", "Content creator", "Lifestyle creator", "Food and travel creator", "UGC creator"))
    return f"{what}{rng.choice(SEPARATORS)}{rng.choice(('collabs open', 'open to collabs', 'DM for collabs'))}"
