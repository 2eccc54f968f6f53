"""Selling wording (sponsored_selling.py) at its boundaries: the phrase that makes a post
promotional, the near miss beside it that must not, and what such a post is and is not
accused of."""
import csv
import random
from pathlib import Path

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
    ("Our sale ends Sunday", "Our sale ends"),
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
    ("my new single is out everywhere now", "my new single is out everywhere"),
    ("New EP out Friday, presave it at the link", "presave"),
    ("Budgetly is free: download free today", "download free"),
    ("My course is live now", "My course is live now"),
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
    ("The first 1,000 people to click the link get 2 months free", "first 1,000 people to click"),
    ("first 500 of you to sign up get a bonus", "first 500 of you to sign up"),
    ("Be one of the first 100 customers to order and get a tote", "first 100 customers to order"),
    ("The first 500 people to join Skillshare get 2 months free", "first 500 people to join"),
    # a price beside a reason to pay it
    ("Keychains $8 each or 3 for $20", "$8"),
    ("Ankara two-piece sets, sizes 8-16. Nationwide delivery 🚚", "Nationwide delivery"),
    ("Fall mini sessions, 20 min, $175. Only a few left!", "$175"),
    ("Live show Saturday, tickets $15 adv / $20 door", "$15"),
    ("Menú del día por solo 12€. De lunes a viernes.", "12€"),
    ("Knotless braids KSh 3,500 each", "KSh 3,500"),
    ("Handmade earrings, £12 a pair. Message me if you want one!", "£12"),
    ("Everything is $10 today, DM to order", "$10"),
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
    ("con el código VERANO30", "con el código VERANO30"),  # read as a code with no brand in sight
    ("Commandez en ligne", "Commandez"),
    ("Diskon 50% cuma hari ini", "Diskon 5"),
    ("Jetzt bestellen!", "Jetzt bestellen"),
    ("Livraison gratuite dès 50€", "Livraison gratuite"),
    # property
    ("JUST LISTED 🏡 4 bed | 3 bath", "JUST LISTED"),
    ("Chelsea flat, guide price £1.25m", "guide price"),
    # merch and shops (after the real recorded posts)
    ("GIANT SURF TODAY! CHECK OUT MY MERCH: WWW.", "CHECK OUT MY MERCH"),
    ("New hoodies. Merch: https://shop.example/x", "Merch:"),
    ("Hoodies at https://teespring.com/stores/socal-surfer", "teespring.com"),
    ("Great swell today\nShop SoCal Surfer! https://shop.example/x", "Shop SoCal Surfer! https://"),
    # ordering in Russian, Persian, Arabic, Turkish
    ("Только самое нежное 💌Для заказа пишите в Direct", "Для заказа"),
    ("Торты на любой вкус. Пишите в директ, цены и доставка по Киеву", "Пишите в директ"),
    ("جعبه های ولنتاین. تلفن سفارش : ۴۲۲۵۳۷۴۳", "تلفن سفارش"),
    ("میتونید باهامون تماس بگیرید و سفارش بدید", "سفارش بدید"),
    ("ديكورات وبوفيات للطلب عبر الرسائل", "للطلب"),
    ("أو عبر الواتساب على الرقم 0657586051", "عبر الواتساب"),
    ("El yapımı mumlar, sipariş için DM", "sipariş için"),
    # a business speaking of itself (after the real posts of the intent set)
    ("Shop all handmade rugs at the link in our bio.", "Shop all handmade rugs at the link"),
    ("Shop the new linen collection at the link in bio", "Shop the new linen collection at the link"),
    ("New color available in my Etsy shop #patches", "available in my Etsy shop"),
    ("Tickets and meet and greets available at TomiLive.com", "Tickets and meet and greets available at TomiLive.com"),
]


@pytest.mark.parametrize("text, matched", FIRES)
def test_selling_wording_fires(text, matched):
    assert matched in selling(text)
    analysis = analyse_post(text)
    assert analysis.sponsored


NEAR_MISSES = [
    "the first 100 people to comment get a shoutout",  # no offer to take up
    "I was one of the first 50 people to visit the new museum",
    "we're among the first 20 users to join the beta",
    "The first 100 people to register get a free tote bag at our zine fair",  # an event's first comers
    "the first 100 people to join the Discord get a custom role",              # a community's
    "First 50 viewers to join our server get a shoutout",
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
    # found by a review: commerce words in ordinary lives
    "Working two jobs just to pay for rent",
    "Paid $30 for the book and it was worth every cent",
    "Concert tickets were $150 each",
    "Temperature drops tonight so I made soup",
    "the finish line is here!",
    "Black Friday sale starts tomorrow and my bank account is crying",
    "Cancelled my free trial",
    "Doors close at 11",
    "Rent is $2,000 per month",
    "My favourite band's new album is out now",
    "Saw a gorgeous house for sale on our walk",
    "Got a free sample at Costco",
    "Got these boots for $40 at the thrift store, they only had my size left",
    # a review's organic captions beside wording tried after caption set C and taken out again
    "The ER sign said walk-ins welcome, it was a lie",
    "The Steam summer sale ends tomorrow and I have bought 11 games",
    "Pumpkin spice everything is now in stores. In August.",
    "Taylor's new album is out on all platforms and I am not okay",
    "Peça o seu desejo à estrela cadente",
    "DM me for details about the group hike, it's free",
    "Booking recommended for the National Trust gardens, we got turned away",
    "My kids made a Christmas wishlist it is 3 pages long",
    # beside the wording added after the real recorded posts
    "The merch table was packed after the show",
    "wearing my favourite band's merch today",
    "Got my merch from the concert 🤘",
    "I went to the shop with my dad https://photos.example/a",
    "Shopping haul with mum https://photos.example/b",
    "я сделала заказ вчера, жду",
    "سفارش مادرم را فراموش نکن",
    "siparişim geldi, çok mutluyum",
    # beside the business calls added after the intent set
    "Tap the link in our bio to watch our wedding video",
    "The movie is available on Netflix now",
    "We explored the collection at the Met today, so good",
    "Last chance to get my hug before I leave lol",
    "I'm back in the store where I worked as a teen",
    "Save your place in line, the queue is huge",
    "Join our family group chat lol",
    "Shop all day with my sister, then dinner at the new place",
    "We tried to book, called them twice, no answer",
    "The dress I wanted was available in my size online, finally",
    "I shop in stores more than online these days",
    "Get your life together here in the new year lol",
    "Our new puppy destroyed our new sofa",
    "No tickets available, the show sold out in minutes",
    "Our new rings are back from the jeweller 💍",
    # a review's ordinary posts beside the business calls (news, churches, museums, families)
    "Tap the link in our bio to learn more about tonight's storm warning",
    "Check the link in our bio for more info on Sunday's service times ⛪",
    "Click the link in our bio to register for fall soccer!",
    "Explore our collection online at britishmuseum.org",
    "Browse our collection online, free with your library card 📚",
    "Finally binge-watching The Boys, available on Amazon Prime",
    "Baby formula is finally available at Target again",
    "Black Friday chaos in-stores and online, I'm staying home",
    "Pumpkin spice everything is back in stores",
    "I found my person. Hope you find yours in 2025 ❤️",
    "Get your flu jab here, no appointment needed: https://www.nhs.uk/flu",
    "Tickets weren't available at the box office either 😭",
    "Tickets for the school play are available at the front office",
    "Finally installed our new range hood",
    "Our latest collection of rocks from the beach trip",
    "Kids, save your spot on the couch, it's movie night",
    "Save your seat for Christmas Eve candlelight service",
    "Join us for the class of 2005 reunion",
    "Join our class for a peek at our science fair volcanoes",
    "Last day to enjoy our little beach house before flying home",
    "Last chance to get your vote in!",
    "Desperate to book, message me if you know a good dentist",
    "To book, email the parish office. Baptisms are on Sundays",
    # a second review's
    "Parents! Save your spot for the school tour on Friday, 9am in the main hall",
    "Join our free workshop on CPR this Saturday at the community hall, run by volunteers",
    "Baptisms and weddings: to book, email us at office@stjohnschurch.org",
    "Museum late tonight 🌙 Discover the new collection of Egyptian amulets, link in bio for opening times",
    "Last day to get our passports renewed before the trip 😬",
    "Race photos are up! Find yours at marathonfoto.com, well done to every runner",
    "Ugh, the exact same mug is available on Amazon for half the price 🙄",
    "Click the link in our bio to reserve a place at the carol service. Free entry",
    # a third review's
    "Our new spring exhibition opens Saturday! Explore our permanent collection online at the link in bio.",
    "This week's lunch menu is here 🍎 Click the link in our bio to see the menu.",
    "Library news 📚 Browse our new collection of picture books via the link in bio!",
    "Link to the full collection is in our bio - 300 photos from the 1920s donated by the Miller family.",
    "Shop all the photos from Sunday's match at the link in bio - free downloads for members!",
    "Our kids' school book fair 📚 available at our store in the hall until Friday",
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
    assert verdict.evidence["sponsored"] == 0 and verdict.evidence["selling_only"] == 3
    assert verdict.reason.endswith("(3 sell with no brand shown, which needs no label)")
    frequency = ad_frequency.judge(None, posts, analyse, ad_frequency.Options())
    assert frequency.evidence["sponsored"] == 3 and frequency.evidence["selling_only"] == 3
    assert frequency.reason.startswith("3 of 10 recent posts sponsored or selling (30%; 3 sell with no brand shown)")
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
        for part in parts:
            assert any(part.regex.search(text) for text, _ in FIRES), (family, part.regex.pattern[:60])


def test_hosted_is_gifted_wording():
    """A hosted stay is a gift from a brand: "#hosted" is a commercial signal, and not a label."""
    analysis = analyse_post("Good morning from the @fourseasons Maui 🌺 thank you for having us! #hosted")
    assert ("gifted", "#hosted") in analysis.signals and analysis.disclosure == "missing"
    assert not analyse_post("We hosted a dinner for twelve").sponsored


def _random_match(items, rnd):
    """A random string built from a parsed regex (re._parser's tree): most of them match it."""
    from re import _constants as C
    out = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append(rnd.choice([ch for ch in "abc xyz" if ord(ch) != av]))
        elif op is C.ANY:
            out.append(rnd.choice("ab "))
        elif op is C.IN:
            choices, negate = [], False
            for o, a in av:
                if o is C.NEGATE:
                    negate = True
                elif o is C.LITERAL:
                    choices.append(chr(a))
                elif o is C.RANGE:
                    choices += [chr(x) for x in range(a[0], a[1] + 1)]
                elif o is C.CATEGORY:
                    choices += {C.CATEGORY_DIGIT: list("0123456789"), C.CATEGORY_SPACE: [" ", "\n", "\t", "\u00a0"],
                                C.CATEGORY_WORD: list("abz0_")}.get(a, ["x"])
            out.append(rnd.choice([ch for ch in "abxyz ,;" if ch not in choices] if negate else choices))
        elif op is C.BRANCH:
            out.append(_random_match(rnd.choice(av[1]), rnd))
        elif op is C.SUBPATTERN:
            out.append(_random_match(av[-1], rnd))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            low, high, sub = av
            out.append("".join(_random_match(sub, rnd) for _ in range(rnd.randint(low, min(high, low + 3)))))
        elif op is C.ASSERT and av[0] == 1:  # a lookahead's text is part of a matching string
            out.append(_random_match(av[1], rnd))
        elif op is C.CATEGORY:
            out.append({C.CATEGORY_DIGIT: "7", C.CATEGORY_SPACE: "\n"}.get(av, "a"))
    return "".join(out)


def test_every_match_of_every_part_holds_one_of_its_gate_strings():
    """Strings drawn at random from each part's own regex (with other whitespace, case and
    digits): whenever the part matches, the gate scan lets it run."""
    from re import _parser

    rnd = random.Random(3)
    for family, parts in sponsored_selling.SELLING_FAMILIES:
        for part in parts:
            regex, gates = part.regex, part.gates
            tree = _parser.parse(regex.pattern, regex.flags)
            for _ in range(400):
                m = regex.search(_random_match(tree, rnd))
                if m:
                    seen = " ".join(_folded(m.group(0)).split()).translate(sponsored_selling._ZERO)
                    assert any(g in seen for g in gates), (family, m.group(0))


@pytest.mark.parametrize("text", [
    "Loving these trainers from @stridefit 👟 Grab yours before they sell out",
    "The new @glowco palette: pre-orders are now open",
    "Catch us live at @thejazzcellar on Friday! Tickets $15 adv",
    "Join me and @coach.dani for a free webinar on Thursday about money mindset!",
])
def test_selling_beside_a_mention_is_no_accusation_on_its_own(text):
    """An @mention beside selling wording is as often a venue, stockist, label, co-host or friend
    as a paying brand: a review's 92 own promotions drew 40 more false accusations than the 6
    brand ads it caught, so selling wording never becomes a brand mention."""
    analysis = analyse_post(text)
    assert analysis.sponsored and analysis.disclosure == "not_needed", analysis.signals


@pytest.mark.parametrize("text", [
    "Thanks @sarah for modelling the new scarves! DM to order",
    "New scarves, photo by @ana.photo — DM to order",
    "Model: @jo_k — DM to order",
    "Happy birthday @mia! Our sale ends Sunday",
    # credits as a review found them written
    "Spring capsule is live on the site now ✨ captured by @marco.frames",
    "Pre-orders are now open for the linen dress! © @annashoots",
    "Back in stock: the oversized knit in oat. pic cred @tomtakespics",
    "Our winter menu launches tomorrow 🍲 Book your table via the link in bio. 🎥: @reelsbyraf",
    "Bridal trials now booking for 2025 💄 Model: the gorgeous @rachel.k",
    "Photographer: @jules.visuals\nNew prints available to order, link in bio!",
    "📸 @ana_clicks and @ben_clicks\nNew arrivals in store this week, come see us!",
    "Lookbook shot on film by the incredibly talented @kofi.analog — shop the new collection at the link in bio",
    "Produced by @kaytranada 🙏 my single out everywhere now",
])
def test_a_credited_person_beside_selling_wording_is_no_brand(text):
    analysis = analyse_post(text)
    assert analysis.sponsored and analysis.disclosure == "not_needed", analysis.signals


@pytest.mark.parametrize("text, disclosure", [
    ("Thanks Sarah for modelling the new scarves! DM to order 💌", "not_needed"),  # a thanked friend
    ("Our #collab mural is finished! Prints available to order", "not_needed"),      # a joint work
    ("New scarves! DM to order #sp", "weak"),                                        # #sp says "paid"
])
def test_weak_labels_beside_selling_wording(text, disclosure):
    assert analyse_post(text).disclosure == disclosure


REVIEW_POSTS = Path(__file__).resolve().parent / "data" / "review-v5-posts.csv"
# The review's organic posts that the narrowed wording still calls sponsored: a buyer's link to
# a shop platform more than a clause after the buying ("… from some redbubble.com/… artist"), and
# a shop vac beside a goo.gl photo link (sponsored, and accused, before v5 too). No other is
# accused.
REVIEW_STILL_SPONSORED = {"o023", "o024", "o030", "o032", "o041"}


def test_the_reviews_posts_beside_the_wording_added_after_the_real_posts():
    """A review wrote 98 organic posts that use the new wording without selling (cheat codes
    after an arrow, a fan's merch haul, "Shop class project <link>", "заказать такси", "سفارش"
    as advice, WhatsApp between friends, "siparişim geldi") and 29 that sell: the wording was
    narrowed until only the five above stay sponsored, only the shop vac (accused before the
    new wording too) is accused, and every one of the 29 is found."""
    with REVIEW_POSTS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 127
    sponsored, accused, missed = set(), set(), set()
    for row in rows:
        analysis = analyse_post(row["text"])
        if row["label"] == "0":
            sponsored |= {row["id"]} if analysis.sponsored else set()
            accused |= {row["id"]} if analysis.disclosure == "missing" else set()
        elif not analysis.sponsored:
            missed.add(row["id"])
    assert sponsored == REVIEW_STILL_SPONSORED and accused == {"o041"} and not missed
    assert analyse_post("Get 10% off with my code ➡️andkatja15").disclosure == "missing"
    assert not analyse_post("Enter the code → 1234 at the gate").sponsored
