"""Comments, as an audience writes them: composed from templates, word lists, numbers,
names, emoji and the odd typo, so that nearly every one is different.

Each kind reads as microscout.heuristics.comments.classify_comment must read it (the
demo's comment_quality verdicts rest on it; tests/sandbox/test_comment_text.py checks it):

- thoughtful: genuine. Seven words or more, so stock praise in it is not "short praise",
  and none of the spam families' wording (no "my channel", "check out", "follow", money,
  links, "like if").
- generic: emoji only, at most two words, or stock praise (PRAISE) in at most five words.
- self_promotion, scam, selling: spam of that kind, and no wording of a more serious kind.
"""
from __future__ import annotations

from microscout.sandbox.draws import Rng
from microscout.sandbox.text import FILLS, KEYWORDS, Fill, capitalised, fill, name

# --- thoughtful ------------------------------------------------------------------------------
# {kw} is one of the post's niche keywords.
EXPERIENCES = {
    "vegan": ("Made this last night with {veg} and {who} went back for thirds.",
              "Tried your {kw} version on {day} and it took me {mins} minutes start to finish.",
              "Cooked this for {n} people on {day} and the pot was empty by nine.",
              "Second time making this, added {veg} and a bit more {spice}.",
              "{who} never touches {kw} but asked for the leftovers today.",
              "Batch cooked this on {day} and it carried me through {n} lunches.",
              "Doubled the {spice} and went easy on the salt, came out really well.",
              "Swapped the {grain} for what I had in the cupboard and it still worked.",
              "The tip about the {kw} is gold, I never knew that one.",
              "Been cooking your {kw} dishes for a year now, this might be my favourite.",
              "Printed this out for the cooking club at work in {city}, we make one of yours every {day}.",
              "Made it in a tiny kitchen in {city} with one pot and it turned out lovely.",
              "Used frozen {veg} because that was all I had, still delicious.",
              "My {n} year old helped stir and now asks for it every {day}.",
              "Served it with {grain} and extra {sauce}, nobody spoke for ten minutes."),
    "fitness": ("Did this session on {day} and my legs are still talking to me.",
                "Tried the cue you mentioned for {lift} and it fixed my lower back ache.",
                "Ran {km} km this morning thinking about this post, it helped.",
                "Week {week} of your plan and I finally did {reps} {lift} in a row.",
                "My physio said the same thing about {lift}, good to hear it twice.",
                "Started doing your warm up before {lift} and my knees are much happier.",
                "Printed your {kw} plan and stuck it on the fridge for the month.",
                "Took {who} through this on {day}, we both hated the last round.",
                "Was about to skip today, saw this and went for {km} km instead.",
                "Been lifting since {year} and still learned something from this.",
                "Did the {kw} part twice because round {n} felt too easy."),
    "tech": ("Hit the exact same {kw} problem last week and lost a whole afternoon to it.",
             "Tried this on a {hardware} at home and it worked the first time.",
             "We ran into this at work on {day}, wish I had read this earlier.",
             "Been using {tool} since {year} and never knew about that flag.",
             "The part about logs is so true, our team learned it the hard way in {year}.",
             "Upgraded to {ver} this morning and the startup time dropped by half.",
             "Showed this to {who}, who runs our servers, and got a lot of nodding.",
             "Rewrote our deploy script after reading this, {n2} lines shorter now.",
             "Spent {hours} hours on a similar {kw} issue in {year}, this explains it."),
    "travel": ("Did the same {kw} in {season} and the light was unreal.",
               "We stayed two nights near the {place} last year, still dream about it.",
               "Took the same {kw} from {city} in {year}, brought back memories.",
               "Saved this for our trip in {season}, {who} is already packing.",
               "The {place} at {time} is the best tip in this whole post.",
               "Walked {km} km of that route with {who}, the views are worth every blister.",
               "Went there on a {day} and had the whole {place} to ourselves.",
               "Missed that {kw} by ten minutes in {year} and still regret it."),
}
QUESTIONS = {
    "vegan": ("Did you press the tofu first?", "How long does it keep in the fridge?", "Would {veg} work instead?",
              "Could I freeze half of it for later?", "Any idea how it would do in a slow cooker?",
              "Is the {spice} essential or can I leave it out?", "What would you serve it with besides {grain}?",
              "Is this okay for a {n} year old who hates spice?", "Would it work without an oven?"),
    "fitness": ("How many rest days do you take between sessions?", "Would you do this before or after a run?",
                "Any swaps for {lift} with a bad shoulder?", "Is it okay to do this on an empty stomach?",
                "How long did it take before {lift} felt easy?", "Do you count the warm up sets?"),
    "tech": ("Does this also work on older kernels?", "Did you file an upstream issue for it?",
             "How did you find it, {tool} or just reading the code?", "Any plans to backport the fix to {ver}?",
             "Would this run on a {hardware} with {n} GB of memory?"),
    "travel": ("How early did you book the {kw}?", "Is it doable with a {n} year old?",
               "How many days would you give {city}?", "Was the {place} busy in {season}?",
               "Any hostel you would recommend near the {place}?", "Did you go back the same way?"),
}
# A detail with a number in it, between the experience and the question.
ASIDES = {
    "vegan": ("I used {n} cloves of garlic, no regrets.", "Took about {mins} minutes in my old oven.",
              "Added a handful of {veg} at the end.", "Went with {grain} on the side.",
              "Used {spice} instead of chilli.", "Made {n} portions and froze half."),
    "fitness": ("Managed {reps} reps on the last set.", "My watch said {km} km.", "Took me {mins} minutes with rests.",
                "Used a {n2} kg bar for the first time.", "Did {n} rounds instead of five."),
    "tech": ("We are still on {ver}.", "Took {hours} hours to bisect.", "Our logs grew by {n} GB a day.",
             "It was a {tool} thing in the end.", "{n2} servers, one bad line."),
    "travel": ("We did it in {n} days.", "It was {n} degrees at the top.", "The {place} was packed by {time}.",
               "Our train from {city} was {hours} hours late.", "Walked {km} km on the second day."),
}
CLOSINGS = ("Saving this one.", "Thank you for posting it.", "Cheers from {city}!", "Keep them coming.",
            "Lovely as always.", "Greetings from {city}.", "Bookmarked.", "Sending this to {who}.", "🙂", "😊",
            "🙏", "💚", "👍", "Have a good {day}!", "See you next {day}.", "Take care.", "Cheers, {fname}")
INTERJECTIONS = ("Honestly,", "Ooh,", "Okay so", "Oh,", "Ha,", "Right,", "Funny timing,", "Not gonna lie,", "Hmm,",
                 "Aha,", "Well,")
# Fields the comments use beyond text.FILLS.
COMMENT_FILLS: dict[str, Fill] = {**FILLS, "fname": lambda rng: capitalised(name(rng)[0])}


def _typo(rng: Rng, s: str) -> str:
    """One slip of the thumb in a longer word: two letters swapped, one dropped or doubled."""
    words = s.split(" ")
    long = [n for n, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return s
    n = rng.choice(long)
    w, at = words[n], rng.randint(1, len(words[n]) - 2)
    slip = rng.randint(0, 2)
    words[n] = (w[:at] + w[at + 1] + w[at] + w[at + 2:] if slip == 0 else
                w[:at] + w[at + 1:] if slip == 1 else w[:at] + w[at] + w[at:])
    return " ".join(words)


def thoughtful(rng: Rng, niche: str) -> str:
    kw = rng.choice(KEYWORDS[niche])
    parts = [fill(rng, rng.choice(EXPERIENCES[niche]), kw=kw, fills=COMMENT_FILLS)]
    if rng.random() < 0.35:
        parts.append(fill(rng, rng.choice(ASIDES[niche])))
    roll = rng.random()
    if roll < 0.55:
        parts.append(fill(rng, rng.choice(QUESTIONS[niche]), kw=kw))
    if roll > 0.4:
        parts.append(fill(rng, rng.choice(CLOSINGS), fills=COMMENT_FILLS))
    if rng.random() < 0.15:
        parts[0] = f"{rng.choice(INTERJECTIONS)} {parts[0]}"
    out = " ".join(capitalised(p) for p in parts)
    style = rng.random()
    if style < 0.25:
        out = out.lower()
    elif style < 0.35:
        out = out.rstrip(".!")
    if rng.random() < 0.15:
        out = _typo(rng, out)
    return out


# --- generic ---------------------------------------------------------------------------------
# Each matches the classifier's PRAISE; at most three words, so a name may follow.
PRAISE = ("love this", "love it", "so good", "amazing", "great post", "nice one", "wow", "wowww", "yes", "yesss",
          "perfect", "beautiful", "so cool", "awesome", "fire", "omg", "gorgeous", "super", "fantastic", "nice",
          "cute", "looks amazing", "this is fire", "omg yes", "absolutely gorgeous", "so good omg", "great one",
          "best post ever", "nice work", "love you", "cool", "pure fire", "amazing as always", "looks so good",
          "wow wow", "so beautiful", "nice nice", "great stuff", "super cute", "love this so much", "amazing work",
          "too cool", "fantastic post", "great vibes", "perfect as always", "omg love it", "nice shot", "yes yes yes",
          "awesome stuff", "beautiful work", "love it here", "so so good", "looks great", "lovely and cool")
# At most two words and no praise: short enough to be generic on their own.
SHORT = ("need this", "yum", "drooling", "goals", "obsessed", "so tasty", "saving this", "mood", "same",
         "want", "bookmarked", "inspiring", "chefs kiss", "real", "iconic", "facts", "legend", "stunning",
         "yummy", "mmm", "slay", "queen", "king", "insane", "wild", "brilliant", "incredible", "lovely",
         "delicious", "epic", "wowza", "sick", "beast mode", "so pretty", "yasss", "bravo", "respect", "class")
EMOJI = ("🔥", "😍", "👏", "❤️", "🙌", "💯", "😋", "🤤", "✨", "💚", "🌱", "👌", "🥰", "😮", "🤩", "💪", "⭐", "🎉",
         "🙏", "💖", "😻", "🤌", "👀", "😭")


def _emoji(rng: Rng, most: int) -> str:
    if rng.random() < 0.5:
        return rng.choice(EMOJI) * rng.randint(1, most)
    return "".join(rng.choice(EMOJI) for _ in range(rng.randint(1, most)))


def generic(rng: Rng) -> str:
    form = rng.random()
    if form < 0.15:
        return _emoji(rng, 5)
    punct = rng.choice(("", "", "!", "!!", "!!!", ".", " ❤️", "~"))
    tail = f" {_emoji(rng, 3)}" if rng.random() < 0.7 else ""
    if form < 0.35:
        words = rng.choice(SHORT)
    else:
        words = rng.choice(PRAISE)
        who = rng.random()
        if who < 0.3:  # the creator, by name
            words = f"{words} {capitalised(name(rng)[0])}"
        elif who < 0.55:  # a friend, tagged (a mention is no word)
            first, last = name(rng)
            words = f"@{first}{rng.choice(('', '_', '.'))}{last} {words}"
    case = rng.random()
    words = words.upper() if case < 0.1 else capitalised(words) if case < 0.45 else words
    return f"{words}{punct}{tail}"


# --- spam ------------------------------------------------------------------------------------
SPAM = {
    "self_promotion": (
        "{hey}sub to me {pls}, I post {niche} {stuff} every {freq} {emoji}",
        "{hey}check out my channel, I do {niche} {stuff} too{excl}",
        "{hey}help me get to {n}{hundred} subs {emoji}",
        "{hey}follow me and I'll follow back {emoji}",
        "new {vid} on my page, go watch it and tell me what you think{excl}",
        "check out my page, just hit {n}{hundred} followers {emoji}",
        "{hey}I'm a small {creator} from {city}, would mean the world if you checked out my {work} {emoji}",
        "I just uploaded a new {niche} video about {kw}, go watch it {emoji}",
        "sub 4 sub? {emoji} I post every {freq}",
        "{pls} support my {niche} page, {n} {vid}s so far {emoji}",
        "road to {n}k subs, every sub helps {emoji}",
        "{hey}I make {niche} videos too, subscribe if you like them{excl}",
        "{hey}{pls} subscribe to my {niche} channel, {count} videos so far {emoji}",
        # an address written to slip past filters (docs/HEURISTICS.md, the YSE videos)
        "{hey}check out my {niche} blog: {site} {emoji}",
        "{hey}visit my page {site} for more {niche} {stuff}{excl}"),
    "scam": (
        "{hey}i made ${n}00 a day working from home with @{scammer}, message her {emoji}",
        "I was broke until @{scammer} showed me how to earn ${n}k a week, dm them {emoji}",
        "Earn ${n}00 daily from your phone, ask me how {emoji}",
        "Thanks to @{scammer} I made ${n}k in crypto profits this month, they are legit {emoji}",
        "With the help of @{scammer} I now make ${n},{n}00 every week {emoji}",
        "{name} changed my life, I earned ${n}k trading with her in {week} weeks. Contact her on WhatsApp",
        "Who else wants to make money from home? I made ${n}00 last week, dm me {emoji}",
        "{hey}I made ${n},{n}00 in {week} days with @{scammer}, she is the real deal {emoji}",
        "Big thanks to @{scammer}, I withdrew ${n}k this week {emoji}",
        "Invest in crypto today and see real profits in {week} days, ask @{scammer} {emoji}",
        "{name} helped me earn ${n}00 every day from home. Message her on telegram {emoji}",
        # as real Instagram comments under finance posts write them (docs/HEURISTICS.md, ScamSpot)
        "i'm paying {n} grand to the first {n} people to message me \"{hard}\" {emoji}",
        "giving out ${n},000 to the first {n} people to dm me {emoji}",
        "for a start i deposited ${n},000 and after {week} days i got a return of ${n}{n},500. her diligence is "
        "undeniable @{scammer}",
        "{capitals}"),
    "selling": (
        "{hey}if you need {unit} {dm}",
        "buy real {unit} and likes cheap, {dm} {emoji}",
        "if you want {n}k {unit} fast, {dm}",
        "I can promote your {space} to {n}0k people, {dm}",
        "selling {n}k {platform} {unit}, real and active, {dm}",
        "cheap {unit}, likes and views 👉 {dm}",
        "grow your account fast: {n}k real {unit} in {week} days, {dm}",
        "Need more views? We boost your {space} to {n}0k people, {dm} {emoji}",
        "instant {unit} for your {platform} page, {dm} {emoji}",
        "{hey}organic {unit} for any {platform} page, {dm}"),
}
SCAMMER_PARTS = (("wealth_with_", "coach.", "trader_", "mr_", "invest_with_", "crypto.", "mrs_", "fx_"),
                 ("", "_official", ".fx", "_invests", "_trades", "1", "22", "_coach"))


def scammer(rng: Rng) -> str:
    first, last = name(rng)
    return f"{rng.choice(SCAMMER_PARTS[0])}{rng.choice((first, last))}{rng.choice(SCAMMER_PARTS[1])}"


_SMALL_CAPITALS = str.maketrans("abcdefghijklmnoprstuvwyz", "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ")


def in_capitals(rng: Rng) -> str:
    """A testimonial in small capitals, as scams write past filters ("ɪ ᴍᴀᴅᴇ $3,000 ɪɴ 5 ᴅᴀʏꜱ")."""
    words = f"i made ${rng.randint(2, 9)},{rng.randint(1, 9)}00 in {rng.randint(2, 9)} days with"
    return f"{words.translate(_SMALL_CAPITALS)} @{scammer(rng)}"


def hidden_site(rng: Rng) -> str:
    """A web address as spammers write it past filters: a sub-domain, a country domain, DOT,
    full-width letters, a zero-width space inside, a backslash for a short link's slash."""
    first = rng.choice(("daily", "free", "top", "real", "my", "best"))
    word = first + rng.choice(("tips", "deals", "plans", "hub"))
    return rng.choice((f"{word}.blogspot.com", f"{word}.co.uk", f"{word}DOTcom", f"\uff57\uff57\uff57.{word}.\uff43om",
                       f"{word}.co\u200bm", f"goo.gl\\{word[:3]}{rng.randint(10, 99)}X"))


SPAM_FILLS: dict[str, Fill] = {
    **COMMENT_FILLS,
    "scammer": scammer, "name": lambda rng: capitalised(name(rng)[0]), "site": hidden_site, "capitals": in_capitals,
    "hard": ("difficult times", "hard times", "struggling", "bills", "blessed"),
    "hey": ("", "", "hey guys! ", "hi everyone, ", "Hello from {city}! ", "yo ", "omg ", "hey {fname}! "),
    "pls": ("please", "pls", "plz"),
    "freq": ("day", "week", "Friday", "morning", "Sunday", "other day"),
    "excl": ("!", "!!", " 🙏", " 🥺", "", " {emoji}"),
    "emoji": ("🙏", "💯", "🥳", "🔥", "💸", "📲", "🙏🙏", "❤️", "👉", "🚀", "", "✅", "😊", "🤑", "💪"),
    "creator": ("youtuber", "creator", "artist", "vlogger", "content creator"),
    "work": ("channel", "page", "videos", "vlog"),
    "stuff": ("stuff", "content", "videos", "tips"),
    "vid": ("video", "vlog", "reel", "short"),
    "hundred": ("00", "50"),
    "unit": ("followers", "subs", "likes", "views", "subscribers"),
    "space": ("page", "account", "channel", "business", "videos"),
    "dm": ("dm me", "DM me now", "dm me for prices", "message me", "inbox me", "dm for details", "dm me 📩",
           "dm me on telegram"),
    "platform": ("insta", "tiktok", "youtube", "IG", "twitter", "Mastodon", "Bluesky"),
}


def spam(rng: Rng, niche: str, kind: str) -> str:
    out = fill(rng, rng.choice(SPAM[kind]), niche=niche, kw=rng.choice(KEYWORDS[niche]), fills=SPAM_FILLS)
    if rng.random() < 0.3:
        out = out.lower()
    if rng.random() < 0.25:  # spammers tag someone to be seen
        first, last = name(rng)
        out = f"@{first}{rng.choice(('', '_', '.'))}{last} {out}"
    if rng.random() < 0.5:
        out = f"{out.rstrip()} {_emoji(rng, 3)}"
    return out.strip()


def comment(rng: Rng, niche: str, kind: str) -> str:
    """A comment of one kind: thoughtful | generic | self_promotion | scam | selling."""
    if kind == "generic":
        return generic(rng)
    if kind in SPAM:
        return spam(rng, niche, kind)
    return thoughtful(rng, niche)
