"""Discount codes written in Spanish, Portuguese, French, German, Italian and Dutch, and the one
form of a code value every language shares (STRICT_CODE). Apart from sponsored.py, which reads
the English ones (DISCOUNT_RE) and calls foreign_codes where foreign_codes_may_match says a post
can hold one."""
from __future__ import annotations

import re
from typing import Iterable

from microscout.heuristics.lazy_regex import compile_on_use
from microscout.heuristics.sponsored_links import domain, host_matches, links_in, lowered_domains

# A code value is quoted, holds a digit or is in capitals ("use code GLOW20", "use code GLOW"):
# "use the code below" or "with code examples" is not a discount.
STRICT_CODE = r"(?:[\"'“‘][A-Za-z0-9][\w-]{2,}|(?=[\w-]*\d)[A-Za-z0-9][\w-]{2,}|(?-i:[A-Z][A-Z0-9_-]{2,})\b)"

# The same in Spanish, Portuguese, French, German, Italian and Dutch, only before a code that
# looks like one (STRICT_CODE: quoted, with a digit, or in capitals): "con el código VALEYNICO",
# "Código de descuento: LAURA15", "com meu cupom BRUNOFF10", "avec le code CLEMENCE15",
# "mit dem Code LENA10", "con il codice SARA20", "met de kortingscode ANNE10".
# "code" itself is English too: only after French, German or Dutch calls ("use code X" is
# DISCOUNT_RE's). Every match holds one of _FOREIGN_CODE_WORDS, or "code" and one of
# _FOREIGN_CODE_LEADS: the pre-check (foreign_codes_may_match) that spares most posts the regex.
_FOREIGN_CODE_SUFFIX = r"(?:\s+(?:de\s+)?(?:descuento|desconto|creador|criador|promo|sconto))?"
_FOREIGN_ARTICLES = (r"(?:(?:el|la|mi|nuestro|o|a|meu|minha|nosso|le|mon|notre|dem|meinem|unserem|il|mio|de|mijn)"
                     r"\s+){0,2}")
_FOREIGN_CODE_TAIL = r"(?:\s+en\s+la\s+tienda)?\s*(?::\s*)?" + STRICT_CODE
FOREIGN_DISCOUNT_RE = compile_on_use(
    r"\b(?:con|usa|usad|usando|utiliza|aplica|introduce|ingresa|com|use|avec|utilise[zr]?|entre[zr]?|mit|met)\s+"
    + _FOREIGN_ARTICLES + r"(?:c[óo]digo|cup[óo]n|cupom|codice|rabattcode|gutscheincode|kortingscode)"
    + _FOREIGN_CODE_SUFFIX + _FOREIGN_CODE_TAIL
    + r"|\b(?:avec|utilise[zr]?|entre[zr]?|mit|met)\s+" + _FOREIGN_ARTICLES + r"code" + _FOREIGN_CODE_SUFFIX
    + _FOREIGN_CODE_TAIL
    # without a call: a coupon or discount code as such; a bare "código"/"codice" only where it says
    # discount or a price cut stands beside it (_cut_beside; not "Error código 0x80070005", "il codice
    # ABC123 ricevuto via SMS")
    + r"|\b(?:cup[óo]n|cupom|rabattcode|gutscheincode|kortingscode)(?:\s+(?:de\s+)?(?:descuento"
    r"|desconto))?\s*:?\s*" + STRICT_CODE
    + r"|\b(?:c[óo]digo|codice)\s+(?:de\s+)?(?:descuento|desconto|sconto|promo(?:cional)?)\s*:?\s*" + STRICT_CODE
    + r"|(?P<bare>\b(?:c[óo]digo|codice)\s*:?\s*" + STRICT_CODE + ")"
    + r"|\bcode\s+promo\s*:?\s*" + STRICT_CODE, re.IGNORECASE)
_FOREIGN_CODE_WORDS = ("digo", "cupom", "cupón", "cupon", "codice", "rabattcode", "gutscheincode", "kortingscode")
_FOREIGN_CODE_LEADS = ("avec", "utilise", "entre", "mit", "met", "promo")


def foreign_codes_may_match(low: str) -> bool:
    """Whether FOREIGN_DISCOUNT_RE can match a post at all (``low``: its lower-cased text)."""
    return any(map(low.__contains__, _FOREIGN_CODE_WORDS)) or (
        "code" in low and any(map(low.__contains__, _FOREIGN_CODE_LEADS)))


# Beside a bare "código"/"codice" (FOREIGN_DISCOUNT_RE's "bare"), in its sentence: a price cut
# ("ESPECIAL 15% Descuento Código "SOKI"", "Código LAURA15 para un 15%").
_FOREIGN_CUT_RE = compile_on_use(r"\d\s*%|descuento|desconto|sconto|rabatt|korting|r[ée]duction|remise", re.IGNORECASE)
_FOREIGN_CUT_WINDOW = 40
# We cannot read a shop's own wording in those languages as in English (_own_shop), so their code
# is a brand's only where a brand is in sight: a mention, a link that is not the creator's social,
# a store named right after it ("dá 10% na Sallve", "sur cristel.com", "en la tienda", ": loja.com.br"), or a
# creator code (a brand's program). A shop's post ("Envíos a toda Colombia", "nossa loja", "en mi
# tienda", "in meinem kleinen Shop", "nel nostro negozio", "no meu site") keeps its code as selling
# wording: its own link is no brand's.
FOREIGN_CODE_STORE_RE = compile_on_use(
    r"\s*[:\-–—]?\s*(?:https?://)?(?:[\w-]+\.)+[a-z]{2,}\b|[^.!?\n]{0,40}?\b(?:en|na|no|sur|chez|bei|auf|su|op|in|at)\s+(?:(?:la|el|le|der|dem|il|de)\s+)?"
    r"(?:tienda|loja|boutique|shop|negozio|winkel|(?-i:[A-Z])\w+|[\w-]+\.[a-z]{2,})", re.IGNORECASE)
FOREIGN_SHOP_RE = compile_on_use(
    r"\b(?:env[ií]os?|enviamos|pedidos?|encomendas?|nuestra\s+tienda|nossa\s+loja|notre\s+boutique"
    r"|unser(?:em)?\s+shop|nuestros\s+productos|nossos\s+produtos|tienda\s+online|loja\s+online)\b"
    # the poster's own shop or site: "mi tienda", "minha loja", "ma boutique", "meinem kleinen Shop",
    # "il mio negozio", "onze webshop"; a site only where something is bought in it ("no meu site")
    r"|\b(?:mi|nuestra|meu|minha|nossa|mon|ma|notre|mein(?:em)?|unser(?:em)?|mio|nostro|mijn|onze)\s+"
    r"(?:(?:pequeña|pequena|petite|kleine[nm]?|piccolo|nueva|nova|nouvelle|neue[nm]?|nuovo|nieuwe)\s+)?"
    r"(?:tienda|loja|boutique|e-?shop|online-?shop|shop|laden|negozio|webshop|winkel)\b"
    r"|\b(?:en|no|em|sur|auf|sul|op)\s+(?:mi|nuestra|meu|nosso|mon|notre|meiner|unserer|mio|nostro|mijn|onze)\s+"
    r"(?:web|sitio|site|website|webseite|sito)\b",
    re.IGNORECASE)


def foreign_codes(text: str) -> list[re.Match[str]]:
    """The codes FOREIGN_DISCOUNT_RE finds, a bare "código"/"codice" only beside a price cut."""
    return [m for m in FOREIGN_DISCOUNT_RE.finditer(text) if not m.group("bare") or _cut_beside(text, m)]


def foreign_code_for_a_brand(text: str, m: re.Match[str], brand_mentioned: bool,
                             social_domains: Iterable[str]) -> bool:
    """Whether a code written in another language (FOREIGN_DISCOUNT_RE) is a brand's: see
    FOREIGN_CODE_STORE_RE."""
    if FOREIGN_SHOP_RE.search(text):
        return False
    if brand_mentioned or "criador" in m.group(0).lower() or "creador" in m.group(0).lower():
        return True
    if FOREIGN_CODE_STORE_RE.match(text, m.end()):
        return True
    social = lowered_domains(tuple(social_domains))
    return any(not host_matches(domain(url), social) for url, _, _ in links_in(text))


def _cut_beside(text: str, m: re.Match[str]) -> bool:
    """Whether a price cut (_FOREIGN_CUT_RE) stands beside the code m in its sentence, on its line."""
    before = re.split(r"[.!?\n]", text[max(0, m.start() - _FOREIGN_CUT_WINDOW):m.start()])[-1]
    after = re.split(r"[.!?\n]", text[m.end():m.end() + _FOREIGN_CUT_WINDOW])[0]
    return _FOREIGN_CUT_RE.search(before) is not None or _FOREIGN_CUT_RE.search(after) is not None
