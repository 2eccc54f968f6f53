"""Is a post sponsored, and is it disclosed well enough for a reader to notice?

Signals and label lists follow shared/DOMAIN.md (FTC Disclosures 101, FTC 2023 Guides and
their FAQ, UK ASA/CMA, Ireland ASAI, the Amazon Associates Operating Agreement). A post is
sponsored when it carries a disclosure label, the platform's paid-partnership flag, or a
commercial signal. Disclosure is then judged on wording (adequate vs weak labels; a
denial such as "not sponsored" is never a label) and placement (before the fold, outside
a hashtag block, in the visible text).

Links (affiliate, shortened, beside a deal) are judged in sponsored_links.py. Every phrase
family below is a small regex with the words every one of its matches
contains (its "gate"): the regex runs only when one of those words is in the lower-cased
post, so most posts skip most regexes (tests/heuristics/test_fast_paths.py checks that
the gates never change a result).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Literal

from pydantic import BaseModel, ConfigDict, Field

from microscout.heuristics import text as textlib
from microscout.heuristics.lazy_regex import compile_on_use
from microscout.heuristics.sponsored_codes import (
    STRICT_CODE,
    foreign_code_for_a_brand,
    foreign_codes,
    foreign_codes_may_match,
)
from microscout.heuristics.sponsored_links import (
    MORE_AFFILIATE_URL_PATTERNS,
    STUDY_AFFILIATE_URL_PATTERNS,
    link_signals,
)
from microscout.heuristics.sponsored_selling import selling_wording
from microscout.heuristics.trigger_scan import TriggerScan

Disclosure = Literal["adequate", "weak", "late", "buried", "missing", "not_needed"]
DISCLOSURES: tuple[Disclosure, ...] = ("adequate", "weak", "late", "buried", "missing", "not_needed")

# --- Labels ------------------------------------------------------------------------------
# Adequate hashtags (DOMAIN.md; FTC: #ad, #sponsored; affiliate wording as tags too).
ADEQUATE_TAGS = frozenset({"ad", "ads", "advert", "advertisement", "sponsored", "paid", "paidpartnership",
                           "paidad", "sponsoredpost", "affiliate", "affiliatelink", "affiliatelinks",
                           "commissionearned", "commissionsearned", "paidlink", "paidlinks",
                           # The labels other countries' regulators and codes ask for: Germany
                           # (Landesmedienanstalten: Werbung, Anzeige), France (ARPP: publicité,
                           # collaboration commerciale), Spain (Autocontrol: publi, publicidad),
                           # Portugal and Brazil (publicidade, publi), Italy (IAP: pubblicità,
                           # sponsorizzato), the Netherlands (SRC: reclame, advertentie, gesponsord).
                           "werbung", "anzeige", "bezahltepartnerschaft", "gesponsert", "publicité", "publicite",
                           "collaborationcommerciale", "partenariatrémunéré", "partenariatremunere", "sponsorisé",
                           "sponsorise", "publi", "publicidad", "patrocinado", "publicidade", "parceriapaga",
                           "pubblicità", "pubblicita", "sponsorizzato", "reclame", "advertentie", "gesponsord"})
# Of those, the tags that are also the topic ("#werbung #agentur #branding" on a design
# agency's post, "#publicidad #tfg" on a student's, Portuguese "#reclame" = "complain", French
# "une publi" = a paper), as #advertising is in English: a label only beside a commercial signal.
TOPIC_AD_TAGS = frozenset({"werbung", "anzeige", "publicité", "publicite", "publi", "publicidad", "publicidade",
                           "pubblicità", "pubblicita", "reclame", "advertentie"})
# Brand-specific labels (#NikePartner, #GlowcoAmbassador) are adequate; the bare word is not.
BRAND_LABEL_RE = compile_on_use(r"^\w+(partner|ambassador)$", re.IGNORECASE)
WEAK_TAGS = frozenset({"sp", "spon", "collab", "partner", "ambassador", "gifted"})
# Weak tags that on their own still say "this is paid"; #collab/#partner could be a friend.
SPONSORSHIP_TAGS = frozenset({"sp", "spon", "ambassador", "gifted"})
# A gift named as one ("gifted by @glowco", "(gifted)", "I was gifted this"): it tells readers of
# the brand's gift (the ASA and CMA ask gifts to be labelled so), but not whether the brand
# also paid or controls the post, which would need #ad: a weak label, never "undisclosed".
GIFT_LABEL_RE = compile_on_use(
    r"\bgifted\s*(?:by|from)\s+(?:(?:the|team|at|lovely|kind|people|folks|over)\s+)*(?P<giver>@?\w[\w&'.-]*)"
    r"|[(*\[]\s*gifted\b|^[^\w\n]*gifted\s*(?:[:|–—-]|$)|(?P<bare>\b(?:was|were|been|got|kindly)\s+gifted\b)",
    re.IGNORECASE | re.MULTILINE)

# Adequate phrases, one family each: (family, regex, gate words, whether a negation inside
# the match also denies it). Written from FTC Disclosures 101 and the Endorsement Guides FAQ
# ("I get commissions for purchases made through links in this post", "paid link"),
# the Amazon Associates Operating Agreement (its required sentence) and ASA/CMA guidance.
_I = re.IGNORECASE
# What every label of the ad_other_languages family contains, lower-cased: its gate, and what
# makes a label one that the other languages' denials may deny (_negated).
_OTHER_LANGUAGE_LABEL_WORDS = ("werbung", "anzeige", "publi", "pubblicit", "reclame", "advertentie", "bezahlt",
                               "gesponsert", "commerciale", "partenariat", "sponsoris", "patrocin", "parceria",
                               "sponsorizz", "betaalde", "gesponsord", "colabora", "collaborazion")
# The affiliate disclosures of those languages the same denials deny ("não ganho uma comissão",
# "sin enlaces de afiliado", "aucun lien affilié").
_DENIABLE_OTHER_LANGUAGE_WORDS = (*_OTHER_LANGUAGE_LABEL_WORDS, "comiss", "comisi", "afiliad", "affili")
# After a sponsor header or "brought to you by": no sponsor named, or the audience paying
# ("none", "N/A", "TBD", "No sponsors on this one", "you!", "my patrons", "Patreon supporters",
# "listeners like you", "the letter B"), or a call for one ("Sponsors: interested? Email me");
# "You Need A Budget" is a sponsor.
_AUDIENCE = r"(?:patrons?|supporters?|members?|viewers?|listeners?|subscribers?|fans?|readers?|backers?|donors?)"
_NO_SPONSOR = (r"(?![^\w\n]*(?:(?:none|nobody|no\s+one|n/?a|tb[ad]|no\s+sponsors?|not\s+sponsored|people\s+like\s+you"
               # a call for one: "Sponsors: interested? Email me", "Sponsors: looking for one!"
               r"|wanted|looking\s+for|interested|want\s+to|become\s+(?:a|one)|your\s+(?:brand|company|logo|name)"
               r"|email|e-mail|contact|dm|reach\s+out|get\s+in\s+touch"
               r"|the\s+(?:letters?|numbers?)|(?:(?:my|our|the|all\s+(?:my|our|the))\s+)?(?:\w+\s+)?" + _AUDIENCE
               + r")\b|you(?:\s+(?:guys|all))?(?=[^\w\s]|\s*$))|\s*\n\s*no\s+sponsors?\b)")
ADEQUATE_PHRASES: tuple[tuple[str, re.Pattern[str], tuple[str, ...], bool], ...] = (
    # "Paid partnership with X", "paid link", YouTube's "Includes paid promotion".
    ("paid", compile_on_use(r"\bpaid\s+(?:partnership|promotion|post|endorsement|sponsorship|review|advertisement"
                            r"|ad|links?)\b|(?:^[^\w\n]*|(?<=[\[(|•.!?])\s?)paid\s+partner\b"
                            r"(?=\s*(?:[:|,.–—\])-]|with\b|of\b|$)|\s+(?-i:[A-Z@]))", _I | re.MULTILINE),
     ("paid",), False),
    # "sponsored by X", "this video is sponsored (by X)", "sponsored video", "thanks to X for
    # sponsoring", "today's sponsor".
    ("sponsor", compile_on_use(r"\bsponsored\s+by\b|\b(?:is|was|are|were|been|being)\s+(?:proudly\s+|kindly\s+)?"
                               r"sponsored(?:\s+by)?\b|\bsponsored\s+(?:video|post|content|episode|review|stream"
                               r"|segment)\b|\bfor\s+sponsoring\b|\b(?:today'?s|this\s+video'?s|this\s+episode'?s"
                               r"|this\s+week'?s)\s+sponsor\b|\bsponsors?\s+(?:of|for)\s+(?:this|today'?s)\s+"
                               r"(?:video|episode|post|stream)\b"
                               # a header naming the sponsors, as podcasts and videos list them
                               # ("Sponsors:", "Sponsor: Incogni —", "Our sponsors:"): not "sponsor
                               # a child:" nor "sponsors" in a sentence, nor a header naming none or
                               # the audience ("Sponsors: none", "Sponsors: my patrons", "Sponsors: you!")
                               r"|^[^\w\n]*(?:(?:our|episode|video|today'?s)\s+)?sponsors?\s*[:–—]" + _NO_SPONSOR
                               + r"|\bthis\s+(?:video|episode|podcast|show|stream)\s+(?:is|was)\s+brought\s+to"
                               r"\s+you\s+by\b(?!\s+(?:my|our|me|us)\b)" + _NO_SPONSOR,
                               _I | re.MULTILINE), ("sponsor", "brought to you"), False),
    # "Advertisement" as a label ("Advertisement:", "[Advertisement]", alone on a line), not the
    # word in a sentence ("perfect for advertisement").
    ("advertisement", compile_on_use(r"(?:^|[\[(|])\s*advertisement\s*(?:[\]):|]|$)", _I | re.MULTILINE),
     ("advertisement",), False),
    ("this_is_an_ad", compile_on_use(r"\bthis (?:is|was) an? (?:ad|advert|advertisement)\b", _I),
     ("this is a", "this was a"), False),
    # "[ad]", "(ad)", "AD |", "AD:" and "ad" alone on a line; its gate is _BARE_AD_RE.
    ("bare_ad", compile_on_use(r"(?:^|[\[(|])\s*ad\s*(?:[\]):|]|$)", _I | re.MULTILINE), (), False),
    # "affiliate link(s)", "Amazon Affiliate Link:", "affiliated links", "affiliate product links",
    # "links below are affiliate links", "These are Amazon associate links", "(affiliate)", "I am
    # a Book Depository affiliate", "a participant in the X affiliate program". Never "affiliated
    # with" ("not affiliated with Apple") nor the topic words "affiliate marketing", "their
    # affiliate program", nor "Amazon Associates links" not pointed at the post's own or heading
    # them ("Pinterest bans Amazon associate links", "Are Amazon associate links allowed?").
    ("affiliate", compile_on_use(r"\baffiliate(?:d)?[\s-]+(?:\w+\s+)?(?:links?|urls?|referrals?|codes?)\b"
                                 r"|\baffiliate[\s-]+(?:commissions?|disclosure)\b|\baffiliates?\s*:"
                                 r"|\b(?:links?|urls?)\b[^.!?\n]{0,40}?\bamazon\s+associates?\b"
                                 r"|(?:\b(?:these|those|they|all|some|which|links?|urls?|below|above)\s+(?:are|is)\s+"
                                 r"(?:all\s+)?(?:my\s+)?|\bcontains?\s+|(?<=\())amazon\s+associates?\s+(?:links?|urls?)\b"
                                 r"|\bamazon\s+associates?\s+(?:links?|urls?)\s*:"
                                 r"|\b(?:links?|urls?)\b[^.!?\n]{0,40}?\b(?:are|is|may\s+be|might\s+be|could\s+be)"
                                 r"\s+(?:my\s+)?affiliate(?:s|d)?(?:\s+links?)?\b|\(\s*affiliate\s*\)"
                                 r"|\b(?:i\s+am|i'm|we\s+are|we're|as)\s+an?\s+(?:[\w.-]+\s+){0,3}?affiliates?\b"
                                 r"|\b(?:participant|member|part)\s+(?:in|of)\s+(?:the\s+)?(?:[\w.-]+\s+){0,4}?affiliate\s+"
                                 r"program(?:me)?s?\b", _I),
     ("fili", "associat"), False),
    # Amazon's required sentence, "As an Amazon Associate I earn from qualifying purchases", and
    # its older form "a participant in the Amazon Services LLC Associates Program". Not the
    # topic words "how to join Amazon Associates".
    ("amazon_associate", compile_on_use(r"\b(?:as|i\s+am|i'm|we\s+are|we're)\s+an?\s+(?:amazon\s+)?associate\b"
                                        r"|\bearns?\s+from\s+qualifying\s+purchases\b"
                                        r"|\b(?:participant|member|part)\s+(?:in|of)\s+(?:the\s+)?(?:[\w.-]+\s+){0,4}?"
                                        r"associates?\s+program(?:me)?s?\b", _I), ("associat", "qualifying"), False),
    # The same in German, French and Spanish: "Partnerprogramm von Amazon", "eine (kleine)
    # Provision", "liens affiliés", "enlaces de afiliado".
    ("affiliate_other_languages", compile_on_use(r"\bpartnerprogramm\w*|\bpartner-?links?\b"
                                                 r"|\b(?:eine|kleine)\s+provision\b|\bliens?\s+(?:d['’]\s*)?affili\w*"
                                                 r"|\benlaces?\s+(?:de\s+)?afiliad\w*"
                                                 # Portuguese and Spanish: "link de afiliado", "os links abaixo
                                                 # são de afiliado", "ganho uma pequena comissão"
                                                 r"|\blinks?\s+(?:\w+\s+){0,2}?(?:de\s+)?afiliad\w*"
                                                 r"|\b(?:ganho|recebo|ganhamos|recebemos|gano|recibo|ganamos|recibimos)"
                                                 r"\s+(?:uma\s+|una\s+)?(?:pequena\s+|pequeña\s+)?(?:comiss[ãa]o|comisi[óo]n)",
                                                 _I),
     ("partner", "provision", "fili", "comiss", "comisi"), False),
    # The same labels in other languages (ADEQUATE_TAGS): as a label ("[Werbung]", "Anzeige |",
    # "Publicidad:" or alone on a line) or as a phrase ("bezahlte Werbung", "collaboration
    # commerciale avec", "patrocinado por"), not the word in a sentence ("Werbung nervt").
    ("ad_other_languages", compile_on_use(
        r"(?:^|[\[(|])\s*(?:werbung|publicidad|publicidade|publicit[ée]|pubblicit[àa]|advertentie)\s*(?:[\]):|]|$)"
        # "Anzeige: 6,1 Zoll" is a phone's display, "Publi :" a paper, "Reclame:" a complaint
        r"|(?:^|[\[(|])\s*(?:anzeige|publi|reclame)\s*(?:[\])|]|$)"
        # set off by dashes or stars alone on a line ("*Anzeige*", "– Werbung –"), or a dash
        # stuck to it at the end of a line ("💕 -werbung ."); not a list's "- Werbung", "Online-Werbung"
        # or "Polizei war da – Anzeige."
        r"|^[^\w\n]*[-–—*•][ \t]?(?:werbung|anzeige|publicidad|publicidade|publicit[ée]|pubblicit[àa]|advertentie"
        r"|reclame)[ \t]?[-–—*•][^\w\n]*$"
        r"|(?<=[ \t])-(?:werbung|anzeige|publicidad|publicidade|publicit[ée]|pubblicit[àa]|advertentie"
        r"|reclame)[ \t]*(?:\.[ \t]*)?$"
        r"|(?<!un)\bbezahlte\s+werbung\b|\bbezahlte\s+partnerschaft\b|\bin\s+bezahlter\s+kooperation\b"
        r"|\bgesponsert\s+von\b|\bcollaboration\s+commerciale\b|\bpartenariat\s+r[ée]mun[ée]r[ée]\b"
        r"|\bsponsoris[ée]e?\s+par\b|\bcontenido\s+patrocinado\b|\bpatrocinado\s+por\b|\bparceria\s+paga\b"
        r"|\bconte[úu]do\s+patrocinado\b|\bsponsorizzato\s+da\b|\bbetaalde\s+samenwerking\b"
        r"|\bgesponsord\s+door\b"
        # "Colaboración pagada con HSN", "colaboração paga", "collaborazione retribuita"
        r"|\bcolaboraci[óo]n\s+(?:pagada|remunerada|patrocinada)\b|\bcolabora[çc][ãa]o\s+(?:paga|remunerada)\b"
        r"|\bcollaborazione\s+(?:retribuita|a\s+pagamento)\b", _I | re.MULTILINE),
     _OTHER_LANGUAGE_LABEL_WORDS, False),
    # "I earn a (small) commission", "we may receive a commission", "these links earn me a
    # commission", "commissions from purchases", "I may be compensated", "I get a small
    # percentage of the sale": first person, so "musicians get a share of the revenue" is no
    # label. A negation inside ("I earn no commission") denies it too.
    ("commission", compile_on_use(r"\b(?:i|we|me|us|channel|creator)\b[^.!?\n]{0,20}?\b(?:earn|earns|earned|earning"
                                  r"|receive|receives|received|get|gets|make|makes|collect|collects)\s+(?:\w+\s+){0,4}?"
                                  r"(?:commissions?|compensation|(?:percentage|share|portion|cut)\s+of\s+(?:the\s+|any\s+"
                                  r"|each\s+|every\s+)?(?:sales?|purchases?))\b"
                                  r"|\b(?:earn|earns|get|gets|make|makes)\s+(?:me|us)\s+(?:\w+\s+){0,3}?(?:commissions?"
                                  r"|compensation)\b"
                                  r"|\bcommissions?\s+(?:from|on|for)\s+(?:\w+\s+){0,3}?(?:purchases?|sales?|orders?)"
                                  r"\s+(?:made\s+)?(?:through|via|using|from|with)\s+(?:these|my|the|this|our)\b"
                                  r"|\bcommissions?\s+(?:from|on|for)\s+(?:these|my|this|the)\s+links?\b"
                                  r"|\b(?:i|we)\s+(?:may|might|will|could)\s+be\s+compensated\b|\bcommissions?\s+earned\b",
                                  _I),
     ("commission", "compensat", "sale", "purchase"), True),
)
# What a label phrase's match holds around the label itself: blanks, brackets, bars, colons,
# an emoji before "Paid partner".
_LABEL_LEAD_RE = compile_on_use(r"^[^\w#@]+")
_LABEL_TRAIL = "[](|:)*•.–—-"


def _label_text(matched: str) -> str:
    """A label as quoted: without the brackets, bars, stars or dashes that set it off."""
    end = len(matched)
    while end and (matched[end - 1].isspace() or matched[end - 1] in _LABEL_TRAIL):
        end -= 1
    return _LABEL_LEAD_RE.sub("", matched[:end])
# What every match of the "bare_ad" family ("[ad]", "(ad)", "AD:") contains: a cheap test
# that skips it on posts that merely contain "made" or "bread".
_BARE_AD_RE = compile_on_use(r"ad\s*(?:[\]):|]|$)", re.IGNORECASE | re.MULTILINE)

# Denials are never labels: "not sponsored", "this is not an ad", "no affiliate links", "not
# paid", "non-sponsored". A label is denied when a negation stands in its clause before it.
NEGATION_RE = compile_on_use(r"\b(?:not|no|never|non|nobody|none|nothing|neither|nor|without|zero|cannot"
                             r"|(?:is|are|was|were|do|does|did|have|has|had|wo|ca|could|would|should|ai)n['’]?t)\b",
                             re.IGNORECASE)
# The same in the languages whose labels are read ("keine #Werbung", "n'est pas sponsorisé",
# "não é publi", "geen #reclame"), only right before the label, with at most two articles or
# copulas between: the words are common ("sin gluten", "sans doute", "Sin City", SEM tools).
# They deny only those languages' labels (_OTHER_LANGUAGE_LABEL_WORDS): not "#ad" after "faux pas".
OTHER_NEGATION_RE = compile_on_use(
    r"(?<!\w)(?:kein|keine|keinen|nicht|ohne|pas|sans|aucun|aucune|sin|ningún|ninguna|sem|nenhum|nenhuma|não|nao"
    r"|senza|nessun|nessuna|geen|niet|zonder"
    # Spanish and Italian "no"/"non" only before the copula ("NO es una colaboración pagada", "non è")
    r"|no\s+(?:es|era|fue|son)|non\s+(?:è|e|sono|era))"
    r"\s+(?:(?:un|une|de|la|le|les|des|du|d['’]|é|e|è|es|ist|ein|eine"
    r"|einen|een|una|uno|um|uma|el|il|lo|het)\s+){0,2}$", re.IGNORECASE)
# "Nenhum link aqui é link de afiliado", "Nada de esto es colaboración pagada": as "none" and
# "nothing" in English (NEGATED_SUBJECT_WORDS), with only words that say what is denied between.
OTHER_NONE_RE = compile_on_use(
    r"(?<!\w)(?:nenhum|nenhuma|ningún|ninguno|ninguna|nada|aucun|aucune|rien|keiner|keine|keines|nichts|nessun"
    r"|nessuno|nessuna|niente|geen|niets)\s+(?P<words>[^\n]*)$", re.IGNORECASE)
OTHER_NEGATED_SUBJECT_WORDS = frozenset(
    "de del dos das do da destes destas deste desta disso disto isso isto esto estos estas este esta eso esos aqui "
    "aquí ici hier qui qua link links enlace enlaces lien liens vídeo video vídeos videos post posts produto "
    "produtos producto productos produit produits prodotto prodotti é es son são est sont ist sind è e sono is zijn "
    "un una uma um la le les des du dans in en no na neste nesta nesse nessa dieser diesem questo questi questa "
    "ces cette ce".split())
# Where a clause starts: punctuation, a line break, or a conjunction ("not sponsored, but the
# links are affiliate links" denies only the first half).
CLAUSE_BREAK_RE = compile_on_use(r"[.!?;,:\n()\[\]|•]|\b(?:but|however|though|although|yet|and|so)\b", re.IGNORECASE)
NEGATION_WINDOW = 48  # characters looked at before a label
# Words between a negation and what it denies: "not a paid partnership", not "No filter needed #ad".
NEGATION_MAX_WORDS = 1
# More words after "none", "nothing" or "neither" where they only say what is denied: "None of
# these are sponsored", "Nothing in this video is an ad", "None of the links below are affiliate
# links"; not "None of my friends believe this is sponsored".
NEGATED_SUBJECT_WORDS = frozenset(
    "of these this them it those the above below here in on my our video list post description channel link "
    "links product products item items app apps tool tools course courses brand brands company companies "
    "service services pick picks is are was were a an".split())
# After a label "none", "nothing" or "neither" denies: an exception, which the post then owns up to
# ("None of these are sponsored except the last one", "Nothing in this video is sponsored, apart
# from the segment at 3:20").
EXCEPTION_RE = compile_on_use(r"[^\w\n.!?]{0,3}(?:(?:by\s+)?(?:anyone|anybody|any\s+\w+)[^\w\n.!?]{0,3})?"
                              r"(?:except|excepting|apart\s+from|other\s+than|besides|save\s+for|but\s+for)\b", _I)

# Weak labels. "thanks @glowco" or "Thanks Glowco!": a capitalised name stands for the brand
# when there is no @; "thank you for watching", "thanks everyone", "thanks Mum" are not labels.
THANKS_RE = compile_on_use(r"\b(?i:thanks?(?: you)?(?: so much)?(?: to)?)[ \t]+(@\w[\w.-]*\w|[A-Z][\w&'-]+)")
THANKS_NOT_BRANDS = frozenset(
    "for to so you u ya ye yall y'all again all everyone everybody guys girls ladies folks friends fam family "
    "much lots loads heaps a in and but the this that it i we my our mum mom dad mama papa god lord jesus "
    "heaven heavens goodness babe bro sis dude man mate mates buddy viewers subscribers followers fans "
    "people peeps team youtube instagram ig insta tiktok twitter facebook watching reading "
    "subscribing".split())
# Givers that are no brand: a gift from family, friends or God is no ad.
NOT_A_BRAND_GIVERS = THANKS_NOT_BRANDS | frozenset(
    "santa grandma grandpa granny grandad nan nana nanna auntie aunt uncle mother father mommy mummy daddy sister "
    "brother wife husband her him them me us my bestie bff partner boyfriend girlfriend nature someone "
    "somebody".split())
# The "channel support" wording of Mathur et al. (CSCW 2018): "using these links supports the
# channel", "support me by ordering through these links", "shopping with these links helps
# the channel", "it costs you nothing". It hints at a payment without saying it: a weak
# label, counted only in a sentence (or beside a line) about links or buying.
CHANNEL_SUPPORT_RE = compile_on_use(
    r"\b(?:helps?|supports?|supporting)\s+(?:out\s+)?(?:the|this|my|our)\s+(?:[\w.-]+\s+){0,2}?(?:channel|show|page"
    r"|blog|podcast|work|content|videos?|editor|creator)\b"
    r"|\bsupports?\s+(?:me|us)\b|\bsupport\b[^!?\n]{0,40}?\bby\s+(?:clicking|using|purchasing|shopping|buying"
    r"|ordering|joining|bookmarking)\b|\bshows?\s+(?:your\s+)?support\b"
    r"|\bat\s+no\s+(?:extra|additional)\s+(?:cost|charge)\b|\bcosts?\s+you\s+nothing\b", re.IGNORECASE)
LINK_CONTEXT_RE = compile_on_use(r"\b(?:links?|purchases?|purchasing|buy|buying|shop|shopping|amazon|click|clicking"
                                 r"|orders?|ordering)\b", re.IGNORECASE)
# "partnered with @glowco", "in collaboration with Glowco", "ambassador for @stompco",
# "@stompco ambassador": a sponsorship signal and, like #partner, only a weak label.
PARTNERSHIP_RE = compile_on_use(r"\b(?:partnered|partnering|teamed\s+up|teaming\s+up|collaborated|collaborating)"
                                r"\s+with\b"
                                r"|\bin\s+(?:partnership|collaboration|collab)\s+with\b|\bambassador\s+(?:for|of|with)\b"
                                r"|\bproud\s+(?:to\s+)?(?:partner|ambassador)\s+(?:of|with|for)\b", re.IGNORECASE)
# What follows must be a brand: an @mention (after a few words) or a capitalised name.
PARTNER_OBJECT_RE = compile_on_use(r"\s+(?:(?i:the|my|our|amazing|lovely|wonderful|incredible|awesome|fabulous|great"
                                   r"|good|friends|folks|team|people|guys|crew|at|from|over)\s+){0,4}"
                                   r"(@\w[\w.-]*\w|(?<=\s)(?!(?:Christ|God|Jesus|Allah|Holy\s+Spirit|Holy\s+Ghost)\b)(?!(?:Lord|Him|Heaven)\b(?!\s+[A-Z]))[A-Z][\w&'-]+)")
MENTION_AMBASSADOR_RE = compile_on_use(r"@\w[\w.-]*\w\s+(?:brand\s+)?ambassador\b", re.IGNORECASE)
# Someone else's sponsorship ("he is a @tudorwatch ambassador"): news, not the poster's ad.
_THIRD_PERSON = (r"(?:\b(?:he|she|they)|\b(?:my|his|her|our|their)\s+(?:husband|wife|son|daughter|brother|sister|mom"
                 r"|mum|dad|friend|coach|partner))"
                 r"(?:['’]s|['’]re|\s+is|\s+are|\s+was|\s+were|\s+has\s+been|\s+have\s+been)\s+"
                 r"(?:also\s+|now\s+|still\s+|officially\s+)?(?:a|an|the)?\s*")
THIRD_PERSON_RE = compile_on_use(_THIRD_PERSON + "$", re.IGNORECASE)
# "… he is an ambassador for @unicef": the mention after someone else's ambassadorship.
THIRD_PERSON_AMBASSADOR_RE = compile_on_use(_THIRD_PERSON + r"(?:brand\s+)?ambassadors?\s+(?:for|of|with)\s+$",
                                            re.IGNORECASE)
# Every word some label phrase needs (the families' gates, thanks, channel support).
_LABEL_GATE_WORDS = tuple(sorted({w for _, _, gate, _ in ADEQUATE_PHRASES for w in gate}
                                 | {"thank", "support", "cost", "charge", "help"}))


@lru_cache(maxsize=1)
def _label_gate() -> TriggerScan:
    """One scan for every _LABEL_GATE_WORDS (~2.5 µs a post against ~8 µs for 35 `in` checks)."""
    return TriggerScan({w: (0,) for w in _LABEL_GATE_WORDS})

# --- Commercial signals --------------------------------------------------------------------
# A code value is quoted, holds a digit or is in capitals ("use code GLOW20", "use code GLOW"):
# "use the code below" or "with code examples" is not a discount. After "promo/discount/
# coupon code" or before "for 20% off" any word but a few common ones will do.
_STRICT_CODE = STRICT_CODE
_LOOSE_CODE = (r"[\"'“‘]?(?!(?:below|above|here|there|at|in|for|and|the|is|from|on|to|you|your|will|when|that"
               r"|this|which|it|applies|works)\b)[A-Za-z0-9][\w-]{2,}")
# Between "code" and its value: a colon; or an arrow as captions write it ("my code ➡️andkatja15"),
# only before a creator-style code, letters then 2-3 digits ("👉 GLOW10"): after an arrow, "code"
# is as often a cheat code, a keypad or a Wi-Fi password (a review's organic posts).
_ARROW_CODE = r"\s*(?:[→➡►▶➤👉⇒\ufe0f]\s*)+(?=[A-Za-z]{3,}\d{2,3}\b)"
_CODE_SEP = r"(?:\s*(?::\s*)?|" + _ARROW_CODE + ")"
DISCOUNT_RE = compile_on_use(
    r"\b(?:use|with|enter|apply)\s+(?:my\s+|the\s+|our\s+)?(?:promo|discount|coupon)\s+code" + _CODE_SEP + _LOOSE_CODE
    + r"|\b(?:use|with|enter|apply)\s+(?:my\s+|the\s+|our\s+)?code" + _CODE_SEP + _STRICT_CODE
    + r"|\b(?:promo|discount|coupon)\s+code" + _CODE_SEP + _LOOSE_CODE
    + r"|\bcode" + _CODE_SEP + _LOOSE_CODE
    + r"[\"'”’]?\s+(?:for|to get|gets you|saves you)\s+\d+\s*(?:%|percent)(?:\s+off)?"
    + r"|\bcode" + _CODE_SEP + _STRICT_CODE + r"[\"'”’]?\s+at\s+checkout\b"
    + r"|\b\d+\s*(?:%|percent)\s+off\b[^.\n]{0,30}?\bcode" + _CODE_SEP + _LOOSE_CODE,
    re.IGNORECASE)
LINK_IN_BIO_RE = compile_on_use(r"\blink(?:ed)?\s+(?:is\s+)?in\s+(?:my\s+|the\s+)?(?:bio|profile)\b|#linkinbio\b",
                                re.IGNORECASE)
# "gifted" only where it describes the post's product: "a gifted musician" is not an ad.
GIFTED_RE = compile_on_use(
    # "^[^\S\n]*": a line's own spaces, not every later blank line (quadratic on thousands of them)
    r"#gifted\b|[(*\[]\s*gifted\b|^[^\S\n]*gifted\b|\bgifted\s*(?:by|from|to me|item|product)\b"
    r"|#hosted\b|\b(?:was|were|been|got|kindly)\s+gifted\b|\bpr (?:package|box|haul|gift|parcel)s?\b|\bc/o\b"
    r"|\bsent (?:to )?me\b|\bkindly sent\b|\bsending (?:me|us)\b", re.IGNORECASE | re.MULTILINE)
COMMERCIAL_WORDING_RE = compile_on_use(
    r"\bshop (?:now|the|my|it|here)\b|\bbuy (?:now|it|yours|here)\b|\bavailable (?:at|from|on)\b"
    r"|\bget yours\b|\border (?:now|yours|here)\b|\b\d+\s*% off\b|\bdiscount\b|\bpartner(?:ed|ing)? with\b"
    r"|\bin collaboration with\b|\bon sale\b|\bsale (?:price|now|ends|starts)\b|\bmy link\b|\bpromo\b"
    r"|\bcheck out @|\bgiveaway\b|\bpre-?order\b"
    r"|\bfree shipping\b", re.IGNORECASE)
# Just before an @mention: a credit or thanks, not a brand ("📸 @ana", "thanks @sarah", "model: @jo").
CREDIT_RE = compile_on_use(
    r"(?:📸|📷|🎥|🎬|©|\b(?:photos?|photography|photographer|ph|pic|pics|cred|credits?|shot|captured|lens|filmed"
    r"|video|videography|videographer|cinematography|edit(?:ed)?|styled|styling|stylist|mua|makeup|hair|artist"
    r"|model(?:led)?|modell?ing|assisted|assistant|produced|producer|mixed|mastered|printed|printing|design(?:ed)?"
    r"|designer|direction|directed|director|florals?|florist|props|written|writer|hosted|co-?founder|co-?author"
    r"|bandmates?|thanks?|thank\s+you(?:\s+so\s+much)?|ty|tysm|grateful|shout\s*-?outs?|big\s+love|congrats"
    r"|congratulations|happy\s+birthday|bday|friend|sister|brother|mum|mom|dad|wife|husband|bestie|bff))"
    r"\W{0,4}(?:(?:by|to|for|from|with|of|at)\s+)?(?:(?:the|my|our|team|at|incredibly|super|so|very|talented"
    r"|lovely|gorgeous|amazing|wonderful|beautiful|brilliant|one|and|only)\s+){0,4}:?\s*$"
    # "shot on film by the incredibly talented @kofi": praise of a person's skill
    r"|\bby\s+(?:the\s+)?(?:(?:incredibly|super|so|very)\s+)?(?:talented|gifted|skilled)\s+$",
    re.IGNORECASE)
# After a code: the store it is spent at, named ("for 20% off at ninjakitchen.com", "at @dewalt").
AT_A_STORE_RE = compile_on_use(r"[^.!?\n]{0,30}?\bat\s+(?:@\w|[\w-]+\.(?:com|co|net|shop|store)\b|(?-i:[A-Z])\w+)",
                               re.IGNORECASE)
# The poster's own shop, named as theirs: "our summer sale", "our online store", "in my Etsy
# shop", "everything in my shop", in a post that @mentions no brand. Narrow on purpose: a
# creator's sponsored post says "shop our collab collection", "our favourite store", "our first
# store run", "our online shop order from H&M", "built this in my shop" (a workshop), "up in my
# shop" (a storefront of links), and the code there is the brand's. Each form: the word ("our", "my"), what
# must stand just before it (words, then whitespace), what must follow. _own_shop is the one
# definition, for the fast path and the plain one alike.
_NOT_PICKS = (r"(?!\s+(?:picks?|finds?|hauls?|faves?|favou?rites?|edit|must|essentials|wishlist|gift|order|from"
              r"|of|arrived|came|delivery|runs?|trips?|visits?)\b)")  # "our online shop order from H&M"
_OWN_SHOP_FORMS: tuple[tuple[str, str | None, str], ...] = (
    ("our", None, r"our\s+(?:(?:summer|winter|spring|autumn|fall|holiday|annual|black\s+friday|cyber\s+monday"
                  r"|birthday|anniversary|clearance|end\s+of\s+season)\s+){0,3}sale\b" + _NOT_PICKS),
    ("our", None, r"our\s+(?:etsy\s+|online\s+|little\s+)?(?:store|shop|boutique)\b" + _NOT_PICKS),
    ("my", r"\b(?:in|at|from|on)$", r"my\s+(?:etsy|online|depop)\s+(?:shop|store)\b" + _NOT_PICKS),
    ("my", r"\b(?:everything|available)\s+(?:in|on|at)$", r"my\s+(?:shop|store)\b" + _NOT_PICKS),
)
_OWN_SHOP_BY_WORD = tuple((word, tuple((compile_on_use(before, re.IGNORECASE) if before else None,
                                         compile_on_use(after, re.IGNORECASE))
                                        for w, before, after in _OWN_SHOP_FORMS if w == word))
                          for word in ("our", "my"))
_BEFORE_WINDOW = 32  # characters before the whitespace ahead of the word, where "everything in" must stand
# Just before an @mention: whose bio holds the link ("link in bio 👉@page"), an account to follow
# or the source of a repost ("#Repost @ana"): the account itself or a friend, not a brand beside.
POINTER_RE = compile_on_use(r"(?:\blink\s+in\s+(?:my\s+|the\s+|our\s+)?(?:bio|profile)|\bfollow(?:\s+(?:us|me))?"
                            r"|#?\b(?:re-?post(?:ed)?|regram(?:med)?)(?:\s+(?:from|by|via))?)[^\w@\n]{0,6}$",
                            re.IGNORECASE)
# Between two @mentions of a credit list ("📸 @ana and @ben").
LIST_JOIN_RE = compile_on_use(r"\s*(?:,|&|\+|/|\band\b)\s*", re.IGNORECASE)
# First-person shopping links: "use my link", "shop my faves", "through my links", LTK.
SHOP_LINK_RE = compile_on_use(
    r"\buse\s+my\s+(?:affiliate\s+|referral\s+)?(?:links?|code)\b"
    r"|\b(?:through|via|with|using)\s+my\s+(?:affiliate\s+|referral\s+)?links?\b"
    r"|\bshop\s+my\s+(?:links?|looks?|faves|favou?rites|picks|edit|outfits?|storefront|amazon|ltk|feed|stories"
    r"|story)\b|\bshop\s+(?:the|this)\s+(?:look|post|outfit)\b|\bltk\b|\bliketoknow\.?it\b"
    r"|\bmy\s+amazon\s+(?:store|storefront|shop|page|list)\b|\breferral\s+(?:link|code)\b"
    # Added after caption set C: TikTok Shop's call to its creators' product links, "linked in my storefront".
    r"|\b(?:tap|click)\s+the\s+orange\s+(?:cart|basket|bag)\b"
    r"|\blinked\s+(?:in|on)\s+my\s+(?:storefront|amazon|ltk)\b", re.IGNORECASE)


# --- One-line baselines ------------------------------------------------------------------
# What an analyst would write in one line, measured on the same rows as the detectors and
# printed beside them by `check posts --label-column` (docs/HEURISTICS.md): a detector that
# does not beat its baseline is no better than this line.
BASELINE_LINK_RE = compile_on_use(r"https?://|www\.", re.IGNORECASE)
BASELINE_DISCLOSURE_RE = compile_on_use(r"affiliate|commission|sponsor|#ad\b", re.IGNORECASE)
BASELINE_SPONSORED_RE = compile_on_use(r"#(?:ad|sponsored)\b", re.IGNORECASE)
BASELINE_UNDISCLOSED = "baseline: a link and no affiliate/commission/sponsor/#ad (one line)"
BASELINE_SPONSORED = "baseline: #ad or #sponsored (one line)"


def baseline_undisclosed(text: str) -> bool:
    """The one-line undisclosed-ad rule: a link (http(s):// or www.) and none of the words
    affiliate, commission, sponsor or the tag #ad anywhere in the text."""
    return bool(BASELINE_LINK_RE.search(text)) and not BASELINE_DISCLOSURE_RE.search(text)


def baseline_sponsored(text: str) -> bool:
    """The one-line sponsored-post rule: the tag #ad or #sponsored."""
    return bool(BASELINE_SPONSORED_RE.search(text))


# --- Settings ------------------------------------------------------------------------------
# The affiliate URL patterns' defaults (the study's list and the networks it leaves out) are
# in sponsored_links.py, with the link signals that read them.


class SponsoredSettings(BaseModel):
    """Thresholds of the sponsored-post and disclosure detectors."""

    model_config = ConfigDict(extra="forbid")

    fold_chars: int = Field(
        default=125, ge=1,
        description="Characters shown before a caption is cut off at 'more'; a label ending after it is "
                    "'late'. Default 125: Instagram's truncation point (DOMAIN.md, FTC/ASA placement guidance).")
    hashtag_block_min: int = Field(
        default=5, ge=2,
        description="A run of at least this many hashtags (not opening the post) buries a label placed "
                    "in it. Default 5 (DOMAIN.md: 'a label buried in a block of hashtags').")
    affiliate_domains: list[str] = Field(
        default_factory=lambda: ["amzn.to", "amzn.eu", "geni.us", "liketk.it", "rstyle.me", "shopmy.us",
                                 "shopstyle.it", "go.magik.ly", "howl.me", "fave.co", "prf.hn", "awin1.com",
                                 "tidd.ly", "shareasale.com", "click.linksynergy.com", "go.skimresources.com",
                                 "anrdoezrs.net", "dpbolvw.net", "jdoqocy.com", "kqzyfj.com", "tkqlhce.com",
                                 "shrsl.com", "kit.co", "fkrt.it", "ali.pub", "alipromo.com", "s.click.aliexpress.com",
                                 "georiot.co", "bhpho.to", "shopltk.com", "sjv.io", "pxf.io"],
        description="Link hosts that are affiliate networks or affiliate shorteners: any link to them is a "
                    "commercial signal. Default: the common networks (Amazon Associates, LTK, ShopMy, Awin, CJ, "
                    "Impact's sjv.io and pxf.io, Skimlinks, ShareASale, Kit, Flipkart, AliExpress, GeoRiot, B&H). "
                    "Links on any host with affiliate or campaign tags (utm_, ref=, tag=, aff_id…) are read "
                    "apart, except tags that name only where a link was shared from (docs/HEURISTICS.md; "
                    "DOMAIN.md: 'affiliate/UTM links').")
    affiliate_url_patterns: list[str] = Field(
        default_factory=lambda: [*STUDY_AFFILIATE_URL_PATTERNS, *MORE_AFFILIATE_URL_PATTERNS],
        description="Affiliate URL patterns: a link matching one is a commercial signal. Syntax: host, then "
                    "a path; the host matches itself and its subdomains, '*' any characters, '?x=' the query "
                    "parameter x wherever it sits, '^' a separator or the end; a pattern starting with '/' "
                    "matches any host. Default: the affiliate URL patterns found on YouTube and Pinterest by "
                    "Mathur, Narayanan & Chetty, CSCW 2018 ('Endorsements on Social Media', their filter "
                    "list, Adblock Plus syntax rewritten), and ShopStyle Collective, Admitad and eBay Partner "
                    "Network links it leaves out.")
    shortener_domains: list[str] = Field(
        default_factory=lambda: ["bit.ly", "bitly.com", "goo.gl", "po.st", "ow.ly", "tinyurl.com", "buff.ly",
                                 "is.gd", "t.ly", "cutt.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "j.mp",
                                 "adf.ly", "snip.ly", "a.co", "amzn.com", "bit.do", "smarturl.it", "apple.co"],
        description="Link shorteners: they hide the target, so such a link is a commercial signal beside "
                    "product wording ('buy', 'price', 'camera'…) or in a 'gear/links/shop' "
                    "list (alone too with shortener_alone), and never proof that there is no ad. Default: the "
                    "common public shorteners (DOMAIN.md: bit.ly, goo.gl, po.st…); amzn.to and other affiliate "
                    "shorteners are in affiliate_domains.")
    social_domains: list[str] = Field(
        default_factory=lambda: ["youtube.com", "youtu.be", "twitter.com", "x.com", "facebook.com", "fb.com", "fb.me",
                                 "instagram.com", "tiktok.com", "twitch.tv", "soundcloud.com", "spotify.com",
                                 "patreon.com", "pinterest.com", "tumblr.com", "snapchat.com", "discord.gg",
                                 "discord.com", "reddit.com", "vimeo.com", "plus.google.com", "vk.com", "linkedin.com",
                                 "bsky.app", "t.me", "threads.net", "paypal.me", "paypal.com", "ko-fi.com",
                                 "gofundme.com"],
        description="Hosts of social networks, video and music platforms and tip jars: a plain link to them is "
                    "the creator's own page or another post, so deal wording beside it ('20% off', 'deals') is "
                    "no commercial signal. Links to other hosts beside deal wording are one. Default: the common "
                    "networks and platforms.")
    shortener_alone: bool = Field(
        default=False,
        description="Whether a shortened link with nothing selling beside it is a commercial signal, unless its "
                    "line or list says it leads to the creator's own channels or somewhere that is no brand's "
                    "('docs', 'episode', 'Apple Music', 'tickets', 'sign up', 'more info'). Default false: on "
                    "200 posts with shortened links written blind to the code it accused 57 more posts that "
                    "were no undisclosed ad for 29 more that were (measured once, before v6; docs/HEURISTICS.md); "
                    "on affiliate-youtube's paid posts it finds 60% of undisclosed ads, not 54%, and accuses 8 "
                    "more disclosed ones.")
    selling_wording: bool = Field(
        default=True,
        description="Whether selling wording alone ('shop now', 'DM to order', '30% off everything', 'enter to "
                    "win', a price list) makes a post sponsored, as promotional. Such a post counts towards ad "
                    "frequency but needs no #ad label (the creator may sell their own work), so it is never "
                    "called an undisclosed ad on that wording alone. Default true; false counts only posts with "
                    "a brand behind them (labels, codes, affiliate links, gifts, brand mentions).")
    link_in_bio_alone: bool = Field(
        default=False,
        description="Whether 'link in bio' alone makes a post sponsored. Default false: creators point to "
                    "their own work that way too, so it counts only beside another signal or a brand "
                    "@mention (DOMAIN.md lists it as a commercial signal, not a proof).")


SETTINGS_DESCRIPTION = ("How sponsored posts and labels are recognised, as a table of its own. Default: the "
                        "SponsoredSettings defaults (fold at 125 characters, a block of 5 hashtags buries a "
                        "label, the common affiliate networks and shorteners, the affiliate URL patterns of "
                        "Mathur, Narayanan & Chetty, CSCW 2018), each documented there.")


@dataclass(frozen=True)
class PostAnalysis:
    sponsored: bool
    signals: list[tuple[str, str]] = field(default_factory=list)  # (kind, matched text)
    adequate_labels: list[str] = field(default_factory=list)
    weak_labels: list[str] = field(default_factory=list)
    disclosure: Disclosure = "not_needed"
    problems: list[str] = field(default_factory=list)
    denials: list[str] = field(default_factory=list)  # "not sponsored by anyone": not labels


@dataclass(frozen=True)
class _Label:
    text: str
    start: int | None  # None: only in the post's tag metadata, not in the visible text
    end: int | None
    sponsorship: bool = False  # a weak label that still says "paid" (#sp, "partnered with @x")
    platform: bool = False     # the platform's own "Paid partnership" label, shown above the post


PLATFORM_LABEL = "Paid partnership (platform label)"
# Under IGNORECASE the regex engine also matches these to ASCII letters ("ſale" is "sale")
# though str.lower() does not give that letter: the only three in Unicode. _folded maps them
# so the cheap "is the word there at all" checks below never miss a match.
_REGEX_CASE_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _folded(text: str) -> str:
    """Lower-cased text in which every case-insensitive match of an ASCII word shows as that word."""
    if text.isascii():
        return text.lower()
    return text.translate(_REGEX_CASE_FOLDS).lower()


# Tests switch the pre-checks off and expect the very same results (test_fast_paths.py).
_PRECHECKS = True


def _gate(low: str, *words: str) -> bool:
    """Whether a regex whose every match contains one of ``words`` can match ``low`` at all:
    the one place the pre-checks decide."""
    return not _PRECHECKS or any(map(low.__contains__, words))  # C loops: this runs for every post


def commercial_signals(text: str, paid_flag: bool | None = None,
                       settings: SponsoredSettings | None = None) -> list[tuple[str, str]]:
    """Every commercial signal in a post, as (kind, matched text)."""
    settings = settings or SponsoredSettings()
    low = _folded(text)
    return _commercial_signals(text, low, paid_flag, settings, _partnerships(text, low))


def _partnerships(text: str, low: str) -> list[_Label]:
    found = []
    if _gate(low, "partner", "collab", "ambassador", "teamed", "teaming"):
        for m in PARTNERSHIP_RE.finditer(text):
            obj = PARTNER_OBJECT_RE.match(text, m.end())
            if obj and _negated(text, m.start(), m.end()) is None:
                found.append(_Label(text[m.start():obj.end()], m.start(), obj.end(), sponsorship=True))
    if (not _PRECHECKS or "@" in text) and _gate(low, "ambassador"):
        found += [_Label(m.group(0), m.start(), m.end(), sponsorship=True)
                  for m in MENTION_AMBASSADOR_RE.finditer(text) if _negated(text, m.start(), m.end()) is None]
    return found


def _commercial_signals(text: str, low: str, paid_flag: bool | None, settings: SponsoredSettings,
                        partnerships: list[_Label]) -> list[tuple[str, str]]:
    # ``low`` is _folded(text). Each regex runs only when a word every one of its matches
    # contains is in the text (_gate): the result is the same, most posts skip most regexes.
    pre = _PRECHECKS  # single-word gates are written out: this runs for every post
    signals: list[tuple[str, str]] = []
    if paid_flag:
        signals.append(("paid_flag", "platform paid-partnership flag"))
    # A post about the poster's own shop ("Shop our summer sale", "20% off in my Etsy shop"): its
    # codes and "link in bio" lead to the poster's own goods, selling wording and no brand signal.
    mentioned = textlib.mentions(text) if not pre or "@" in text else []
    # A credited photographer, model or friend ("📸 @ana", "thanks @sarah") is no brand.
    brands = _brands(text, mentioned)
    own: list[bool] = []  # whether the post names the poster's own shop, looked for when first asked

    def own_shop() -> bool:
        if not own:
            own.append(not brands and _own_shop(low))
        return own[0]

    in_english, foreign = not pre or "code" in low, not pre or foreign_codes_may_match(low)
    if in_english or foreign:
        codes = [*DISCOUNT_RE.finditer(text)] if in_english else []
        english = len(codes)
        if foreign:
            codes += [m for m in foreign_codes(text) if not any(c.start() <= m.start() < c.end() for c in codes)]
        codes_quoted: set[str] = set()  # a code written twice is quoted once
        for i, m in enumerate(codes):
            if _quoted(text, m) or m.group(0).lower() in codes_quoted:
                continue
            codes_quoted.add(m.group(0).lower())
            if i >= english and not foreign_code_for_a_brand(text, m, bool(brands), settings.social_domains):
                if settings.selling_wording:
                    signals.append(("selling", m.group(0)))
            elif not own_shop() or AT_A_STORE_RE.match(text, m.end()):  # "use code COOK20 … at ninjakitchen.com"
                signals.append(("discount_code", m.group(0)))
            elif settings.selling_wording:
                signals.append(("selling", m.group(0)))
    if not pre or "/" in text:  # every link pattern needs one
        signals += link_signals(text, settings)
    if _gate(low, "gifted", "pr ", "c/o", "sent", "sending", "hosted"):
        for m in GIFTED_RE.finditer(text):
            # "my sister sent me this" is not an ad; "@brand sent me" is.
            if m.group(0).lower().startswith("sen") and not mentioned:
                continue
            gift = GIFT_LABEL_RE.match(text, m.start())
            if gift is not None and not _gift_from_brand(text, gift):
                continue
            said = m.group(0)
            if said.lower().startswith("sen"):  # quote who sent it: "@vitamix … sent me"
                sender = max((s for s in mentioned if s.end <= m.start()), key=lambda s: s.start,
                             default=mentioned[0])
                said = f"@{sender.value} … {said}"
            signals.append(("gifted", said))
    if _gate(low, "link", "code", "shop", "ltk", "liketoknow", "amazon", "referral", "orange"):
        signals += [("shop_link", m.group(0)) for m in SHOP_LINK_RE.finditer(text)
                    if not _quoted(text, m) and _negated(text, m.start(), m.end()) is None]
    signals += [("partnership", label.text) for label in partnerships]
    if brands:
        wording = COMMERCIAL_WORDING_RE.search(text)
        if wording:
            signals.append(("brand_mention", f"@{brands[0].value} … {wording.group(0)}"))
    if not pre or "link" in low:
        bio = LINK_IN_BIO_RE.search(text)
        beside = [m for m in brands if not _pointed_at(text, m)]
        if bio and (settings.link_in_bio_alone or beside or (signals and not own_shop())):
            signals.append(("link_in_bio", bio.group(0)))
    # Last, so that selling wording alone does not make "link in bio" a signal of its own.
    if settings.selling_wording:
        # A phrase another signal already quotes ("@glowco … shop now") is not said twice, nor
        # one phrase found by two families ("30% off this weekend", "30% off").
        quoted = [matched.lower() for _, matched in signals]
        kept: list[str] = []
        for matched in selling_wording(text, low, lambda m: _negated(text, m.start(), m.end()) is None
                                       and not _quoted(text, m), pre):
            said = matched.lower()
            if not any(said in q for q in quoted) and not any(said in k or k in said for k in kept):
                kept.append(said)
                signals.append(("selling", matched))
    return signals


_QUOTES = {"'": "'", '"': '"', "‘": "’", "“": "”"}


def _own_shop(low: str) -> bool:
    """Whether the post names the poster's own shop (_OWN_SHOP_FORMS), looked for only where
    "our" or "my" stands as a word: most posts cost a few str.find calls."""
    for word, forms in _OWN_SHOP_BY_WORD:
        i = low.find(word)
        while i >= 0:
            j = i + len(word)
            if (i == 0 or not _word_char(low[i - 1])) and (j == len(low) or not _word_char(low[j])):
                for before, after in forms:
                    if after.match(low, i) and (before is None or _stands_before(low, i, before)):
                        return True
            i = low.find(word, j)
    return False


def _stands_before(low: str, i: int, before: re.Pattern[str]) -> bool:
    """``before`` ends where the whitespace run ahead of position i starts (at least one space)."""
    k = i
    while k and low[k - 1].isspace():
        k -= 1
    return k < i and before.search(low, max(0, k - _BEFORE_WINDOW), k) is not None


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _quoted(text: str, m: re.Match[str]) -> bool:
    """The phrase is quoted: someone else's words ("saying 'use my code' every 5 seconds",
    'Every YouTuber: "use code SAVE20 for 20% off"'), not the creator's own offer. Quoted
    whole in any quotes, or inside double or curly quotes on its line (a single quote is as
    often an apostrophe)."""
    start, end = m.start(), m.end()
    close = _QUOTES.get(text[start - 1]) if start else None
    if close is not None and text[end:end + 1] == close:
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before, after = text[line_start:start], text[end:line_end if line_end >= 0 else len(text)]
    if before.count('"') % 2 and '"' in after:
        return True
    return before.rfind("“") > before.rfind("”") and "”" in after


def _brands(text: str, mentioned: list[textlib.Span]) -> list[textlib.Span]:
    """The @mentions that may be brands: not a credited or thanked person ("📸 @ana", "model: the
    lovely @jo", "thanks @sarah"), nor the next name of such a credit list ("@ana and @ben")."""
    brands: list[textlib.Span] = []
    credited_until = -1
    ambassador = "mbassador" in text.casefold()
    for m in mentioned:
        if CREDIT_RE.search(text, max(0, m.start - 48), m.start) or (
                credited_until >= 0 and LIST_JOIN_RE.fullmatch(text, credited_until, m.start)):
            credited_until = m.end
        elif not (ambassador and _someone_elses_ambassador(text, m)):
            brands.append(m)
            credited_until = -1
    return brands


def _someone_elses_ambassador(text: str, m: textlib.Span) -> bool:
    """"he is a @tudorwatch ambassador", "she's an ambassador for @unicef": news of someone else's
    sponsorship, not a brand behind the poster's post."""
    before = max(0, m.start - 64)
    return THIRD_PERSON_AMBASSADOR_RE.search(text, before, m.start) is not None or (
        MENTION_AMBASSADOR_RE.match(text, m.start) is not None
        and THIRD_PERSON_RE.search(text, before, m.start) is not None)


def _pointed_at(text: str, m: textlib.Span) -> bool:
    """The account "link in bio 👉@page", "follow @page" or "#repost @page" points to: whose bio
    or post it is, not a brand beside "link in bio" (the same handle named elsewhere may be one)."""
    return POINTER_RE.search(text, max(0, m.start - 32), m.start) is not None


# Posts reuse a handful of tags; normalise each spelling once.
_normalise_tag = lru_cache(maxsize=4096)(textlib.normalise_tag)


def _brand_label(key: str) -> bool:
    """BRAND_LABEL_RE.match(key) for a normalised (casefolded, stripped) tag."""
    # A casefolded key matching the pattern ends in the very letters "partner" or "ambassador".
    return key.endswith(("partner", "ambassador")) and BRAND_LABEL_RE.match(key) is not None


def _negated(text: str, start: int, end: int, inside: bool = False) -> int | None:
    """Where the negation that denies the label [start, end) starts, or None: a negation in the
    same clause before it ("not sponsored by", "no affiliate links") or, with ``inside``,
    within it ("I earn no commission")."""
    window = max(0, start - NEGATION_WINDOW)
    before = text[window:start]
    last_break = None
    for last_break in CLAUSE_BREAK_RE.finditer(before):
        pass
    offset = window + (last_break.end() if last_break is not None else 0)
    found = None
    for found in NEGATION_RE.finditer(text, offset, start):
        pass  # the nearest
    if (found is not None and len(text[found.end():start].split()) > NEGATION_MAX_WORDS
            and not (found.group(0).lower() in ("none", "nothing", "neither")
                     and NEGATED_SUBJECT_WORDS.issuperset(text[found.end():start].lower().split()))):
        found = None
    if found is not None and found.group(0).lower() in ("none", "nothing", "neither") and EXCEPTION_RE.match(text, end):
        found = None
    if found is None and any(map(_folded(text[start:end]).__contains__, _DENIABLE_OTHER_LANGUAGE_WORDS)):
        if other := OTHER_NEGATION_RE.search(text[offset:start]):
            return offset + other.start()
        if ((none := OTHER_NONE_RE.search(text[offset:start]))
                and OTHER_NEGATED_SUBJECT_WORDS.issuperset(none.group("words").lower().split())):
            return offset + none.start()
    if found is None and inside:
        found = NEGATION_RE.search(text, start, end)
    return None if found is None else min(found.start(), start)


def _denied(text: str, start: int, end: int, inside: bool = False) -> _Label | None:
    """The denial ("not sponsored by") as a label of its own, or None when the label stands."""
    at = _negated(text, start, end, inside)
    return None if at is None else _Label(text[at:end], at, end)


def _sentence_of(text: str, start: int, end: int, next_line: bool = False) -> str:
    """The sentence around [start, end); with ``next_line`` also the line after it ("Support
    the channel by\nshopping with this Amazon link")."""
    left, right = textlib.sentence_span(text, start, end)
    if next_line:
        end_of_line = text.find("\n", right)
        if end_of_line >= 0 and not text[right:end_of_line].strip(" .!?:"):  # the sentence ends its line
            following = text.find("\n", end_of_line + 1)
            right = len(text) if following < 0 else following
    return text[left:right]


def _labels(text: str, hashtags: Iterable[str], low: str | None = None, paid_flag: bool | None = None,
            partnerships: list[_Label] | None = None) -> tuple[list[_Label], list[_Label], list[_Label]]:
    """(adequate, weak, denied) labels of a post; denied ones ("not sponsored by") are no labels.

    ``partnerships``: _partnerships(text, low) when the caller has it already."""
    if low is None:
        low = _folded(text)
    # Most posts hold none of the words any label phrase needs: one check skips them all.
    wording = not _PRECHECKS or _label_gate().holds_any(low)  # _gate(low, *_LABEL_GATE_WORDS) in one scan
    adequate: list[_Label] = []
    weak: list[_Label] = []
    denied: list[_Label] = []
    in_text = set()
    if paid_flag:
        adequate.append(_Label(PLATFORM_LABEL, None, None, platform=True))
    # (value, start, end) of textlib.hashtags(text), without building a Span for each.
    text_tags = ([(m.group(1), m.start(), m.end()) for m in textlib.HASHTAG_RE.finditer(text)]
                 if not _PRECHECKS or "#" in text else [])
    for value, start, end in text_tags:
        key = value.casefold()  # normalise_tag of a \w+ tag found in the text
        in_text.add(key)
        if key in ADEQUATE_TAGS or (_brand_label(key) and key not in WEAK_TAGS):
            target = adequate
        elif key in WEAK_TAGS:
            target = weak
        else:
            continue
        denial = _denied(text, start, end)
        if denial:
            denied.append(denial)
        else:
            target.append(_Label("#" + value, start, end, sponsorship=key in SPONSORSHIP_TAGS))
    for tag in hashtags:
        key = _normalise_tag(tag)
        if not key or key in in_text:
            continue
        if key in ADEQUATE_TAGS or (_brand_label(key) and key not in WEAK_TAGS):
            adequate.append(_Label("#" + tag.strip().lstrip("#"), None, None))
        elif key in WEAK_TAGS and key != "gifted":  # a gift is read where readers see it
            weak.append(_Label("#" + tag.strip().lstrip("#"), None, None, sponsorship=key in SPONSORSHIP_TAGS))
    tag_spans = [(start, end) for _, start, end in text_tags]
    phrases: list[_Label] = []
    bare_ad = not _PRECHECKS or ("ad" in low and _BARE_AD_RE.search(text) is not None)
    for family, regex, gate, inside in (ADEQUATE_PHRASES if wording or bare_ad else ()):
        if not (bare_ad if family == "bare_ad" else wording and _gate(low, *gate)):
            continue
        for m in regex.finditer(text):
            if any(a <= m.start() < b for a, b in tag_spans):
                continue
            denial = _denied(text, m.start(), m.end(), inside)
            if denial:
                denied.append(denial)
            else:
                phrases.append(_Label(_label_text(m.group(0)), m.start(), m.end()))
    if len(phrases) > 1:  # families may overlap ("Amazon affiliate" / "Amazon Associate"): keep the first
        phrases.sort(key=_position)
        kept: list[_Label] = []
        kept_end = 0  # where the last kept label ends
        for label in phrases:
            # every phrase was matched in the text: both of its ends are known
            assert label.start is not None and label.end is not None
            if not kept or label.start >= kept_end:
                kept.append(label)
                kept_end = label.end
        phrases = kept
    adequate += phrases
    if wording and _gate(low, "thank"):
        for m in THANKS_RE.finditer(text):
            name = m.group(1)
            if not name.startswith("@") and name.casefold() in THANKS_NOT_BRANDS:
                continue
            denial = _denied(text, m.start(), m.end())
            if denial:
                denied.append(denial)
            else:
                weak.append(_Label(m.group(0), m.start(), m.end()))
    if wording and _gate(low, "support", "cost", "charge", "help"):
        for m in CHANNEL_SUPPORT_RE.finditer(text):
            if (LINK_CONTEXT_RE.search(_sentence_of(text, m.start(), m.end(), next_line=True))
                    and _negated(text, m.start(), m.end()) is None):
                weak.append(_Label(m.group(0), m.start(), m.end(), sponsorship=True))
    if _gate(low, "gifted"):
        for m in GIFT_LABEL_RE.finditer(text):
            # never inside "#gifted" (a label of its own), nor a gift from no brand
            if any(a <= m.start() < b and text[a:b].casefold() == "#gifted" for a, b in tag_spans) \
                    or not _gift_from_brand(text, m):
                continue
            denial = _denied(text, m.start(), m.end())
            if denial:
                denied.append(denial)
            else:
                weak.append(_Label(_label_text(m.group(0)), m.start(), m.end(), sponsorship=True))
    weak += _partnerships(text, low) if partnerships is None else partnerships
    # Usually none or one of each: nothing to sort.
    return (sorted(adequate, key=_position) if len(adequate) > 1 else adequate,
            sorted(weak, key=_position) if len(weak) > 1 else weak,
            denied)


def _gift_from_brand(text: str, m: re.Match[str]) -> bool:
    """Whether a gift match (GIFT_LABEL_RE) may be a brand's: "gifted by @glowco", "Gifted by The
    Ordinary", "(gifted)", not "gifted by my mum" or "from God"; "I was gifted this" only where
    a brand is @mentioned."""
    giver = m.group("giver")
    if giver:
        return giver.startswith("@") or giver.casefold() not in NOT_A_BRAND_GIVERS
    if m.group("bare"):
        return "@" in text and bool(_brands(text, textlib.mentions(text)))
    return True


def _topic_label(label: _Label, text: str) -> bool:
    """Whether a label is one of the words that are also the topic (TOPIC_AD_TAGS) as a tag,
    or opening a line ("Publicidad: 3 lecciones…"); not set off as a label ("[Werbung]",
    "Anzeige |")."""
    word = label.text.lstrip("#").casefold()
    if word not in TOPIC_AD_TAGS:
        return False
    if label.text.startswith("#") or label.start is None or label.end is None:
        return True
    raw = text[label.start:label.end].strip()
    return not (raw[:1] in "[(|" or raw[-1:] in "])|")


def _set_off_label(label: _Label, text: str) -> bool:
    """Whether a label is an ad word set off by stars or dashes ("*Anzeige*", "💕 -werbung ."):
    the same marks make lists and minus signs ("• Werbung •", "Premium: -Werbung"), so it counts
    only beside a commercial signal, not beside an @mention alone ("Projekttage mit @x:\n*Werbung*")."""
    if label.start is None or label.end is None or label.text.startswith("#"):
        return False
    raw = text[label.start:label.end].strip()
    return raw[:1] in "-–—*•" or (raw[-1:] in "-–—*•" and raw[:1] not in "[(|")


def _position(label: _Label) -> int:
    if label.platform:
        return -1
    return label.start if label.start is not None else 10**9


def _buried_in(label: _Label, text: str, settings: SponsoredSettings) -> int:
    """Size of the hashtag block burying the label, or 0 when it stands where readers see it."""
    if label.start is None:
        return 0
    for block in textlib.hashtag_blocks(text):
        opens_post = not text[:block[0].start].strip()
        if (len(block) >= settings.hashtag_block_min and not opens_post
                and any(s.start == label.start for s in block)):
            return len(block)
    return 0


def _placement(label: _Label, text: str, settings: SponsoredSettings) -> tuple[Disclosure, str | None]:
    if label.platform:
        return "adequate", None
    if label.start is None:
        return "buried", (f"label \"{label.text}\" is only in the post's tag list, not in the text "
                          f"readers see")
    block = _buried_in(label, text, settings)
    if block:
        return "buried", f"label \"{label.text}\" is buried in a block of {block} hashtags"
    assert label.end is not None  # a label in the text has both ends
    if label.end > settings.fold_chars:
        return "late", (f"label \"{label.text}\" ends at character {label.end}, after the first "
                        f"{settings.fold_chars} {FOLD_WORDS}")
    return "adequate", None


SIGNAL_WORDS = {"discount_code": "discount code", "affiliate_link": "affiliate link",
                "shortened_link": "shortened link",
                "deal_link": "link offering a deal", "gifted": "gifted wording", "shop_link": "shopping link wording",
                "partnership": "partnership wording", "brand_mention": "brand mention",
                "link_in_bio": "link in bio", "paid_flag": "paid flag", "selling": "selling wording"}


def describe_signal(kind: str, matched: str) -> str:
    """A signal in words, quoting the text it rests on."""
    words = SIGNAL_WORDS.get(kind, kind.replace("_", " "))
    if kind in ("shortened_link", "deal_link"):
        url, _, context = matched.partition(" … ")
        return f"{words} \"{url}\" {context}"
    if kind == "brand_mention":
        who, _, wording = matched.partition(" … ")
        return f"{words} \"{who}\" with \"{wording}\""
    return f"{words} \"{matched}\""


# How a "late" problem ends: what a platform that shows posts whole (disclosure's
# no_fold_platforms) drops.
FOLD_WORDS = 'shown before "more"'


def shown_whole(analysis: "PostAnalysis") -> "PostAnalysis":
    """The analysis of a post on a platform that shows posts whole (no 'more' fold): a label
    that would be late is seen, so adequate."""
    if analysis.disclosure != "late":
        return analysis
    return dataclasses.replace(analysis, disclosure="adequate",
                               problems=[p for p in analysis.problems if not p.endswith(FOLD_WORDS)])


def analyse_post(text: str, hashtags: Iterable[str] = (), paid_flag: bool | None = None,
                 settings: SponsoredSettings | None = None) -> PostAnalysis:
    """Commercial signals, labels and a disclosure verdict for one post."""
    settings = settings or SponsoredSettings()
    text = text or ""
    low = _folded(text)
    partnerships = _partnerships(text, low)
    signals = _commercial_signals(text, low, paid_flag, settings, partnerships)
    adequate, weak, denied = _labels(text, hashtags, low, paid_flag, partnerships)
    if adequate:
        commercial = any(kind != "selling" for kind, _ in signals) or any(w.sponsorship for w in weak)
        if not commercial:
            adequate = [a for a in adequate if not _set_off_label(a, text)]
        if not (commercial or ("@" in text and _brands(text, textlib.mentions(text)))):
            adequate = [a for a in adequate if not _topic_label(a, text)]
    sponsored = bool(signals or adequate or any(w.sponsorship for w in weak))
    adequate_texts = [a.text for a in adequate]
    weak_texts = [w.text for w in weak]
    denied_texts = [d.text for d in denied]
    if not sponsored:
        return PostAnalysis(False, signals, adequate_texts, weak_texts, "not_needed", [], denied_texts)
    if not adequate and not any(w.sponsorship for w in weak) and all(kind == "selling" for kind, _ in signals):
        # Selling wording alone: promotional, but no proof of a brand behind it (sponsored_selling.py);
        # nor is "thanks Sarah" or #collab beside it (a friend thanked, a joint mural for sale).
        return PostAnalysis(True, signals, adequate_texts, weak_texts, "not_needed", [], denied_texts)

    problems: list[str] = []
    if adequate:
        placements = [_placement(a, text, settings) for a in adequate]
        if any(p == "adequate" for p, _ in placements):
            disclosure: Disclosure = "adequate"
        else:
            # The best-placed label decides: a late label is still seen by a reader who taps "more".
            disclosure = "late" if any(p == "late" for p, _ in placements) else "buried"
            problems += [msg for _, msg in placements if msg]
    elif weak:
        disclosure = "weak"
        quoted = ", ".join(f"\"{w}\"" for w in weak_texts)
        problems.append(f"only weak label {quoted}; readers need a clear label such as #ad or #sponsored "
                        f"(FTC, ASA)")
    else:
        disclosure = "missing"
        shown = "; ".join(describe_signal(kind, matched) for kind, matched in signals)
        denial = (f" (\"{denied_texts[0]}\" is a denial, not a label)" if denied_texts else "")
        problems.append(f"undisclosed ad: {shown} with no #ad, #sponsored or \"Paid partnership\" label{denial}")
    return PostAnalysis(True, signals, adequate_texts, weak_texts, disclosure, problems, denied_texts)
