"""Selling wording (sponsored_selling.py) at its boundaries: the phrase that makes a post
promotional, the near miss beside it that must not, and what such a post is and is not
accused of."""
import random

import pytest

from microscout import Verdict
from microscout.engine.candidate import Post
from microscout.heuristics import sponsored_selling
from microscout.heuristics.sponsored import SponsoredSettings, _folded, _negated, analyse_post
from microscout.rules import ad_frequency, disclosure


def selling(text):
    return [matched for kind, matched in analyse_post(text).signals if kind == "selling"]


FIRES = [
    # calls to buy
    ("Our summer collection is here. Shop now via the link in bio", "Shop now"),
    ("Order yours before they sell out again!", "Order yours"),
    ("Handmade candles 🕯️ Shop online at candleco.com", "Shop online at"),
    ("Grab your tickets before Friday", "Grab your tickets"),
    ("Tap to shop 🛍️", "Tap to shop"),
    ("Link in bio to order yours", "Link in bio to order"),
    ("Visit our store on Main Street", "Visit our store"),
    ("Shop the new collection today", "Shop the new collection"),
    # ordering by message, booking
    ("DM to order 📩 custom cakes", "DM to order"),
    ("Message us for prices and sizes", "Message us for prices"),
    ("WhatsApp 0801 234 5678 to order", "WhatsApp 0801 234 5678 to order"),
    ("Book your appointment now! Lash extensions", "Book your appointment"),
    ("Pre-orders are now open for the hoodie", "Pre-orders are now open"),
    # price cuts and sales
    ("Up to 50% off sitewide", "Up to 50% off"),
    ("Everything 30% off this weekend", "30% off this weekend"),
    ("FLASH SALE starts at noon", "FLASH SALE"),
    ("Our sale ends Sunday", "sale ends"),
    ("Puppies for sale, message for details", "for sale"),
    ("Buy one get one free on all lattes", "Buy one get one"),
    # shipping and stock
    ("Free shipping on orders over $50", "Free shipping"),
    ("We ship worldwide 🌍", "We ship worldwide"),
    ("Limited stock left!", "Limited stock"),
    ("Our best sellers are back in stock", "back in stock"),
    ("New arrivals in store now 💕", "New arrivals"),
    ("Now available on Amazon! My new cookbook", "Now available on"),
    ("Available at all locations for a limited time", "Available at all locations"),
    # giveaways
    ("GIVEAWAY TIME 🎉 follow and tag 3 friends", "GIVEAWAY TIME"),
    ("Enter to win a $500 gift card", "Enter to win"),
    ("To enter: follow us and like this post", "To enter:"),
    ("We're giving away 3 sets of our serum", "We're giving away"),
    # tickets and prices
    ("Tickets on sale Friday at 10", "Tickets on sale"),
    ("Tickets at the link in bio", "Tickets at the link"),
    ("Price: $45. Sizes S-XL", "Price: $4"),
    ("Prices start at £20", "Prices start at £2"),
    ("Was $60, now $40!", "Was $60, now $4"),
    # sellers' hashtags
    ("New in 🔥 #shopnow", "#shopnow"),
    ("crochet tops #smallbusiness #handmade", "#smallbusiness"),
    # stage 1: booking and places
    ("Booking for December is now open, link in bio", "Booking for December is now open"),
    ("Now booking 2025 weddings", "Now booking"),
    ("Book via the link in my bio", "Book via"),
    ("Taking new clients in Atlanta", "Taking new clients"),
    ("art commissions open 🎨", "commissions open"),
    ("Workshop Sunday, 6 spots left", "6 spots left"),
    ("Only 25 spots for the program", "Only 25 spots"),
    ("Reservations via the link in bio", "Reservations via"),
    ("Enrollment closes Friday", "Enrollment closes"),
    ("Send a DM to place your order", "place your order"),
    # drops and releases
    ("new drop friday. 11am. be fast.", "new drop"),
    ("RESTOCK ALERT 🚨 the candle is back", "RESTOCK ALERT"),
    ("The Autumn Collection drops Thursday 10am", "Collection drops"),
    ("my new single is out everywhere now", "single is out everywhere"),
    ("New EP out Friday, presave it at the link", "presave"),
    ("Budgetly is free: download free today", "download free"),
    ("My course is live now", "course is live now"),
    ("We're live on the App Store 🎉", "on the App Store"),
    # shop links
    ("shop the Marbella set at the link in bio", "shop the Marbella set at the link"),
    ("Stickers £3 each. Etsy link in bio", "Etsy link in bio"),
    ("Keychains are up on the shop 🐸", "up on the shop"),
    ("Vintage 501s #depopseller", "#depopseller"),
    # offers
    ("Everything in store 15% off + free gift wrap", "15% off"),
    ("$20 off your first facial", "$20 off"),
    ("2 for 1 pizzas every Tuesday", "2 for 1"),
    ("Early bird price ends tonight", "Early bird price"),
    # a price beside a reason to pay it
    ("Keychains $8 each or 3 for $20", "$8"),
    ("Ankara two-piece sets, sizes 8-16. Nationwide delivery 🚚", "Nationwide delivery"),
    ("Fall mini sessions, 20 min, $175. Only a few left!", "$175"),
    ("Live show Saturday, tickets $15 adv / $20 door", "$15"),
    ("Menú del día por solo 12€. De lunes a viernes.", "12€"),
    ("Knotless braids KSh 3,500 each", "KSh 3,500"),
    ("2BHK in Whitefield, Rs 85L. Call us for viewings", "Rs 85L"),
    # funnels
    ("Comment PLAN and I'll send you my meal plan", "Comment PLAN and I'll send"),
    ("Work from home. DM me 'INFO' 🙌", "DM me 'INFO"),
    ("Free masterclass Thursday", "Free masterclass"),
    ("Join my team and work from home", "Join my team"),
    ("Book 1:1 coaching with me", "1:1 coaching"),
    # other languages
    ("Pedidos por DM o WhatsApp", "Pedidos por"),
    ("encomendas pelo WhatsApp", "encomendas pelo"),
    ("¡Envíos a toda Colombia!", "Envíos a toda"),
    ("Faça já seu pedido!", "Faça já seu pedido"),
    ("Chama no direct 💌", "Chama no direct"),
    ("Ya disponible 🛒 nueva línea", "Ya disponible"),
    ("Conjuntos a partir de R$89,90", "a partir de R$"),
    ("con el código VERANO30", "código VERANO30"),
    ("Commandez en ligne", "Commandez"),
    ("Diskon 50% cuma hari ini", "Diskon 5"),
    ("Jetzt bestellen!", "Jetzt bestellen"),
    ("Livraison gratuite dès 50€", "Livraison gratuite"),
    # property
    ("JUST LISTED 🏡 4 bed | 3 bath", "JUST LISTED"),
    ("Chelsea flat, guide price £1.25m", "guide price"),
]


@pytest.mark.parametrize("text, matched", FIRES)
def test_selling_wording_fires(text, matched):
    assert matched in selling(text)
    analysis = analyse_post(text)
    assert analysis.sponsored


NEAR_MISSES = [
    "This sale at Target had me spending way too much lol",
    "Went to the Black Friday sale and regretted everything",
    "Went shopping with the girls today 🛍️",
    "I bought my first car!! So proud",
    "Tickets for the concert tonight!! can't wait",
    "My heart is not for sale",
    "We ship them forever 💕",
    "Our new arrival 👶 welcome to the world",
    "I restocked my fridge with snacks",
    "We had a chance to win the game in the last minute",
    "I got this dress for only $15 at the thrift store",
    "the price is $5 for a coffee now, crazy",
    "New blog post is up, link in bio",
    "Called my mom to order pizza",
    "Get your own dog if you love mine so much",
    "Limited edition sunset tonight 🌅",
    "Happy to be back in town",
    "Book club tonight!",
    "Free delivery of hugs on my birthday",
    "Not available in stores, only in my heart",
    # stage 1 near misses
    "Booked a table for my mom's birthday 🎂",
    "the best book on productivity I've read",
    "few spots in this city are as pretty at night",
    "COLDPLAY TONIGHT!!!! we're coming",
    "My phone just dropped in the toilet",
    "School's out for summer ☀️",
    "New collection of rocks from the beach 🪨",
    "the croissant was €4 and worth it",
    "Petrol is now ₦1,000 per litre",
    "Comment your favourite song below",
    "Free day at the museum with the kids",
    "WE BOUGHT A HOUSE 🏡",
    "Two for the road 🚗 #roadtrip",
    "Just listened to the new album on repeat",
]


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_do_not(text):
    assert selling(text) == []
    assert not analyse_post(text).sponsored


def test_selling_alone_is_promotional_but_no_accusation():
    """A creator selling their own work needs no #ad: sponsored, disclosure not needed, no problem."""
    analysis = analyse_post("Flash sale this weekend only! Tap to shop 🛍️ link in bio")
    assert analysis.sponsored and analysis.disclosure == "not_needed" and analysis.problems == []
    # selling wording does not turn "link in bio" into a commercial signal of its own
    assert [kind for kind, _ in analysis.signals] == ["selling", "selling"]


def test_selling_with_a_brand_is_an_undisclosed_ad_quoting_both():
    analysis = analyse_post("Shop now! Everything from @glowco is 30% off this weekend")
    assert analysis.disclosure == "missing"
    assert "brand mention \"@glowco\" with \"Shop now\"" in analysis.problems[0]
    assert "selling wording \"30% off this weekend\"" in analysis.problems[0]
    # what the brand mention already quotes is not said again
    assert ("selling", "Shop now") not in analysis.signals


def test_selling_with_a_label_is_judged_on_the_label():
    assert analyse_post("#ad Shop now, link in bio").disclosure == "adequate"
    assert analyse_post("Shop now ✨ #sp").disclosure == "weak"


def _posts(texts):
    from datetime import datetime, timedelta, timezone
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    return [Post(platform_id=str(i), text=t, created_at=now - timedelta(days=i)) for i, t in enumerate(texts)]


def test_rules_count_selling_posts_as_ads_but_do_not_fail_disclosure():
    posts = _posts(["DM to order 📩 custom cakes"] * 3 + ["Sunday with the family"] * 7)
    def analyse(post):
        return analyse_post(post.text)

    verdict = disclosure.judge(None, posts, analyse, disclosure.Options())
    assert isinstance(verdict, Verdict) and verdict.outcome == "pass"
    assert verdict.evidence["sponsored"] == 0
    frequency = ad_frequency.judge(None, posts, analyse, ad_frequency.Options())
    assert frequency.evidence["sponsored"] == 3
    assert ["selling", "DM to order"] in frequency.evidence["sponsored_posts"][0]["signals"]


def test_selling_wording_can_be_switched_off():
    """A brand that counts only brand deals as ads: the setting turns the families off."""
    off = SponsoredSettings(selling_wording=False)
    assert not analyse_post("DM to order 📩 custom cakes", settings=off).sponsored
    assert analyse_post("Use code GLOW20 for 20% off", settings=off).sponsored


def _both_ways(text):
    low = _folded(text)

    def stands(m):
        return _negated(text, m.start(), m.end()) is None
    return (sponsored_selling.selling_wording(text, low, stands),
            sponsored_selling.selling_wording(text, low, stands, pre_checks=False))


def _variants(text, rnd):
    """The text with its spaces turned into other whitespace, its case changed and its digits moved."""
    spaced = "".join(rnd.choice([" ", "  ", "\n", "\t", "\u00a0"]) if ch == " " else ch for ch in text)
    cased = "".join(rnd.choice([ch, ch.upper(), {"i": "ı", "I": "İ", "s": "ſ"}.get(ch, ch)]) for ch in spaced)
    return [spaced, cased, cased.replace("1", "7").replace("5", "9")]


def test_the_gate_scan_never_changes_what_is_found():
    """Only the parts whose gate strings are in the post run; running every part finds the same."""
    rnd = random.Random(11)
    examples = [text for text, _ in FIRES] + NEAR_MISSES
    words = [w for text in examples for w in text.split()] + ["$", "€", "£", "Rs", "₦", "%", "\n", "12", "3,500"]
    texts = examples + [v for text in examples for v in _variants(text, rnd)]
    texts += [" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 14))) for _ in range(3000)]
    differ = [t for t in texts if len(set(map(tuple, _both_ways(t)))) > 1]
    assert differ == []


def test_every_part_has_an_example_that_fires():
    for family, parts in sponsored_selling.SELLING_FAMILIES:
        for regex, _gates, _also in parts:
            assert any(regex.search(text) for text, _ in FIRES), (family, regex.pattern[:60])


def test_hosted_is_gifted_wording():
    """A hosted stay is a gift from a brand: "#hosted" is a commercial signal, and not a label."""
    analysis = analyse_post("Good morning from the @fourseasons Maui 🌺 thank you for having us! #hosted")
    assert ("gifted", "#hosted") in analysis.signals and analysis.disclosure == "missing"
    assert not analyse_post("We hosted a dinner for twelve").sponsored
