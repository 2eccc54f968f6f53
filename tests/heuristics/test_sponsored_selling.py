"""Selling wording (sponsored_selling.py) at its boundaries: the phrase that makes a post
promotional, the near miss beside it that must not, and what such a post is and is not
accused of."""
import pytest

from microscout import Verdict
from microscout.engine.candidate import Post
from microscout.heuristics.sponsored import analyse_post
from microscout.rules import ad_frequency, disclosure


def selling(text):
    return [matched for kind, matched in analyse_post(text).signals if kind == "selling"]


@pytest.mark.parametrize("text, matched", [
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
])
def test_selling_wording_fires(text, matched):
    assert matched in selling(text)
    analysis = analyse_post(text)
    assert analysis.sponsored


@pytest.mark.parametrize("text", [
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
])
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
    assert "brand mention \"@glowco\"" in analysis.problems[0] and "selling wording \"Shop now\"" in \
        analysis.problems[0]


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
