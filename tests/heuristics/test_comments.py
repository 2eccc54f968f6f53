"""The comment classifier: each class and phrase family at its boundary, and the figures on YouTube spam."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from microscout.heuristics import comments as c
from microscout.heuristics.comments import CommentThresholds, baseline_is_spam, classify_comment, clean
from microscout.heuristics.measure import Scorecard
from tests.conftest import SHARED

# (comment, kind it must get) — each family with a comment that must fire ...
FIRES = [
    # links and off-platform contact
    ("great tips, more at www.example.com/deals", "link"),
    ("http://bit.ly/abc", "link"),
    ("free beats at nobodybeats dot com", "link"),
    ("text me on whatsapp +44 7700 900123", "link"),
    ("for collabs write to nobody.music@gmail.com", "link"),
    ("best prices at shopnow.net", "link"),
    # self-promotion
    ("sub to me", "self_promotion"),
    ("Please subscribe, I sub back", "self_promotion"),
    ("sub 4 sub anyone?", "self_promotion"),
    ("Help me get 50 subs please", "self_promotion"),
    ("road to 1k subs!", "self_promotion"),
    ("I need 20 more subscribers", "self_promotion"),
    ("Check out the new hot video by Lil Nobody", "self_promotion"),
    ("Check out this video on YouTube:<br />\ufeff", "self_promotion"),
    ("check out this amazing parody", "self_promotion"),
    ("Check out Nobodyrapz, he is so underrated", "self_promotion"),
    ("Check out my channel for more covers!", "self_promotion"),
    ("check my new remix", "self_promotion"),
    ("I did a remix of this, check it out", "self_promotion"),
    ("my new cover is up", "self_promotion"),
    ("go to my channel for more", "self_promotion"),
    ("visit my page", "self_promotion"),
    ("follow me and I follow back", "self_promotion"),
    ("f4f", "self_promotion"),
    ("like this comment so everyone sees it", "self_promotion"),
    ("please like and share", "self_promotion"),
    ("please share the video with everyone", "self_promotion"),
    ("please share this", "self_promotion"),
    ("I'm a 15 year old rapper from London", "self_promotion"),
    ("Hey guys, I'm an independent singer", "self_promotion"),
    ("new youtuber here", "self_promotion"),
    ("I just uploaded a new cover", "self_promotion"),
    ("i make covers", "self_promotion"),
    ("give my music a chance", "self_promotion"),
    ("pls suscribe", "self_promotion"),
    ("Be my first subscriber", "self_promotion"),
    ("suscríbete a mi canal", "self_promotion"),
    ("Help me out by checking me out?", "self_promotion"),
    ("Take a look at this video on YouTube:", "self_promotion"),
    ("I make Minecraft videos", "self_promotion"),
    ("like and subscribe", "self_promotion"),
    ("Sucscribe to me!", "self_promotion"),
    ("if i reach 100 subscribers i will sing in the street", "self_promotion"),
    ("Im a 12 yr old music producer", "self_promotion"),
    ("I made a gaming channel", "self_promotion"),
    ("it would be great if you checked out some of my remixes", "self_promotion"),
    ('search "DJ Nobody - Nights" on youtube', "self_promotion"),
    # selling followers, subscribers, views
    ("buy followers now", "selling"),
    ("selling real instagram followers", "selling"),
    ("cheap youtube views", "selling"),
    ("if you need youtube subscriber mail me", "selling"),
    ("we promote your channel", "selling"),
    # scams
    ("i made £20k with the help of @fx_trader_jo", "scam"),
    ("contact him on whatsapp", "scam"),
    ("earn $300 per day from home", "scam"),
    ("work from home and earn $500 weekly", "scam"),
    ("you can make $200 a day with this app", "scam"),
    ("passive income is the way, DM me", "scam"),  # since stage 9, with a way to take it up
    ("I invested in bitcoin with her and got huge profits", "scam"),
    ("free amazon gift cards here", "scam"),
    ("win a free iphone", "scam"),
    ("robux generator no human verification", "scam"),
    ("earn real money from a game", "scam"),
    # added after reading Eminem's errors
    ("see the whole story at w w w. nobodyreport. net", "link"),
    ("EVERYONE SHARE youtu  be/ARkglzjQuX0 TO VOTE", "link"),
    ("new gameplay right here : /watch?v=6_H0m5sAYho", "link"),
    ("the only thing she used was pimpmyviews. com", "link"),
    ("check out fantasy music    right here -------> the1fantasy", "self_promotion"),
    ("Check out a song I wrote and sing on You Tube", "self_promotion"),
    ("Sorry for spamming, just trying to motivate people", "self_promotion"),
    ("If you're bored come see what I've done so far!", "self_promotion"),
    ("share and like this page to win a hand signed photo", "scam"),
    ("hot singles in your area want to meet", "scam"),
    # added after reading YSE PlayStation4's and Avengers' errors: addresses written to slip past filters
    ("full movie in HD at freeflix.allalla.com", "link"),
    ("best deals at shopnow.com join today", "link"),  # an English word after a plain address
    ("message me on t.me/cryptoqueenx", "link"),  # a messenger's link, lower case
    ("cheap consoles here (gamesdepot.co.uk)", "link"),
    ("free codes at \uff57\uff57\uff57.FreeGameCodes.\uff43om", "link"),  # full-width letters
    ("the best dating site: MyDateFinder.co\u200bm", "link"),  # a zero-width space inside
    ("watch it free here --->>> goo.gl\\Ab12Cd", "link"),
    ("download: hdtv.example.vn/viewtopic.php?f=1", "link"),
    ("hack any account, visit FreeToolsDOTcom", "link"),
    ("legit stream: tinyurl*com/freestream", "link"),
    # added after reading the Instagram set's errors (ScamSpot), then narrowed by two reviews'
    # audiences (tests/heuristics/data/genuine-comments-*-bait.txt): each needs two signals
    ("im paying 5 grand to the first 10 people to message me hard times", "scam"),
    ("giving out $5000 for the first (5) people to dm me", "scam"),
    ("i deposited $2 000 to test the waters, after 7 days i got a return of $19 500 @martha.farrell.fx", "scam"),
    ("$9000 after investing 1300usd, thanks so much #_katrina_avila_", "scam"),  # no days needed here
    ("i traded $500 with @alice_entrepreneur_fx and got back $5 000 in 3 days", "scam"),
    ("my $2000 has become $11780 in just a week, thank you mrs. sarah", "scam"),
    ("so much joy, just received my profit of $6000 all thanks to her", "scam"),
    ("thanks a lot @earn_with_lucy_1, i received the $12 000 in my wallet", "scam"),
    ("her diligence and honesty is undeniable @martha.farrell.fx", "scam"),
    ("#buildwealthwithmilly i got $8 500 back", "scam"),  # an account named for money, and a gain
    ("mate you've made me £14 000 @trade_with_denise", "scam"),
    ("\u026a \ua731\u1d1b\u1d00\u0280\u1d1b\u1d07\u1d05 \u1d21\u026a\u1d1b\u029c $2 000 \u1d00\u0274\u1d05 "
     "\u0262\u1d0f\u1d1b $12 400 \u026a\u0274 3 \u1d05\u1d00\u028f\ua731 @invest_with_sara_fx", "scam"),  # small capitals
    # read further (ScamSpot): an account written as a hashtag, beside what it is credited for
    ("two months trading with #_stephaniecolby_ and my withdrawals come every week", "scam"),
    ("you saved my life out of debt, i will keep telling people #ameliaa__mckean_", "scam"),
    ("i`m happy to be a member of your team, my first withdrawal came today #tradewithelba__", "scam"),
    ("funding six bands for first ten people to \u201cinbox\u201d me \u201cstruggling\u201d", "scam"),
    ("i\u2019m paying the debts of the first 5 people to dm me \u201cdepressed\u201d", "scam"),
    ("i\u2019ll help first 3 people to message me \u201chello\u201d with $2500", "scam"),
    # added after reading the blind YouTube set (stage 6)
    ("Copy and paste this on 10 other videos or your crush will never talk to you", "scam"),
    ("if you don't repost this you will have bad luck for 10 years", "scam"),
    ("CLICK MY NAME for free stuff", "self_promotion"),
    ("quer ganhar seguidores? \u00e9 s\u00f3 clicar no meu perfil", "self_promotion"),
    ("kanal\u0131ma abone olun l\u00fctfen", "self_promotion"),
    ("\u041f\u043e\u0434\u043f\u0438\u0448\u0438\u0442\u0435\u0441\u044c \u043d\u0430 \u043c\u043e\u0439 "
     "\u043a\u0430\u043d\u0430\u043b", "self_promotion"),  # Russian: subscribe to my channel
    ("Venta de seguidores y likes, precios bajos", "selling"),
    ("Copy and paste this on 5 videos or you will never find love", "scam"),
    ("Eu ganho R$ 200 por dia trabalhando em casa", "scam"),
    ("Dapatkan uang dari internet cuma modal HP, info klik link di profil", "scam"),
    # added after reading the Instagram scams written blind and by the reviews (stage 7)
    ("my instagram was hacked last week, @cyber_recover.team got my account back in an hour", "scam"),
    ("Need a legit hacker? Recover stolen crypto fast, DM me", "scam"),
    ("I was skeptical but @brian.trades proved me wrong, $5k turned into $43k", "scam"),
    ("send me $200 and get $2,000 back today, DM me", "scam"),
    ("I invested 3k and received 27k in 9 days thanks to @linda_fxtrades", "scam"),
    ("Gorgeous shot! Promote it on @travel.boost.page", "selling"),
    ("Love your vibe! We are looking for ambassadors, DM @glowcare.shop", "scam"),
    ("Blessing 5 families with $500 each today, drop your cashtag", "scam"),
    ("$ZORBX presale is live, 100x incoming", "scam"),
    ("Bad credit? No credit check loans up to $10k, DM @fastcash.usa", "scam"),
    ("I make $3,000 a week from my phone, comment INFO", "scam"),
    ("Join my VIP signals group, 98% win rate, DM me", "scam"),
    ("Thank you Mrs Olivia for my 5th payout this month", "scam"),
    ("Get the blue tick on your page in 48 hours, DM for price", "selling"),
    ("I recommend @spy.tech.pro for catching a cheating husband, 100% discreet", "scam"),
    ("Instagram Support: verify within 24 hours or your account will be disabled", "scam"),
    ("bored and lonely 😏 check my b!o", "scam"),
    ("Don't fall for the fakes here, contact @fund.recovery.desk, they got my money back", "scam"),
    ("We are looking for ambassadors, send us your rates and DM us", "scam"),
    ("I'm a widower working offshore, you look beautiful, message me on hangouts", "scam"),
    ("Sugar daddy available, pays 300k weekly, DM", "scam"),
    ("slot gacor hari ini, dijamin maxwin 🎰", "scam"),
    ("simple tasks on your phone pay $300 a day, DM on telegram", "scam"),
    ("Grâce à Mme Durand j'ai gagné 6 000 € en une semaine", "scam"),
    ("Congrats, you have been selected as our winner! DM @prize.desk to claim your reward", "scam"),
]

# ... and a near miss that must not (class it gets instead).
NEAR_MISSES = [
    # vs the addresses written to slip past filters (YSE): words after a missing space, code, asterisks
    ("we watched it as a family.co workers loved it too", "genuine"),  # no bare .co or .tk address
    ("Piękna piosenka, wiesz.co za głos", "genuine"),  # Polish "co": what
    ("lagu ni memang best.tk faham orang yang dislike", "genuine"),  # Malay "tk": not
    ("Musica linda demais.fiquei.com vontade de ouvir de novo", "genuine"),  # vs "freeflix.allalla.com"
    ("Ik heb.net de hele video gekeken", "genuine"),  # Dutch "net": just
    ("tell.us.in the comments what you think", "genuine"),  # vs "gamesdepot.co.uk"
    ("switched from the.tv/radio to this channel", "genuine"),  # vs "youtu.be/6_H0m5sAYho"
    ("Obrigada a tod@s.com carinho", "genuine"),  # vs "nobody.music@gmail.com"
    ("Perfeito.Chorei.com essa musica", "genuine"),
    ("just call self.logger.info before the loop", "genuine"),
    ("what a day, had to sign.in/out of three apps", "genuine"),  # vs "hdtv.example.vn/viewtopic.php"
    ("this was *com*pletely unexpected", "genuine"),  # vs "tinyurl*com/freestream"
    ("gross * net margin is what matters", "genuine"),
    ("shoutout to @KimDotcom for the tip", "genuine"),  # vs "FreeToolsDOTcom"
    ("I'm a dot com kid, grew up on dial-up and this song", "genuine"),  # vs "nobodybeats dot com"
    ("ASP.NET Core version of this tutorial please", "genuine"),  # vs "shopnow.net"
    ("最高ｗｗｗ.次の動画も楽しみ", "generic"),  # full-width laughter, short; vs "ｗｗｗ.FreeGameCodes.ｃom"
    ("version 2.0 of the song is out and it is better", "genuine"),
    ("connect the dots on this one and it all makes sense", "genuine"),
    ("this video has 2,000,000,000 views, can you believe it", "genuine"),
    ("shoutout to @anna.k for showing me this song", "genuine"),
    ("I subscribed to the newsletter of my school", "genuine"),
    ("I subscribed years ago and still listen to this song", "genuine"),
    ("help me find the name of the song at the end", "genuine"),
    ("congrats on reaching 10 million subscribers, you deserve it", "genuine"),
    ("she has more subscribers than anyone else on youtube", "genuine"),
    ("check out the video at 2:31", "genuine"),
    ("I am going to visit my grandma this weekend and play her this", "genuine"),  # vs "visit my page"
    ("we visit our family in Spain every summer", "genuine"),
    ("the before and after, check it out at 4:12", "genuine"),  # vs "I did a remix of this, check it out"
    ("Can you please share the recipe for the sauce?", "genuine"),  # vs "please like and share"
    ("please share your morning routine", "genuine"),
    ("check out this part at 2:31, the drums are insane", "genuine"),
    ("I have to check my email after this song", "genuine"),
    ("I had to check this twice to believe it", "genuine"),
    ("this is my favourite song of the whole album", "genuine"),
    ("added this one to my playlist for the road trip", "genuine"),
    ("I go to my happy place when I hear this", "genuine"),
    ("follow my heart is the best line of the song", "genuine"),
    ("please tell me the name of this song", "genuine"),
    ("I'm a 15 year old girl and I love this song", "genuine"),
    ("Hi, I'm a huge fan of the band since day one", "genuine"),
    ("I made this cover myself", "genuine"),
    ("I made a cake with this recipe and it was great", "genuine"),
    ("I made my mom listen to this song", "genuine"),
    ("give it a try, the recipe is easy", "genuine"),
    ("the script of this video was written so well", "genuine"),
    ("the cashier checked me out while this was playing", "genuine"),
    ("I make pancakes every Sunday to this song", "genuine"),
    ("I like and respect her a lot", "genuine"),
    ("I subscribed to my favourite channel years ago", "genuine"),
    ("when she reached 10 million subscribers I cried", "genuine"),
    ("I'm 12 years old and I know every word", "genuine"),
    ("I made a mistake and played it at full volume", "genuine"),
    ('she said "thanks" at the very end', "genuine"),
    ("did they buy views? the number went up so fast", "genuine"),
    ("only real fans still listen in 2015", "genuine"),
    ("real followers of Eminem know this one", "genuine"),
    ("if you need a break, listen to this", "genuine"),
    ("this song grows on you every time", "genuine"),
    ("I told him on the phone about this song", "genuine"),
    ("Psy makes $8000 a day from this video, crazy", "genuine"),
    ("working from home today listening to this", "genuine"),
    ("easy money for Psy with this one lol", "genuine"),
    ("invest in your voice, she really did", "genuine"),
    ("I got a gift card for my birthday and bought the album", "genuine"),
    ("she won a prize for this video at the awards", "genuine"),
    ("so many hot girls in this video haha", "genuine"),
    ("Thumbs up if you're watching in 2015", "generic"),
    ("I'd like it if they toured here again", "genuine"),
    ("I said wow. Com on guys this is great", "genuine"),
    ("the www. was down all day lol", "genuine"),
    ("check out the drop right here at the end", "genuine"),
    ("check out the lyrics, they're genius → so deep", "genuine"),
    ("listen to the song I sang at karaoke lol", "genuine"),
    ("this is the song I wrote my thesis to", "genuine"),
    ("sorry for the long comment but this song means a lot", "genuine"),
    ("come see what all the hype is about", "genuine"),
    ("I'd like to win a grammy like him someday", "genuine"),
    # vs the Instagram investment-scam families (ScamSpot): one signal alone is what audiences say
    ("her honesty is undeniable, best teacher I ever had", "genuine"),  # no trader credited
    ("@charitywater's honesty is undeniable", "genuine"),  # an account, not one named for money
    ("@moneywithkatie helped me get out of debt, I trust her", "genuine"),  # no gain with a sum
    ("invested $500 in VOO in 2019 and now I have about $810", "genuine"),  # years, not days, no one credited
    ("Hey @mike_r I started with $50 and got $200 over 100 days of saving", "genuine"),  # a streak, not days
    ("Deposit $500 and get a $200 bonus in 5 days, new account offer", "genuine"),  # no one credited
    ("got my first payout from the creator fund today!! thank you @tiktok", "genuine"),  # not a trader
    ("giving my old camera to the first 3 people who dm me", "genuine"),  # no money
    ("$25 for the first 100 people to register, message us for the link", "genuine"),  # tickets
    ("$5 off for the first 10 people to dm me", "genuine"),  # a discount
    ("@wetafx the return of the king effects still hold up, $10 on blu-ray", "genuine"),  # a studio's "fx"
    ("@johnny.cash.estate happy returns of the day, my $20 vinyl got back to me", "genuine"),  # "cash" is a name
    ("email support@cash.app, i got $40 back", "genuine"),  # an address, not an account
    ("\u026a \u1d0d\u1d00\u1d05\u1d07 $40 \u1d00\u1d1b \u1d1b\u029c\u1d07 \u0299\u1d00\u1d0b\u1d07 \ua731\u1d00\u029f\u1d07 "
     "#\ua731\u1d0d\u1d00\u029f\u029f\u0299\u1d1c\ua731\u026a\u0274\u1d07\ua731\ua731", "genuine"),  # a topic hashtag
    ("I made $1,200 in one day at the farmers market with my sourdough", "genuine"),  # the narrowed testimonial
    ("@mike_r I made $300 last weekend doing DoorDash", "genuine"),  # the account a reply starts with
    ("I make $18 an hour and still managed to save", "genuine"),  # a wage, not money for little work
    ("making $900 a week as a barber and I'm happy with it", "genuine"),
    ("if you invest $200/month at 7% for 30 years you end up rich", "genuine"),  # a saving
    ("my mum introduced me to this program and I lost 10kg", "genuine"),
    ("dm me to recover your hacked account", "genuine"),  # (recovery offers: not read as scams on their own)
    # vs an account written as a hashtag: feature pages' tags have the same underscores
    ("Thanks for the feature! #astro_photography_", "genuine"),
    ("best money I ever spent on a lens #pics_", "genuine"),  # not money made
    ("would trade my car for this #_everything_jeep", "genuine"),
    ("#forex #trading #investing #forex_trader_ #_daytrader", "genuine"),  # a creator's own tags
    ("got this lens for $200, worth it #astro_photography_", "genuine"),  # a price is no scheme
    ("paying off my debts first, then the first 2 people who dm me get my old bike", "genuine"),
    # vs the blind YouTube set's families (stage 6)
    ("I copy and paste the lyrics into my notes every time", "genuine"),
    ("if you don't like this song you have no taste", "genuine"),
    ("I can't click my profile picture since the update", "genuine"),
    # a third review's fans (tests/heuristics/data/genuine-comments-review-3.txt): the forms that
    # also tell, pleas without a threat, prices and wages, topic tags beside money words
    ("Minha m\u00e3e acessa meu perfil todo dia pra ver se eu comi direito kkkk", "genuine"),
    ("If you don't copy this formula exactly it won't work", "genuine"),
    ("Please repost this to five other pages, our dog Milo went missing", "genuine"),
    ("Eu ganho 1.500 por m\u00eas como professora", "genuine"),
    ("Stickers are $2 for the first 50 people who message me", "genuine"),
    ("I'm giving $20 off to the first 5 people who dm me for a portrait session", "genuine"),
    ("My husband is a day trader and thinks this is the funniest video ever #_relatable", "genuine"),
    ("Nunca vou comprar seguidores", "genuine"),
    ("my name is Sarah and I love this song", "genuine"),
    ("\u044f \u043f\u043e\u0434\u043f\u0438\u0441\u0430\u043b\u0441\u044f \u043d\u0430 \u0442\u0432\u043e\u0439 "
     "\u043a\u0430\u043d\u0430\u043b", "genuine"),  # Russian: I subscribed to your channel
    # vs stage 7's families: warnings, refunds, tries, prices and small sums, God and mothers thanked,
    # other people's returns, tickers talked about
    ("beware of @hack_recovery_pro in these comments, they stole my $400", "genuine"),
    ("Instagram support restored my account after I lost access for a week", "genuine"),
    ("We deposited $200 for the flat and got $200 back after 2 days", "genuine"),
    ("blew my account in 2 weeks trying to flip $500 into $5k lol", "genuine"),
    ("you should promote it on @tiktok too, it would blow up", "genuine"),
    ("send this to @maria she needs to see it 😂", "genuine"),
    ("I'm a Nike ambassador and honestly these shoes are the comfiest", "genuine"),
    ("check your DMs, I sent you the recipe 💕", "genuine"),
    ("I'm sending $5 to the first 10 people who guess the song lol", "genuine"),
    ("Lost 2 eth to a fake airdrop, never connect your wallet to random sites", "genuine"),
    ("my credit score went from 580 to 720 in a year just by paying on time", "genuine"),
    ("I make $18 an hour and still can't afford rent", "genuine"),
    ("my cousin lost money in a telegram trading group promising 3% daily, please cover these scams", "genuine"),
    ("Thank you Mrs Patel for the best maths lessons, she's the real deal", "genuine"),
    ("how do you get the blue tick on instagram?", "genuine"),
    ("my grandpa was a widower for 20 years and this song was his favourite", "genuine"),
    ("burung saya gacor banget pagi ini", "genuine"),  # Indonesian: my bird sings a lot this morning
    ("Vendí tamales y gané $500, gracias a Dios y a mi mamá", "genuine"),
    ("you've won my heart with this video", "genuine"),
    # a second review's (tests/heuristics/data/genuine-comments-review-4.txt)
    ("The pizza place in the video is Tony's, +1 (718) 555-0166, thank me later", "genuine"),
    ("Check your message requests, it's Jess from yoga class", "genuine"),
    ("$GME 100x? I bought at $300 and I'm still down", "genuine"),
    ("Join my VIP group on Discord lol it's just me and two friends playing Valorant", "genuine"),
    ("My grandfather was an army general and my grandma still keeps his beautiful letters", "genuine"),
    ("Kacer gacor hari ini, bunyinya sampai tetangga keluar", "genuine"),  # a songbird
    ("Jangan percaya slot gacor, paman saya habis 50 juta di situs itu", "genuine"),  # a warning
    ("My $10k became $2k trading crypto in 2022, never again", "genuine"),
    ("@recoveryunplugged saved my life when I lost everything, my savings too", "genuine"),
    ("how do you get more followers? I DM'd a few bigger accounts", "genuine"),
    ("i'm giving my old $250 camera to someone who needs it, DM me", "genuine"),
    ("Been trading with her every Sunday for years, Pokemon cards", "genuine"),
    ('ignore everyone saying "contact @recovery_hacker_joe", I got my account back via the help center', "genuine"),
    ("more pics from the trip in my story!", "genuine"),
]


@pytest.mark.parametrize("text, kind", FIRES)
def test_each_family_fires(text, kind):
    verdict = classify_comment(text)
    assert (verdict.label, verdict.kind) == ("spam", kind), verdict.reasons


@pytest.mark.parametrize("text, label", NEAR_MISSES)
def test_near_misses_do_not_fire(text, label):
    verdict = classify_comment(text)
    assert verdict.label == label, verdict.reasons
    assert verdict.kind is None


@pytest.mark.parametrize("text, label", [
    ("🔥🔥🔥", "generic"),
    ("!!!", "generic"),
    ("@anna @ben", "generic"),
    ("love this", "generic"),
    ("Nice pic!! 😍", "generic"),
    ("Such a great post today", "generic"),
    ("wow", "generic"),
    ("I tried this recipe with oat milk and it curdled, any idea why?", "genuine"),
    ("This reminds me of the summer we spent in Lisbon", "genuine"),
    ("the colours in this one are great, what lens did you use for it", "genuine"),  # praise, but says more
])
def test_generic_and_genuine(text, label):
    assert classify_comment(text).label == label


def test_reasons_say_the_kind_the_family_and_the_phrase_in_words():
    verdict = classify_comment("PLEASE SUBSCRIBE to my channel http://x.example")
    assert verdict.label == "spam" and verdict.kind == "self_promotion"
    assert "link: contains a link ('http://x.example')" in verdict.reasons
    assert "self-promotion: asks viewers to subscribe ('SUBSCRIBE')" in verdict.reasons
    assert "self-promotion: names their own channel or work ('my channel')" in verdict.reasons
    assert verdict.matched == ["SUBSCRIBE", "my channel", "http://x.example"]  # the most serious kind first
    assert verdict.as_dict()["kind"] == "self_promotion"
    scam = classify_comment("i made £20k with the help of @fx_trader_jo, check out my channel")
    assert scam.kind == "scam"  # the most serious kind names the comment
    assert scam.reasons[0] == "scam: claims to have made money (testimonial) ('i made £20k')"
    assert "scam: credits a person or account for money (with the help of @…) ('with the help of @')" in scam.reasons
    bait = classify_comment("Thumbs up if you're watching in 2015")
    assert bait.reasons == ["engagement bait 'Thumbs up if': asks for likes"] and bait.kind is None


def test_genuine_and_generic_have_no_kind():
    assert classify_comment("so good, love this!").as_dict() == {
        "class": "generic", "kind": None, "reasons": ["generic praise 'so good' in 4 words (at most 5)"],
        "matched": ["so good"]}
    assert classify_comment("This reminds me of the summer we spent in Lisbon").as_dict() == {
        "class": "genuine", "kind": None, "reasons": [], "matched": []}


def test_typographic_apostrophe():
    assert classify_comment("I\u2019m a 15 year old rapper").kind == "self_promotion"


def test_short_and_praise_limits_are_options():
    text = "really lovely colours here"  # 4 words, no stock praise
    assert classify_comment(text).label == "genuine"
    assert classify_comment(text, CommentThresholds(short_words=4)).label == "generic"
    praise = "awesome shot of the old harbour"  # 6 words of praise
    assert classify_comment(praise).label == "genuine"
    assert classify_comment(praise, CommentThresholds(praise_words=6)).label == "generic"


def test_clean_strips_html_and_bom():
    assert clean("Who&#39;s here<br />in 2015?\ufeff") == "Who's here in 2015?"


@pytest.mark.parametrize("text, visible", [
    ("\uff57\uff57\uff57.Site.\uff43om", "www.Site.com"),  # full-width letters are the ASCII they show
    ("MyDate.co\u200b\u2060m", "MyDate.com"),  # a zero-width space and a word joiner inside an address
    ("so\u00adft", "soft"),  # a soft hyphen
    ("\u3000すごい\uff01", "すごい!"),
    ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",) * 2,  # Persian keeps its zero-width non-joiner
    ("\U0001f468\u200d\U0001f469\u200d\U0001f467",) * 2,  # emoji sequences keep their joiners
    ("wow.\ufeffcom on guys", "wow. com on guys"),  # between a mark and a letter it parts, as a space
    ("\u026a\u0274\u1d20\u1d07\ua731\u1d1b \U0001d42d\U0001d428\U0001d41d\U0001d41a\U0001d432", "invest today"),
    ("\U0001d464\U0001d456\U0001d461\u210e \U0001d4c9\u2134", "with to"),  # italic h and script o: letterlike symbols
    ("\u0259 \u0283 fon\u025bt\u026ak \u0281 \u1d19", "\u0259 \u0283 fon\u025btik \u0281 \u1d19"),  # IPA stays, but small capitals
])
def test_clean_unmasks_hidden_and_full_width_letters(text, visible):
    assert clean(text) == visible


def test_clean_as_before_the_yse_reading_only_drops_boms():
    assert clean("\uff57\uff57\uff57.Site.co\u200bm\ufeff", unmask=False) == "\uff57\uff57\uff57.Site.co\u200bm"
    assert not c.detector_before(c.YSE_PS4).unmask and c.detector_before(c.EMINEM).unmask is False
    assert c.DETECTOR.unmask and c.detector_before(c.YSE_PEWDIEPIE).unmask


def test_clean_as_before_the_instagram_reading_keeps_small_capitals():
    small = "\u026a\u0274\u1d20\u1d07\ua731\u1d1b"
    assert clean(small, letters=False) == small and clean(small) == "invest"
    assert c.DETECTOR.letters and not c.detector_before(c.SCAMSPOT).letters
    assert c.detector_before(c.SCAMSPOT).unmask  # the YSE reading's unmasking stays


@pytest.mark.parametrize("text, spam", [
    ("http://x.example", True), ("www.x.example", True), ("Subscribers are great", True),  # a substring
    ("MY CHANNEL", True), ("check out the video at 2:31", True),  # the baseline does not know timestamps
    ("sub to me", False), ("I made £20k with the help of @x", False), ("love this", False),
])
def test_the_one_line_baseline(text, spam):
    assert baseline_is_spam(text) is spam


# --- the method: leave one data set out, in rotation ------------------------------------

# Stage 8, after reading the false alarms of every genuine file in tests/heuristics/data: what people say
# of scams (warnings and quotations, now spared by the older scam and selling families too, as stage 7's
# were), a creator's notice against impersonators, an account's trouble, a wage. (text, now, before it)
STAGE_8 = [
    ('Don\'t fall for those "passive income" course people in the comments', "genuine", "spam"),
    ('These "make $10k a month" side hustle videos are getting ridiculous', "genuine", "spam"),
    ("the \"giveaway winner\" accounts DMing you are fake", "genuine", "spam"),
    ("Giveaway winner announced, we'll only contact you from THIS account", "genuine", "spam"),
    ("Giveaway winner announced! We'll only contact you from THIS account", "spam", "spam"),  # another sentence
    ("Giveaway winner announced, we will never ask for payment", "genuine", "spam"),
    # (the warning check is today's before stage 8 too: stage 7's families spare this one either way)
    ("the real @earn_with_lucy_1 never asks for money, anyone saying they invested with her is an impersonator",
     "genuine", "genuine"),
    ("My Instagram got hacked yesterday, how do I contact Meta?", "genuine", "spam"),
    ("my instagram account was suspended for no reason", "genuine", "spam"),
    ("the link is in my channel settings but it isn't there", "genuine", "spam"),
    ("I'm a nurse making $38/hr and my coworker makes $44", "genuine", "spam"),
    ("We make $300 a day at the farmers market on weekends", "genuine", "spam"),
    # ... and where the same words still tell: a warning that sends readers somewhere is the scams' trick
    ("Scam alert: fake gift card sites everywhere! Get a REAL $100 Amazon gift card here, link in bio", "spam", "spam"),
    ("They're all bots lmao, anyway I sell real followers, 10k for $15, link in bio", "spam", "spam"),
    ("Those guys are obviously fake. If you want to earn $500 a day from home, search Lucy FX on Instagram",
     "spam", "spam"),
    ("Don't trust anyone else. Follow @paulwalker_trades and copy his trades, made $3,100 this week", "spam", "spam"),
    ("Beware of fakes. The original is @earn.with.lucy.fx, I withdrew $7,300 yesterday", "spam", "spam"),
    ("Watch out for fake job offers. Earn $300 daily from home, WhatsApp +1 (305) 555-0121", "spam", "spam"),
    ("Beware, the real @moneywithmaya will never DM you about profits, don't fall for passive income pitches",
     "genuine", "spam"),
    ("passive income from home, DM me to start", "spam", "spam"),
    ("Giveaway winner! DM me to claim", "spam", "spam"),
    ("i thought it was fake but i made $5,000 in a week, make money online with @earn_with_kate", "spam", "spam"),
    ("i thought is fake but now i earn $2000 weekly from home", "spam", "spam"),  # the testimonials' trope
    ("Beware of fake investors here. The only legit one I know is @mrs_helen_fx, she got me $14,000", "spam",
     "spam"),  # a warning that sends readers to an account
    ("don't trust the others, contact @quick_profits_fx to earn $3,000 weekly", "spam", "spam"),
    ("check out my instagram, my old one got hacked", "spam", "spam"),
    ("my channel has new covers every week, subscribe", "spam", "spam"),
    ("Gamers earn $50/hr testing games from home, no skills needed", "spam", "spam"),
    ("you can make $300 a day from your phone", "spam", "spam"),
    ("making $500 a day from home, ask me how", "spam", "spam"),
]


# A review that read stage 8's code (scam-comments-review-8.txt, genuine-comments-review-8.txt) found the
# scams let through by a warning clause, a stock phrase in quotation marks or "she never asks for money",
# and genuine warnings in two sentences called spam. Each correction beside its near miss: a warning never
# asks to be contacted, claims a gain or credits an account; a quotation spares the scam it quotes, not a
# pitch beside it; the next sentences of a warning report what the scammers say; a "." inside a handle or
# after "Mrs" ends no sentence; "we make $2,000 a week from our phones" is a wage only until "inbox me".
STAGE_8_REVIEW = [
    ('Ignore the bots, I make $2k a week from home with my side hustle, DM me for details', 'spam'),
    ('Ignore the bots, nobody makes $2k a week from home with a side hustle', 'genuine'),
    ("Everyone said it's a scam but I withdrew $8,000 last week thanks to @sarah_fx_trades", 'spam'),
    ("Everyone said it's a scam and they were right, @sarah_fx_trades took $8,000 from my aunt", 'genuine'),
    ('Impersonators are everywhere, but my sugar daddy pays me $2k weekly', 'spam'),
    ('Scam alert, I sent $500 to a flipper who promised $5,000 and got $0 back', 'genuine'),
    ("Remember “the early bird catches the worm” I'm paying $5,000 to the first 10 people who DM me", 'spam'),
    ("Ignore anyone saying “I'm paying $5,000 to the first 10 people who DM me”", 'genuine'),
    ('I\'m an actual ambassador for a small brand and the fake "DM us to be our ambassador" accounts make us '
     'look bad', 'genuine'),
    ('Beware of @anna.invests.fx, she claims paying my 4th payout today but it never arrives.', 'genuine'),
    ("Don't trust Mrs. Anna's bots saying she paid my 4th payout today.", 'genuine'),
    ('This is a scam. They DM you saying you won $1,000 and need to pay $25 to claim it.', 'genuine'),
    ('This is a scam. Congratulations, you won $1,000 in our giveaway, message us to claim your prize', 'spam'),
    ('Beware of fakes! Earn $500 a day from home', 'spam'),
    ('We make $2,000 a week working from our phones, inbox me to start today', 'spam'),
    ('We make $300 a day at the farmers market on weekends, DM me if you want to know which one', 'genuine'),
    ('Beware of fakes, the real @dojacat account never DMs you to claim your prize.', 'genuine'),
    ('Beware of fakes, the real @dojacat_giveaway account is this one, DM to claim your prize', 'spam'),
    ('Beware of scam hackers, I recovered my disabled Instagram account with the help of @meta_recovery_tech', 'spam'),
    ('Beware of fake promoters, promote your page on @boost.grow.media for real engagement', 'spam'),
    ('Most accounts here are scammers but @mike_wealth_coach got me $7,300 in two weeks', 'spam'),
]


@pytest.mark.parametrize("text, label", STAGE_8_REVIEW)
def test_stage_8_review_corrections(text, label):
    assert classify_comment(text).label == label


def test_genuine_warnings_written_blind():
    """120 genuine warnings and reports of scams the fourth session wrote beside its disguised scams, measured
    once and not read (3ab9907 called 8 spam, stage 8 as first written 5): counts only, so that they stay
    unread. Now, before stage 8 (today's check), and by the one-line rule."""
    path = Path(__file__).parent / "data" / "genuine-comments-warnings-blind.txt"
    texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    called = [sum(classify_comment(t, detector=d).label == "spam" for t in texts)
              for d in (None, c.detector_before(c.GENUINE_FILES))]
    assert (len(texts), *called, sum(map(baseline_is_spam, texts))) == (120, 5, 8, 0)


# Stage 9: money talk is an offer only beside a way to take it up (ScamSpot's and the finance files' genuine
# comments say "passive income", "extra money" and "make money" of their own plans).
STAGE_9 = [
    ("if the interest rate is low keep the loan and put the extra money in a high yield savings account",
     "genuine", "spam"),
    ("Real estate is NOT passive income lol, a tenant called me about a toilet at 11pm", "genuine", "spam"),
    ("they are trying to make money from something nobody values", "genuine", "spam"),
    ("after 3 years I will have multiple passive income sources", "genuine", "spam"),
    ("passive income is the way, DM me", "spam", "spam"),
    ("visit estiloproduction com best website to make money", "spam", "spam"),
    ("Want to earn extra income while being a mom? I have something for you, DM me", "spam", "spam"),
    ("I trade crypto and help people earn passive income", "spam", "spam"),
    ("sorry for the random approach, I want to share a business opportunity for extra cash", "spam", "spam"),
    ("make money online from your phone", "spam", "spam"),  # the little-work family's own form
]


@pytest.mark.parametrize("text, now, before", STAGE_9)
def test_stage_9_money_talk_needs_a_way_to_take_it_up(text, now, before):
    assert classify_comment(text).label == now
    assert classify_comment(text, detector=c.detector_before(c.MONEY_TALK)).label == before


def test_money_talk_written_blind():
    """A session that saw no code wrote 150 genuine comments of finance and side-hustle audiences and 60
    scams that use money-making words, after stage 9 was written; measured once, before and after it, and
    not read (counts only). Adopted by a rule set before measuring: if the false alarms it removes are at
    least the scams it loses (15 and 15). Now and before stage 9, and by the one-line rule."""
    data = Path(__file__).parent / "data"
    genuine, scams = ([t for t in (data / name).read_text(encoding="utf-8").splitlines() if t.strip()]
                      for name in ("genuine-comments-money-talk-blind.txt", "scam-comments-money-talk-blind.txt"))
    before = c.detector_before(c.MONEY_TALK)

    def found(texts, detector=None):
        return sum(classify_comment(t, detector=detector).label == "spam" for t in texts)
    assert (len(genuine), len(scams), found(genuine), found(genuine, before), found(scams), found(scams, before),
            sum(map(baseline_is_spam, genuine)), sum(map(baseline_is_spam, scams))) == (150, 60, 5, 20, 44, 59, 1, 1)


def test_money_talk_baited_by_a_review():
    """A review given stage 9's rule wrote 100 genuine comments that hold a money word and a way to take it
    up innocently ("what platform do you use for side income?", "my side income is tutoring, DM me") and 50
    scams: the family calls 94 of the 100 spam, as the little-work family did before it (words alone cannot
    tell them: docs/HEURISTICS.md). Counts now and before stage 9, and by the one-line rule."""
    data = Path(__file__).parent / "data"
    genuine, scams = ([t for t in (data / name).read_text(encoding="utf-8").splitlines() if t.strip()]
                      for name in ("genuine-comments-review-9.txt", "scam-comments-review-9.txt"))
    before = c.detector_before(c.MONEY_TALK)

    def found(texts, detector=None):
        return sum(classify_comment(t, detector=detector).label == "spam" for t in texts)
    assert (len(genuine), len(scams), found(genuine), found(genuine, before), found(scams), found(scams, before),
            sum(map(baseline_is_spam, genuine)), sum(map(baseline_is_spam, scams))) == (100, 50, 94, 94, 50, 50, 0, 3)


@pytest.mark.parametrize("text, now, before", STAGE_8)
def test_stage_8_spares_what_people_say_of_scams(text, now, before):
    assert classify_comment(text).label == now, classify_comment(text).reasons
    assert classify_comment(text, detector=c.detector_before(c.GENUINE_FILES)).label == before


def test_katyperry_shakira_and_three_yse_videos_are_never_read():
    never_read = (c.KATY, c.SHAKIRA, c.YSE_PEWDIEPIE, c.YSE_KATY, c.YSE_PSY)
    assert not set(never_read) & set(c.READ) and set(c.READ) | set(never_read) == set(c.DATA_SETS)
    for phrase in (*c.PHRASES, *c.RETIRED):
        assert phrase.tuned_on in (None, *c.READ), phrase.says
        assert phrase.replaced_after in (None, *c.READ), phrase.says
    assert all(p.replaced_after is None for p in c.PHRASES) and all(p.replaced_after for p in c.RETIRED)


def test_detector_before_a_file_has_only_what_was_written_before_it():
    stage0 = c.detector_before(c.LMFAO).phrases  # LMFAO was read first
    assert stage0 and all(p.tuned_on is None for p in stage0)
    assert any(p.replaced_after == c.LMFAO for p in stage0)  # the variant replaced after reading it
    before_psy = c.detector_before(c.PSY).phrases
    assert {p.tuned_on for p in before_psy} == {None, c.LMFAO}
    assert not any(p.replaced_after == c.LMFAO for p in before_psy)  # replaced after LMFAO was read
    before_eminem = c.detector_before(c.EMINEM).phrases
    assert {p.tuned_on for p in before_eminem} == {None, c.LMFAO, c.PSY}
    before_yse = c.detector_before(c.YSE_PS4).phrases
    assert {p.tuned_on for p in before_yse} == {None, c.LMFAO, c.PSY, c.EMINEM}
    assert c.detector_before(c.YSE_AVENGERS).phrases == before_yse  # the two were read together
    before_instagram = c.detector_before(c.SCAMSPOT).phrases
    assert {p.tuned_on for p in before_instagram} == {None, c.LMFAO, c.PSY, c.EMINEM, c.YSE_PS4}
    before_stage_7 = c.detector_before(c.BLIND_INSTAGRAM).phrases
    assert {p.tuned_on for p in before_stage_7} == {None, c.LMFAO, c.PSY, c.EMINEM, c.YSE_PS4, c.SCAMSPOT,
                                                    c.BLIND_YOUTUBE}
    assert len(before_eminem) < len(before_yse) < len(before_instagram) < len(before_stage_7) < len(c.PHRASES)
    testimonial = [p for p in before_instagram if p.says == "claims to have made money (testimonial)"]
    assert [p.replaced_after for p in testimonial] == [c.SCAMSPOT]  # the variant before its narrowing
    before_stage_8 = c.detector_before(c.GENUINE_FILES)
    assert {p.tuned_on for p in before_stage_8.phrases} == {p.tuned_on for p in before_stage_7} | {c.BLIND_INSTAGRAM}
    assert {p.says for p in before_stage_8.phrases if p.replaced_after == c.GENUINE_FILES} == {
        "names their own channel or work", "offers money for little work (work from home, earn $… per day)"}
    assert not before_stage_8.spared and c.default_detector().spared  # older families spare warnings since
    before_stage_9 = c.detector_before(c.MONEY_TALK).phrases
    assert {p.says for p in before_stage_9 if p.replaced_after == c.MONEY_TALK} == {
        "offers money for little work (work from home, earn $… per day)"}
    assert {p.says for p in c.PHRASES if p.tuned_on == c.MONEY_TALK} == {
        "offers money for little work (work from home, earn $… per day)",
        "says money is made easily, beside a way to take it up (passive income, DM me)"}
    for never_read in (c.KATY, c.SHAKIRA, c.YSE_PEWDIEPIE, c.YSE_KATY, c.YSE_PSY):
        assert c.detector_before(never_read).phrases == c.PHRASES  # today's families
    with pytest.raises(ValueError, match="unknown data set"):
        c.detector_before("Youtube06-Other")


# --- the figures in docs/HEURISTICS.md -------------------------------------------------

def _rows(name: str) -> list[tuple[str, bool]]:
    path = SHARED / "data" / "youtube-spam" / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"../shared/data/youtube-spam not found: {path} (the labeled data lives beside the repo)")
    text = path.read_text(encoding="utf-8-sig").lstrip("\n")  # Psy's file starts with a blank line
    return [(r["CONTENT"], r["CLASS"] == "1") for r in csv.DictReader(io.StringIO(text))]


def _counts(card: Scorecard) -> tuple[int, int, int, int]:
    return card.tp, card.fp, card.fn, card.tn


# tp, fp, fn, tn as in the tables of docs/HEURISTICS.md: update both together.
# file: (stage 0, + stage 1 (after reading LMFAO), + stage 2 (after reading Psy), + stage 3 (after
# reading Eminem, which is not in shared/data), + stage 4 (after reading YSE PlayStation4 and
# Avengers, not in shared/data either) = today, the baseline)
FIGURES = {
    c.LMFAO: ((212, 3, 24, 199), (218, 1, 18, 201), (218, 1, 18, 201), (218, 1, 18, 201), (218, 1, 18, 201),
              (204, 3, 32, 199)),
    c.PSY: ((158, 4, 17, 171), (160, 3, 15, 172), (175, 3, 0, 172), (175, 3, 0, 172), (175, 3, 0, 172),
            (143, 4, 32, 171)),
    c.KATY: ((162, 6, 13, 169), (158, 6, 17, 169), (158, 6, 17, 169), (159, 6, 16, 169), (160, 6, 15, 169),
             (147, 7, 28, 168)),
}
# The leave-one-out figure of each file: the stage fixed before it was read.
LEFT_OUT_STAGE = {c.LMFAO: 0, c.PSY: 1, c.KATY: 4}


@pytest.mark.parametrize("name", list(FIGURES))
def test_youtube_spam_figures(name):
    rows = _rows(name)
    stages = (c.detector_before(c.LMFAO), c.detector_before(c.PSY), c.detector_before(c.EMINEM),
              c.detector_before(c.YSE_PS4), c.DETECTOR)
    cards = [Scorecard.of((classify_comment(t, detector=d).label == "spam", y) for t, y in rows) for d in stages]
    baseline = Scorecard.of((baseline_is_spam(t), y) for t, y in rows)
    assert (*map(_counts, cards), _counts(baseline)) == FIGURES[name]
    left_out = Scorecard.of((classify_comment(t, detector=c.detector_before(name)).label == "spam", y)
                            for t, y in rows)
    assert _counts(left_out) == FIGURES[name][LEFT_OUT_STAGE[name]]


@pytest.mark.parametrize("name", list(FIGURES))
def test_unseen_figures_meet_the_target_and_beat_the_baseline(name):
    """Target on a set the phrases were not tuned on: recall >= 0.85 at precision >= 0.95."""
    rows = _rows(name)
    card = Scorecard.of((classify_comment(t, detector=c.detector_before(name)).label == "spam", y)
                        for t, y in rows)
    baseline = Scorecard.of((baseline_is_spam(t), y) for t, y in rows)
    assert card.base_rate >= 0.5  # balanced: see the precision at a 10% base rate in the docs
    assert card.precision >= 0.95 and card.recall >= 0.85, card.as_dict()
    assert card.precision >= baseline.precision and card.recall > baseline.recall and card.f1 > baseline.f1


# --- genuine comments from other niches (tests/heuristics/data) --------------------------

# Written by a reviewing session as audiences write on workouts, recipes, games, skincare and
# travel, in five languages (docs/HEURISTICS.md, "A word model … not adopted"). The families
# called three spam; two were corrected (a request to share a recipe, a timestamp after "check
# it out"); a joke asking for a follow back stays spam.
OTHER_NICHES_CALLED_SPAM = [
    "Give me a follow back? Just kidding, love your work",
]


# Written by a second reviewing session to bait Instagram-style families (link in bio, DM, collab,
# viral, ambassador, crypto) with fans' words; the families as they are call these three spam:
# "my page", "my channel" and "promote your music" used innocently ("visit our booth" was
# corrected: visiting needs a page or work after it).
KEYWORD_BAIT_CALLED_SPAM = [
    "Great tip for small businesses, I'll give it a try on my page this week",
    "Going to give it a listen on my channel's stream tonight with chat, love this album",
    "We love to promote your music in our group chat, you deserve more listeners",
]


# Written by two more reviewing sessions to bait the family added after reading YSE PlayStation4
# and Avengers (addresses written to slip past filters), the unmasking of hidden and full-width
# letters, and the older link families: missing spaces after full stops in many languages, code,
# maths, asterisks, initials, full-width Japanese laughter ("ｗｗｗ"). As first written the family
# called 46 of the first file spam; narrowed, then baited again, 96 of the second (with the older
# families); now five in all, pinned here.
ADDRESS_BAIT_CALLED_SPAM = [
    "lol.this.net is what they catch fish with",
]
ADDRESS_BAIT_2_CALLED_SPAM = [
    "that volley at 3:12 hit.the.net and still went in",
    "bu şarkı efsane.biz hep dinliyoruz",  # Turkish "biz" (we): after a plain site.com only the
    "this . com on guys we can do better",  # commonest foreign words stop a match
    "ok\uff0cthanks\uff0ecom",  # full-width marks typed in an ASCII comment
]


# Written by a fifth reviewing session to bait the families added after reading the Instagram set
# (ScamSpot): finance, crypto, small-business and coaching audiences, real investors' returns,
# honest giveaways, creators' payouts, "dm me the recipe". As first written the new families
# called 62 of the 132 spam; narrowed, none. The older "money for little work" family called three
# (a wage, a barber's week, a savings plan "/month") until it was narrowed too.
FINANCE_BAIT_CALLED_SPAM: list[str] = []
# Written by a sixth session after that narrowing, across niches (churches, charities, VFX studios,
# bank bonuses, creators' payouts, replies that start with "@someone"): the families as they then
# were called 112 more of 137 spam; rebuilt so that each needs two signals, seven stay: three by
# older families ("my first Twitch", "my song", Hindi "invest … profit"), the narrowed "I made $…"
# beside "@venmo", and three by the new ones (a warning that quotes a scam, a refunded camp
# deposit, "thanks to her … received my payout").
MANY_NICHES_BAIT_CALLED_SPAM = [
    "I made $3 on my first Twitch stream and I'm framing it #streamer",
    "I received a payment of $250 from @venmo after they reversed the fraud, call them!",
    "\u1d1b\u029c\u1d00\u0274\u1d0b\ua731 \u1d1b\u1d0f \u029c\u1d07\u0280 \u1d18\u0280\u1d0f\u0262\u0280\u1d00\u1d0d "
    "\u026a \u0280\u1d07\u1d04\u1d07\u026a\u1d20\u1d07\u1d05 \u1d0d\u028f \u1d18\u1d00\u028f\u1d0f\u1d1c\u1d1b "
    "\ua730\u0280\u1d0f\u1d0d \u1d1b\u029c\u1d07 \u1d04\u0280\u1d07\u1d00\u1d1b\u1d0f\u0280 \ua730\u1d1c\u0274\u1d05",
    "bhai maine 10k invest kiye aur 3 din me 2k profit hua, par risky hai, mat karna 🙏",
    "just got my first payout from @spotify for my song, $0.87 💀 #indieartist",
    "Hey @coach_mo, I deposited $50 for the camp and got $50 back after 3 days when it got cancelled, thank you for "
    "being honest",
]


# A third review read the families added after ScamSpot's hashtag accounts and the blind YouTube set
# and wrote genuine comments aimed at their edges: 165 of 176 were called spam by the families as
# first written; narrowed, five (two by older families).
REVIEW_3_CALLED_SPAM = [
    "Lol my nephew said he'd pay $5 to the first 2 people who hit me up with a better pun than this",
    "Raffle winners: first 4 people to msg me can claim a $25 gift card from the shop, numbers are in the pinned post",
    "Paying off the bills of the first 3 families who contact me is what our mosque's zakat fund is for, please share",
    "Just checked, the link is on my channel page but YouTube hides it on mobile",
]


# A fourth review read the descriptions of stage 7's families (not the code) and wrote 200 genuine
# comments at their edges: 36 were called spam by the families as first written, 26 of them by stage 7's;
# narrowed, none by those. The ten left are older families' (a phone number, "my instagram", winners
# and prizes of real contests, "get paid to").
REVIEW_4_CALLED_SPAM = [
    "The Arbitrum airdrop paid for my vacation, the only free money I've ever gotten in crypto",
    "I earn about $1,500 a month from my channel after 4 years, it's slow but real",
    'Thanks to Mrs Johnson, my 3rd grade teacher, I still love reading to this day',
    "The bakery's number is +44 20 7946 0958 if you want to pre-order the croissants",
    'My son wants to get paid to play video games, I told him homework first',
    '"Like and follow accounts and get paid" is basically what social media managers do and they\'re underpaid',
    "Creator here: the giveaway winner is @sarahbakes! I'll DM you from this account to get your address 🎉",
    'My daughter won the coloring contest at the library and we go claim her prize Saturday',
    "Did the winner claim the prize yet? I'm the runner-up and still hopeful 👀",
]


# A fifth review read the descriptions of stage 7's families as they then were and wrote 200 genuine
# comments at their edges: 139 were called spam by them. Stage 7 was narrowed on it (docs/HEURISTICS.md):
# none by stage 7's families now; the eight left are older families' (a wage with "comment INFO", real
# raffles' "claim your prize", "ganhe R$300 por dia" mocked).
REVIEW_5_CALLED_SPAM = [
    "Small business owner here, I make about $500 daily on good market days. Comment INFO and I'll share my booth setup checklist",
    'Electricians make $2k a week easy in my area. DM me if you want to know how I got my apprenticeship',
    'My daughter made $500 daily at her lemonade stand on marathon weekend 😂 who wants to join her next year',
    'Ganhe R$300 por dia kkkk minha vó vendendo bolo em casa ganha mais que isso no domingo, o insta dela tá na minha bio',
    'Gana $500 al día desde casa dicen los anuncios jaja, yo vendo tamales y con suerte saco 80, pásate por mi bio',
    "Like and follow accounts to get paid was my dream at 14 lol. Now I'm a social media manager, DM me if you have questions about the career",
    'The giveaway winner was announced in our stories! Message @ourbakery to claim your reward, congrats Jenna!',
    "Congrats @kayla.m you've been selected as our raffle winner! Claim your prize at the front desk Saturday",
]


# A seventh review (a helper given a description of a family tried after stage 8: an account named for money
# beside a client's words, "your platform", "got paid", "expertise", "financially") wrote 120 genuine comments
# at its edges: it called 113 spam and was dropped (docs/HEURISTICS.md). Four are older families'.
REVIEW_7_CALLED_SPAM = [
    "Got paid for my first ever illustration commission!!! 🎨 thank you #_artsy_katie_ for sharing my page in "
    "your stories",
    "Mom of 3 here, invested with my employer 401k match for the first time after your reel @working_mom_wealth, "
    "free money is free money",
    "My daughter got paid $23 for her bake sale loaf using your pricing tip @bake_for_profit_ 🍌 future CEO",
    "Been trading with him (Pokémon cards, relax 😂) since we were 9, @card_trader_bros you two are goals",
]


# Another session wrote 120 genuine warnings that name accounts, pages, links and numbers (measured once
# after stage 8: 8 called spam, 16 by stage 7; the one the new pointers made, "announced on her page", was
# then taken out). The seven left: quotations under four words, phone numbers, "my page".
WARNINGS_CALLED_SPAM = [
    "⚠️ #scamalert the Whatsapp number +44 7700 900431 in the replies is a scam, it's asking people to \"invest\" for "
    "guaranteed 40% weekly",
    'gamers pls, there is no "free V-Bucks generator" and the guy with the link in his bio will steal your Epic '
    "account. my little bro lost his whole locker",
    'I run a small crochet shop and someone copied my page as @loopsbyana.shop and is taking "orders". I\'m only '
    "@loopsbyana, please report the fake 😢",
    'My sister sent $1,500 to "Mrs Elena Brooks" after seeing these comments. The Whatsapp number +1 646 555 0199 is '
    "now disconnected. Reported to FTC",
    'Parents heads up, kids are getting DMs for "free Robux" from accounts copying YouTubers. Talk to them about it. '
    "My son almost gave his password",
    'Searched the number from that "Mrs Rachel" comment (+1 213 555 0147) on Google and found like 20 scam reports. '
    "Don't text it",
]


# An eighth review read stage 8's code and wrote 90 genuine warnings at its edges: stage 8 as first written
# called 29 spam (3ab9907, 25); after its corrections (a warning spares what the next sentences report the
# scammers say, a "." inside "@anna.invests.fx" or after "Mrs" ends no sentence, "the real @x account never
# DMs you" is a warning) 16. The ones left: older families on warnings that send readers to a bio, a
# search or an account ("follow @nasa for real news"), or that tell what the scammers write without "they
# say".
REVIEW_8_CALLED_SPAM = [
    "Fake giveaway alert, the link in my bio explains how to report these accounts that tell you to DM to claim a "
    "prize.",
    "I thought it's a scam too and I was right, they DM you that you won and then ask for $50 to claim the prize.",
    "This page is being impersonated. We will never ask you to claim a prize by DM, please report any account that "
    "does.",
    "I almost fell for it lol. A fake page DMed me that I won a giveaway and I had to pay to claim the prize.",
    "The real @nasa account is verified and never asks for money. The fake one DMing people says you won a prize to "
    "claim.",
    "Beware of fakes!! The real page announced the giveaway winners on her page and no winner was ever asked to "
    "pay.",
    "The dude in the replies is a scammer. Said he could recover my Facebook account and took $150 in gift cards.",
    "Report @hack.recovery.pro, he messaged me that he recovered my hacked account and wanted $300 first.",
    "Careful everyone. The bots here write blessing 10 single moms with $1,000 each, DM me, under every reel.",
    "This is a pump and dump. Every influencer saying this new coin will 100x with the presale live is paid.",
    "These are bots. My $3k became $31k thanks to @x_fx is a copy-paste comment.",
    "Beware of fake giveaways, search her name on Instagram, the verified one never DMs winners to claim a prize.",
    "They are scammers, link in bio of their accounts leads to a page asking you to DM to claim your reward.",
    "Don't trust the fake ones, follow @nasa for real news, nobody from NASA DMs you that you won a prize to claim.",
    "Careful, these are bots. The real giveaways are on her channel and you never have to DM to claim your prize.",
    "Beware of fake accounts. DM us to claim your reward is the line they all use, never answer.",
]


# A sixth review (a helper reading the code) wrote 81 genuine comments at the edges of stage 7's families:
# 50 were called spam by them; narrowed, none. The six left are older families' (real giveaways' "DM us to
# claim your prize", "@hackerone", "I make $2k a month from my YouTube channel, comment below").
REVIEW_6_CALLED_SPAM = [
    "Congrats @jess.bakes, you won the giveaway! DM us to claim your prize 🎉",
    "The winner is @kayla.m! Please DM us within 48h to claim your prize 💕",
    "My Facebook account got hacked, @hackerone folks said they see this daily, lost all my business pages",
    "I make $2k a month from my YouTube channel now, comment below what you want to see next! ",
]


@pytest.mark.parametrize("name, count, called_spam", [
    ("genuine-comments-review-8.txt", 90, REVIEW_8_CALLED_SPAM),
    ("genuine-comments-review-7.txt", 120, REVIEW_7_CALLED_SPAM),
    ("genuine-comments-warnings.txt", 120, WARNINGS_CALLED_SPAM),
    ("genuine-comments-review-6.txt", 81, REVIEW_6_CALLED_SPAM),
    ("genuine-comments-review-5.txt", 200, REVIEW_5_CALLED_SPAM),
    ("genuine-comments-review-4.txt", 200, REVIEW_4_CALLED_SPAM),
    ("genuine-comments-review-3.txt", 176, REVIEW_3_CALLED_SPAM),
    ("genuine-comments-finance-bait.txt", 132, FINANCE_BAIT_CALLED_SPAM),
    ("genuine-comments-many-niches-bait.txt", 137, MANY_NICHES_BAIT_CALLED_SPAM),
    ("genuine-comments-other-niches.txt", 78, OTHER_NICHES_CALLED_SPAM),
    ("genuine-comments-keyword-bait.txt", 98, KEYWORD_BAIT_CALLED_SPAM),
    ("genuine-comments-address-bait.txt", 146, ADDRESS_BAIT_CALLED_SPAM),
    ("genuine-comments-address-bait-2.txt", 121, ADDRESS_BAIT_2_CALLED_SPAM),
])
def test_genuine_comments_from_other_niches(name, count, called_spam):
    path = Path(__file__).parent / "data" / name
    texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(texts) == count
    assert [t for t in texts if classify_comment(t).label == "spam"] == called_spam


@pytest.mark.parametrize("name, count, found, found_before, found_before_stage_7", [
    ("scam-comments-finance-review.txt", 62, 32, 13, 20),
    ("scam-comments-review-2.txt", 50, 35, 14, 22),
    ("scam-comments-review-3.txt", 40, 27, 6, 26),
])
def test_scams_written_by_the_reviews(name, count, found, found_before, found_before_stage_7):
    """The reviews also wrote scams in Instagram's styles, varied on purpose (amounts in words,
    other verbs and orders, naira, Spanish, Portuguese; the second before reading the code).
    Pinned with the count the families before the Instagram reading found, and before stage 7
    (which read them), so that a change to either is seen; the misses are described in
    docs/HEURISTICS.md."""
    path = Path(__file__).parent / "data" / name
    texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    before = c.detector_before(c.SCAMSPOT)
    before_stage_7 = c.detector_before(c.BLIND_INSTAGRAM)
    assert len(texts) == count
    assert sum(classify_comment(t).label == "spam" for t in texts) == found
    assert sum(classify_comment(t, detector=before).label == "spam" for t in texts) == found_before
    assert sum(classify_comment(t, detector=before_stage_7).label == "spam" for t in texts) == found_before_stage_7


@pytest.mark.parametrize("name, counts", [
    ("scam-comments-warned-review.txt", (100, 52, 52, 44, 40, 1)),
    ("scam-comments-warned-blind.txt", (100, 48, 47, 44, 43, 0)),
    ("scam-comments-review-8.txt", (102, 74, 72, 64, 51, 1)),
    ("scam-comments-warned-blind-2.txt", (120, 48, 47, 33, 32, 1)),
])
def test_scams_dressed_as_warnings(name, counts):
    """Scams that hide behind the warning check ("Beware of impersonators! The real Mrs Sarah only uses @x, I
    made $8,000 with her"), which stage 8 extended to every scam and selling family. A review wrote the
    first 100, read: the check then learned that a warning sending readers to a bio, a page, a search, a
    number or "the real @x" is the scams' trick, and every family spares only a warning in the sentence
    it matched in. Another session, told the warning words but not the change, wrote the second 100,
    measured and not read but for two lines (it chose between sparing anywhere, 30, in the match's
    sentence for the older families, 39, and for every family, 46, then 48 with a family that matches from
    the comment's start placed by its quote; 3ab9907 found 45; 49 since the review below, 48 since stage 9). A review that read
    stage 8's code wrote the third set, 102 (scam-comments-review-8.txt): stage 8 as first written found 18,
    3ab9907 66; since, a warning spares no comment that asks to be contacted or claims a gain, and a
    quotation spares only the scam it quotes. A fourth session wrote 120 more after that, told the ways
    scams dress up as warnings but not the rules (scam-comments-warned-blind-2.txt, measured once and not
    read: 3ab9907 41, stage 8 as first written 48, after the review 49, 48 since stage 9). Pinned now, before stage 8
    (today's check), before stage 7, before stage 5, and by the one-line rule."""
    path = Path(__file__).parent / "data" / name
    texts = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def found(detector=None):
        return sum(classify_comment(t, detector=detector).label == "spam" for t in texts)
    assert (len(texts), found(), found(c.detector_before(c.GENUINE_FILES)), found(c.detector_before(c.BLIND_INSTAGRAM)),
            found(c.detector_before(c.SCAMSPOT)), sum(map(baseline_is_spam, texts))) == counts


@pytest.mark.parametrize("genuine_file, scam_file, counts", [
    # (genuine, scams; genuine called spam now, before stage 5, before stage 7, before stage 8; scams found
    # now, before stage 5, before stage 7 (when the file was last measured unseen), before stage 8; by the
    # one-line rule: scams found, genuine called spam)
    ("blind-genuine-comments.txt", "blind-scam-comments.txt", (200, 80, 0, 3, 2, 2, 61, 22, 27, 61, 1, 0)),
    ("blind-genuine-comments-finance.txt", "blind-scam-comments-finance.txt",
     (300, 100, 3, 7, 5, 5, 70, 29, 36, 70, 1, 0)),
    # the third, half under money creators, with the scams' tricks asked for (other letters, sums in
    # any form, rings, other languages); measured once, after the hashtag-account family (44 then;
    # 45 since the families of the blind YouTube set, stage 6)
    ("blind-genuine-comments-3.txt", "blind-scam-comments-3.txt", (300, 120, 3, 9, 7, 7, 72, 43, 45, 72, 1, 2)),
    # the fourth, written while stage 7 was being written and measured once after its first version (56
    # scams found, 10 genuine called spam; docs/HEURISTICS.md), then read: stage 7 as it is
    ("blind-genuine-comments-4.txt", "blind-scam-comments-4.txt", (300, 150, 6, 9, 6, 6, 79, 15, 25, 79, 0, 0)),
    # the fifth, written after stage 7's families and never read: measured once before the fifth review
    # narrowed them (93 scams found, 8 genuine called spam), then after it (65, 8), and as they are
    ("blind-genuine-comments-5.txt", "blind-scam-comments-5.txt", (400, 200, 6, 8, 7, 7, 64, 23, 28, 64, 0, 0)),
])
def test_comments_written_blind(genuine_file, scam_file, counts):
    """Sessions that never saw the code wrote genuine comments as audiences write under
    micro-influencers' posts (the first across niches, a third finance; the second all finance,
    crypto, trading and small business; the third half money creators, with other languages) and
    the scams that flood them; each file was measured after the families were fixed and never read
    by whoever tuned them, until stage 7 read the scams' misses (docs/HEURISTICS.md)."""
    data = Path(__file__).parent / "data"
    genuine = [t for t in (data / genuine_file).read_text(encoding="utf-8").splitlines() if t.strip()]
    scams = [t for t in (data / scam_file).read_text(encoding="utf-8").splitlines() if t.strip()]
    before = c.detector_before(c.SCAMSPOT)
    before_stage_7 = c.detector_before(c.BLIND_INSTAGRAM)
    before_stage_8 = c.detector_before(c.GENUINE_FILES)

    def found(texts, detector=None):
        return sum(classify_comment(t, detector=detector).label == "spam" for t in texts)
    assert (len(genuine), len(scams),
            found(genuine), found(genuine, before), found(genuine, before_stage_7), found(genuine, before_stage_8),
            found(scams), found(scams, before), found(scams, before_stage_7), found(scams, before_stage_8),
            sum(baseline_is_spam(t) for t in scams),
            sum(baseline_is_spam(t) for t in genuine)) == counts


def test_the_blind_youtube_set_unseen_then_read():
    """A session that never saw the code wrote 200 spam and 200 genuine comments as 2012-2015
    music-video audiences wrote them; measured once (the unseen figure: the families before
    stage 6), then read (stage 6). The one-line rule on the same rows beside."""
    data = Path(__file__).parent / "data"
    spam = [t for t in (data / "blind-youtube-spam.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
    ham = [t for t in (data / "blind-youtube-ham.txt").read_text(encoding="utf-8").splitlines() if t.strip()]
    unseen = c.detector_before(c.BLIND_YOUTUBE)

    def found(texts, detector=None):
        return sum(classify_comment(t, detector=detector).label == "spam" for t in texts)
    assert (len(spam), len(ham)) == (200, 200)
    assert (found(spam, unseen), found(ham, unseen)) == (170, 1)
    assert (found(spam), found(ham)) == (187, 1)
    assert (sum(map(baseline_is_spam, spam)), sum(map(baseline_is_spam, ham))) == (112, 6)


# --- stage 7's patterns stay linear (a review found one exponential and two quadratic) --------

@pytest.mark.parametrize("piece, lead, tail", [
    (" @a" * 18 + " dm", "dm", " claim"),      # the prize family: a handle matched in many ways
    ("000 ", "Thank you Mrs Anna ", "profit"),  # a sum's thousands, from every group
    ("a ", 'send me $200 and get $2,000 back today, DM me "', ""),  # an unclosed quotation
])
def test_stage_7_costs_linear_time(piece, lead, tail):
    from tests.cost import cpu_cost

    detector = c.default_detector()

    def classify(text: str) -> object:
        return c._classify.__wrapped__(text, 2, 5, detector)
    classify(lead + piece * 10 + tail)  # every pattern compiled before it is timed
    small = cpu_cost(classify, lead + piece * 400 + tail, 3)
    large = cpu_cost(classify, lead + piece * 3_200 + tail, 3)
    assert large < 24 * small + 0.02
