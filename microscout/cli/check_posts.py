"""`microscout check posts FILE`: the sponsored-post and disclosure detectors on a file."""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import click

from microscout.cli.common import PLATFORM_OPTION, UsageProblem, rule_options, terminal_safe, with_env
from microscout.cli.records import (
    COMPRESSED,
    DISCLOSED_WORDS,
    SPONSORED_WORDS,
    Truth,
    convert,
    distinct_files,
    file_column,
    held_bytes,
    keys_of,
    label_words,
    name_words,
    names_negative,
    parse_mapping,
    parse_truth,
    print_scores,
    read_in_passes,
    read_records,
    records_option,
    resolve_columns,
    truth_hint,
    truth_pair,
)
from microscout.config import shortened
from microscout.heuristics.measure import Scorecard
from microscout.heuristics.sponsored import (
    BASELINE_SPONSORED,
    BASELINE_UNDISCLOSED,
    DISCLOSURES,
    PostAnalysis,
    analyse_post,
    baseline_sponsored,
    baseline_undisclosed,
    shown_whole,
)

# Our columns and the names other exports use for them (records.resolve_columns also reads
# them in another case or spelling, and as the last part of a nested JSON key).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("text", ("post_id", "platform_id", "shortcode", "media_id", "video_id", "uri", "url")),
    # description before caption: a YouTube video's contentDetails.caption says whether it
    # has subtitles; its words are snippet.description
    # (TikTok's item: desc; Instagram's GraphQL media: edge_media_to_caption, see _captions)
    "text": ("text", ("description", "caption", "content", "body", "full_text", "post_text", "message",
                      "video_description", "desc")),
    "hashtags": ("text", ("tags", "challenges")),
    "paid_flag": ("bool", ("is_paid_partnership", "paid_partnership", "branded_content")),
    # The links a post shows beside its words: Twitter's entities.urls (the t.co links'
    # expanded_url), an export's outbound links. Not "url" nor "link": in most exports that is
    # the post's own address (a Pinterest pin's "link" is its destination: --column links=link).
    "links": ("text", ("outbound_link", "outbound_links", "link_url", "destination_url", "expanded_url", "urls")),
}
EXPECTED = "text (required; also caption, content, description, body); id, hashtags, paid_flag, links (optional)"
# Instagram's GraphQL media (its web API, instaloader's JSON): the caption is a connection,
# {"edge_media_to_caption": {"edges": [{"node": {"text": …}}]}}.
GRAPHQL_CAPTION = "edge_media_to_caption.edges"


@dataclass
class PostRow:
    id: str
    text: str
    hashtags: list[str]
    paid_flag: bool | None
    links: list[str] = field(default_factory=list)  # the post's links beside its words (the links column)
    label: bool | None = None  # the --label-column's truth, when scoring
    label_word: str = ""  # that truth as written, in label_words' spelling (as --label-value maps it)
    cell_word: str = ""  # the cell as written: its words say what 1 means though --label-value maps it to 1/0


def _stripped(row: dict[str, Any]) -> dict[str, Any]:
    """Keys without the blanks around them; of two the same then, the first (as resolve_columns reads)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        out.setdefault((key or "").strip(), value)
    return out


def _captions(row: dict[str, Any]) -> dict[str, Any]:
    """A row with an Instagram GraphQL caption connection read as the caption's text."""
    for key in [k for k in row if (k == GRAPHQL_CAPTION or k.endswith("." + GRAPHQL_CAPTION))
                and isinstance(row[k], list)]:  # anything else is no caption connection: left as it is
        edges = row.pop(key)
        nodes = [edge.get("node") for edge in edges if isinstance(edge, dict)]
        texts = [node["text"] for node in nodes if isinstance(node, dict) and isinstance(node.get("text"), str)]
        row[key.removesuffix(".edges") + ".caption"] = "\n".join(texts)
    return row


# HTML as Mastodon's statuses (and other APIs' "content") hold it: a tag it writes, or an entity.
_HTML = re.compile(r"</?(?:p|br|a|span|div|b|i|em|strong|ul|ol|li|blockquote)\b[^<>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
                   re.IGNORECASE)


def _plain(text: str) -> str:
    """A post's text as readers see it: HTML (a Mastodon status's content) made plain text as the
    crawler stores it, links' hidden parts included (``<span class="invisible">https://</span>``)."""
    if not _HTML.search(text):
        return text
    from microscout.crawlers.parse_common import html_to_text

    return html_to_text(text)[0]


def _hashtags(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) and value.strip().startswith("[") and value.strip().endswith("]"):
        value = _listed(value)
    if isinstance(value, str):
        return [t.lstrip("#") for t in value.replace(",", " ").split() if t.lstrip("#")]
    if isinstance(value, list) and all(isinstance(t, dict) for t in value):
        # Mastodon's tags [{"name": …, "url": …}], Twitter's entities.hashtags [{"tag": …}],
        # TikTok's challenges [{"title": …}] and textExtra [{"hashtagName": …}] (empty for a mention)
        value = [t.get("name") or t.get("tag") or t.get("text") or t.get("title") or t.get("hashtagName") or ""
                 for t in value]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return [t.lstrip("#") for t in value if t.lstrip("#")]
    raise UsageProblem(f"{where}: hashtags must be a list of strings or one string of tags "
                       f"separated by spaces or commas (got {shortened(repr(value))})")


def _links(value: Any, where: str) -> list[str]:
    """A links cell: one link, links apart by spaces or commas, a JSON list of them, or a list of
    objects holding one (Twitter's entities.urls: its expanded_url, else url)."""
    if value is None or value == "":
        return []
    if isinstance(value, str) and value.strip().startswith("[") and value.strip().endswith("]"):
        value = _listed(value)
    if isinstance(value, str):
        return [link for link in value.replace(",", " ").split() if link]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        value = [v.get("expanded_url") or v.get("url") or v.get("href") or v.get("uri") or "" for v in value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [link.strip() for link in value if link.strip()]
    raise UsageProblem(f"{where}: links must be a link, links separated by spaces or commas, or a list of them "
                       f"(got {shortened(repr(value))})")


def judged_text(row: PostRow) -> str:
    """What the detectors read: the words, then each link the words do not hold on a line of its
    own after a blank line, as the crawlers store a post's hidden and card links."""
    if not row.links:
        return row.text
    from microscout.crawlers.parse_common import with_hidden_links

    return with_hidden_links(row.text, row.links)


def _row(record: dict[str, Any], where: str, paid_flag: bool | None, label: bool | None = None,
         label_word: str = "", cell_word: str = "") -> PostRow:
    """One post from a row keyed by our column names: no id is named by where it is, and no
    text (a key left out, or null, as Instagram gives a post without a caption) is empty."""
    post_id, text = record.get("id"), record.get("text")
    if post_id is None:
        post_id = where
    if str(post_id).strip() == "":
        raise UsageProblem(f"{where}: empty id; every post needs an id")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise UsageProblem(f"{where}: text must be a string (got {text!r})")
    return PostRow(str(post_id), _plain(text), _hashtags(record.get("hashtags"), where), paid_flag,
                   _links(record.get("links"), where), label, label_word, cell_word)


def _listed(cell: str) -> Any:
    """A list of tags written into one cell, as JSON (``["ad", "gifted"]``) or as pandas writes a
    Python list (``['ad', 'gifted']``); the cell as it is when it is neither, holds anything but
    strings, or is longer than any post's tags (parsing a huge cell costs ~250x its size)."""
    import ast

    if len(cell) > MAX_TAG_CELL:
        return cell
    for parse in (json.loads, ast.literal_eval):
        try:
            value = parse(cell)
        except (ValueError, SyntaxError, RecursionError, MemoryError):
            continue
        if isinstance(value, list) and all(isinstance(t, str) for t in value):
            return value
    return cell


MAX_TAG_CELL = 20_000  # characters: Instagram allows 30 tags a post, TikTok's captions 4,000 characters


FORMATS = {".csv": "column", ".tsv": "column", ".jsonl": "key", ".ndjson": "key", ".json": "key", ".xlsx": "column"}


# What a label of 1 and of 0 mean under each --label-means, as a question about the labels says it.
LABEL_CLASSES = {"sponsored": ("sponsored", "organic"), "disclosed": ("disclosed", "no label"),
                 "undisclosed": ("an undisclosed ad", "none")}


def read_posts(path: Path, label_column: str | None = None, mapping: dict[str, str] | None = None,
               truth: Truth | None = None, records: str | None = None) -> list[PostRow]:
    """Posts from a .csv/.tsv, .jsonl or .json file, read by the reader every `check` command shares,
    with our columns found under their own or a known name (``mapping``: --column ours=theirs)."""
    return list(iter_posts(path, label_column, mapping, truth, records))


def iter_posts(path: Path, label_column: str | None = None, mapping: dict[str, str] | None = None,
               truth: Truth | None = None, records_key: str | None = None) -> Iterator[PostRow]:
    """read_posts' posts one at a time: a CSV or JSONL file is read twice (its columns, then its
    rows), the rows not held (but a named pipe's bytes: held_bytes); another file's records are
    held, as its reader holds the file (``records_key``: --records, the list of a JSON page to read)."""
    if not path.exists():
        raise UsageProblem(f"{path}: no such file; give a .csv, .tsv, .jsonl, .json or .xlsx file of posts")
    suffix = path.suffix.lower()
    if suffix in COMPRESSED:
        suffix = Path(path.stem).suffix.lower()
    what = FORMATS.get(suffix)
    if what is None:
        raise UsageProblem(f"{path}: cannot tell the format from '{path.suffix or '(no extension)'}'; "
                           f"name the file .csv, .tsv, .jsonl, .json or .xlsx (also compressed: .gz, .xz, .bz2)")
    records: Iterable[tuple[str, dict[str, Any], str | None]]
    if read_in_passes(path):
        # a file that cannot be read twice (a named pipe) has its bytes held for the second reading
        content = held_bytes(path, {})
        header = keys_of(_captions(_stripped(record.row))
                         for record in read_records(path, records=records_key, content=content))
        records = ((record.where, _captions(_stripped(record.row)), record.thousands)
                   for record in read_records(path, notes=False, records=records_key, content=content))
    else:
        records = [(record.where, _captions(_stripped(record.row)), record.thousands)
                   for record in read_records(path, records=records_key)]
        header = keys_of(row for _, row, _ in records)
    if label_column:  # the file's own spelling of it (Label for its label), as our columns are found
        label_column = file_column(path, header, label_column, "--label-column") or label_column
    columns = resolve_columns(path, header, mapping or {}, COLUMNS, label_column)
    read = 0
    for where, row, thousands in records:
        if "text" not in columns:
            raise UsageProblem(f"{where}: no 'text' {what}; found: {', '.join(row) or 'none'}; "
                               f"expected: {EXPECTED}; or name it with --column text=THEIRS"
                               f"{truth_hint(path, header, mapping or {}, COLUMNS, label_column, ['text'])}")
        if label_column and label_column not in row:
            raise UsageProblem(f"{where}: --label-column {label_column!r} is not a {what}; "
                               f"found: {', '.join(row)}")
        ours = {key: row.get(theirs) for key, theirs in columns.items()}
        paid = convert(ours.get("paid_flag"), "bool", where, columns["paid_flag"], "paid_flag") \
            if "paid_flag" in columns else None
        # the truth apart: it is never read as what is judged, even under one of our names
        label, word = (truth or Truth(label_column)).read(row[label_column], where, thousands) if label_column \
            else (None, "")
        cell = label_words(row[label_column]) if label_column else ""
        read += 1
        yield _row(ours, where, paid, label, word, cell)
    if not read:
        raise UsageProblem(f"{path}: no posts in the file; expected rows with {EXPECTED}")


def _as_json(row: PostRow, analysis: PostAnalysis) -> dict[str, Any]:
    # what was read of the row (as check accounts' features and check comments' text say it):
    # a column mapped wrong is seen
    read = {"text": row.text, "hashtags": row.hashtags, "paid_flag": row.paid_flag,
            **({"links": row.links} if row.links else {}),
            **({"label": row.label} if row.label is not None else {})}
    return {"id": row.id, **read, "sponsored": analysis.sponsored, "disclosure": analysis.disclosure,
            "signals": [list(s) for s in analysis.signals], "adequate_labels": analysis.adequate_labels,
            "weak_labels": analysis.weak_labels, "denials": analysis.denials, "problems": analysis.problems}


def _print_table(results: list[dict[str, Any]], summary: dict[str, int]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if results:
        table = Table(title="Sponsored posts and disclosure")
        for column in ("id", "sponsored", "disclosure", "signals and labels", "problems"):
            table.add_column(column, overflow="fold")
        for r in results:
            found = [f"{kind}: {text}" for kind, text in r["signals"]] + r["adequate_labels"] + r["weak_labels"]
            table.add_row(*map(terminal_safe, (r["id"], "yes" if r["sponsored"] else "no", r["disclosure"],
                                               "\n".join(found), "\n".join(r["problems"]))))
        console.print(table)
    counts = ", ".join(f"{status} {n}" for status, n in summary.items() if status in DISCLOSURES)
    selling = (f" ({summary['selling_only']} of them sponsored by selling wording alone, which needs no label)"
               if summary["selling_only"] else "")
    console.print(f"{summary['posts']} posts, {summary['sponsored']} sponsored — {counts}{selling}", soft_wrap=True)


UNDISCLOSED_CARD = "undisclosed ad (disclosure missing) vs label 0 = no disclosure"
SPONSORED_ALL_CARD = "sponsored post vs every row (all are paid posts)"
SPONSORED_CARD = "sponsored post vs label 1 = sponsored"
UNDISCLOSED_LABEL_CARD = "undisclosed ad (disclosure missing) vs label 1 = undisclosed ad"
UNDISCLOSED_WORDS = DISCLOSED_WORDS - {"disclosed"}  # the words that say no disclosure


def label_meaning(words: set[str], column: str = "", mapped: bool = False) -> str:
    """What a truth column means when --label-means is not given: said by its words
    (sponsored/organic, promotional, ad: "sponsored"; disclosed/undisclosed: "disclosed"),
    else by its name (is_sponsored, ad, promotional, paid: "sponsored"; disclosed,
    disclosure: "disclosed"; undisclosed, undisclosed_ad: "undisclosed"). When neither says
    it, or they say both, it is refused: a plain 1/0 "label" is as often 1 = sponsored (most
    sponsored-post sets) as 1 = disclosed (affiliate-youtube), and the wrong reading gives
    figures for the other question. ``words``: every row's label_word and cell_word."""
    sponsored, disclosed = bool(words & SPONSORED_WORDS), bool(words & DISCLOSED_WORDS)
    if not sponsored and not disclosed:
        parts = set(name_words(column))
        if not mapped and (names_negative(column) or "organic" in parts) and not any(
                p.startswith("disclos") for p in parts):
            # not_sponsored, non_ad, is_organic: 1 there is the organic post; read as sponsored,
            # every figure would come out the wrong way round.
            yes, no = truth_pair(words)  # as the column spells it: 1=0 0=1 maps no true/false cell
            raise UsageProblem(f"--label-column {column!r} is named for organic posts, so its {yes} may mean not "
                               f"sponsored; say which way it reads: --label-value {yes}=0 --label-value {no}=1 "
                               f"--label-means sponsored if {yes} means organic")
        # undisclosed_ad, isUndisclosed, not_disclosed, missing_disclosure: 1 = an ad with no label
        if "undisclosed" in parts or (parts & NEGATIONS and any(p.startswith("disclos") for p in parts)):
            return "undisclosed"
        sponsored = bool(parts & COLUMN_SPONSORED) or any(p.startswith(("sponsor", "promot", "advert"))
                                                          for p in parts)
        disclosed = any(p.startswith("disclos") for p in parts)
    if sponsored and not disclosed:
        return "sponsored"
    if disclosed and not sponsored:
        return "disclosed"
    why = "its values or name say both" if sponsored else "neither its values nor its name say which"
    raise UsageProblem(f"--label-column {column!r}: what 1 means is not known ({why}); give --label-means "
                       f"sponsored (1 = a sponsored post), --label-means disclosed (every row a paid post, "
                       f"1 = a disclosure is present, as in affiliate-youtube) or --label-means undisclosed "
                       f"(1 = an ad without a disclosure)")


# Words of a truth column's name that turn "disclosed" round (not_disclosed, no_disclosure).
NEGATIONS = {"not", "no", "non", "missing", "without", "lacks", "lacking"}
# Words of a truth column's name that say 1 means a sponsored post (is_ad, paid, is_promo…).
COLUMN_SPONSORED = {"ad", "ads", "paid", "promo", "commercial", "branded", "partnership"}


def score_cards(label_means: str) -> dict[str, Scorecard]:
    """The detectors and their one-line baselines, to be scored on the same rows (add_scores).

    label_means "disclosed" (affiliate-youtube): every row is a paid post and label 1 means a
    disclosure is present; the undisclosed-ad verdict (disclosure "missing") is scored
    against label 0, sponsored-post recall against every row (its precision is 100% by
    construction there, so it is no figure). "sponsored": label 1 means a sponsored post;
    only the sponsored-post detector can be scored. "undisclosed": label 1 means an ad
    without a disclosure and 0 anything else (organic posts, own products, disclosed ads),
    as a hand-labeled set of ordinary posts has it; the undisclosed-ad verdict is scored.
    """
    if label_means == "disclosed":
        return {UNDISCLOSED_CARD: Scorecard(), BASELINE_UNDISCLOSED: Scorecard(),
                SPONSORED_ALL_CARD: Scorecard(), BASELINE_SPONSORED: Scorecard()}
    if label_means == "undisclosed":
        return {UNDISCLOSED_LABEL_CARD: Scorecard(), BASELINE_UNDISCLOSED: Scorecard()}
    return {SPONSORED_CARD: Scorecard(), BASELINE_SPONSORED: Scorecard()}


def undisclosed_truth(label: bool | None, word: str | None) -> bool:
    """A row's truth under --label-means undisclosed ("undisclosed" is the positive): the words
    disclosed/undisclosed read the other way round from 1/0, yes/no and true/false."""
    return word in UNDISCLOSED_WORDS if word in DISCLOSED_WORDS else bool(label)


def add_scores(cards: dict[str, Scorecard], label_means: str, row: PostRow, analysis: PostAnalysis,
               baselines: dict[str, bool]) -> None:
    """One row's verdicts against its label, on score_cards(label_means)'s cards; ``baselines``:
    the row's baseline_sponsored and baseline_undisclosed, computed once for every meaning."""
    if label_means == "disclosed":
        undisclosed = not row.label
        cards[UNDISCLOSED_CARD].add(analysis.disclosure == "missing", undisclosed)
        cards[BASELINE_UNDISCLOSED].add(baselines[BASELINE_UNDISCLOSED], undisclosed)
        cards[SPONSORED_ALL_CARD].add(analysis.sponsored, True)
        cards[BASELINE_SPONSORED].add(baselines[BASELINE_SPONSORED], True)
    elif label_means == "undisclosed":
        truth = undisclosed_truth(row.label, row.label_word)
        cards[UNDISCLOSED_LABEL_CARD].add(analysis.disclosure == "missing", truth)
        cards[BASELINE_UNDISCLOSED].add(baselines[BASELINE_UNDISCLOSED], truth)
    else:
        cards[SPONSORED_CARD].add(analysis.sponsored, bool(row.label))
        cards[BASELINE_SPONSORED].add(baselines[BASELINE_SPONSORED], bool(row.label))


HELP = """Find sponsored posts in a CSV or JSONL file and judge their ad labels.

\b
FILE (one or more: their posts are judged and scored together) is .csv or .tsv
(a header row), .jsonl (one JSON object a line), .json (an array of objects, an
API page holding one, --records KEY naming it where the page holds more, or
instaloader's file of one post) or .xlsx (the first sheet), also compressed
(.gz, .xz, .bz2); UTF-8, UTF-16 with its byte-order mark, or Windows-1252
(said in a note). Columns or keys: text is required
(also read from caption, content, description, body, full_text or desc, in any
case, nested JSON objects included, and Instagram's edge_media_to_caption); id
(else the post is named by its line), hashtags (a list, or tags separated by
spaces or commas, '#' optional), paid_flag (the platform's paid-partnership
flag, also is_paid_partnership: true/false, yes/no, 1/0; empty, NULL or NaN =
unknown) and links (the links a post shows beside its words: Twitter's
entities.urls, also outbound_link or expanded_url; a Pinterest pin's with
--column links=link; read after the words, as the crawlers store hidden links)
are optional. Other columns are ignored; map any with --column ours=theirs.

Each post gets: sponsored yes/no, a disclosure status (adequate, weak, late = after
the fold, buried = in a hashtag block or only in tag metadata, missing = an
undisclosed ad, not_needed) and the reasons. Bad input exits with code 2.

\b
With --label-column the detectors are scored, each beside its one-line baseline
on the same rows. Reproduce the documented figures (docs/HEURISTICS.md):
  microscout check posts ../shared/data/affiliate-youtube/affiliate_videos.csv \\
      --label-column label --label-means disclosed --quiet --platform youtube
"""


@click.command("posts", help=HELP, short_help="Find sponsored posts and judge their ad labels.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (posts and summary) instead of a table.")
@click.option("--fold-chars", type=click.IntRange(min=1), default=None,
              help="Characters shown before 'more'; a label after them is late (default 125).")
@click.option("--hashtag-block", type=click.IntRange(min=2), default=None,
              help="Hashtags in a row that bury a label placed among them (default 5).")
@click.option("--label-column", default=None,
              help="Column with the truth (1/0): score the detectors and their one-line baselines.")
@click.option("--label-means", type=click.Choice(["disclosed", "sponsored", "undisclosed"]), default=None,
              help="disclosed: every row is a paid post, 1 = a disclosure is present (scores the "
                   "undisclosed-ad verdict against 0, sponsored recall against every row); "
                   "sponsored: 1 = a sponsored post; undisclosed: 1 = an ad without a disclosure, "
                   "0 = anything else, organic posts too (scores the undisclosed-ad verdict). "
                   "Default: what the labels' words say (sponsored/organic, ad, promotional: "
                   "sponsored; disclosed/undisclosed: disclosed), else the column's name "
                   "(is_sponsored, is_ad: sponsored; undisclosed_ad: undisclosed); when neither "
                   "says, the command asks for it.")
@click.option("--column", "mapping", multiple=True, metavar="OURS=THEIRS",
              help="Read our column OURS (id, text, hashtags, paid_flag, links) from the file's column THEIRS "
                   "(repeatable).")
@click.option("--quiet", is_flag=True, help="Print only the summary (and scores), not every post.")
@click.option("--label-value", "label_values", multiple=True, metavar="RAW=TRUTH",
              help="Read the --label-column's cells RAW as TRUTH: 1 or 0, or a word that also says what "
                   "1 means (sponsored/organic, disclosed/undisclosed); with it, only mapped cells are read "
                   "(repeatable).")
@records_option
@PLATFORM_OPTION
@with_env
def command(env, files: tuple[Path, ...], as_json: bool, fold_chars: int | None, hashtag_block: int | None,
            label_column: str | None, label_means: str | None, mapping: tuple[str, ...], quiet: bool,
            label_values: tuple[str, ...], records: str | None, platform: str) -> None:
    files = distinct_files(files)
    # The detector settings configured for the disclosure rule, then the flags on top.
    disclosure_options = rule_options(env, "disclosure", platform)
    configured = disclosure_options.sponsored
    settings = configured.model_copy(update={k: v for k, v in {"fold_chars": fold_chars,
                                             "hashtag_block_min": hashtag_block}.items() if v is not None})
    columns, truth = parse_mapping(mapping, COLUMNS), parse_truth(label_column, label_values)
    # Each post is judged as it is read, and only what is printed is kept: its result (unless
    # --quiet), the summary's counts and the scores. Until the labels' words have said what 1
    # means, the rows are scored for every meaning it may have.
    results: list[dict[str, Any]] = []
    read_words: list[str] = []  # each shown post's label word: its truth once label_means is known
    posts = sponsored = selling_only = 0
    by_status: Counter[str] = Counter()
    words: set[str] = set()
    meanings = (label_means,) if label_means else ("sponsored", "disclosed", "undisclosed")
    scored = {meaning: score_cards(meaning) for meaning in meanings} if label_column else {}
    whole = platform in disclosure_options.no_fold_platforms and fold_chars is None  # posts shown whole there
    for file in files:
        for row in iter_posts(file, label_column, columns, truth, records):
            text = judged_text(row)
            analysis = analyse_post(text, row.hashtags, row.paid_flag, settings)
            if whole:
                analysis = shown_whole(analysis)
            result = _as_json(row, analysis)
            if not quiet:
                results.append(result)
                read_words.append(row.label_word)
            posts += 1
            sponsored += result["sponsored"]
            by_status[result["disclosure"]] += 1
            # sponsored by selling wording alone ("DM to order"): promotional, no label needed
            selling_only += result["sponsored"] and result["disclosure"] == "not_needed"
            if scored:
                words.update((row.label_word, row.cell_word))
                baselines = {BASELINE_SPONSORED: baseline_sponsored(text),
                             BASELINE_UNDISCLOSED: baseline_undisclosed(text)}
                for meaning, meaning_cards in scored.items():
                    add_scores(meaning_cards, meaning, row, analysis, baselines)
    summary: dict[str, int] = {"posts": posts, "sponsored": sponsored,
                               **{status: by_status[status] for status in DISCLOSURES},
                               "selling_only": selling_only}
    cards: dict[str, Scorecard] = {}
    if label_column:
        # an f never beside a t: asked which it is, as check accounts asks, in the words of what 1 means
        truth.check_pairs(LABEL_CLASSES.get(label_means or "", ("what the column marks", "not that")))
        if label_means is None:
            try:
                label_means = label_meaning(words, label_column, mapped=bool(label_values))
            except UsageProblem as exc:  # said after the last row: name the files it read
                raise UsageProblem(f"{', '.join(map(str, files))}: {exc.message}") from None
        cards = scored[label_means]
        if label_means == "undisclosed":  # each shown post's label is the truth it was scored by
            for result, word in zip(results, read_words):
                if "label" in result:
                    result["label"] = undisclosed_truth(result["label"], word)
    if as_json:
        out: dict[str, Any] = {"posts": [] if quiet else results, "summary": summary}
        if cards:
            out["label_means"] = label_means
            out["scores"] = {name: card.as_dict() for name, card in cards.items()}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    _print_table([] if quiet else results, summary)
    if cards:
        print_scores(cards, as_json=False)
