"""The `check` commands read what platforms' APIs really return (the recordings in
../shared/fixtures: a Mastodon followers page, Bluesky getFollows, an Instagram business
discovery answer, YouTube commentThreads) and the column names of public data sets
(Twitter's friends_count and default_profile_image, public_metrics nested), in any case."""
from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from microscout.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"


def fixture(relative: str) -> Path:
    path = FIXTURES / relative
    if not path.is_file():
        pytest.skip(f"{path} not found: the recordings live in ../shared/fixtures beside the repo")
    return path


def check(kind: str, path: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["check", kind, str(path), "--json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def check_records(kind: str, tmp_path: Path, records: list[dict], name: str = "records.json") -> list[dict]:
    """`check KIND --json` on these records written as a JSON array: one dict per row."""
    path = tmp_path / name
    path.write_text(json.dumps(records))
    return [row for row in check(kind, path) if "where" in row]


def test_mastodon_accounts_as_the_api_gave_them(tmp_path):
    accounts = []
    for name in ("mastodon/test_account.yaml", "mastodon/test_account_lookup.yaml"):
        for interaction in yaml.safe_load(fixture(name).read_text())["interactions"]:
            body = json.loads(interaction["response"]["body"]["string"])
            if "followers_count" in body:
                accounts.append(body)
    assert len(accounts) >= 3 and all("avatar" in a and "source" in a for a in accounts[:1])
    rows = check_records("accounts", tmp_path, accounts)
    assert [r["handle"] for r in rows] == [a["username"] for a in accounts]
    for row, account in zip(rows, accounts):
        default_picture = account["avatar"].endswith("/missing.png")
        assert any("no profile picture" in reason for reason in row["reasons"]) == default_picture, row
        assert row["features"]["followers"] == account["followers_count"]
        assert row["features"]["following"] == account["following_count"]
        assert row["features"]["posts_count"] == account["statuses_count"]


def test_bluesky_follows_read_with_their_pictures_and_bios(tmp_path):
    follows = json.loads(fixture("bluesky/get_follows.json").read_text())["follows"]
    rows = check_records("accounts", tmp_path, follows)
    assert [r["handle"] for r in rows] == [f["handle"] for f in follows]
    for row, follow in zip(rows, follows):
        assert row["features"]["has_avatar"] is ("avatar" in follow)
        assert row["features"]["bio_length"] == len((follow.get("description") or "").strip())


def test_a_bluesky_profile_without_its_avatar_key_has_no_picture(tmp_path):
    """Bluesky's profile views leave avatar out when none is set (the recordings show the key
    only when there is one): such a follower has no picture, as the crawler stores it."""
    follows = json.loads(fixture("bluesky/get_follows.json").read_text())["follows"]
    without = {k: v for k, v in follows[0].items() if k != "avatar"}
    rows = check_records("accounts", tmp_path, [follows[0], without])
    assert [r["features"]["has_avatar"] for r in rows] == [True, False]
    assert any("no profile picture" in reason for reason in rows[1]["reasons"])
    unknown = check_records("accounts", tmp_path, [{"handle": "x", "followers": 3, "following": 40}], "plain.json")
    assert "has_avatar" not in unknown[0]["features"]  # elsewhere a missing picture field stays unknown
    # a Bluesky export with no picture column at all says nothing about pictures
    path = tmp_path / "bsky.csv"
    path.write_text("did,handle,followersCount,followsCount,postsCount,description\n"
                    "did:plc:abc,alice.bsky.social,120,150,300,I paint\n")
    (row,) = [r for r in check("accounts", path) if "where" in r]
    assert "has_avatar" not in row["features"] and row["class"] == "real"


def test_an_instagram_business_discovery_answer_nested_one_level(tmp_path):
    answer = json.loads(fixture("instagram/business_discovery_user.json").read_text())
    path = tmp_path / "user.jsonl"
    path.write_text(json.dumps(answer) + "\n")
    (row,) = [r for r in check("accounts", path) if "handle" in r]
    found = answer["business_discovery"]
    assert row["handle"] == found["username"]
    assert row["features"]["followers"] == found["followers_count"]
    assert row["features"]["posts_count"] == found["media_count"]
    assert row["features"]["has_avatar"] is True


def test_youtube_comment_threads_read_from_their_nested_snippets(tmp_path):
    items = json.loads(fixture("youtube/comment_threads_by_video_paged_1.json").read_text())["items"]
    rows = check_records("comments", tmp_path, items)
    assert [r["id"] for r in rows] == [i["id"] for i in items]
    texts = [i["snippet"]["topLevelComment"]["snippet"]["textOriginal"] for i in items]
    assert [r["text"] for r in rows] == texts
    assert rows[0]["class"] == "spam" and rows[0]["kind"] == "link"  # "Google.com", as typed


def test_check_posts_reads_youtube_videos_and_instagram_media_as_the_apis_give_them(tmp_path):
    """videos.list items (snippet.description, snippet.tags) and an Instagram hashtag page's
    media (caption; a post without one leaves the key out, as Instagram does): every post
    read under its own id, none refused."""
    videos = json.loads(fixture("youtube/videos_2019_stats_with_next.json").read_text())["items"]
    media = json.loads(fixture("instagram/hashtag_top_media_p1.json").read_text())["data"]
    media[1] = {k: v for k, v in media[1].items() if k != "caption"}
    for records, name in ((videos, "videos.json"), (media, "media.json")):
        path = tmp_path / name
        path.write_text(json.dumps(records))
        result = CliRunner().invoke(cli, ["check", "posts", str(path), "--json"])
        assert result.exit_code == 0, result.output
        assert [p["id"] for p in json.loads(result.output)["posts"]] == [r["id"] for r in records]
    # the text was read: a description with a sponsor's affiliate link is judged as one
    ad = [{**videos[0], "snippet": {**videos[0]["snippet"], "description": "Get it here: https://amzn.to/3xYz9"}}]
    path = tmp_path / "ad.json"
    path.write_text(json.dumps(ad))
    (post,) = json.loads(CliRunner().invoke(cli, ["check", "posts", str(path), "--json"]).output)["posts"]
    assert post["disclosure"] == "missing"


def test_twitter_names_with_the_default_picture_flag_inverted(tmp_path):
    path = tmp_path / "twitter.csv"
    path.write_text("screen_name,followers_count,friends_count,statuses_count,default_profile_image,description,"
                    "protected,label\n"
                    "bought1,3,610,0,1,,,1\n"
                    "reader,40,300,12,,likes tea,,0\n"
                    "custom,12,900,3,0,,,1\n")
    rows = [r for r in check("accounts", path, "--label-column", "label") if "handle" in r]
    features = {r["handle"]: r["features"] for r in rows}
    assert features["bought1"]["following"] == 610 and features["bought1"]["has_avatar"] is False
    assert "has_avatar" not in features["reader"]  # an empty flag is unknown
    assert features["custom"]["has_avatar"] is True
    assert {r["handle"]: r["class"] for r in rows}["bought1"] == "suspicious"


def test_twitter_v2_users_with_public_metrics_nested(tmp_path):
    users = [{"id": "1", "username": "ana", "description": "", "protected": False,
              "profile_image_url": "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png",
              "public_metrics": {"followers_count": 2, "following_count": 800, "tweet_count": 5}},
             {"id": "2", "username": "ben", "description": "runner", "protected": False,
              "profile_image_url": "https://pbs.twimg.com/profile_images/1/ben_normal.jpg",
              "public_metrics": {"followers_count": 300, "following_count": 280, "tweet_count": 900}}]
    path = tmp_path / "users.jsonl"
    path.write_text("".join(json.dumps(u) + "\n" for u in users))
    rows = {r["handle"]: r for r in check("accounts", path) if "handle" in r}
    assert rows["ana"]["features"]["following"] == 800 and rows["ana"]["features"]["has_avatar"] is False
    assert rows["ana"]["class"] == "suspicious" and rows["ben"]["class"] == "real"


@pytest.mark.parametrize("header", ["Followers,Following", "FOLLOWERS_COUNT,FRIENDS_COUNT",
                                    "followersCount,followsCount", "followers count,following count"])
def test_names_are_read_in_any_case_or_spelling(tmp_path, header):
    path = tmp_path / "a.csv"
    path.write_text(f"{header}\n3,610\n")
    (row,) = [r for r in check("accounts", path) if "class" in r]
    assert (row["features"]["followers"], row["features"]["following"]) == (3, 610)


@pytest.mark.parametrize("value, expected", [
    ("2009-12-01T10:00:00Z", "2009-12-01T10:00:00+00:00"),
    ("Tue Dec 01 10:00:00 +0000 2009", "2009-12-01T10:00:00+00:00"),  # Twitter API v1.1, cresci
    ("1259661600", "2009-12-01T10:00:00+00:00"),
    ("1259661600000", "2009-12-01T10:00:00+00:00"),
])
def test_account_dates_in_the_forms_exports_use(tmp_path, value, expected):
    path = tmp_path / "a.csv"
    path.write_text(f"followers,following,created_at\n3,610,{value}\n")
    (row,) = [r for r in check("accounts", path) if "class" in r]
    assert row["features"]["created_at"] == expected


def test_a_date_in_no_known_form_is_left_unread_with_a_note(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("followers,following,created_at\n3,610,last tuesday\n4,700,also not a date\n")
    result = CliRunner().invoke(cli, ["check", "accounts", str(path)])
    assert result.exit_code == 0, result.output
    assert "note: 2 cells of 'created_at' could not be read as a date" in result.stderr


@pytest.mark.parametrize("yes, no", [("1.0", "0.0"), ("Sponsored", "Organic"), ("promotional", "non-promotional"),
                                     ("AD", "not ad"), ("fake", "real"), ("bot", "human")])
def test_truth_columns_as_labeled_sets_spell_them(tmp_path, yes, no):
    path = tmp_path / "captions.csv"
    path.write_text(f"caption,truth\nUse code GLOW20 today,{yes}\nsunset walk,{no}\n")
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--label-column", "truth", "--label-means",
                                      "sponsored", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "tp 1 fp 0 fn 0 tn 1" in result.output


def test_a_truth_value_in_no_known_spelling_is_one_line_naming_it(tmp_path):
    path = tmp_path / "captions.csv"
    path.write_text("caption,truth\nUse code GLOW20 today,maybe\n")
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--label-column", "truth"])
    assert result.exit_code == 2
    assert "line 2: label column 'truth' holds 'maybe'; it should be 1/true/fake/spam/sponsored" in \
        " ".join(result.output.split())


def test_the_truth_column_is_never_read_as_what_is_judged(tmp_path):
    """A label column named "bot" (as bot-detection sets name it) is the truth, not the
    platform's automated flag; mapping a column onto it is refused."""
    path = tmp_path / "accounts.csv"
    path.write_text("followers,following,bot\n3,610,1\n300,280,0\n")
    rows = [r for r in check("accounts", path, "--label-column", "bot") if "where" in r]
    assert [r["class"] for r in rows] == ["suspicious", "real"]
    assert all("bot" not in r["features"] for r in rows)
    result = CliRunner().invoke(cli, ["check", "accounts", str(path), "--label-column", "bot", "--column", "bot=bot"])
    assert result.exit_code == 2
    assert "'bot' is the --label-column; the truth cannot also be read as what is judged" in result.output
    posts = tmp_path / "posts.csv"
    posts.write_text("text,paid_flag\nlunch,1\n")
    scored = CliRunner().invoke(cli, ["check", "posts", str(posts), "--label-column", "paid_flag",
                                      "--label-means", "sponsored", "--quiet", "--json"])
    assert scored.exit_code == 0, scored.output
    card = json.loads(scored.output)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fn"]) == (0, 1)  # "lunch" is no ad, whatever the truth column says


def test_posts_as_mastodon_and_instagram_web_exports_give_them(tmp_path):
    """Mastodon statuses carry tags as objects; Instagram's web API gives caption as an
    object, or null on a post without one."""
    statuses = [{"id": "1", "content": "<p>new boots, use code GLOW20</p>", "tags": [{"name": "ad", "url": "x"}]}]
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps(statuses))
    (post,) = json.loads(CliRunner().invoke(cli, ["check", "posts", str(path), "--json"]).output)["posts"]
    assert post["sponsored"] and post["disclosure"] == "buried"  # #ad only in the tag metadata
    media = [{"id": "a", "caption": None}, {"id": "b", "caption": {"text": "use code GLOW20"}}]
    path = tmp_path / "media.json"
    path.write_text(json.dumps(media))
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert [(p["id"], p["sponsored"]) for p in json.loads(result.output)["posts"]] == [("a", False), ("b", True)]


@pytest.mark.parametrize("value", ["2015", "99999999999999999999"])
def test_a_number_that_is_no_unix_time_is_no_date(tmp_path, value):
    path = tmp_path / "a.csv"
    path.write_text(f"followers,following,created_at\n3,610,{value}\n")
    result = CliRunner().invoke(cli, ["check", "accounts", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert "note: 1 cell of 'created_at' could not be read as a date" in result.stderr
    assert "created_at" not in json.loads(result.stdout.splitlines()[0])["features"]


REAL_POSTS = Path(__file__).resolve().parent.parent / "benchmarks" / "real_posts.py"


def real_posts(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REAL_POSTS), "--out", str(tmp_path / "real.csv"), *args],
                          capture_output=True, text=True)


def scores_of(path: Path, column: str, meaning: str) -> dict[str, tuple[int, int, int, int]]:
    result = CliRunner().invoke(cli, ["check", "posts", str(path), "--label-column", column, "--label-means",
                                      meaning, "--quiet", "--json"])
    assert result.exit_code == 0, result.output
    return {name: (s["tp"], s["fp"], s["fn"], s["tn"]) for name, s in json.loads(result.output)["scores"].items()}


def test_real_recorded_posts_against_the_labels_read_by_hand(tmp_path):
    """Every Instagram caption and YouTube description in the recordings, labeled by two
    readers (docs/caption-sets/real-posts.csv): the figures docs/HEURISTICS.md gives, the
    detectors beside their one-line rules. No organic post is accused."""
    fixture("youtube/videos_info_multi.json")  # skips without ../shared/fixtures
    done = real_posts(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "150 posts, 30 promotional, 4 undisclosed ads" in done.stdout
    path = tmp_path / "real.csv"
    sponsored = scores_of(path, "promotional", "sponsored")
    # unseen (v4, before the texts were read): (3, 0, 27, 120) and (2, 0, 2, 146)
    assert sponsored["sponsored post vs label 1 = sponsored"] == (15, 0, 15, 120)
    assert sponsored["baseline: #ad or #sponsored (one line)"] == (0, 0, 30, 120)
    undisclosed = scores_of(path, "undisclosed", "undisclosed")
    assert undisclosed["undisclosed ad (disclosure missing) vs label 1 = undisclosed ad"] == (3, 0, 1, 146)
    assert undisclosed["baseline: a link and no affiliate/commission/sponsor/#ad (one line)"] == (2, 36, 2, 110)


def test_real_posts_script_names_what_is_wrong_and_leaves_the_output_alone(tmp_path):
    """Bad input: one line naming the file and what would be right, exit 2, no traceback, and
    a file already at --out untouched. Built from its own recordings and labels."""
    out = tmp_path / "real.csv"
    out.write_text("the user's own file\n")
    fixtures = tmp_path / "fixtures"
    (fixtures / "youtube").mkdir(parents=True)
    (fixtures / "instagram").mkdir()
    video = {"items": [{"id": "v1", "snippet": {"description": "a new video"}}]}
    (fixtures / "youtube" / "videos.json").write_text(json.dumps(video))
    labels = tmp_path / "labels.csv"
    header = "source,source_id,promotional,brand_ad,undisclosed,note\n"
    cases = [
        (header, "no label for youtube/videos.json id v1"),
        (header + "youtube/videos.json,v1,1,0,1,\n", "line 2: an undisclosed ad has a brand behind it"),
        (header + "youtube/videos.json,v1,yes,0,0,\n", "line 2: promotional must be 0 or 1"),
        (header + "youtube/videos.json,v1,0,0,0,\nyoutube/videos.json,v1,0,0,0,\n",
         "line 3: a second label for youtube/videos.json id v1"),
        (header + "youtube/videos.json,v1,0,0,0,\nyoutube/gone.json,v9,0,0,0,\n",
         "1 labeled post(s) not in"),
    ]
    for text, message in cases:
        labels.write_text(text)
        done = real_posts(tmp_path, "--fixtures", str(fixtures), "--labels", str(labels))
        assert done.returncode == 2 and message in done.stderr, (message, done.stderr)
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert out.read_text() == "the user's own file\n"
    (fixtures / "instagram" / "broken.json").write_text("[1, 2")
    labels.write_text(header + "youtube/videos.json,v1,0,0,0,\n")
    done = real_posts(tmp_path, "--fixtures", str(fixtures), "--labels", str(labels))
    assert done.returncode == 2 and "broken.json: not a readable JSON answer" in done.stderr
    (fixtures / "instagram" / "broken.json").unlink()
    done = real_posts(tmp_path, "--fixtures", str(tmp_path / "absent"))
    assert done.returncode == 2 and "not found" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, str(REAL_POSTS), "--out", str(tmp_path / "no" / "x.csv"), "--fixtures",
                           str(fixtures), "--labels", str(labels)], capture_output=True, text=True)
    assert done.returncode == 2 and "give a file in an existing folder" in done.stderr
    done = real_posts(tmp_path, "--fixtures", str(fixtures), "--labels", str(labels))
    assert done.returncode == 0 and out.read_text().startswith("id,platform,text,promotional")
    assert not list(tmp_path.glob("*.part"))


MDID_POSTS = REAL_POSTS.with_name("mdid_posts.py")


def test_mdid_posts_script_writes_the_intent_as_a_label_and_names_what_is_wrong(tmp_path):
    """The intent set's two split files become one CSV for `check posts` (promotional = the
    intent "promote"), each post once; bad input is one line naming the file and post, exit 2,
    and a file already at --out stays untouched. Built from posts of its own shape."""
    src, out = tmp_path / "mdid", tmp_path / "mdid.csv"
    src.mkdir()

    def post(name: str, intent: str, caption: str) -> dict:
        return {"filename": name, "intent": intent, "orig_caption": caption, "caption": caption.lower(),
                "tags": ["shop", "new"], "semiotic": "parallel", "imgTxt": "minimal"}

    train = [post("a.jpg", "promote", "Order yours now, link in bio"), post("b.jpg", "express", "sunday mood")]
    (src / "train_split_0.json").write_text(json.dumps(train))
    (src / "val_split_0.json").write_text(json.dumps([post("c.jpg", "inform", "road closed"), train[0]]))
    done = subprocess.run([sys.executable, str(MDID_POSTS), "--src", str(src), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "3 posts, 1 promotional" in done.stdout
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["id"], r["promotional"], r["hashtags"]) for r in rows] == [
        ("a.jpg", "1", "shop new"), ("b.jpg", "0", "shop new"), ("c.jpg", "0", "shop new")]
    assert rows[0]["text"] == "Order yours now, link in bio"

    out.write_text("the user's own file\n")
    cases = [
        ("[{\"filename\": \"x.jpg\", \"intent\": \"sell\"}]", "post 1 has intent 'sell'"),
        ("{\"posts\": []}", "expected a JSON array of posts"),
        ("[{", "not readable as JSON"),
    ]
    for text, message in cases:
        (src / "val_split_0.json").write_text(text)
        done = subprocess.run([sys.executable, str(MDID_POSTS), "--src", str(src), "--out", str(out)],
                              capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr and "val_split_0.json" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert out.read_text() == "the user's own file\n"
    (src / "val_split_0.json").unlink()
    done = subprocess.run([sys.executable, str(MDID_POSTS), "--src", str(src), "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "val_split_0.json: not found" in done.stderr


PINTEREST_PINS = REAL_POSTS.with_name("pinterest_pins.py")


def pinterest_pins(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(PINTEREST_PINS), *args], capture_output=True, text=True)


def test_pinterest_pins_script_joins_a_pins_sentences_and_labels_it_by_the_authors_clusters(tmp_path):
    """The study's sentence clusters become one row per pin: disclosed where any sentence is in
    a cluster the authors read as a disclosure (836 "affiliate link", 1494 an explanation, 1555
    the top of their range), not elsewhere (1556 is in it too, 1558 and 1492 are not); bad input
    is one line naming the file and row, exit 2, and a file at --out stays as it was."""
    clusters, out = tmp_path / "clusters.csv", tmp_path / "pins.csv"
    clusters.write_text("id,sentence,ward_euclidean_cluster\n"
                        "1,Cute tank,788\n1,affiliate link,836\n"
                        "2,\"Boots, black\",1592\n2,Click on the image.,1607\n"
                        "3,(This is an affiliate link and I receive a commission),1494\n"
                        "4,Just click the pic,1555\n5,x,1558\n5,y,1492\n6,z,1556\n6,z again,1556\n", encoding="utf-8")
    done = pinterest_pins("--clusters", str(clusters), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "6 pins, 4 disclosed" in done.stdout
    with out.open(newline="", encoding="utf-8") as f:
        rows = [(r["id"], r["text"], r["disclosed"], r["disclosure_clusters"]) for r in csv.DictReader(f)]
    assert rows == [("1", "Cute tank affiliate link", "1", "836"), ("2", "Boots, black Click on the image.", "0", ""),
                    ("3", "(This is an affiliate link and I receive a commission)", "1", "1494"),
                    ("4", "Just click the pic", "1", "1555"), ("5", "x y", "0", ""), ("6", "z z again", "1", "1556")]

    out.write_text("the user's own file\n")
    for text, message in [("id,text\n1,x\n", "expected the header id,sentence,ward_euclidean_cluster"),
                          ("id,sentence,ward_euclidean_cluster\n1,x,7\n2,y,seven\n", "row 3 is ['2', 'y', 'seven']")]:
        clusters.write_text(text, encoding="utf-8")
        done = pinterest_pins("--clusters", str(clusters), "--out", str(out))
        assert done.returncode == 2 and message in done.stderr and str(clusters) in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert out.read_text() == "the user's own file\n"
    done = pinterest_pins("--clusters", str(tmp_path / "none.csv"), "--out", str(out))
    assert done.returncode == 2 and "none.csv: not found" in done.stderr


def test_pinterest_pins_windows_keep_only_pins_whole_inside_each_window(tmp_path):
    """--windows takes the documented sample: the pins whose rows lie whole in five 32,000-character
    windows of the file; a pin a window's edge cuts (its first or last, the file's first aside) is
    left out, as is everything between the windows."""
    lines = ["id,sentence,ward_euclidean_cluster"]
    size = len(lines[0]) + 1
    pin = 0
    while size < 1_300_000:
        pin += 1
        for part in range(1 + pin % 3):  # one to three sentences a pin
            line = f"{pin},pin {pin} sentence {part} {'x' * (pin % 50)},{836 if pin % 7 == 0 else 5}"
            lines.append(line)
            size += len(line) + 1
    text = "\n".join(lines) + "\n"
    clusters, out = tmp_path / "clusters.csv", tmp_path / "pins.csv"
    clusters.write_text(text, encoding="utf-8")
    done = pinterest_pins("--clusters", str(clusters), "--out", str(out), "--windows")
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as f:
        kept = list(csv.DictReader(f))
    starts = {}  # each pin's first and last character in the file
    at = len(lines[0]) + 1
    for line in lines[1:]:
        key = line.split(",", 1)[0]
        first, _ = starts.get(key, (at, 0))
        starts[key] = (first, at + len(line))
        at += len(line) + 1
    windows = (0, 300_000, 600_000, 900_000, 1_200_000)
    whole = {key for key, (a, b) in starts.items() if any(w <= a and b <= w + 32_000 for w in windows)}
    texts = {}
    for line in lines[1:]:
        key, sentence, _ = line.split(",")
        texts[key] = f"{texts[key]} {sentence}" if key in texts else sentence
    ids = [r["id"] for r in kept]
    # every pin kept lies whole in a window and has all its sentences; at most the two at each
    # window's edges are left out of those that do (the file's first pin is never cut)
    assert set(ids) <= whole and len(ids) == len(set(ids))
    assert all(r["text"] == texts[r["id"]] for r in kept)
    assert ids[0] == "1" and len(whole) - 9 <= len(ids) < len(whole) and len(ids) > 1000
    assert ids == sorted(ids, key=int)
    assert all(r["disclosed"] == ("1" if int(r["id"]) % 7 == 0 else "0") for r in kept)


def test_pinterest_pins_windows_refuse_a_file_shorter_than_them(tmp_path):
    """--windows reads the authors' 1.4 MB file: a header alone, or a file that ends before the
    last window, is one line naming the file, not an IndexError's traceback."""
    clusters, out = tmp_path / "clusters.csv", tmp_path / "pins.csv"
    for text in ["id,sentence,ward_euclidean_cluster\n", "id,sentence,ward_euclidean_cluster\n1,a,5\n2,b,836\n"]:
        clusters.write_text(text, encoding="utf-8")
        done = pinterest_pins("--clusters", str(clusters), "--out", str(out), "--windows")
        assert done.returncode == 2 and str(clusters) in done.stderr and "no whole row" in done.stderr, done.stderr
        assert done.stderr.count("\n") == 1 and not out.exists()


def test_pinterest_pins_windows_name_a_bad_row_by_its_line_in_the_file(tmp_path):
    """A bad row inside a later window is named by its line in the file, as without --windows,
    not by its place in the window."""
    lines = ["id,sentence,ward_euclidean_cluster"] + [f"{i},pin {i} sentence,5" for i in range(1, 70_000)]
    at = next(n for n, end in enumerate(itertools.accumulate(len(x) + 1 for x in lines)) if end > 310_000)
    lines[at] = f"{at},bad,seven"
    clusters, out = tmp_path / "clusters.csv", tmp_path / "pins.csv"
    clusters.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for windows in ((), ("--windows",)):
        done = pinterest_pins("--clusters", str(clusters), "--out", str(out), *windows)
        assert done.returncode == 2 and f"row {at + 1} is ['{at}', 'bad', 'seven']" in done.stderr, done.stderr


def test_pinterest_pins_refuse_a_cluster_python_calls_a_digit_but_int_cannot_read(tmp_path):
    """"²".isdigit() is true and int("²") raises: the row is refused in one line, no traceback."""
    clusters, out = tmp_path / "clusters.csv", tmp_path / "pins.csv"
    clusters.write_text("id,sentence,ward_euclidean_cluster\n1,a,5\n2,b,\u00b2\n", encoding="utf-8")
    done = pinterest_pins("--clusters", str(clusters), "--out", str(out))
    assert done.returncode == 2 and "row 3 is ['2', 'b', '\u00b2']" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_pinterest_pins_split_rows_at_newlines_only(tmp_path):
    """str.splitlines also breaks at U+2028, \\x85 or a form feed inside a sentence: the quoted
    sentence lost its character, the unquoted one became two bad rows; --windows, which
    splits at "\\n", read the same file right."""
    clusters, out = tmp_path / "clusters.csv", tmp_path / "pins.csv"
    clusters.write_text("id,sentence,ward_euclidean_cluster\n1,\"a\u2028b, c\",5\n2,d\x0ce,836\n", encoding="utf-8")
    done = pinterest_pins("--clusters", str(clusters), "--out", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as f:
        assert [(r["id"], r["text"]) for r in csv.DictReader(f)] == [("1", "a\u2028b, c"), ("2", "d\x0ce")]
