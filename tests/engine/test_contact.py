"""Contacts found in a bio: what a marketer is shown, and a cost that stays linear in the bio
whatever its author typed (the crawl reads bios from anyone)."""
from __future__ import annotations

import pytest

from microscout.engine.contact import contact_link, contacts_in, safe_link
from tests.cost import cpu_cost


@pytest.mark.parametrize("bio, found", [
    ("Recipes & reels. Collabs: hi@cook.org", ["hi@cook.org"]),
    ("shop: https://cook.shop/new. mail me: Jo.Ann+pr@mail.co.uk!", ["Jo.Ann+pr@mail.co.uk", "https://cook.shop/new"]),
    ("site: -mycakes.com (orders)", ["mycakes.com"]),
    ("www.studio.net, studio.net/book and studio.net", ["www.studio.net", "studio.net/book", "studio.net"]),
    ("a@b.com c@d.org e@f.net g@h.io", ["a@b.com", "c@d.org", "e@f.net"]),
    ("just vibes. no links", []),
    ("the end of a sentence.com is not a domain", ["sentence.com"]),
])
def test_contacts_in_a_bio(bio, found):
    assert contacts_in(bio) == found


def test_an_email_is_opened_with_mailto_and_a_bare_domain_with_https():
    assert contact_link("hi@cook.org") == "mailto:hi@cook.org"
    assert contact_link("cook.shop/new") == "https://cook.shop/new"
    assert safe_link("javascript:alert(1)") is None and safe_link("file:///etc/passwd") is None


@pytest.mark.parametrize("piece", ["a-", "a.", "a", "a@", "a@b.", ".", "a+", "ab.cd-"])
def test_a_hostile_bio_costs_linear_time(piece):
    # Unbounded runs in the patterns were tried from every character: 0.2-0.6 s on 5,000
    # characters of "a-" or "a.", and sixty-four times the cost for eight times the text.
    small, large = cpu_cost(contacts_in, piece * 1_000, 5), cpu_cost(contacts_in, piece * 8_000, 5)
    assert large < 24 * small + 0.02
