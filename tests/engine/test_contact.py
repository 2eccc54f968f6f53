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


# -- the profile's own website (profiles.website: Instagram's, a verified Mastodon field) ----

@pytest.mark.parametrize("bio, website, found", [
    # after the bio's email, before the bio's own links
    ("Collabs: hi@cook.org, shop at cook.shop/new", "https://cook.com/", ["hi@cook.org", "https://cook.com/",
                                                                          "cook.shop/new"]),
    ("no contact here", "https://cook.example/", ["https://cook.example/"]),
    # the bio's link to the same site is not given a second time, however it is written
    ("my site: www.Cook.com and more", "https://cook.com/", ["https://cook.com/"]),
    ("http://cook.com/menu", "https://www.cook.com/menu/", ["https://www.cook.com/menu/"]),
    # a page of the site is another link
    ("cook.com/menu", "https://cook.com", ["https://cook.com", "cook.com/menu"]),
    # no website, or one that is no http(s) address: the bio's contacts alone
    ("hi@cook.org", None, ["hi@cook.org"]),
    ("hi@cook.org", "", ["hi@cook.org"]),
    ("hi@cook.org", "javascript:alert(1)", ["hi@cook.org"]),
    ("", "mailto:x@y.org", []),
    ("", "ftp://cook.com/", []),
])
def test_the_profiles_website_comes_after_the_bios_email(bio, website, found):
    from microscout.engine.contact import contacts_of

    assert contacts_of(bio, website) == found


def test_the_one_contact_an_export_shows_is_an_email_else_the_website_else_a_bio_link():
    from microscout.engine.contact import contact_for

    assert contact_for("mail hi@cook.org", "https://cook.example/") == "hi@cook.org"
    assert contact_for("shop: cook.shop", "https://cook.example/") == "https://cook.example/"
    assert contact_for("shop: cook.shop", None) == "cook.shop"
    assert contact_for("", "javascript:alert(document.cookie)") is None
    assert contact_for(None, None) is None
