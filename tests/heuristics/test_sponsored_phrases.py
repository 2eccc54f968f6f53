"""Each phrase family of the sponsored-post and disclosure detectors at its boundary: the
wording that must fire, and the near miss that must not (FTC, ASA, Amazon wording; denials;
thanks; channel support; shortened and affiliate links; shopping and partnership wording)."""
import pytest

from microscout.heuristics.sponsored import (SponsoredSettings, analyse_post, baseline_sponsored,
                                             baseline_undisclosed, commercial_signals)

LINK = " https://amzn.to/3xYz9"  # an affiliate link: makes any post an ad that needs a label


def labels(text, **kw):
    a = analyse_post(text, **kw)
    return a.adequate_labels, a.weak_labels, a.denials, a.disclosure


# --- Adequate disclosure wording ---------------------------------------------------------

@pytest.mark.parametrize("text, label", [
    # affiliate links (FTC: "affiliate link"), wherever the word sits
    ("*Some Links are affiliate links" + LINK, "Links are affiliate links"),
    ("Amazon Affiliate Link:" + LINK, "Affiliate Link"),
    ("affiliate links below" + LINK, "affiliate links"),
    ("Some links above may be affiliated links" + LINK, "links above may be affiliated links"),
    ("Links may contain affiliate referrals" + LINK, "affiliate referrals"),
    ("Book Depository Affiliate: http://www.bookdepository.com/?a_aid=x", "Affiliate"),
    ("(affiliate)" + LINK, "affiliate"),
    ("I am a Book Depository affiliate" + LINK, "I am a Book Depository affiliate"),
    ("Liens affiliés :" + LINK, "Liens affiliés"),
    ("Minha batedeira (link de afiliado)" + LINK, "link de afiliado"),
    ("os links abaixo são de afiliado:" + LINK, "links abaixo são de afiliado"),
    ("se comprar por eles eu ganho uma pequena comissão" + LINK, "ganho uma pequena comissão"),
    ("si compras, recibo una comisión" + LINK, "recibo una comisión"),
    ("Die Amazon-Links gehören zum Partnerprogramm von Amazon" + LINK, "Partnerprogramm"),
    # Amazon's required sentence and its older form
    ("As an Amazon Associate I earn from qualifying purchases." + LINK, "As an Amazon Associate"),
    ("We earn from qualifying purchases" + LINK, "earn from qualifying purchases"),
    ("I am a participant in the Amazon Services LLC Associates Program" + LINK,
     "participant in the Amazon Services LLC Associates Program"),
    ("Lure Bag: http://amzn.to/2cwoT2w\nThese are Amazon associate links", "These are Amazon associate links"),
    ("This post contains Amazon associate links" + LINK, "contains Amazon associate links"),
    ("(Amazon Associates link)" + LINK, "Amazon Associates link"),
    ("Amazon Associate Links:\nWraps: http://amzn.to/2cwoT2w", "Amazon Associate Links"),  # heading the list
    # commission (FTC: "I earn a commission")
    ("I earn a small commission if you buy" + LINK, "I earn a small commission"),
    ("I may receive a commission from these links" + LINK, "I may receive a commission"),
    ("these links earn me a commission" + LINK, "earn me a commission"),
    ("commissions from purchases made through these links" + LINK,
     "commissions from purchases made through these"),
    ("a commission on these links" + LINK, "commission on these links"),
    ("I may be compensated" + LINK, "I may be compensated"),
    # paid
    ("paid link" + LINK, "paid link"),
    ("Includes paid promotion" + LINK, "paid promotion"),
    ("Paid partnership with @glowco", "Paid partnership"),
    # sponsor
    ("This video is sponsored by Squarespace" + LINK, "is sponsored by"),
    ("Thanks to Squarespace for sponsoring this video" + LINK, "for sponsoring"),
    ("a sponsored video" + LINK, "sponsored video"),
    ("Today's sponsor is Glowco" + LINK, "Today's sponsor"),
    ("Sponsors:\nGet 15% off with code CREEPY" + LINK, "Sponsors"),  # a podcast's header naming them
    ("Sponsor: Incogni — use code PRIV" + LINK, "Sponsor"),
    ("• Our sponsors: Glowco" + LINK, "Our sponsors"),
    ("This episode is brought to you by Glowco" + LINK, "This episode is brought to you by"),
    ("Sponsor: You Need A Budget" + LINK, "Sponsor"),  # a sponsor, not the audience
    ("Sponsors:\nSquarespace" + LINK, "Sponsors"),
    ("This episode is brought to you by Patreon" + LINK, "This episode is brought to you by"),
    # advertisement
    ("This is an ad for @glowco" + LINK, "This is an ad"),
    ("Advertisement:" + LINK, "Advertisement"),
    ("[ad] new serum" + LINK, "ad"),
    ("Paid partner: Oak Trail Coffee" + LINK, "Paid partner"),
    # the labels other countries' regulators ask for, as a label or a phrase
    ("[Werbung] Mein Lieblings-Rucksack" + LINK, "Werbung"),
    ("Anzeige | Mit dem Code LENA10" + LINK, "Anzeige"),
    ("Publicidad:" + LINK, "Publicidad"),
    ("(publicité) ma routine" + LINK, "publicité"),
    ("bezahlte Werbung für Greenbox" + LINK, "bezahlte Werbung"),
    ("In bezahlter Kooperation mit Greenbox" + LINK, "In bezahlter Kooperation"),
    ("En collaboration commerciale avec Maison Lin" + LINK, "collaboration commerciale"),
    ("Vídeo patrocinado por Runa" + LINK, "patrocinado por"),
    ("Parceria paga com a VivaFit" + LINK, "Parceria paga"),
    ("Betaalde samenwerking met Greenbox" + LINK, "Betaalde samenwerking"),
    ("Colaboración pagada con HSN" + LINK, "Colaboración pagada"),
    ("Colaboração paga com a VivaFit" + LINK, "Colaboração paga"),
    ("Collaborazione retribuita con Glowco" + LINK, "Collaborazione retribuita"),
    # near misses of the denials: "no" before no copula, "nada" before more than what is denied
    ("No es broma: colaboración pagada con HSN" + LINK, "colaboración pagada"),
    ("Nada mejor que esta colaboración pagada con HSN" + LINK, "colaboración pagada"),
    ("Nenhum produto me deu tanto resultado, ganho uma comissão" + LINK, "ganho uma comissão"),
])
def test_adequate_wording(text, label):
    adequate, _weak, denials, disclosure = labels(text)
    assert label in adequate, adequate
    assert disclosure == "adequate" and denials == []


@pytest.mark.parametrize("tag", ["#ad", "#sponsored", "#affiliatelink", "#affiliatelinks", "#affiliate",
                                 "#commissionsearned", "#paidlink", "#GlowcoPartner", "#Werbung", "#anzeige",
                                 "#publicité", "#collaborationcommerciale", "#publi", "#publicidad", "#publicidade",
                                 "#pubblicità", "#sponsorizzato", "#reclame", "#gesponsord"])
def test_adequate_tags(tag):
    assert labels(f"{tag} new serum" + LINK)[0] == [tag]


@pytest.mark.parametrize("text", [
    "Neues Logo für eine Bäckerei, entworfen in unserem Studio\n\n#design #logo #werbung #agentur #branding",
    "Mi trabajo final de carrera #universidad #marketing #publicidad #tfg",
    "#reclame #reclameaqui atendimento péssimo",
    "Publi acceptée ! #publi #phd",
    "Publicidad: 3 lecciones que aprendí en la agencia",  # the topic opening a line
])
def test_other_languages_topic_tags_are_labels_only_beside_a_signal(text):
    """#werbung, #publicidad, #reclame… are also the topic, as #advertising is in English."""
    assert not analyse_post(text).sponsored, analyse_post(text).adequate_labels
    assert analyse_post(text + " use code GLOW20").adequate_labels != []
    assert analyse_post(text + " shop now").disclosure == "not_needed"  # selling wording: no brand


def test_a_topic_tag_counts_beside_a_weak_label_that_says_paid():
    assert labels("#sp #werbung Mein neues Parfum von @dior")[0] == ["#werbung"]


@pytest.mark.parametrize("text, label", [
    ("Sans doute mon sérum préféré #ad" + LINK, "#ad"),   # other languages' negation words as words
    ("Galletas sin gluten #publi" + LINK, "#publi"),
    ("Sin City weekend #ad" + LINK, "#ad"),
    ("Biscoitos sem glúten #publi" + LINK, "#publi"),
    ("Ik kan niet zonder deze serum #reclame" + LINK, "#reclame"),
    ("SEM tools sponsored by @semrush" + LINK, "sponsored by"),
    ("Nicht nur für den Sommer #werbung" + LINK, "#werbung"),
])
def test_negation_words_of_other_languages_deny_only_the_label_right_after(text, label):
    adequate, _weak, denials, disclosure = labels(text)
    assert label in adequate and denials == [] and disclosure == "adequate", (adequate, denials)


@pytest.mark.parametrize("text", [
    "We are not affiliated with Apple",               # "affiliated with": no relationship at all
    "Learn affiliate marketing in 10 days",          # the topic, not a label
    "How to join the Amazon Associates program",     # the topic, not a label
    "How to join Amazon Associates: link below",      # the topic; the link is not one of theirs
    "Amazon associates linked arms at the picket",   # "linked", not a link
    "Pinterest bans Amazon associate links",         # the topic: no one says these links are theirs
    "Are Amazon Associates links allowed on Pinterest?",
    "Tutorial: Amazon associate links for beginners",
    "Musicians get a share of the revenue",          # no first person, no commission
    "You earn commission on sales as a rep",         # someone else's commission
    "Perfect for advertisement and promo videos",    # the word in a sentence
    "I got paid today",                              # "paid" without what
    "sponsorship enquiries: mail me",                # "sponsorship" is no label
    "This video is about sponsors",
    "#adventure #advertising",
    "Werbung nervt total",                           # the word in a sentence
    "Werbung, die nervt, gibt es genug",             # the word opening a sentence, not a label
    "Ich hasse Werbung",
    "la publicidad de la tele es horrible",
    "une publicité à la télé",
    "#pub #publicservice",                          # "#pub" is a bar as often as an ad
    "Anzeige: 6,1 Zoll OLED\nAkku: 4000 mAh",         # a phone's display, not a label
    "Publi : la version acceptée",                  # French "une publi": a paper
    "Reclame:",                                     # Portuguese: "complain"
    "Become a paid partner of our network today",
    "Looking for paid partners for my podcast",
    "We are looking for a paid partner - DM us",
    "Sponsor a child: https://charity.example/x",   # not a header naming sponsors
    "We're looking for sponsors: email me",
    "Patreon sponsors: Ann, Bo",
    "This video was brought to you by my cat walking on the keyboard",
    # a header or a "brought to you by" that names no sponsor, or the audience
    "Sponsors: none. This channel is 100% viewer-funded.",
    "Sponsor: none - I pay for all the gear myself.",
    "Sponsors: N/A",
    "Sponsors: my patrons ❤️ Thank you for keeping the lights on!",
    "Sponsors: you! Members of this channel make these videos possible.",
    "Sponsors:\nNo sponsors on this one, enjoy!",
    "This episode is brought to you by listeners like you.",
    "This episode is brought to you by our Patreon supporters",
    "This video is brought to you by Patreon supporters",
    "This episode is brought to you by the letter B and the number 7.",
    "Sponsors: TBD",
    "Sponsors: interested? Email me at jane@example.com",
    "Sponsors: looking for one! DM me",
    "Sponsor: your brand here - get in touch",
])
def test_near_misses_are_no_labels(text):
    adequate, weak, denials, _ = labels(text + LINK)
    assert adequate == [] and weak == []


# --- Denials are never labels --------------------------------------------------------------

@pytest.mark.parametrize("text, denial", [
    ("This is not sponsored by anyone. Buy here:" + LINK, "not sponsored by"),
    ("No affiliate links here" + LINK, "No affiliate links"),
    ("These are not affiliate links" + LINK, "not affiliate links"),
    ("This is not a paid partnership" + LINK, "not a paid partnership"),
    ("non-sponsored video" + LINK, "non-sponsored video"),
    ("I don't earn any commission" + LINK, "I don't earn any commission"),
    ("I earn no commission from these" + LINK, "I earn no commission"),
    ("This isn’t a paid post" + LINK, "isn’t a paid post"),
    ("Never sponsored by brands" + LINK, "Never sponsored by"),
    ("not #sponsored" + LINK, "not #sponsored"),
    # in the languages whose labels are read
    ("Keine #Werbung, alles selbst gekauft" + LINK, "Keine #Werbung"),
    ("Nicht gesponsert von Glowco" + LINK, "Nicht gesponsert von"),
    ("Ce n'est pas sponsorisé par Glowco" + LINK, "pas sponsorisé par"),
    ("Sin #publi, lo compré yo" + LINK, "Sin #publi"),
    ("Geen #reclame, zelf gekocht" + LINK, "Geen #reclame"),
    ("Sem #publicidade, comprei eu" + LINK, "Sem #publicidade"),
    ("Ce n'est pas un partenariat rémunéré" + LINK, "pas un partenariat rémunéré"),
    # "none", "nothing", "neither" and only words that say what is denied
    ("None of these are sponsored." + LINK, "None of these are sponsored"),
    ("None of these are affiliate links." + LINK, "None of these are affiliate links"),
    ("Nothing in this video is sponsored" + LINK, "Nothing in this video is sponsored"),
    ("None of the links below are affiliate links" + LINK, "None of the links below are affiliate links"),
    ("Nothing here is sponsored. Except my love for coffee" + LINK, "Nothing here is sponsored"),  # a new sentence
    # the affiliate disclosures and paid collaborations of other languages, denied as their ad words are
    ("Não ganho uma comissão com nada disso" + LINK, "Não ganho uma comissão"),
    ("Nenhum link aqui é link de afiliado" + LINK, "Nenhum link aqui é link de afiliado"),
    ("Este vídeo NO es una colaboración pagada" + LINK, "NO es una colaboración pagada"),
    ("Nada de esto es colaboración pagada" + LINK, "Nada de esto es colaboración pagada"),
    ("Non è una collaborazione retribuita" + LINK, "Non è una collaborazione retribuita"),
])
def test_denials_are_never_labels(text, denial):
    adequate, _weak, denials, disclosure = labels(text)
    assert adequate == [] and denials == [denial]
    assert disclosure == "missing"


@pytest.mark.parametrize("text", [
    "This is not an ad" + LINK,
    "not paid to say this" + LINK,
    "This video isn't sponsored" + LINK,
    "unsponsored, just love it" + LINK,
])
def test_plain_negations_give_no_label_at_all(text):
    adequate, weak, _, disclosure = labels(text)
    assert (adequate, weak, disclosure) == ([], [], "missing")


@pytest.mark.parametrize("text, label", [
    ("Not sponsored, but the links are affiliate links" + LINK, "links are affiliate links"),
    ("Not sponsored and some links are affiliate links" + LINK, "links are affiliate links"),
    ("Nothing here is paid. I earn a small commission" + LINK, "I earn a small commission"),
    ("None of these are sponsored, but the links are affiliate links" + LINK, "links are affiliate links"),
    ("None of my friends believe this is sponsored" + LINK, "is sponsored"),  # more than what is denied
    # an exception right after: what "none" or "nothing" denies, the post owns up to
    ("None of my videos are sponsored except this one" + LINK, "are sponsored"),
    ("Nothing in this video is sponsored except the segment at 3:20 by Glowco" + LINK, "is sponsored"),
    ("Nothing in this video is sponsored, apart from the Glowco read" + LINK, "is sponsored"),
    ("Nothing here is sponsored by anyone other than Glowco" + LINK, "is sponsored by"),
])
def test_a_denial_reaches_only_its_own_clause(text, label):
    adequate, _, denials, disclosure = labels(text)
    assert adequate == [label] and disclosure == "adequate"


def test_accusation_names_the_denial():
    problem = analyse_post("This is not sponsored by anyone. Buy it here: bit.ly/abc").problems[0]
    assert problem == ('undisclosed ad: shortened link "bit.ly/abc" beside "Buy"; selling wording "Buy it here" '
                       'with no #ad, #sponsored or "Paid partnership" label ("not sponsored by" is a denial, not a '
                       'label)')


# --- Weak labels -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, weak", [
    ("thanks @glowco!" + LINK, "thanks @glowco"),
    ("Thanks Glowco!" + LINK, "Thanks Glowco"),
    ("Thank you so much Glowco" + LINK, "Thank you so much Glowco"),
    ("partnered with @glowco" + LINK, "partnered with @glowco"),
    ("in collaboration with Glowco" + LINK, "in collaboration with Glowco"),
    ("proud ambassador for @stompco" + LINK, "proud ambassador for @stompco"),
    ("ambassador for @stompco" + LINK, "ambassador for @stompco"),
    ("@stompco ambassador" + LINK, "@stompco ambassador"),
    ("Support the channel by using these links" + LINK, "Support the channel"),
    ("Shopping with these links helps the channel" + LINK, "helps the channel"),
    ("Support me by ordering through the links below" + LINK, "Support me"),
    ("Support our show!\nUse this Amazon link to shop" + LINK, "Support our show"),
    ("It costs you nothing to use these links" + LINK, "costs you nothing"),
    ("at no extra cost to you when you buy" + LINK, "at no extra cost"),
    # a gift named as one: weak, never "undisclosed"
    ("Gifted by Luna Skin — the serum I use. Details: bit.ly/3bg", "Gifted by Luna"),
    ("#gifted by @sephora, I love this lip oil", "#gifted"),
    ("this throw is from @dunelm, 20% off with DUNE20 (gifted, but I'd buy it again)", "gifted"),
    ("I was gifted this serum by @glowco", "was gifted"),
    ("Gifted by @ikeauk but all opinions my own", "Gifted by @ikeauk"),
])
def test_weak_wording(text, weak):
    adequate, weak_labels, _, disclosure = labels(text)
    assert adequate == [] and weak in weak_labels and disclosure == "weak"


@pytest.mark.parametrize("text", [
    "Thank you for watching!",
    "THANK YOU FOR WATCHING",
    "Thanks For Subscribing",
    "Thanks everyone",
    "Thanks Mum",
    "Thanks so much guys",
    "Thanks\nBrent",                                   # a sign-off, the name on the next line
    "Please support the channel by subscribing",      # support, but not about links or buying
    "Support us on Patreon",
    "partnered with my sister",                        # no brand
    "not partnered with @glowco",
    "a gifted musician and a gifted singer",           # "gifted" as talent, no gift
    "not gifted by anyone, I bought it",               # a denial
    "Gifted by my mum 💕 the blender I use",            # a gift from family is no brand's
    "My voice was gifted from God",
    "I was gifted this by my grandma for my birthday",  # "was gifted" with no brand mentioned
])
def test_weak_near_misses(text):
    adequate, weak, _, disclosure = labels(text + LINK)
    assert (adequate, weak, disclosure) == ([], [], "missing")


def test_weak_sponsorship_wording_makes_a_post_sponsored_on_its_own():
    assert analyse_post("partnered with @glowco on this one").sponsored
    assert analyse_post("Support the channel by shopping through my links").sponsored
    assert not analyse_post("thanks @anna for the dinner").sponsored  # thanks alone: not an ad


# --- Commercial signals -------------------------------------------------------------------

def kinds(text, **kw):
    return commercial_signals(text, settings=SponsoredSettings(**kw))


@pytest.mark.parametrize("text, signal", [
    # shortened links beside product wording, or in a gear/links/shop list
    ("Buy it here: bit.ly/abc", ("shortened_link", 'bit.ly/abc … beside "Buy"')),
    ("Get your TRX straps HERE: http://bit.ly/trx",
     ("shortened_link", 'http://bit.ly/trx … beside "Get your TRX straps HERE"')),
    ("Camera I use: http://goo.gl/abc", ("shortened_link", 'http://goo.gl/abc … beside "Camera"')),
    ("Apple iPhone 5 $271: http://po.st/x", ("shortened_link", 'http://po.st/x … beside "$2"')),
    ("20% off: https://ow.ly/x1", ("shortened_link", 'https://ow.ly/x1 … beside "20% off"')),
    # beside "my"/"I" wording that names no work of the creator's own
    ("I made $4,700 trading forex with this bot. Start here: cutt.ly/hLy",
     ("shortened_link", 'cutt.ly/hLy … beside "$4"')),
    ("I made over $4,700 with this trading bot, buy it: cutt.ly/bot", ("shortened_link", 'cutt.ly/bot … beside "$4"')),
    ("Check out my brand new lens: bit.ly/lens", ("shortened_link", 'bit.ly/lens … beside "lens"')),
    ("I wrote a full review of the Sony A7 IV, buy it here: bit.ly/a7", ("shortened_link", 'bit.ly/a7 … beside "buy"')),
    ("My film-look edits, get the LUT here: bit.ly/fl", ("shortened_link", 'bit.ly/fl … beside "get the"')),
    ("Just added this lipstick to my collection, buy it: bit.ly/x", ("shortened_link", 'bit.ly/x … beside "buy"')),
    ("Gear I used for my film:\nSony - bit.ly/a\nRode - bit.ly/b",  # a gear list's header wins
     ("shortened_link", 'bit.ly/a … in a "Gear I used for my film:" list')),
    ("Gear I used for my film: bit.ly/a", ("shortened_link", 'bit.ly/a … beside "Gear"')),  # on one line too
    ("Get 20% off the camera I used for my new film: bit.ly/c20", ("shortened_link", 'bit.ly/c20 … beside "20% off"')),
    ("My record player + speakers, buy here: bit.ly/r", ("shortened_link", 'bit.ly/r … beside "buy"')),
    ("Our app of the week is Headspace, download it here: bit.ly/h",
     ("shortened_link", 'bit.ly/h … beside "download"')),
    ("GEAR WE USED:\nSony - http://tinyurl.com/a\nRode - http://bit.ly/b",
     ("shortened_link", 'http://bit.ly/b … in a "GEAR WE USED:" list')),
    # affiliate networks and the study's URL patterns
    ("on sale: amzn.to/3xYz9", ("affiliate_link", "amzn.to/3xYz9")),
    ("https://www.amazon.com/dp/B01?tag=abc-20", ("affiliate_link", "https://www.amazon.com/dp/B01?tag=abc-20")),
    ("www.amazon.de/gp/x?ie=UTF8&tag=y-21", ("affiliate_link", "www.amazon.de/gp/x?ie=UTF8&tag=y-21")),
    ("http://www.kontrolfreek.com/?a_aid=XJMX", ("affiliate_link", "http://www.kontrolfreek.com/?a_aid=XJMX")),
    ("http://rstyle.me/n/cec5hv4swn", ("affiliate_link", "http://rstyle.me/n/cec5hv4swn")),
    ("https://x.example/aff_c?offer_id=1&aff_id=2", ("affiliate_link", "https://x.example/aff_c?offer_id=1&aff_id=2")),
    ("http://hop.clickbank.net/?affiliate=x", ("affiliate_link", "http://hop.clickbank.net/?affiliate=x")),
    ("https://www.jdoqocy.com/click-123-456", ("affiliate_link", "https://www.jdoqocy.com/click-123-456")),
    ("http://api.shopstyle.com/action/apiVisitRetailer?id=4&pid=uid5-2",
     ("affiliate_link", "http://api.shopstyle.com/action/apiVisitRetailer?id=4&pid=uid5-2")),
    ("Buy: https://alitems.com/g/1e8d/?i=5", ("affiliate_link", "https://alitems.com/g/1e8d/?i=5")),
    ("http://audible.com/?tag=neptunellc20-20", ("affiliate_link", "http://audible.com/?tag=neptunellc20-20")),
    # a referral or cloaked link whose last part names the referrer or product, as affiliate-youtube's
    ("https://opseat.com/ref/ElectricShock/", ("affiliate_link", "https://opseat.com/ref/ElectricShock/")),
    ("http://howtolucid.com/go/lucid-fast-track", ("affiliate_link", "http://howtolucid.com/go/lucid-fast-track")),
    # networks the study's list leaves out: eBay Partner Network's item links, Impact's hosts, LTK's
    ("https://www.ebay.com/itm/1234?mkcid=1&campid=5338&toolid=10001",
     ("affiliate_link", "https://www.ebay.com/itm/1234?mkcid=1&campid=5338&toolid=10001")),
    ("https://target.sjv.io/c/123/456/789", ("affiliate_link", "https://target.sjv.io/c/123/456/789")),
    ("https://shopltk.com/explore/jane", ("affiliate_link", "https://shopltk.com/explore/jane")),
    ("https://shop.example/p?tag=jane-21", ("affiliate_link", "https://shop.example/p?tag=jane-21")),  # the tag's form
    ("https://www.amazon.com/dp/B0CX1?ref=cm_sw_r_cp_api&tag=jane-20",  # shared by an associate: the tag says so
     ("affiliate_link", "https://www.amazon.com/dp/B0CX1?ref=cm_sw_r_cp_api&tag=jane-20")),
    ("https://shop.example/x?ref=twitter&utm_campaign=influencer_jane",  # a creator named beside the channel
     ("affiliate_link", "https://shop.example/x?ref=twitter&utm_campaign=influencer_jane")),
    ("https://shop.example/x?utm_source=share&utm_medium=ig&utm_campaign=jane_ambassador",
     ("affiliate_link", "https://shop.example/x?utm_source=share&utm_medium=ig&utm_campaign=jane_ambassador")),
    # a link with an empty path is the same link with "/" (RFC 3986): the patterns written with
    # one find it without ("go.redirectingat.com/*?id=", "designmodo.com/?u=")
    ('This teensy clef heart <a href="http://go.redirectingat.com?id=74679X1524629',
     ("affiliate_link", "http://go.redirectingat.com?id=74679X1524629")),
    ("http://designmodo.com?u=3", ("affiliate_link", "http://designmodo.com?u=3")),
    # a plain link beside an offer of a price cut on its line
    ("http://hotelz.example/48 Deep Discounts on Hotels",
     ("deal_link", 'http://hotelz.example/48 … beside "Discounts"')),
    ("20% off your 1st order: http://parts.example/wm", ("deal_link", 'http://parts.example/wm … beside "20% off"')),
    ("Buy at the lowest price: https://shop.example/p/1",
     ("deal_link", 'https://shop.example/p/1 … beside "lowest price"')),
    ("Cheap flights http://fly.example/x", ("deal_link", 'http://fly.example/x … beside "Cheap"')),
    ("Hot deal: https://shop.example/d", ("deal_link", 'https://shop.example/d … beside "Hot deal"')),
    ("Free shipping on https://shop.example/", ("deal_link", 'https://shop.example/ … beside "Free shipping"')),
    ("$10 off your first box: https://meals.example/jane",
     ("deal_link", 'https://meals.example/jane … beside "$10 off"')),
    # a sponsor read's offer beside its link: a call, then a trial, months free or a first-N offer
    ("Try Skillshare free for 2 months: https://skl.sh/jane",
     ("deal_link", 'https://skl.sh/jane … beside "Try Skillshare free for 2 months"')),
    ("Start listening with a 30-day trial at audible.example/surf",
     ("deal_link", 'audible.example/surf … beside "Start listening with a 30-day trial"')),
    ("Sign up for a free trial of CuriosityStream at https://cs.example/jane",
     ("deal_link", 'https://cs.example/jane … beside "Sign up for a free trial"')),
    ("Get 2 months free at https://app.example/jane",
     ("deal_link", 'https://app.example/jane … beside "Get 2 months free"')),
    ("get two free months of Premium: https://app.example/jane",
     ("deal_link", 'https://app.example/jane … beside "get two free months"')),
    ("Free trial → https://vpn.example/jane", ("deal_link", 'https://vpn.example/jane … beside "Free trial →"')),
    ("The first 500 people to use https://learn.example/jane win",
     ("deal_link", 'https://learn.example/jane … beside "first 500 people to use"')),
    ("Exclusive offer: https://vpn.example/jane", ("deal_link", 'https://vpn.example/jane … beside "Exclusive offer"')),
    ("Try it free for 30 days: bit.ly/3xY", ("shortened_link", 'bit.ly/3xY … beside "Try it free for 30 days"')),
    # referral and invite links, an Amazon influencer's storefront
    ("Card I used: https://refer.amex.us/JORDAKMiab", ("affiliate_link", "https://refer.amex.us/JORDAKMiab")),
    ("Storage I use: dropbox.com/referrals/AAx9", ("affiliate_link", "dropbox.com/referrals/AAx9")),
    ("Insurance I use: safetywing.com/?referenceID=nikos", ("affiliate_link", "safetywing.com/?referenceID=nikos")),
    ("Card: https://shop.example/referral/jane12?src=yt", ("affiliate_link", "https://shop.example/referral/jane12?src=yt")),
    ("Sign up with my link: https://app.example/signup?referral=JANE99",
     ("affiliate_link", "https://app.example/signup?referral=JANE99")),
    ("Seguro: heymondo.es/?cod_descuento=LUCIA", ("affiliate_link", "heymondo.es/?cod_descuento=LUCIA")),
    ("My essentials: amazon.com/shop/nightshiftnina", ("affiliate_link", "amazon.com/shop/nightshiftnina")),
    # a sign-up bonus or a first order's extra beside a link
    ("Get a free stock when you sign up: join.broker.example/tyler",
     ("deal_link", 'join.broker.example/tyler … beside "Get a free stock"')),
    ("shaker.example/riley — free D3 with your first order",
     ("deal_link", 'shaker.example/riley … beside "with your first order"')),
    ("Install it FREE https://clik.example/x and get a special starter pack",
     ("deal_link", 'https://clik.example/x … beside "special starter pack"')),
    ("head to site.example/nora to save 10% off your first website",  # a website, but not the creator's
     ("deal_link", 'site.example/nora … beside "10% off"')),
    # deals in other languages
    ("Seguro de viaje con 5% de descuento: https://ins.example/x",
     ("deal_link", 'https://ins.example/x … beside "5% de descuento"')),
    ("La poêle : -20 % sur https://pan.example/x", ("deal_link", 'https://pan.example/x … beside "-20 %"')),
    # discount codes
    ("Use code GLOW at checkout", ("discount_code", "Use code GLOW")),
    ("code GLOW20 at checkout", ("discount_code", "code GLOW20 at checkout")),
    ("20% off with code glow", ("discount_code", "20% off with code glow")),
    ("use promo code: SUMMER", ("discount_code", "use promo code: SUMMER")),
    # codes in other languages, before a value that looks like a code
    # codes in other languages, before a value that looks like a code, with a brand in sight: a
    # link, a mention, a store named after it, or a creator code
    ("con el código VALEYNICO tenéis un 15% en https://kave.example/x", ("discount_code", "con el código VALEYNICO")),
    ("Código de descuento: LAURA15 @shein", ("discount_code", "Código de descuento: LAURA15")),
    ("com meu cupom BRUNOFF10: recargajogo.com.br", ("discount_code", "com meu cupom BRUNOFF10")),
    ("Cupom CAROL10 dá 10% na Sallve", ("discount_code", "Cupom CAROL10")),
    ("-20 % avec le code BRUNOCREPE sur cristel.com", ("discount_code", "avec le code BRUNOCREPE")),
    ("Usa mi código de creador en la tienda: RAYOGAMER",
     ("discount_code", "Usa mi código de creador en la tienda: RAYOGAMER")),
    ("mit dem Code LENA10 spart ihr bei Glowco", ("discount_code", "mit dem Code LENA10")),
    ("Usa mi código JANE10 en mi look de Shein: https://shein.example/x",  # "mi" names no shop of hers
     ("discount_code", "Usa mi código JANE10")),
    ("Código LAURA15 para un 15% en https://shop.example/x", ("discount_code", "Código LAURA15")),  # a cut follows
    ("código promocional JANE10 en https://shop.example/x", ("discount_code", "código promocional JANE10")),
    ('ESPECIAL 15% Descuento Código "SOKI"! https://shop.example/x', ("discount_code", 'Código "SOKI')),  # a cut before
    ("con il codice SARA20 su glow.example", ("discount_code", "con il codice SARA20")),
    ("met de kortingscode ANNE10 op glow.example", ("discount_code", "met de kortingscode ANNE10")),
    # first-person shopping links
    ("use my link to save", ("shop_link", "use my link")),
    ("shop my faves on LTK", ("shop_link", "shop my faves")),
    ("Shop the look!", ("shop_link", "Shop the look")),
    ("buy through my links", ("shop_link", "through my links")),
    ("my referral code", ("shop_link", "referral code")),
    # partnerships, gifts, giveaways with a brand
    ("partnered with @glowco", ("partnership", "partnered with @glowco")),
    ("In partnership with the lovely @glowco team", ("partnership", "In partnership with the lovely @glowco")),
    ("Thank you @glowco for sending me this", ("gifted", "@glowco … sending me")),
    ("GIVEAWAY with @glowco", ("brand_mention", "@glowco … GIVEAWAY")),
])
def test_commercial_signals_fire(text, signal):
    assert signal in kinds(text), kinds(text)
    assert analyse_post(text).sponsored


@pytest.mark.parametrize("text", [
    "Subscribe: http://bit.ly/sub",                      # the creator's own channel
    "Follow me on Instagram bit.ly/ig",
    "Full video: https://goo.gl/abc",                    # a shortener to something to watch
    "My new single on Spotify: http://po.st/x",
    # the creator's own work behind a shortener beside selling wording: no brand behind it
    "I wrote a book!! 'Sourdough for Busy People' is out today 📖 Get it: bit.ly/3Qnj",
    "My new presets are finally available as a pack 📸 shorturl.at/MDcE",
    "We're releasing the dataset 🐦 Download + datasheet: bit.ly/31Gd",
    "We’re releasing the dataset 🐦 Download + datasheet: bit.ly/31Gd",  # a curly apostrophe
    "Our new app is out on Android! Download: bit.ly/4j2O",
    "Shop my new book:\nbit.ly/a\nbit.ly/b",              # the list's header names the work
    "Huge discounts on my online course: https://bit.ly/crs",
    "https://www.amazon.com/dp/B01",                     # Amazon without an affiliate tag
    "http://rstyle.mex/a",
    "https://x.example/aff_cx?id=1",
    "http://designmodo.com",                             # the site itself, no affiliate's parameter
    "https://www.ebay.com/itm/1234",                     # an item's own page
    "Fixed upstream: https://github.com/golang/go/issues/61234",  # a /go/ with a path after it: the site's own
    "https://cloud.google.com/go/docs/reference",
    "Docs: https://docs.example.org/ref/api.html",       # a reference page, no referrer
    "Back this! https://www.kickstarter.com/projects/x/y?ref=discovery",  # a site's own navigation
    "https://www.kickstarter.com/projects/x/y?ref=user_menu",
    "Live now https://www.twitch.tv/jane?ref=panel",
    "Support me https://www.patreon.com/jane?utm_medium=clipboard_copy&utm_source=copyLink&utm_campaign=creatorshare_creator",
    "Tips welcome https://ko-fi.com/jane?ref=bio",
    # campaign tags that say only where a link was shared from: a share button's, a newsletter's
    "Great read: https://www.nytimes.com/2024/05/01/climate/x.html?utm_source=bluesky",
    "https://news.example/a?utm_campaign=main&utm_medium=social&utm_source=twitter",
    "Town hall tonight https://city.example/events?utm_medium=email&utm_source=newsletter",
    "https://www.instagram.com/p/Cx1/?utm_source=ig_web_copy_link",
    "Trip notes https://travel.example/kolkata?utm_source=kolkata-guide.com&utm_medium=email",  # "kol", no KOL
    "New plan https://telco.example/prepaid?utm_source=twitter&utm_medium=social",  # "paid", in "prepaid"
    "https://www.npr.org/2024/x?utm_source=npr_newsletter&utm_medium=email",  # a channel as a word of it
    "https://news.example/a?utm_source=fb-share",
    # a publisher's own feeds, the channel glued to its name ("tw" CNN, "fb" NYT)
    "https://www.cnn.com/2024/05/01/world/x/index.html?utm_source=twCNN&utm_medium=social&utm_content=2024-05-01",
    "https://www.nytimes.com/2024/x.html?utm_source=fbNYT&utm_medium=social",
    "https://news.example/a?utm_source=ytChannel&utm_medium=social",
    # a channel written with capitals inside it is still that channel as a word of a tag (the capital
    # parting "twCNN" split "YouTube" into "You" and "Tube": a news link shared there read as an ad)
    "Great read https://news.example/a?utm_source=YouTube_Community&utm_medium=social",
    "https://news.example/a?utm_source=LinkedIn_Company_Page&utm_medium=social",
    "https://news.example/a?utm_source=eMail_Campaign&utm_medium=eMail",
    "New release https://tool.example/?ref=GitHub_README",
    "https://tool.example/?ref=HackerNews_Front",
    # a click id's random letters are no creator's name ("xKol8", "aCollab" at a capital after a small letter)
    "Read this https://news.example/a?utm_source=facebook&utm_medium=social&fbclid=IwAR3xKol8Zq_vT",
    "https://blog.example/p?utm_source=hs_email&utm_medium=email&_hsenc=p2ANqtz-9aCollabZ1x",
    "Love these https://www.amazon.com/dp/B0CX1?ref=cm_sw_r_cp_api_i_AB12",  # Amazon's share button, no tag
    "https://www.instagram.com/reel/C1/?utm_source=ig_web_button_share_sheet&igsh=MWQ1",
    # the share buttons of Reddit and LinkedIn: the source says shared, the medium from which app
    "https://www.reddit.com/r/x/comments/1a/t/?utm_source=share&utm_medium=web3x&utm_name=web3xcss&utm_term=1"
    "&utm_content=share_button",
    "https://www.reddit.com/r/x/comments/1a/t/?utm_source=share&utm_medium=ios_app&utm_name=iossmf",
    "https://www.linkedin.com/posts/jane_x-activity-7-ab?utm_source=share&utm_medium=member_desktop",
    "https://jane.substack.com/p/a-post?utm_source=substack&utm_medium=email",  # Substack's own e-mail
    "Read: https://www.theverge.com/2024/x?ref=someblog.com",  # a blog engine's outbound ref, a host
    "We launched today https://example.com/launch?ref=producthunt",
    # a host as the source, as a ref= host is: a newsletter's (beehiiv writes every link so), a site's
    "via https://news.example/a?utm_source=www.theneurondaily.com&utm_medium=newsletter&utm_campaign=x",
    "https://www.reuters.com/world/x/?utm_source=reddit.com",
    "All my recipes: https://blog.example/?tag=vegan",   # a blog's tag page, no Amazon associate's tag
    "http://go.redirectingat.com?url=x",                 # the redirect without an affiliate id
    "http://designmodo.com#?u=3",                        # the "parameter" only in a fragment
    "use the code below",                                # a code without a value
    "with code examples in Python",
    "shop my closet",                                    # own second-hand sales, no brand
    "my sister sent me this",
    "partnered with my sister",
    "GEAR WE USED:\n\nSony - http://bit.ly/a",           # a blank line ends the list
    "My socials:\nhttp://bit.ly/tw\nhttp://bit.ly/ig",   # a list, but of social links
    "deep discounts, new video: https://youtube.com/watch?v=1",  # deal wording beside a video platform
    "Huge discounts on my course: https://me.example/course",  # the creator's own product
    "Cheap tricks on my blog: https://me.example/x",
    "It was a big deal: https://news.example/a",         # "deal", not "deals" or an offer
    "Deals\nhttps://shop.example/a",                      # wording on another line
    "https://shop.example/deals-20-off",                 # only the link's own path says it
    # an invite to a community, codes that are no discount, a website that is the creator's
    "Join our Discord: discord.com/invite/abc",
    "Join the Curse Community - https://curse.com/invite/qb1Wawazzk2bah5ZTyz9nw",
    "Join our guild, no rewards for anyone: https://play.game.example/guild/join?invite_code=HILLS",
    # a reference that is no referral, a referral form that is a hospital's
    "Paper (free to read): https://www.sciencedirect.example/science/article/pii/S01406736?referenceID=pubmed",
    "From the library catalogue: https://catalog.library.example/record?referenceID=991234567",
    "Referral form for therapists (PDF): https://www.childrenshospital.example/refer/forms/referral-form.pdf",
    "Referral form: https://www.clinic.example/referral/form.pdf",
    "el código fuente está en https://github.example/x/y",   # "source code"
    "usa el código de abajo",                                # no value that looks like a code
    # a bare "código"/"codice" that says no discount: an error code, a login code
    "Error código 0x80070005 en Windows Update: cómo solucionarlo https://support.example/es-es/help/123",
    "Il codice ABC123 ricevuto via SMS serve per accedere: https://banca.example/login",
    "Website: https://me.example — 20% of profits go to charity",
    # a trial or months free that nobody is offered, or the creator's own
    "My free trial ran out, so I bought it: https://tool.example/pricing",
    "I did a 30 day trial of keto, results: https://blog.example/keto",
    "The gym was free for 2 months: https://gym.example/news",
    "Try our app free for 30 days: https://app.example",
    "the first 100 people to comment get a shoutout https://me.example/x",
    "I was one of the first 50 people to sign up for the beta: https://beta.example/news",
    "The first 100 people to join our server get a role: https://play.example/hills",  # a community's first comers
    "The first 100 people to register get a tote bag: https://fair.example/zines",      # an event's
    "Free trial\nhttps://vpn.example/jane",               # wording on another line
])
def test_commercial_near_misses(text):
    assert not analyse_post(text).sponsored, analyse_post(text).signals


# A shortened link with nothing selling beside it, where shortener_alone is set (off by
# default: it wronged too many organic posts, docs/HEURISTICS.md): accused, quoting its line,
# unless the line or its list's header says it leads to the creator's own channels or
# somewhere that is no brand's.
ALONE = SponsoredSettings(shortener_alone=True)


@pytest.mark.parametrize("text, context", [
    ("Click link: https://goo.gl/TIo1T2", 'hides where it leads (its line: "Click link:")'),
    ("Sciatica Treatment 2016 - Visit http://bit.ly/x",
     'hides where it leads (its line: "Sciatica Treatment 2016 - Visit")'),
    ("👉 bit.ly/3xYz", 'hides where it leads (its line: "👉")'),
    ("Love this serum so much\nhttp://bit.ly/serum", "hides where it leads (alone on its line)"),
    # no list across a blank line
    ("GEAR WE USED:\n\nSony - http://bit.ly/a", 'hides where it leads (its line: "Sony -")'),
    ("My favourites:\nhttp://bit.ly/a\nhttp://bit.ly/b", "hides where it leads (alone on its line)"),
    # words of the no-brand list that are products too
    ("Love this watch 😍 bit.ly/w", 'hides where it leads (its line: "Love this watch 😍")'),
    ("Apply twice daily on damp skin ✨ bit.ly/serum",
     'hides where it leads (its line: "Apply twice daily on damp skin ✨")'),
    ("Obsessed with this paper planner bit.ly/pl",
     'hides where it leads (its line: "Obsessed with this paper planner")'),
])
def test_a_shortener_alone_is_a_commercial_signal(text, context):
    url = next(word for word in text.split() if "/" in word)
    analysis = analyse_post(text, settings=ALONE)
    assert ("shortened_link", f"{url} … {context}") in analysis.signals
    assert analysis.disclosure == "missing"
    assert analysis.problems[0].startswith(f'undisclosed ad: shortened link "{url}" {context}')
    assert not analyse_post(text).sponsored  # the default


@pytest.mark.parametrize("text", [
    "Actions on Google docs → http://bit.ly/2YabdS5",   # Google Developers' own docs (a real description)
    "Read the full article: https://bit.ly/3kq",
    "Slides from my talk: bit.ly/slides22",
    "New episode out now → https://buff.ly/ep12",
    "Part 2: http://bit.ly/RichNoob",
    "Watch the trailer http://tinyurl.com/tr",
    "Apple Music: http://apple.co/x\nGoogle Play: http://bit.ly/y",
    "Tickets for the tour: bit.ly/tour23",
    "Sign up for the newsletter: https://cutt.ly/nl",
    "RSVP here: bit.ly/party",
    "Vote for us! http://bit.ly/vote",
    "Menu: bit.ly/menu",
    "More info: https://goo.gl/abc",
    "Register now: https://ow.ly/reg",
    "Episodes:\nhttp://bit.ly/e1\nhttp://bit.ly/e2",  # the list's header says where they lead
    "My socials:\nhttp://bit.ly/tw\nhttp://bit.ly/ig",
])
def test_a_shortener_to_no_brand_is_no_signal(text):
    assert not analyse_post(text, settings=ALONE).sponsored, analyse_post(text, settings=ALONE).signals


@pytest.mark.parametrize("text", [
    "Merch-drop is live! Get yours: bit.ly/m",            # own words before a hyphen still count
    "Patreon-only bonus episode, get it here: bit.ly/p",
])
def test_own_words_before_a_hyphen_are_no_brand(text):
    assert analyse_post(text).disclosure == "not_needed", analyse_post(text).signals


def test_own_merch_behind_a_shortener_sells_but_owes_no_label():
    """The creator's own products: selling wording (promotional), no brand signal, no accusation."""
    analysis = analyse_post("Buy my merch: http://bit.ly/merch")
    assert [kind for kind, _ in analysis.signals] == ["selling"]
    assert analysis.sponsored and analysis.disclosure == "not_needed"


def test_shortener_and_pattern_lists_are_settings():
    assert not analyse_post("Buy it: https://sho.rt/x").sponsored
    assert analyse_post("Buy it: https://sho.rt/x", settings=SponsoredSettings(shortener_domains=["sho.rt"])).sponsored
    assert not analyse_post("https://shop.example/p?cid=7").sponsored
    custom = SponsoredSettings(affiliate_url_patterns=["shop.example/*?cid="])
    assert analyse_post("https://shop.example/p?cid=7", settings=custom).sponsored
    assert not analyse_post("https://www.amazon.com/dp/B01?tag=x", settings=SponsoredSettings(
        affiliate_url_patterns=[])).signals == []  # tag= is an affiliate query on any host regardless


@pytest.mark.parametrize("text", [
    # a code in another language with no brand in sight, or in a shop's own post
    "con el código VERANO30",
    "Código de descuento: LAURA15 (15% en toda la web)",
    "¡Envíos a toda Colombia! con el código VERANO30 en tienda.example.com/x",
    # a shop's own code in its own words, beside its own site
    "Código HOLA15 para un 15% de descuento en mi tienda: https://www.ceramicasmaria.example",
    "15% de desconto usando o cupom VELAS15 no meu site: https://www.velasdaju.example",
    "Mit dem Code SOMMER bekommt ihr 15% Rabatt in meinem kleinen Shop: https://www.strickliebe.example",
    "Usate il codice NATALE10 per uno sconto del 10% nel nostro negozio online: https://www.bottega.example",
    "Start a free trial of my course: https://me.example/course",
    "Get 2 months free of our app: https://app.example/start",
    "20% off my new book this week: https://books.example/mine",
    "NORTH AMERICAN TOUR ON SALE NOW 🎟️ band.example/tour",  # tickets on sale: for sale, not cut in price
])
def test_an_offer_on_the_creators_own_work_is_no_undisclosed_ad(text):
    analysis = analyse_post(text)
    assert [kind for kind, _ in analysis.signals if kind != "selling"] == []
    assert analysis.disclosure == "not_needed"


@pytest.mark.parametrize("text, signal", [
    # a sponsor's offer in the sentence of a link that names whoever shares it
    ("Get 2 months free of Skillshare. https://skl.sh/jane",  # the link stands after its sentence
     ("deal_link", 'https://skl.sh/jane … beside "Get 2 months free"')),
    ("$10 off your first box at https://meals.example/discount/JANE10",
     ("deal_link", 'https://meals.example/discount/JANE10 … beside "$10 off"')),
    ("Descuento exclusivo en NordVPN con mi enlace: https://vpn.example/lucia",
     ("deal_link", 'https://vpn.example/lucia … beside "Descuento exclusivo"')),
    ("Get Brilliant free for 30 days at https://brilliant.example/lp/jane",
     ("deal_link", 'https://brilliant.example/lp/jane … beside "Get Brilliant free for 30 days"')),
    ("Start your free trial at https://vpn.example/special/janecuts",
     ("deal_link", 'https://vpn.example/special/janecuts … beside "Start your free trial"')),
    ("Descuento del 20% en Holded con mi enlace: https://www.holded.example/es/promo/jane",
     ("deal_link", 'https://www.holded.example/es/promo/jane … beside "Descuento del 20%"')),
])
def test_a_sponsors_offer_beside_its_link(text, signal):
    assert signal in analyse_post(text).signals


@pytest.mark.parametrize("text", [
    # the same offers beside a page anyone reaches: an article, a product page, a slug, the bare
    # site, a page's own word, a government's or a school's host
    "If you prefer Premiere, Adobe has a 7-day free trial: https://www.adobe.example/products/premiere/trial.html",
    "The first 50 people to sign up get gloves: https://www.surfrider.example/events/beach-cleanup",
    "Special offer for our neighbours, free seedlings this weekend: https://www.eastsidegarden.example",
    "Descuento para jubilados en el abono transporte: https://www.crtm.example/billetes-y-tarifas",
    "Black Friday: 7 dicas para não cair em desconto falso. https://www.idec.example/dicas",  # the word alone
    "Con descuento para hermanos: https://www.colegio.example/funcion",
    "Get 3 months free of Apple Music with eligible AirPods: https://www.apple.example/promo/",
    "Exclusive offer from the city: free bins, https://www.city.example/es/noticias/contenedores",
    "$10 off for students this week with your ID: https://bookstore.stateu.edu/textbooks",
    "Museus com desconto de 50% para estudantes: https://www.sp.gov.br/museus",
    # in another sentence than the link, or quoted
    "Get 2 months free? Nope. Paramount+ cut its trial to 7 days. Story: https://news.example/paramount",
    "Kindle 'get 2 months free' emails are phishing, how to report them: https://guide.example/phishing",
])
def test_an_offer_beside_a_page_anyone_reaches_is_no_sponsors(text):
    analysis = analyse_post(text)
    assert [kind for kind, _ in analysis.signals if kind != "selling"] == []
    assert analysis.disclosure == "not_needed"


def test_deal_wording_is_ignored_beside_the_configured_social_hosts():
    text = "Deals on everything: https://myshop.example/all"
    assert analyse_post(text).signals == [("deal_link", 'https://myshop.example/all … beside "Deals"')]
    assert analyse_post(text, settings=SponsoredSettings(social_domains=["myshop.example"])).signals == []
    assert analyse_post("Deals: https://shop.myshop.example/a", settings=SponsoredSettings(
        social_domains=["myshop.example"])).signals == []  # and their subdomains
    assert analyse_post(text).problems == [
        'undisclosed ad: link offering a deal "https://myshop.example/all" beside "Deals" with no #ad, #sponsored '
        'or "Paid partnership" label']


def test_accusation_quotes_link_and_wording():
    analysis = analyse_post("GEAR:\nCamera - http://bit.ly/cam\nuse my link to save")
    assert analysis.disclosure == "missing"
    assert analysis.problems == [
        'undisclosed ad: shortened link "http://bit.ly/cam" beside "Camera"; shopping link wording '
        '"use my link" with no #ad, #sponsored or "Paid partnership" label']


# --- The one-line baselines ---------------------------------------------------------------

@pytest.mark.parametrize("text, undisclosed", [
    ("see http://x.com/p", True),
    ("see www.x.com/p", True),
    ("see http://x.com/p (affiliate)", False),
    ("http://x.com/p I earn a commission", False),
    ("sponsored http://x.com/p", False),
    ("http://x.com/p #ad", False),
    ("http://x.com/p #adventure", True),
    ("no link here", False),
])
def test_baseline_undisclosed(text, undisclosed):
    assert baseline_undisclosed(text) is undisclosed


@pytest.mark.parametrize("text, sponsored", [
    ("#ad new serum", True), ("#Sponsored trip", True), ("#adventure", False), ("use code GLOW", False)])
def test_baseline_sponsored(text, sponsored):
    assert baseline_sponsored(text) is sponsored


def test_a_gift_is_read_where_readers_see_it_not_in_tag_metadata():
    """A #gifted only in the platform's tag list (a classroom's "gifted" programme) is no
    label; "#gifted by @sephora" names one label, not the tag and its phrase twice."""
    assert not analyse_post("First day in our new classroom", hashtags=["gifted"]).sponsored
    assert labels("#gifted by @sephora, I love this lip oil")[1] == ["#gifted"]


@pytest.mark.parametrize("text", [
    "Gifted by my mum 💕 the blender I use",            # a gift from family or God is no ad at all
    "My voice was gifted from God",
    "I was gifted this by my grandma for my birthday",
    "\tPublicidad: 3 lecciones que aprendí en la agencia",  # a topic word after a tab is still the topic
])
def test_no_brand_no_ad(text):
    assert not analyse_post(text).sponsored, analyse_post(text).signals


@pytest.mark.parametrize("text", [
    "Order my new book from Waterstones: bit.ly/x",     # the creator's own work, wherever it is sold
    "Pre-order my debut album on vinyl: bit.ly/v",
    "Download our app for iOS: bit.ly/i",
    "Grab tickets for our tour in March: bit.ly/t",
    "Get my new book on Amazon: bit.ly/x",
])
def test_own_work_sold_through_a_shortener_is_no_undisclosed_ad(text):
    assert analyse_post(text).disclosure != "missing", analyse_post(text).signals


@pytest.mark.parametrize("text, kind, label", [
    ("Paid partner @glowco\nMy new serum, use code GLOW20", "adequate", "Paid partner"),
    ("Paid partner Glowco — use code GLOW20", "adequate", "Paid partner"),
    ("✨ Paid partner: @glowco. Use code GLOW20", "adequate", "Paid partner"),
    ("Loving this serum. Paid partner: @glowco. Use code GLOW20", "adequate", "Paid partner"),
    ("Gifted: the Luna Skin serum, use code GLOW20", "weak", "Gifted"),
    ("Gifted by The Ordinary, use code GLOW20", "weak", "Gifted by The Ordinary"),
    ("Gifted by glowco, use code GLOW20", "weak", "Gifted by glowco"),
    ("Loving it! gifted by the team at @glowco, use code GLOW20", "weak", "gifted by the team at @glowco"),
    ("Fashion faux pas #ad" + LINK, "adequate", "#ad"),  # English labels, other languages' words before
    ("Comic Sans #ad" + LINK, "adequate", "#ad"),
    ("Sin #ad" + LINK, "adequate", "#ad"),
    ("No filter needed #ad" + LINK, "adequate", "#ad"),  # a negation two words away denies nothing
    ("I'm not mad about it #GlowcoPartner" + LINK, "adequate", "#GlowcoPartner"),
])
def test_labels_read_in_their_forms(text, kind, label):
    adequate, weak, denials, disclosure = labels(text)
    assert disclosure == kind and label in (adequate if kind == "adequate" else weak), (adequate, weak, denials)


# After the real posts of the intent set (docs/HEURISTICS.md): whose @mention is no brand.
@pytest.mark.parametrize("text", [
    "Support our heroes\n💥Check the link in Bio 👉@usaveteranspride",  # whose bio holds the link
    "Check the link in bio: @veteransfamily",
    "Memes daily\nFollow @memepage for more\nLink in bio",             # an account to follow
    "#Repost @veteranworld\nlink in bio",                               # a repost's source
    "Beckham spotted wearing @rolex although he is a @tudorwatch ambassador",  # someone else's deal
    "I am an ambassador for Christ. More in the link in my bio",
    "I am an ambassador for the Lord and proud of it 🙏",
    "So proud of my son, he’s a @nike ambassador now!",
    "BREAKING: HE IS NOW A @NIKE AMBASSADOR 🔥 Full story, link in bio",
    "He is an ambassador for @unicef and has raised thousands",
    "BREAKING: Haaland signs with Nike. He's now a @nike ambassador and his boots go on pre-order Friday.",
    "Gotta get yourself a good book this summer",                       # not "get yours"
])
def test_no_brand_behind_these_mentions(text):
    """Never an accusation; someone else's ambassadorship stays a weak label (a parent's account
    may say it of a child: "My daughter is a @carters ambassador, use code MIA15")."""
    assert analyse_post(text).disclosure != "missing", analyse_post(text).signals


@pytest.mark.parametrize("text", [
    "I am an ambassador for Christ. More in the link in my bio",
    "I am an ambassador for the Lord and proud of it 🙏",
])
def test_an_ambassador_of_faith_is_no_sponsorship(text):
    assert analyse_post(text).weak_labels == [], analyse_post(text).weak_labels


@pytest.mark.parametrize("text", [
    "So excited to have partnered with Heaven Hill for this cocktail 🥃",
    "Partnering with Lord Jones to bring you calm ✨",
    "My husband is a @whoop ambassador 💪 use his code JOE20 for 20% off",
    "My daughter is a @carters ambassador 💕 use code MIA15 for 15% off",
])
def test_named_partners_and_family_ambassadors_stay_weak_labels(text):
    assert analyse_post(text).disclosure == "weak", (analyse_post(text).signals, analyse_post(text).weak_labels)


@pytest.mark.parametrize("text", [
    "Loving my new serum from @glowco! Link in bio",                   # a brand beside the link
    "Link in bio 👉 my discount from @glowco, 20% off",
    "She is amazing. Also: link in bio, shop now with @glowco",
    # a review's brand posts: a handle a pointer or credit names is still a brand beside "shop now"
    "Obsessed with my new @glowco serum ✨ Shop now and follow @glowco for more tips!",
    "Follow @hellofresh and get 60% off your first box, shop now 🥗",
    "My glow secret 🤫 Shop now, link in bio 👉 @glowco",
    "#repost @glowco ・・・ Our summer sale is on! 30% off everything, shop now",
    "Repost from @nike: Just Do It. Shop the new Air Max now at nike.com",
    "📸 @glowco studio. Wearing the new @glowco lip oil, get yours now with 20% off",
    "Our favourite store @zara has the best linen this summer 🤍 link in bio",
    "Obsessed with the new @glowco serum 😍 link in bio to try it, and follow @glowco for more!",
])
def test_a_brand_beside_link_in_bio_is_still_one(text):
    assert analyse_post(text).disclosure == "missing", analyse_post(text).signals


@pytest.mark.parametrize("text, label", [
    ("ARE YOU FEMALE OR MALE? 💕 -werbung .\nI tried the smoothies by @oyaoriginal, use code OYA10", "-werbung ."),
    ("*Anzeige*\nMein neues Serum von @glowco, use code GLOW20", "*Anzeige*"),
    ("– Werbung –\nMein neues Serum von @glowco, use code GLOW20", "– Werbung –"),
    ("✨ *Anzeige* ✨\nMein neues Serum von @glowco, use code GLOW20", "*Anzeige*"),
])
def test_labels_of_other_languages_set_off_by_dashes_or_stars(text, label):
    adequate, weak, denials, disclosure = labels(text)
    assert disclosure == "adequate" and any(label.strip(" .–-*") in a for a in adequate), (adequate, disclosure)


@pytest.mark.parametrize("text", [
    "Online-Werbung ist nervig, use code GLOW20 at @glowco",              # a compound, not a label
    "Sorry - Werbung ist doof, but use code GLOW20 at @glowco",
    "Meine Aufgaben:\n- Social Media\n- Werbung\n- Events planen. use code GLOW20 at @glowco",  # a list
    "Fahrrad geklaut, Polizei war da – Anzeige. use code GLOW20 at @glowco",
    "Hab gestern *Anzeige* gegen den Vermieter erstattet, use code GLOW20 at @glowco",
])
def test_a_dash_inside_words_sets_off_no_label(text):
    assert labels(text)[3] == "missing", labels(text)


@pytest.mark.parametrize("text", [
    "New arrivals for our Summer Sale! Enjoy 40% off everything! Use code:EXTRA40\n👉🏼Shop link in bio",
    "Free shipping! Our summer sale is on: 20% off $75 with code: DaysOfSummer",
    "Use code SUMMER20 for 20% off everything in my Etsy shop",
    "Tee! Shop our new designs on Etsy. https://www.etsy.com/shop/StandAndUnite?ref=search_shop_redirect",
    "Shop our\nsummer sale 🌸 use code SUMMER30 for 30% off",
])
def test_the_posters_own_shop_sells_but_owes_no_label(text):
    """A code or "link in bio" for the poster's own shop: promotional, no undisclosed ad."""
    analysis = analyse_post(text)
    assert analysis.sponsored and analysis.disclosure == "not_needed", analysis.signals


@pytest.mark.parametrize("text", [
    "Loving @glowco serum, use my code GLOW20 for 20% off",                    # a brand's code
    "Use code GLOW20 at @glowco, our new collab collection is out",           # the brand named
    "Cute bag https://www.etsy.com/listing/1/x?utm_source=affiliate_window",  # Etsy's affiliates
    "My faves: https://shop.example.com/x?ref=creator12",                     # ref= elsewhere
    # a review's brand posts that name a site, a menu or a favourite store: not the poster's shop
    "New blog post up on my website! I tried the Glowco serum for 30 days. Use code JESS20 for 20% off",
    "Welcome to our new menu with Uber Eats 🍔 use code EATS20 for 20% off",
    "Stocked up at our favourite store on Glowco serums, use code JESS20 for 20% off at glowco.com",
    "Visit our friends at @glowco and use code JESS20 at checkout",
    "New episode is up on our site, brought to you by AG1. Use code PODCAST for 20% off",
    "Shop our look 👗 everything from Revolve, use code JESS15 for 15% off",
    "Our sale picks from Glowco's summer sale! Use code JESS20 for 20% off",
    # a second review's: a creator's "our"/"my" that is no shop of theirs, or a code spent at a store named
    "Hey loves! Glowco just dropped our collab collection 😍 Shop our collab collection with code JESS20 for 20% off",
    "Shop our favourite Wayfair products for the nursery, use code HOME20 for 20% off at checkout",
    "Use code SMITHFAM for 15% off at checkout. It made our first store run with the twins so easy 🙌",
    "The kids love playing in our little shop (the play market), use code PLAY15 for 15% off at kidkraft.com",
    "Built this table in my shop with the new saw. Use code MIKE10 for 10% off at DeWalt",
    "Glowco's vitamin C serum is linked in my shop 🛍 use code ANNA15 for 15% off",
    "Shop our summer sale picks! use code COOK20 for 20% off at ninjakitchen.com",
    # a third review's: a grocery order, a sale essentials list, a storefront of links, a brand named
    "Our online shop order from H&M arrived 😍 Use code ANNA15 for 15% off",
    "Our big shop arrived from Ocado 🛒 Use code ANNA10 for £10 off your first order",
    "Shop our Sephora sale essentials ✨ use code COUPLE10 for 10% off",
    "Outfit details are up in my shop 🔗 Use code ANNA20 for 20% off",
    "Everything in my shop is from @revolve 💃 use code ANNA20",
])
def test_a_brand_behind_the_code_or_link_is_still_one(text):
    assert analyse_post(text).disclosure == "missing", analyse_post(text).signals


def test_etsys_own_navigation_tag_is_no_affiliate_link_on_any_of_its_domains():
    for host in ("www.etsy.com", "www.etsy.de", "etsy.co.uk"):
        text = f"Ring https://{host}/listing/123/ring?ref=shop_home_active_1"
        assert analyse_post(text).disclosure != "missing", (host, analyse_post(text).signals)
    assert analyse_post("Ring https://www.etsy.de/listing/1/r?utm_source=affiliate_window").disclosure == "missing"


@pytest.mark.parametrize("text", [
    "Meine Hassliste 2024:\n*Werbung*\n*Montage*\n*Stau auf der A7*",              # a list
    "Der Artikel von heute:\nDie Stadt plant einen Radweg.\n– Anzeige –\nDie Bauarbeiten beginnen.",
    "Spotify Free vs Premium? Premium heißt: -Werbung",                              # a minus
    "Nouveau forfait mobile pour mamie : +data -publicité",
    "Projekttage mit @medienzentrum_koeln 🎬\n*Film*\n*Werbung*\n*Fotografie*",   # a mention is no signal here
    "Endlich YouTube Premium dank @jonas 🙌 Vorteile: Offline, Hintergrund, -Werbung",
])
def test_set_off_ad_words_without_any_signal_are_no_label(text):
    """Set off by stars or dashes, an ad word is a label only beside a commercial signal."""
    assert not analyse_post(text).sponsored, analyse_post(text).adequate_labels


@pytest.mark.parametrize("text", [
    "Guess who's a @glowco ambassador?! 🙋‍♀️ Link in bio for my favourites",       # first person, boasting
    "This mom is officially a @pampers ambassador 🙋‍♀️ link in bio to try them",
])
def test_a_first_person_boast_is_still_a_sponsorship(text):
    assert analyse_post(text).weak_labels, analyse_post(text).signals
