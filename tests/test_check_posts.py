"""`microscout check posts`: the sponsored-post detectors on a CSV or JSONL file."""
import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from microscout.cli import cli

CSV = '''id,text,hashtags,paid_flag,extra
1,"Loving the serum from @glowco, use code GLOW20",,,x
2,"#ad new boots from @stompco",ad,,
3,"walk by the sea",,,
4,"#sp thanks @glowco",sp,yes,
5,"my morning routine",,true,
'''


def check(tmp_path, name, content, *args):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return CliRunner().invoke(cli, ["check", "posts", str(path), *args])


def test_csv_json_output_per_post_and_summary(tmp_path):
    result = check(tmp_path, "posts.csv", CSV, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_id = {p["id"]: p for p in data["posts"]}
    assert {i: (p["sponsored"], p["disclosure"]) for i, p in by_id.items()} == {
        "1": (True, "missing"), "2": (True, "adequate"), "3": (False, "not_needed"),
        "4": (True, "adequate"), "5": (True, "adequate")}
    assert ["discount_code", "use code GLOW20"] in by_id["1"]["signals"]
    assert ["paid_flag", "platform paid-partnership flag"] in by_id["5"]["signals"]
    # Posts 4 and 5 carry the platform's paid-partnership flag: its "Paid partnership" label.
    assert data["summary"] == {"posts": 5, "sponsored": 4, "adequate": 3, "weak": 0, "late": 0, "buried": 0,
                               "missing": 1, "not_needed": 1, "selling_only": 0}


def test_summary_counts_posts_that_only_sell(tmp_path):
    """A post sponsored by selling wording alone is promotional with no label needed: counted
    apart, so the summary's not_needed is not read as all organic."""
    result = check(tmp_path, "posts.csv", "id,text\n1,\"Flash sale! DM to order\"\n2,sunset walk\n", "--json")
    assert json.loads(result.output)["summary"] == {
        "posts": 2, "sponsored": 1, "adequate": 0, "weak": 0, "late": 0, "buried": 0, "missing": 0, "not_needed": 2,
        "selling_only": 1}
    table = check(tmp_path, "posts.csv", "id,text\n1,\"Flash sale! DM to order\"\n2,sunset walk\n", "--quiet")
    assert "1 of them sponsored by selling wording alone, which needs no label" in table.output


def test_table_output_shows_rows_and_summary(tmp_path):
    result = check(tmp_path, "posts.csv", CSV)
    assert result.exit_code == 0, result.output
    assert "Sponsored posts and disclosure" in result.output
    assert "not_needed" in result.output and "undisclosed ad" in result.output
    assert "5 posts, 4 sponsored — adequate 3, weak 0, late 0, buried 0, missing 1, not_needed 1" in result.output


def test_jsonl_with_hashtag_lists_and_options(tmp_path):
    lines = [{"id": "a", "text": "x" * 150 + " #ad", "hashtags": ["ad"]},
             {"id": 7, "text": "new kit from @glowco", "hashtags": "ad, kit", "paid_flag": None}]
    content = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    data = json.loads(check(tmp_path, "posts.jsonl", content, "--json").output)
    assert [(p["id"], p["disclosure"]) for p in data["posts"]] == [("a", "late"), ("7", "buried")]
    wide = json.loads(check(tmp_path, "posts.jsonl", content, "--json", "--fold-chars", "200").output)
    assert wide["posts"][0]["disclosure"] == "adequate"


@pytest.mark.parametrize("name, content, read", [
    # TikTok's desc and a label in words: what was read of each, to check the mapping
    ("tiktok.json", json.dumps({"data": [{"id": "9", "desc": "new kit #ad", "challenges": [{"title": "ad"}],
                                          "is_ad": "sponsored"}]}),
     {"text": "new kit #ad", "hashtags": ["ad"], "paid_flag": None, "label": True}),
    ("ig.csv", 'shortcode,caption,is_paid_partnership,label\nS1,"walk, sea",FALSE,organic\n',
     {"text": "walk, sea", "hashtags": [], "paid_flag": False, "label": False}),
])
def test_json_says_what_was_read_of_each_post(tmp_path, name, content, read):
    """--json names what each post was read as (its text, tags, flag and truth), as check
    accounts' features and check comments' text do: a column mapped wrong is seen."""
    label = "is_ad" if name.endswith(".json") else "label"
    result = check(tmp_path, name, content, "--json", "--label-column", label)
    assert result.exit_code == 0, result.output
    post = json.loads(result.output)["posts"][0]
    assert {key: post.get(key) for key in read} == read


def test_json_label_is_the_truth_scored_when_disclosed_words_are_read_as_undisclosed(tmp_path):
    # --label-means undisclosed: 1 = an ad without a disclosure; a cell 'disclosed' is scored 0 and
    # 'undisclosed' 1 (add_scores), but --json showed the word's own reading: label true beside
    # 'disclosed', the opposite of the card "vs label 1 = undisclosed ad" it was counted in
    content = ('id,text,label\n1,"Thanks to OatCo for sponsoring this video #ad",disclosed\n'
               '2,"Use my code SAVE10 at oatco.com",undisclosed\n')
    result = check(tmp_path, "w.csv", content, "--json", "--label-column", "label", "--label-means", "undisclosed")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert [(p["id"], p["label"]) for p in out["posts"]] == [("1", False), ("2", True)]
    (card,) = [c for name, c in out["scores"].items() if "label 1 = undisclosed ad" in name]
    assert (card["tp"], card["tn"]) == (1, 1)  # post 2 the undisclosed ad, post 1 not
    default = json.loads(check(tmp_path, "w.csv", content, "--json", "--label-column", "label").output)
    assert default["label_means"] == "disclosed" and [p["label"] for p in default["posts"]] == [True, False]


@pytest.mark.parametrize("name, content, message", [
    ("posts.csv", "id,words\n1,hello\n", "no 'text' column; found: id, words; expected: text (required"),
    ("posts.csv", "id,text,paid_flag\n1,hi,maybe\n",
     "line 2: column 'paid_flag' holds 'maybe'; it should be true/false or 1/0 (or --column paid_flag= to leave"),
    ("posts.csv", "id,text,is_paid_partnership\n1,hi,maybe\n", "line 2: column 'is_paid_partnership' holds 'maybe'"),
    ("posts.csv", "id,text\n,hi\n", "line 2: empty id"),
    ("posts.csv", "id,text\n", "no posts in the file"),
    ("posts.jsonl", '{"id": 1, "text": "ok"}\n{"id": 2, "text": \n', "posts.jsonl line 2: not valid JSON"),
    ("posts.jsonl", '{"id": 1, "words": "ok"}\n', "line 1: no 'text' key; found: id, words"),
    ("posts.csv", "id,words\n1,hi\n", "or name it with --column text=THEIRS"),
    ("posts.jsonl", '[1, 2]\n', "line 1: expected a JSON object"),
    ("posts.jsonl", '{"id": 1, "text": 5}\n', "line 1: text must be a string (got 5)"),
    ("posts.jsonl", '{"id": 1, "text": "x", "hashtags": [1]}\n', "hashtags must be a list of strings"),
    ("posts.jsonl", '{"id": 1, "text": "x", "links": [1]}\n', "line 1: links must be a link, links separated"),
    ("posts.txt", "id,text\n1,hi\n", "cannot tell the format from '.txt'; name the file .csv, .tsv, .jsonl, .json or .xlsx"),
    ("posts.json", '{"id": 1, "text": "x"}', "expected a JSON array of objects"),
])
def test_bad_input_exits_2_naming_file_line_and_value(tmp_path, name, content, message):
    result = check(tmp_path, name, content)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert name in result.output


@pytest.mark.parametrize("kind", ["posts", "comments"])
def test_a_label_column_that_holds_the_text_is_said_to_be_the_truth(tmp_path, kind):
    # A review: --label-column text answered "no 'text' column; found: text, label" (comments:
    # "none of our columns found (text); its columns are: text, label … hydrated"), which
    # contradicts itself: the truth column is never read as what is judged.
    path = tmp_path / "rows.csv"
    path.write_text("text,label\nbuy now #ad,1\nhello,0\n", encoding="utf-8")
    means = ["--label-means", "sponsored"] if kind == "posts" else []
    result = CliRunner().invoke(cli, ["check", kind, str(path), "--label-column", "text", *means])
    assert result.exit_code == 2, result.output
    assert "'text' is the --label-column, and the truth is never read as what is judged" in result.output
    assert "hydrated" not in result.output and len(result.output.strip().splitlines()) == 1


def test_missing_file_exits_2(tmp_path):
    result = CliRunner().invoke(cli, ["check", "posts", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_text_that_is_not_utf8_is_read_as_windows_1252_and_binary_data_is_refused(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_bytes(b"id,text\n1,caf\xe9\n")
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["posts"][0]["id"] == "1"
    assert f"note: {path} is not UTF-8 (byte 13); read as Windows-1252" in result.stderr
    path.write_bytes(b"id,text\n1,\x00\x00\xff\xd8 a picture\n")
    result = CliRunner().invoke(cli, ["check", "posts", str(path)])
    assert result.exit_code == 2 and "binary data, not text" in result.output


# --- Scoring against labels (--label-column) -----------------------------------------------

from tests.conftest import SHARED  # noqa: E402

# Paid posts, label 1 = a disclosure is present (the shape of affiliate-youtube), written here.
LABELED = '''id,text,label
a,"Some links are affiliate links http://amzn.to/x",1
b,"Camera: http://bit.ly/cam",0
c,"My trip http://example.com/blog",0
d,"Not sponsored! Buy it here: http://bit.ly/x",0
e,"Great video, thanks for watching",0
'''


def test_label_column_scores_undisclosed_ads_and_prints_the_baselines(tmp_path):
    result = check(tmp_path, "paid.csv", LABELED, "--label-column", "label", "--label-means", "disclosed",
                   "--quiet")
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("score (")]
    assert [line.split("):")[0] for line in lines] == [
        "score (undisclosed ad (disclosure missing) vs label 0 = no disclosure",
        "score (baseline: a link and no affiliate/commission/sponsor/#ad (one line)",
        "score (sponsored post vs every row (all are paid posts)",
        "score (baseline: #ad or #sponsored (one line)"]
    # Undisclosed (label 0): b, c, d, e. The tool accuses b and d (a shortener beside product
    # wording); the baseline accuses every link without the words, b and c, and takes d's
    # "Not sponsored!" for a disclosure.
    assert "tp 2 fp 0 fn 2 tn 1 (n 5)" in lines[0]
    assert "tp 2 fp 0 fn 2 tn 1 (n 5)" in lines[1]
    assert "tp 3 fp 0 fn 2 tn 0 (n 5)" in lines[2]  # a, b, d recognised as ads
    assert "F1" in lines[0] and "precision at a 10% base rate" in lines[0]
    assert "Sponsored posts and disclosure" not in result.output  # --quiet: no table


def test_label_column_json_holds_the_scores(tmp_path):
    data = json.loads(check(tmp_path, "paid.csv", LABELED, "--label-column", "label", "--label-means",
                            "disclosed", "--json").output)
    scores = data["scores"]
    assert scores["undisclosed ad (disclosure missing) vs label 0 = no disclosure"]["tp"] == 2
    assert scores["baseline: a link and no affiliate/commission/sponsor/#ad (one line)"]["recall"] == 0.5
    assert len(data["posts"]) == 5


def test_label_means_sponsored(tmp_path):
    content = 'id,text,sponsored\n1,"#ad new boots",1\n2,"use code GLOW20",1\n3,"walk by the sea",0\n'
    result = check(tmp_path, "ig.csv", content, "--label-column", "sponsored", "--label-means", "sponsored",
                   "--quiet")
    assert result.exit_code == 0, result.output
    assert "score (sponsored post vs label 1 = sponsored): precision 100.0%, recall 100.0%" in result.output
    assert "score (baseline: #ad or #sponsored (one line)): precision 100.0%, recall 50.0%" in result.output


@pytest.mark.parametrize("content, message", [
    ("id,text\n1,hi\n", "--label-column 'label' is not a column; found: id, text"),
    ("id,text,label\n1,hi,maybe\n", "line 2: label column 'label' holds 'maybe'"),
    # found after the last row, it named no file: which of several needs --label-means?
    ("id,text,label\n1,hi,1\n", "paid.csv: --label-column 'label': what 1 means is not known"),
    ("id,text,not_sponsored\n1,hi,1\n", "paid.csv: --label-column 'not_sponsored' is named for organic posts"),
])
def test_bad_labels_exit_2(tmp_path, content, message):
    column = "not_sponsored" if "not_sponsored" in content else "label"
    result = check(tmp_path, "paid.csv", content, "--label-column", column)
    assert result.exit_code == 2 and message in " ".join(result.output.split())


AFFILIATE = SHARED / "data" / "affiliate-youtube" / "affiliate_videos.csv"
# tp, fp, fn, tn of the shipped detector and of the one-line rule, as docs/HEURISTICS.md reports them
# (its section on posts, and the table at its top): update both together.
AFFILIATE_UNDISCLOSED = (1094, 23, 920, 213)
AFFILIATE_BASELINE = (1591, 64, 423, 172)


def test_documented_figures_on_affiliate_youtube():
    """docs/HEURISTICS.md, "Posts: sponsored and disclosure": the figures it reports."""
    if not AFFILIATE.is_file():
        pytest.skip(f"{AFFILIATE} not found: the labeled data lives in ../shared/data beside the repo")
    result = CliRunner().invoke(cli, ["check", "posts", str(AFFILIATE), "--label-column", "label", "--label-means",
                                      "disclosed", "--json", "--quiet", "--platform", "youtube"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["scores"]
    tool = scores["undisclosed ad (disclosure missing) vs label 0 = no disclosure"]
    baseline = scores["baseline: a link and no affiliate/commission/sponsor/#ad (one line)"]
    sponsored = scores["sponsored post vs every row (all are paid posts)"]
    assert (tool["tp"], tool["fp"], tool["fn"], tool["tn"]) == AFFILIATE_UNDISCLOSED
    assert (baseline["tp"], baseline["fp"], baseline["fn"], baseline["tn"]) == AFFILIATE_BASELINE
    assert (sponsored["tp"], sponsored["fn"]) == (1421, 829)
    assert tool["precision"] >= 0.95  # precision first: an accusation wrongs a creator


SHORTENER_REVIEW = Path(__file__).resolve().parent / "heuristics" / "data" / "shortener-review.csv"


@pytest.mark.parametrize("alone, counts", [(False, (32, 18, 33, 117)), (True, (59, 71, 6, 64))])
def test_documented_figures_on_the_shortened_link_posts(tmp_path, alone, counts):
    """docs/HEURISTICS.md, "Shortened links": 200 posts with shortened links written blind to
    the code, by default and with shortener_alone (through a config file, as a user sets it)."""
    config = tmp_path / "config.toml"
    config.write_text(f"[rules.disclosure.sponsored]\nshortener_alone = {str(alone).lower()}\n")
    result = CliRunner().invoke(cli, ["--config", str(config), "check", "posts", str(SHORTENER_REVIEW),
                                      "--label-column", "undisclosed", "--label-means", "undisclosed",
                                      "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)["scores"]["undisclosed ad (disclosure missing) vs label 1 = undisclosed ad"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == counts


def posts_of(result) -> list[tuple]:
    assert result.exit_code == 0, result.output
    return [(p["id"], p["sponsored"], p["disclosure"]) for p in json.loads(result.output)["posts"]]


def test_other_exports_names_are_read_in_any_case_and_nested():
    """An Instagram Graph API media list (caption, is_paid_partnership), a CSV with a Caption
    column and no id, and Bluesky posts (record.text inside each object) read as they come."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        media = [{"id": "17900", "caption": "New drop, use code GLOW20", "is_paid_partnership": False},
                 {"id": "17901", "caption": "Lunch with friends", "is_paid_partnership": True}]
        assert posts_of(check(folder, "media.json", json.dumps(media), "--json")) == [
            ("17900", True, "missing"), ("17901", True, "adequate")]
        rows = check(folder, "captions.csv", "Caption,Label\nUse code GLOW20 today,1\nsunset walk,0\n", "--json")
        assert posts_of(rows) == [(f"{folder / 'captions.csv'} line 2", True, "missing"),
                                  (f"{folder / 'captions.csv'} line 3", False, "not_needed")]
        bluesky = [{"uri": "at://did:plc:a/app.bsky.feed.post/1", "record": {"text": "#ad my favourite pan"}}]
        assert posts_of(check(folder, "feed.json", json.dumps(bluesky), "--json")) == [
            ("at://did:plc:a/app.bsky.feed.post/1", True, "adequate")]
        mapped = check(folder, "odd.csv", "key,words\nx,use code GLOW20\n", "--json", "--column", "text=words",
                       "--column", "id=key")
        assert posts_of(mapped) == [("x", True, "missing")]
        scored = check(folder, "captions.csv", "Caption,Label\nUse code GLOW20 today,1\nsunset walk,0\n",
                       "--label-column", "Label", "--label-means", "sponsored", "--quiet")
        assert "tp 1 fp 0 fn 0 tn 1" in scored.output, scored.output


@pytest.mark.parametrize("name, ham, spam_called", [("Youtube01-Psy", 175, 9), ("Youtube02-KatyPerry", 175, 15),
                                                    ("Youtube03-LMFAO", 202, 0)])
def test_documented_false_alarms_on_organic_comments(name, ham, spam_called):
    """docs/HEURISTICS.md, "Does it beat its baseline?": no ham comment of the UCI files is
    called sponsored (the bound on the detector's false alarms on organic text)."""
    path = SHARED / "data" / "youtube-spam" / f"{name}.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found: the labeled data lives in ../shared/data beside the repo")
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--column", "text=CONTENT", "--column",
                                      "id=COMMENT_ID", "--label-column", "CLASS", "--label-means", "sponsored",
                                      "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["fp"], card["tn"], card["tp"]) == (0, ham, spam_called)


@pytest.mark.parametrize("name, counts, accused", [("set-a", (115, 2, 20, 172), []), ("set-b", (101, 1, 34, 192), []),
                                                   ("set-c", (62, 2, 62, 180), []),
                                                   ("set-d", (74, 0, 47, 179), [])])
def test_documented_figures_on_the_caption_sets(name, counts, accused):
    """docs/HEURISTICS.md, "Captions": the sponsored-post detector on the four hand-written
    caption sets, read as `check posts` reads them (the label words say what 1 means)."""
    path = Path(__file__).resolve().parents[1] / "docs" / "caption-sets" / f"{name}.csv"
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--label-column", "label", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["label_means"] == "sponsored"
    card = report["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == counts
    # the organic captions accused of being an undisclosed ad (docs/HEURISTICS.md, "Captions")
    organic = {row["id"] for row in csv.DictReader(path.open(encoding="utf-8")) if row["label"] == "organic"}
    assert len(report["posts"]) == counts[0] + counts[1] + counts[2] + counts[3]
    assert [p["id"] for p in report["posts"] if p["disclosure"] == "missing" and p["id"] in organic] == accused


@pytest.mark.parametrize("name, label, card_name, counts", [
    ("set-e", "promotional", "sponsored post vs label 1 = sponsored", (80, 5, 40, 175)),
    ("set-e", "undisclosed", "undisclosed ad (disclosure missing) vs label 1 = undisclosed ad", (32, 0, 8, 260)),
    ("set-f", "promotional", "sponsored post vs label 1 = sponsored", (89, 8, 36, 167)),
    ("set-f", "undisclosed", "undisclosed ad (disclosure missing) vs label 1 = undisclosed ad", (38, 2, 5, 255)),
])
def test_documented_figures_on_the_youtube_description_sets(name, label, card_name, counts):
    """docs/HEURISTICS.md, "YouTube descriptions, sets E and F": both detectors on the two
    hand-written sets of YouTube descriptions, each label scored as its own run."""
    path = Path(__file__).resolve().parents[1] / "docs" / "caption-sets" / f"{name}.csv"
    means = "sponsored" if label == "promotional" else "undisclosed"
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--label-column", label, "--label-means", means,
                                      "--platform", "youtube", "--json", "--quiet"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)["scores"][card_name]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == counts


def test_the_command_its_help_gives_runs_as_written():
    """check posts --help ends with the command that reproduces the documented figures: it must
    run as printed (a plain 1/0 label needs --label-means)."""
    import shlex

    from microscout.cli.check_posts import HELP

    line = " ".join(HELP.rsplit("docs/HEURISTICS.md):", 1)[1].replace("\\\n", " ").split())
    args = shlex.split(line)[1:]  # without "microscout"
    assert args[:2] == ["check", "posts"] and "--label-means" in args
    if not AFFILIATE.is_file():
        pytest.skip(f"{AFFILIATE} not found: the labeled data lives in ../shared/data beside the repo")
    args[2] = str(AFFILIATE)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("platform, status", [("instagram", "late"), ("mastodon", "adequate"), ("bluesky", "adequate")])
def test_check_posts_folds_only_where_the_platform_does(tmp_path, platform, status):
    text = "Morning routine with my favourite serum, " * 4 + "use code GLOW20 #ad"
    result = check(tmp_path, "p.csv", f'id,text\n1,"{text}"\n', "--json", "--platform", platform)
    assert json.loads(result.output)["posts"][0]["disclosure"] == status


@pytest.mark.parametrize("files, args, message", [
    ({"p.csv": "id,text,label\n1,hi #ad,1\n2,walk,0\n3,sea,maybe\n"}, ["--label-column", "label"],
     "p.csv line 4: label column 'label' holds 'maybe'"),
    ({"p.csv": "id,text,paid_flag\n1,hi,yes\n2,walk,maybe\n"}, [], "p.csv line 3: column 'paid_flag' holds 'maybe'"),
    ({"p.csv": "id,text\n1,hi\n", "q.csv": "id,words\n2,walk\n"}, [], "q.csv line 2: no 'text' column"),
    ({"p.csv": "id,text,label\n1,hi #ad,1\n2,walk,0\n"}, ["--label-column", "label"],
     "p.csv: --label-column 'label': what 1 means is not known"),  # said once every row is read
])
def test_json_prints_nothing_before_a_refusal_of_a_later_row_or_file(tmp_path, files, args, message):
    """check posts prints its --json (one document) and its table once every post is read: a
    refusal on a later row or file, or of the labels' meaning after the last, leaves stdout
    empty, as check accounts' and check comments' JSON lines now do (they read the rows first)."""
    paths = []
    for name, content in files.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(content, encoding="utf-8")
    for output in (["--json"], []):
        result = CliRunner().invoke(cli, ["check", "posts", *map(str, paths), *args, *output])
        assert (result.exit_code, result.stdout) == (2, "")
        assert result.stderr.startswith(f"Error: {tmp_path}") and result.stderr.count("\n") == 1
        assert message in result.stderr


def test_a_posts_links_beside_its_words_are_judged_with_them(tmp_path):
    """A links column (a pin's own link, an export's link, Twitter's entities.urls): the link
    is read after the words, as the crawlers store a post's hidden and card links, so an
    affiliate link there makes the post an ad and a label in the words still discloses it."""
    pins = check(tmp_path, "pins.csv", "id,text,link,url\n"
                 "1,Cute tank,https://www.amazon.com/dp/B01?tag=jane-20,https://pinterest.example/pin/1\n"
                 "2,My garden this spring,https://myblog.example/garden,https://pinterest.example/pin/2\n"
                 "3,Cute tank #ad,https://www.amazon.com/dp/B01?tag=jane-20,https://pinterest.example/pin/3\n"
                 "4,Cute tank,,https://pinterest.example/pin/4\n", "--json", "--column", "links=link")
    assert pins.exit_code == 0, pins.output
    posts = {p["id"]: p for p in json.loads(pins.output)["posts"]}
    assert {i: (p["sponsored"], p["disclosure"]) for i, p in posts.items()} == {
        "1": (True, "missing"), "2": (False, "not_needed"), "3": (True, "adequate"), "4": (False, "not_needed")}
    assert posts["1"]["signals"] == [["affiliate_link", "https://www.amazon.com/dp/B01?tag=jane-20"]]
    assert posts["1"]["links"] == ["https://www.amazon.com/dp/B01?tag=jane-20"] and "links" not in posts["4"]
    # Twitter: the t.co link in the words, the link it stands for in entities.urls; the
    # user's own profile link (user.entities.url.urls) is not the post's
    tweet = {"id": 9, "full_text": "new video https://t.co/abc",
             "entities": {"urls": [{"url": "https://t.co/abc", "expanded_url": "https://amzn.to/3xYz"}]},
             "user": {"entities": {"url": {"urls": [{"expanded_url": "https://me.example/shop?ref=x1"}]}}}}
    tweets = check(tmp_path, "tweets.jsonl", json.dumps(tweet) + "\n", "--json")
    assert tweets.exit_code == 0, tweets.output
    [post] = json.loads(tweets.output)["posts"]
    assert (post["id"], post["disclosure"], post["links"]) == ("9", "missing", ["https://amzn.to/3xYz"])
    # without --column, "link" is not read: in most exports it is the post's own address
    unmapped = check(tmp_path, "pins.csv", "id,text,link\n1,Cute tank,https://www.amazon.com/dp/B01?tag=jane-20\n",
                     "--json")
    assert [(p["sponsored"], "links" in p) for p in json.loads(unmapped.output)["posts"]] == [(False, False)]
    # a list in a cell, and links apart by spaces
    listed = check(tmp_path, "listed.csv", 'id,text,links\n1,hi,"[""https://a.example/x"", ""https://amzn.to/1""]"\n'
                   "2,hi,https://a.example/x https://amzn.to/2\n", "--json")
    assert [p["links"] for p in json.loads(listed.output)["posts"]] == [
        ["https://a.example/x", "https://amzn.to/1"], ["https://a.example/x", "https://amzn.to/2"]]



REVIEW_V8 = Path(__file__).resolve().parent / "heuristics" / "data"


@pytest.mark.parametrize("name, sponsored, accused", [("review-v8-organic", 44, 12),
                                                      ("review-v8-organic-probes", 6, 6)])
def test_documented_false_alarms_on_the_reviews_organic_posts(name, sponsored, accused):
    """docs/HEURISTICS.md, "YouTube descriptions, sets E and F": the organic posts a review of the
    sponsor-read, referral and other-language wording wrote (175 before reading the code, 16
    probes after; none an ad). The code before that wording accused 13 of the 175; the wording as
    first written accused 63."""
    result = CliRunner().invoke(cli, ["check", "posts", str(REVIEW_V8 / f"{name}.csv"), "--json"])
    assert result.exit_code == 0, result.output
    posts = json.loads(result.output)["posts"]
    assert (sum(p["sponsored"] for p in posts), sum(p["disclosure"] == "missing" for p in posts)) == (
        sponsored, accused)


def test_documented_catches_on_the_reviews_ads():
    """The same review's 65 ads in the new wording: every disclosed one is read with its label,
    and the undisclosed ones are accused but for 8 of its 15 harder sponsor reads (a bare site, a
    path of two parts, a hyphenated handle: x01-x15), the price of precision."""
    path = REVIEW_V8 / "review-v8-ads.csv"
    disclosed = {row["id"]: row["disclosed"] == "1" for row in csv.DictReader(path.open(encoding="utf-8"))}
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--json"])
    assert result.exit_code == 0, result.output
    posts = json.loads(result.output)["posts"]
    assert all(p["sponsored"] and p["disclosure"] != "missing" for p in posts if disclosed[p["id"]])
    missed = sorted(p["id"] for p in posts if not disclosed[p["id"]] and p["disclosure"] != "missing")
    assert (sum(disclosed.values()), len(posts)) == (15, 65)
    assert len(missed) == 8 and all(i.startswith("x") for i in missed), missed
