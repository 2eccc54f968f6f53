"""Profiles and posts from files, for platforms without a usable API (LinkedIn) and for what
other tools export (instaloader's JSON): read (``read``), checked row by row (``rows``),
written through the crawl pipeline's store functions (``store``). See docs/IMPORT.md."""
