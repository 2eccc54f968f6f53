"""The check commands on the layouts of labeled sets that are not in shared/data: the way
researchers save them (pandas, Excel, SQL dumps) and the platforms' own field names."""
from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner

from microscout.cli import cli
from microscout.heuristics.measure import Scorecard


def check(*args):
    return CliRunner().invoke(cli, ["check", *map(str, args)])


def rows_of(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def scores(result) -> dict[str, dict]:
    return {row["score"]: row for row in rows_of(result) if "score" in row}


# cresci-2015 / cresci-2017 users.csv as published: Twitter API v1.1 fields, where
# `following` is whether the collecting account follows the user (empty here).
CRESCI_HEADER = ("id,name,screen_name,statuses_count,followers_count,friends_count,favourites_count,"
                 "listed_count,created_at,url,lang,default_profile,default_profile_image,"
                 "profile_image_url,description,protected,following,label")


def test_twitter_following_is_a_relation_not_a_count(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(CRESCI_HEADER + "\n"
                    "1,Ann,ann,5000,800,300,10,4,Tue Apr 10 12:06:10 +0000 2012,,en,,,"
                    "http://pbs.twimg.com/a.jpg,I write,,,0\n"
                    "2,Bot,xq1,3,2,1900,0,0,Tue Apr 10 12:06:10 +0000 2012,,en,1,1,"
                    "http://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png,,,,1\n")
    got = rows_of(check("accounts", path, "--json", "--label-column", "label"))
    assert got[0]["features"]["following"] == 300 and got[1]["features"]["following"] == 1900
    assert got[1]["features"]["has_avatar"] is False
    baseline = scores(check("accounts", path, "--json", "--quiet", "--label-column", "label"))
    assert baseline["baseline: following >= 10x followers (one line)"]["tp"] == 1


def test_twibot_json_nested_profile_with_padded_strings(tmp_path):
    # TwiBot-20: every profile value a string with a trailing space, `following` "False ".
    path = tmp_path / "twibot.json"
    profile = {"screen_name": "xq1 ", "followers_count": "2 ", "friends_count": "1900 ", "statuses_count": "3 ",
               "description": " ", "following": "False ", "default_profile_image": "True "}
    path.write_text(json.dumps([{"ID": "1", "profile": profile, "label": "1"}]))
    (row,) = [r for r in rows_of(check("accounts", path, "--json", "--label-column", "label")) if "features" in r]
    assert row["features"]["following"] == 1900 and row["features"]["bio_length"] == 0
    assert row["features"]["has_avatar"] is False
    assert any("empty bio" in reason for reason in row["reasons"])


def test_instagram_graphql_counts_and_default_picture(tmp_path):
    path = tmp_path / "profiles.json"
    silhouette = ("https://scontent.cdninstagram.com/v/t51.2885-19/44884218_345707102882519_2446069589734326272_n"
                  ".jpg?_nc_ht=scontent.cdninstagram.com&ig_cache_key=YW5vbnltb3VzX3Byb2ZpbGVfcGlj.2-ccb7")
    path.write_text(json.dumps([
        {"username": "ig0", "edge_followed_by": {"count": 12}, "edge_follow": {"count": 800},
         "biography": "", "profile_pic_url": silhouette},
        {"username": "ig1", "edge_followed_by": {"count": 900}, "edge_follow": {"count": 80},
         "biography": "hi", "profile_pic_url": "https://scontent.cdninstagram.com/v/t51.2885-19/123_n.jpg"}]))
    got = [r for r in rows_of(check("accounts", path, "--json")) if "features" in r]
    assert [(r["features"]["followers"], r["features"]["following"]) for r in got] == [(12, 800), (900, 80)]
    assert [r["features"]["has_avatar"] for r in got] == [False, True]


@pytest.mark.parametrize("cell, read", [("1.0", False), ("0.0", True), ("NULL", None), ("NaN", None),
                                        ("", None), ("True", False), ("false", True)])
def test_yes_no_cells_as_exports_write_them(tmp_path, cell, read):
    path = tmp_path / "accounts.csv"
    path.write_text(f"screen_name,followers_count,friends_count,default_profile_image,protected\n"
                    f"a,10,20,{cell},NULL\n")
    (row,) = [r for r in rows_of(check("accounts", path, "--json")) if "features" in r]
    assert row["features"].get("has_avatar") is read
    assert "private" not in row["features"]


def test_a_column_left_unread_with_an_empty_mapping(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("screen_name,followers_count,friends_count,created_at\na,10,200,10/15/2016 21:32\n")
    # A date that is only shown, in a form not read (Kaggle's "10/15/2016 21:32"), is left
    # unread with a note rather than refusing the file; --column created_at= says so up front.
    for args, noted in [((), True), (("--column", "created_at="), False)]:
        result = check("accounts", path, "--json", *args)
        (row,) = [r for r in rows_of(result) if "features" in r]
        assert "created_at" not in row["features"]
        assert (row["features"]["followers"], row["features"]["following"]) == (10, 200)
        assert ("note: 1 cell of 'created_at' could not be read as a date" in result.stderr) is noted
    # A count is scored: one that cannot be read is still refused, naming it.
    path.write_text("screen_name,followers_count,friends_count\na,many,200\n")
    refused = check("accounts", path)
    assert refused.exit_code == 2 and "column 'followers_count' holds 'many'; it should be a whole number" in \
        refused.output


@pytest.mark.parametrize("separator, suffix", [(";", ".csv"), ("\t", ".csv"), ("\t", ".tsv"), ("|", ".csv")])
def test_separators_are_read_from_the_header(tmp_path, separator, suffix):
    path = tmp_path / f"comments{suffix}"
    lines = [["COMMENT_ID", "CONTENT", "CLASS"], ["c1", "Check out my channel, please", "1"],
             ["c2", "Love this song, my favourite", "0"]]
    path.write_bytes(("\ufeff" + "\r\n".join(separator.join(cells) for cells in lines) + "\r\n").encode())
    got = scores(check("comments", path, "--json", "--quiet", "--label-column", "CLASS"))
    assert got["spam"]["tp"] == 1 and got["spam"]["tn"] == 1


def test_a_json_lines_record_may_hold_unicode_line_separators(tmp_path):
    path = tmp_path / "captions.jsonl"
    rows = [{"caption": "Sunday hike\u2028with the pup\u0085and friends", "is_sponsored": False},
            {"caption": "Use code GLOW20 for 20% off #ad", "is_sponsored": True}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = check("posts", path, "--json", "--quiet", "--label-column", "is_sponsored", "--label-means",
                   "sponsored")
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["tn"]) == (1, 1)


@pytest.mark.parametrize("labels, meaning", [
    (("sponsored", "non-sponsored"), "sponsored"),
    (("organic", "ad"), "sponsored"),
    (("disclosed", "undisclosed"), "disclosed"),
    (("1", "0"), None),
    (("sponsored", "undisclosed"), None),
])
def test_check_posts_reads_what_the_labels_mean_from_their_words(tmp_path, labels, meaning):
    path = tmp_path / "posts.csv"
    path.write_text("text,label\n" + "".join(f"Use code GLOW20 for 20% off,{label}\n" for label in labels))
    result = check("posts", path, "--json", "--quiet", "--label-column", "label")
    if meaning:
        assert json.loads(result.output)["label_means"] == meaning
        return
    # Neither the words nor the name say what 1 means: asked, never guessed (a plain 1/0
    # "label" means sponsored in most sponsored-post sets, disclosed in affiliate-youtube).
    assert result.exit_code == 2 and "--label-column 'label': what 1 means is not known" in result.output
    assert "give --label-means sponsored (1 = a sponsored post), --label-means disclosed" in result.output
    told = check("posts", path, "--json", "--quiet", "--label-column", "label", "--label-means", "sponsored")
    assert json.loads(told.output)["label_means"] == "sponsored"


@pytest.mark.parametrize("column, meaning", [
    ("is_sponsored", "sponsored"), ("isAd", "sponsored"), ("paid_post", "sponsored"),
    ("Promotional", "sponsored"), ("disclosure_present", "disclosed"), ("label", None),
    ("adequate", None), ("sponsored_and_disclosed", None),
    ("undisclosed_ad", "undisclosed"), ("isUndisclosed", "undisclosed"),
    ("not_disclosed", "undisclosed"), ("missing_disclosure", "undisclosed"),
])
def test_check_posts_reads_what_a_true_false_label_means_from_its_column_name(tmp_path, column, meaning):
    path = tmp_path / "posts.csv"
    path.write_text(f"text,{column}\nUse code GLOW20 for 20% off,True\nlovely walk,False\n")
    result = check("posts", path, "--json", "--quiet", "--label-column", column)
    if meaning:
        assert json.loads(result.output)["label_means"] == meaning
    else:
        assert result.exit_code == 2 and "what 1 means is not known" in result.output


def test_check_posts_scores_the_accusation_on_ordinary_posts_with_label_means_undisclosed(tmp_path):
    """1 = an ad with no disclosure, 0 = anything else: organic posts, own products and
    disclosed ads are all 0, and the verdict and the one-line rule are scored on every row."""
    path = tmp_path / "posts.csv"
    path.write_text("text,truth\n"
                    "Use code GLOW20 for 20% off https://glow.example/x,1\n"  # undisclosed: caught
                    "Thank you @glow for the outfit! #gifted,1\n"  # gifted, only a weak label: not missing
                    "Use code GLOW20 for 20% off #ad https://glow.example/x,0\n"  # disclosed
                    "Our walk today https://maps.example/route,0\n"  # organic with a link
                    "Lovely morning,0\n")
    for extra in (("--label-means", "undisclosed"), ()):
        column = "truth" if extra else "undisclosed_ad"
        if not extra:
            path.write_text(path.read_text().replace("text,truth", "text,undisclosed_ad"))
        out = json.loads(check("posts", path, "--json", "--quiet", "--label-column", column, *extra).output)
        assert out["label_means"] == "undisclosed" and "note" not in out
        verdict = out["scores"]["undisclosed ad (disclosure missing) vs label 1 = undisclosed ad"]
        assert (verdict["tp"], verdict["fp"], verdict["fn"], verdict["tn"]) == (1, 0, 1, 3)
        baseline = next(v for k, v in out["scores"].items() if k.startswith("baseline"))
        assert (baseline["tp"], baseline["fp"], baseline["fn"], baseline["tn"]) == (1, 1, 1, 2)


@pytest.mark.parametrize("words", [("undisclosed", "disclosed"), ("Not disclosed", "disclosed"), ("1", "0"),
                                   ("yes", "no")])
def test_label_means_undisclosed_reads_the_disclosure_words_the_other_way_round(tmp_path, words):
    """Under --label-means undisclosed the positive is the undisclosed ad: "undisclosed" (or
    "not disclosed") is 1 there, though elsewhere those words read as 0."""
    path = tmp_path / "posts.csv"
    ad, disclosed, organic = words[0], words[1], words[1]
    path.write_text(f"text,undisclosed_ad\nUse code GLOW20 for 20% off,{ad}\n"
                    f"Use code GLOW20 for 20% off #ad,{disclosed}\nlovely walk,{organic}\n")
    out = json.loads(check("posts", path, "--json", "--quiet", "--label-column", "undisclosed_ad",
                           "--label-means", "undisclosed").output)
    card = out["scores"]["undisclosed ad (disclosure missing) vs label 1 = undisclosed ad"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 2)


@pytest.mark.parametrize("word", ["not spam", "non-spam", "Not_Spam", "ham"])
def test_negative_label_words(tmp_path, word):
    path = tmp_path / "comments.csv"
    path.write_text(f"text,label\nlovely video,{word}\n")
    assert scores(check("comments", path, "--json", "--quiet", "--label-column", "label"))["spam"]["tn"] == 1


@pytest.mark.parametrize("command, name, content, why", [
    ("accounts", "empty.csv", "handle,followers\n", "the file holds no records after its header"),
    ("comments", "empty.csv", "text,CLASS\n", "the file holds no records after its header"),
    # a JSON file has no header: it was said to hold nothing "after its header"
    ("accounts", "empty.json", "[]", "the file holds no records"),
    ("comments", "empty.json", '{"items": [], "nextPageToken": "x"}', "the file holds no records"),
    ("comments", "empty.jsonl", "\n", "the file holds no records"),
    ("comments", "empty.csv.gz", "text,CLASS\n", "the file holds no records after its header"),
])
def test_a_file_without_rows_is_refused(tmp_path, command, name, content, why):
    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(content.encode()))
    else:
        path.write_text(content)
    result = check(command, path, "--label-column", "nosuch")
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and f"{name}: no rows to check ({why})" in message, message


@pytest.mark.parametrize("name, told", [("lines.json", "lines.jsonl"), ("lines.json.gz", "lines.jsonl.gz")])
def test_json_lines_saved_as_json_are_told_the_name_that_reads_them(tmp_path, name, told):
    # a compressed file was told to be named .jsonl, which then reads as binary data, not text
    path = tmp_path / name
    content = b'{"text": "hi"}\n{"text": "ho"}\n'
    path.write_bytes(gzip.compress(content) if name.endswith(".gz") else content)
    message = " ".join(check("comments", path).output.split())
    suffix = told.removeprefix("lines")
    assert f"JSON Lines): name it {suffix}" in message and f"name it {suffix}." not in message, message
    path.rename(tmp_path / told)  # and so named, it is read
    result = check("comments", tmp_path / told, "--json", "--quiet")
    assert result.exit_code == 0 and json.loads(result.output)["summary"]["rows"] == 2, result.output


def test_errors_name_the_line_a_record_starts_on(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text('handle,bio,followers\nann,"a bio\nover\nthree lines",many\n')
    result = check("accounts", path)
    assert result.exit_code == 2 and "accounts.csv line 2: column 'followers' holds 'many'" in result.output
    path.write_text('handle,bio,label\nann,"never closed,1\nbob,x,0\n')
    result = check("accounts", path, "--label-column", "label")
    assert result.exit_code == 2 and "line 2: a quote opened here is never closed" in result.output, result.output


def test_f1_is_zero_when_nothing_is_found():
    assert Scorecard(tp=0, fp=0, fn=5, tn=5).f1 == 0.0
    assert Scorecard(tp=0, fp=2, fn=0, tn=5).f1 == 0.0
    assert Scorecard(tp=0, fp=0, fn=0, tn=5).f1 is None
    assert Scorecard(tp=3, fp=1, fn=1, tn=5).f1 == pytest.approx(0.75)


def test_loose_csv_as_before_the_rewrite(tmp_path):
    # lines of spaces before the header are skipped; a quote inside an unquoted cell is read
    # as the csv module always read it
    path = tmp_path / "posts.csv"
    path.write_text(' \n\t\nid,text\n1,"Best day" ever #ad\n2,plain\n')
    out = json.loads(check("posts", path, "--json").output)
    assert [p["id"] for p in out["posts"]] == ["1", "2"]
    path.write_text('id,text\n1,"never closed\n2,x\n')
    refused = check("posts", path)
    assert refused.exit_code == 2 and "posts.csv line 2: a quote opened here is never closed" in refused.output


def test_json_lines_with_old_mac_line_ends(tmp_path):
    path = tmp_path / "comments.jsonl"
    path.write_bytes(b'{"text": "subscribe to my channel", "CLASS": 1}\r{"text": "lovely", "CLASS": 0}\r')
    got = scores(check("comments", path, "--json", "--quiet", "--label-column", "CLASS"))
    assert (got["spam"]["tp"], got["spam"]["tn"]) == (1, 1)


def test_csv_with_old_mac_line_ends(tmp_path):
    # Excel for Mac's "CSV (Macintosh)": the check commands refused it as one line ("do you
    # need to open the file in universal-newline mode?"), which import and crawl --handles read.
    path = tmp_path / "comments.csv"
    path.write_bytes(b'text;CLASS\r"subscribe to my channel\r\nnow";1\rlovely;0\r')
    got = rows_of(check("comments", path, "--json", "--label-column", "CLASS"))
    assert [(r["where"], r["text"]) for r in got if "where" in r] == [
        (f"{path} line 2", "subscribe to my channel\r\nnow"), (f"{path} line 4", "lovely")]
    assert scores(check("comments", path, "--json", "--quiet", "--label-column", "CLASS"))["spam"]["tp"] == 1


def test_cresci_2017_null_cells_in_text_columns_hold_nothing(tmp_path):
    # cresci-2017's users.csv writes NULL for a missing description and name: no bio at
    # all (the empty-bio signal), not a bio of four letters.
    path = tmp_path / "users.csv"
    path.write_text(CRESCI_HEADER + "\n"
                    "1,NULL,ab1cd7,1037,4,1813,1,0,Tue Feb 11 17:04:17 +0000 2012,NULL,it,NULL,NULL,"
                    "http://a0.twimg.com/profile_images/1/a_normal.jpg,NULL,NULL,NULL,1\n"
                    "2,Ann,ann,500,300,200,1,0,Tue Feb 11 17:04:17 +0000 2012,NULL,it,NULL,NULL,"
                    "http://a0.twimg.com/profile_images/1/b_normal.jpg,null,NULL,NULL,0\n"
                    "3,None,NA,500,300,200,1,0,Tue Feb 11 17:04:17 +0000 2012,NULL,it,NULL,NULL,"
                    "http://a0.twimg.com/profile_images/1/b_normal.jpg,Null Island explorer,NULL,NULL,0\n")
    got = rows_of(check("accounts", path, "--json", "--label-column", "label"))
    assert [row["features"].get("bio_length") for row in got[:3]] == [0, 0, len("Null Island explorer")]
    assert any(reason.startswith("empty bio") for reason in got[0]["reasons"])
    assert "display_name" not in got[0]["features"] and "display_name" not in got[2]["features"]
    assert got[2]["features"]["username_length"] == 2  # a handle may really be "NA"


def test_a_padded_handle_is_read_without_its_blanks(tmp_path):
    path = tmp_path / "twibot.json"
    path.write_text(json.dumps([{"profile": {"screen_name": "tb_user1 ", "followers_count": "5 "}, "label": "0"}]))
    (row,) = [r for r in rows_of(check("accounts", path, "--json", "--label-column", "label")) if "features" in r]
    assert row["handle"] == "tb_user1" and row["features"]["username_length"] == 8


def test_instagram_graphql_captions_are_read_as_the_text(tmp_path):
    # Instagram's web API and instaloader's JSON (each media in a "node") give the caption as
    # a connection of edges; the paid-partnership flag beside it.
    caption = {"edges": [{"node": {"text": "New drop, use code GLOW20"}}]}
    web = tmp_path / "web.jsonl"
    web.write_text(json.dumps({"id": "1", "edge_media_to_caption": caption, "is_paid_partnership": False,
                               "accessibility_caption": "Photo by Ann", "label": 1}) + "\n"
                   + json.dumps({"id": "2", "edge_media_to_caption": {"edges": []}, "is_paid_partnership": True,
                                 "label": 1}) + "\n")
    wrapped = tmp_path / "instaloader.jsonl"
    wrapped.write_text(json.dumps({"node": {"id": "3", "edge_media_to_caption": caption}, "label": 1}) + "\n")
    for path, expected in ((web, [("1", True, "missing"), ("2", True, "adequate")]),
                           (wrapped, [("3", True, "missing")])):
        posts = json.loads(check("posts", path, "--json").output)["posts"]
        assert [(p["id"], p["sponsored"], p["disclosure"]) for p in posts] == expected


@pytest.mark.parametrize("edges", [5, True, "Thanks @acme #ad"])
def test_a_caption_connection_that_is_no_list_is_not_read_as_one(tmp_path, edges):
    path = tmp_path / "media.jsonl"
    path.write_text(json.dumps({"id": "1", "edge_media_to_caption": {"edges": edges}}) + "\n")
    result = check("posts", path)
    assert result.exit_code == 2 and "no 'text' key" in result.output, result.output


def test_check_posts_reads_the_first_of_two_columns_named_alike(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("id,text,text \n1,Use code GLOW20 #ad,sunset\n")
    (post,) = json.loads(check("posts", path, "--json").output)["posts"]
    assert (post["sponsored"], post["disclosure"]) == (True, "adequate")


@pytest.mark.parametrize("cell, paid", [("NULL", None), ("nan", None), ("None", None), ("N/A", None), ("", None),
                                        ("1.0", True), ("0.0", False), ("t", True), ("f", False),
                                        ("TRUE", True), ("no", False)])
def test_check_posts_reads_paid_flags_as_exports_write_them(tmp_path, cell, paid):
    path = tmp_path / "posts.csv"
    path.write_text(f"id,text,is_paid_partnership\n1,sunset walk,{cell}\n")
    (post,) = json.loads(check("posts", path, "--json").output)["posts"]
    assert (post["sponsored"], post["disclosure"]) == ((True, "adequate") if paid else (False, "not_needed"))


def test_tiktok_items_desc_and_challenges(tmp_path):
    path = tmp_path / "tiktok.json"
    path.write_text(json.dumps([
        {"id": "73", "desc": "my morning routine", "challenges": [{"id": "1", "title": "ad"}],
         "textExtra": [{"hashtagName": ""}, {"hashtagName": "ad"}]},
        {"id": "74", "desc": "use code GLOW20 at checkout", "challenges": []}]))
    posts = json.loads(check("posts", path, "--json").output)["posts"]
    assert [(p["id"], p["disclosure"]) for p in posts] == [("73", "buried"), ("74", "missing")]
    # textExtra names mentions too, with an empty hashtagName: skipped
    extra = json.loads(check("posts", path, "--json", "--column", "hashtags=textExtra").output)["posts"]
    assert [(p["id"], p["disclosure"]) for p in extra] == [("73", "buried"), ("74", "missing")]


def test_an_api_page_saved_whole_is_read_by_its_list_of_records(tmp_path):
    page = tmp_path / "followers.json"
    page.write_text(json.dumps({"subject": {"did": "did:plc:me"}, "cursor": "abc", "followers": [
        {"did": "did:plc:a", "handle": "a.bsky.social", "followersCount": 2, "followsCount": 900},
        {"did": "did:plc:b", "handle": "b.bsky.social", "followersCount": 300, "followsCount": 200,
         "avatar": "https://cdn.bsky.app/img/avatar/plain/b.jpg"}]}))
    got = rows_of(check("accounts", page, "--json"))
    assert [row["where"] for row in got[:2]] == [f"{page} followers item 1", f"{page} followers item 2"]
    assert [row["class"] for row in got[:2]] == ["suspicious", "real"]
    two = tmp_path / "two.json"
    two.write_text(json.dumps({"items": [{"followers": 1}], "data": [{"followers": 2}]}))
    refused = check("accounts", two)
    assert refused.exit_code == 2
    message = " ".join(refused.output.split())
    assert "found lists of records under 'items', 'data'" in message and str(two) in message
    assert "say which to check: --records items or --records data" in message
    none = tmp_path / "none.json"
    none.write_text(json.dumps({"followers": 1}))
    assert "found no list of records" in check("accounts", none).output


def test_one_record_saved_as_an_object_is_no_page_of_its_lists(tmp_path):
    # A Mastodon status with one picture: its media_attachments are not the posts to judge.
    status = tmp_path / "status.json"
    status.write_text(json.dumps({"id": "1", "content": "<p>loving this @acme #ad</p>",
                                  "media_attachments": [{"id": "55", "description": "a mug"}]}))
    for command in ("posts", "comments"):
        result = check(command, status)
        assert result.exit_code == 2, (command, result.output)
        assert "expected a JSON array of objects, or an API page holding one" in result.output


def test_a_repeated_column_name_reads_the_column_it_names(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("handle,followers,followers\nann,10,999\n")
    (row,) = [r for r in rows_of(check("accounts", path, "--json")) if "features" in r]
    assert row["features"]["followers"] == 10


def test_errors_name_the_file_by_its_path(tmp_path):
    # cresci's folders each hold a users.csv: the file's name alone would not say which.
    for folder, value in (("E13", "5"), ("FSF", "1,85")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "users.csv").write_text(f'screen_name,friends_count\nann,"{value}"\n')
    result = check("accounts", tmp_path / "E13" / "users.csv", tmp_path / "FSF" / "users.csv", "--quiet")
    assert result.exit_code == 2
    assert f"{tmp_path / 'FSF' / 'users.csv'} line 2: column 'friends_count' holds '1,85'" in result.output


def test_label_values_map_a_truth_column_of_other_words(tmp_path):
    # The Instagram fake/authentic set labels f and r; cresci's users.csv names the data set
    # each account came from. Mapped, only mapped cells are read (unmapped, an f without a t is asked about).
    path = tmp_path / "accounts.csv"
    path.write_text("handle,followers,following,class\nann,10,900,f\nbob,300,200,r\ncid,5,1200,f\n")
    mapped = ("--label-column", "class", "--label-value", "f=1", "--label-value", "R=real")
    got = rows_of(check("accounts", path, "--json", *mapped))
    assert [row["label"] for row in got[:3]] == ["fake", "real", "fake"]
    card = scores(check("accounts", path, "--json", "--quiet", *mapped))["fake = suspicious"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (2, 0, 0, 1)
    unmapped = check("accounts", path, "--label-column", "class")
    assert unmapped.exit_code == 2 and "holds 'r'; it should be" in unmapped.output
    assert "map your labels with --label-value r=1 (or =0)" in " ".join(unmapped.output.split())
    half = check("accounts", path, "--label-column", "class", "--label-value", "f=1")
    assert half.exit_code == 2
    assert "line 3: label column 'class' holds 'r', which no --label-value maps (mapped: f)" in half.output


@pytest.mark.parametrize("args, message", [
    (["--label-value", "f=1"], "give --label-column too"),
    (["--label-column", "class", "--label-value", "f=maybe"], "'maybe' is no truth; write 1 or 0"),
    (["--label-column", "class", "--label-value", "f"], "write it as RAW=TRUTH"),
    (["--label-file", "other.csv=1"], "'other.csv' is not one of the files to check"),
    (["--label-file", "a.csv=1"], "b.csv: no truth for its rows; give it a --label-file"),
    (["--label-column", "class", "--label-value", "f=1", "--label-value", "F=0"],
     "'F' is mapped the other way by an earlier --label-value"),
    (["--label-file", "a.csv=1", "--label-file", "b.csv=0", "--label-file", "a.csv=0"],
     "'a.csv' is given the other truth by an earlier --label-file"),
    # --label-column "$COL" with COL unset: the scores were left out without a word
    (["--label-column", ""], "--label-column '' names no column"),
    (["--label-column", "", "--label-value", "f=1"], "--label-column '' names no column"),
])
def test_label_options_refuse_what_they_cannot_read(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    for name in ("a.csv", "b.csv"):
        (tmp_path / name).write_text("handle,followers,class\nann,10,f\n")
    result = check("accounts", "a.csv", "b.csv", *args)
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("kind, content", [("accounts", "handle,followers,following\nann,100,200\nbob,5,9000\n"),
                                           ("comments", "text\nlovely\nsubscribe to my channel\n"),
                                           ("posts", "id,text\n1,Thanks @acme #ad\n2,My lentil soup\n")])
def test_a_file_named_twice_is_checked_once(tmp_path, monkeypatch, kind, content):
    # `check accounts a.csv a.csv` (a glob and a name) counted every row twice: 4 accounts of 2,
    # and an interval of the fake share narrowed as if the sample were twice as big
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.csv").write_text(content)
    once = check(kind, "a.csv", "--json")
    twice = check(kind, "a.csv", "a.csv", str(tmp_path / "a.csv"), "--json")
    assert twice.exit_code == 0, twice.output
    assert twice.stdout == once.stdout
    assert twice.stderr.splitlines() == [
        "a.csv: given twice; its rows are checked once",
        f"{tmp_path / 'a.csv'}: the same file as a.csv, given before; its rows are checked once"]


def test_label_files_give_every_row_of_a_file_its_truth(tmp_path):
    # cresci-2017 keeps each class in a folder of its own, every one with a users.csv.
    for folder, rows in (("genuine", "ann,300,200\nbob,80,90\n"), ("fake_followers", "xq1,2,1900\nxq2,40,380\n")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "users.csv").write_text("screen_name,followers_count,friends_count\n" + rows)
    genuine, fake = tmp_path / "genuine" / "users.csv", tmp_path / "fake_followers" / "users.csv"
    got = rows_of(check("accounts", genuine, fake, "--json", "--label-file", f"{fake}=fake",
                        "--label-file", f"{genuine}=0"))
    assert [(row["handle"], row["label"]) for row in got[:4]] == [("ann", "real"), ("bob", "real"), ("xq1", "fake"),
                                                                  ("xq2", "fake")]
    baseline = scores(check("accounts", genuine, fake, "--json", "--quiet", "--label-file", f"{fake}=1",
                            "--label-file", f"{genuine}=0"))["baseline: following >= 10x followers (one line)"]
    assert (baseline["tp"], baseline["fp"], baseline["fn"], baseline["tn"]) == (1, 0, 1, 2)


@pytest.mark.parametrize("kind, header, row", [("comments", "CONTENT,CLASS", "great song,0"),
                                                ("accounts", "handle,followers,following,CLASS", "ann,300,200,0")])
def test_a_label_file_and_a_label_column_of_the_same_file_are_refused(tmp_path, monkeypatch, kind, header, row):
    # Both gave its rows a truth, and the file's won without a word (here the other way).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k.csv").write_text(f"{header}\n{row}\n")
    result = check(kind, "k.csv", "--label-column", "CLASS", "--label-file", "k.csv=1")
    assert result.exit_code == 2, result.output
    assert result.output == "Error: k.csv: --label-column 'CLASS' and --label-file k.csv=1 both give the truth " \
                            "of its rows; give one of them for this file\n"
    # a file without the column takes its --label-file's truth beside one read by its column
    (tmp_path / "more.csv").write_text(f"{header.rpartition(',')[0]}\n{row.rpartition(',')[0]}\n")
    mixed = check(kind, "k.csv", "more.csv", "--json", "--label-column", "CLASS", "--label-file", "more.csv=1")
    assert mixed.exit_code == 0, mixed.output
    expected = ["ham", "spam"] if kind == "comments" else ["real", "fake"]
    assert [r["label"] for r in rows_of(mixed) if "where" in r] == expected


def test_label_files_and_values_in_check_comments_and_posts(tmp_path):
    spam, ham = tmp_path / "spam.csv", tmp_path / "ham.csv"
    spam.write_text("CONTENT\nsubscribe to my channel http://x.example\n")
    ham.write_text("CONTENT\nthis song takes me back\n")
    card = scores(check("comments", spam, ham, "--json", "--quiet", "--label-file", f"{spam}=spam",
                        "--label-file", f"{ham}=ham"))["spam"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)
    posts = tmp_path / "posts.csv"
    posts.write_text("text,kind\nuse code GLOW20 for 20% off,promo\nsunset walk,personal\n")
    result = json.loads(check("posts", posts, "--json", "--label-column", "kind", "--label-value", "promo=sponsored",
                              "--label-value", "personal=organic").output)
    assert result["label_means"] == "sponsored" and "note" not in result
    card = result["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)


def test_an_empty_truth_is_said_as_empty_and_a_hint_is_quoted_for_the_shell(tmp_path):
    path = tmp_path / "comments.csv"
    path.write_text("text,kind\nsub to my channel,Spam Comment\nnice song,\n")
    empty = check("comments", path, "--label-column", "kind", "--label-value", "Spam Comment=1")
    assert empty.exit_code == 2 and "line 3: label column 'kind' is empty; every row needs its truth" in empty.output
    unmapped = check("comments", path, "--label-column", "kind")
    assert "map your labels with --label-value 'Spam Comment=1' (or =0)" in " ".join(unmapped.output.split())


def test_check_posts_reads_what_1_means_from_the_cells_mapped_to_1_and_0(tmp_path):
    posts = tmp_path / "posts.csv"
    posts.write_text("text,label\nuse code GLOW20 for 20% off,sponsored\nsunset walk,organic\n")
    plain = json.loads(check("posts", posts, "--json", "--label-column", "label").output)
    mapped = json.loads(check("posts", posts, "--json", "--label-column", "label", "--label-value", "sponsored=1",
                              "--label-value", "organic=0").output)
    assert plain["label_means"] == mapped["label_means"] == "sponsored"
    assert plain["scores"] == mapped["scores"]


# -- files as a second review wrote them (2026-12-04): encodings, compression, workbooks --

COMMENTS = "text,label\nlovely song,0\nsubscribe to my channel,1\n"


ENCODED = {
    "plain.csv": lambda: COMMENTS.encode("utf-8"),
    "bom.csv": lambda: b"\xef\xbb\xbf" + COMMENTS.encode("utf-8"),
    "excel-unicode.csv": lambda: COMMENTS.encode("utf-16"),  # with its byte-order mark
    "latin.csv": lambda: "text,label\nCaf\xe9 at 5? \xa3900,0\nsubscribe to my channel,1\n".encode("cp1252"),
    "packed.csv.gz": lambda: __import__("gzip").compress(COMMENTS.encode()),
    "packed.csv.xz": lambda: __import__("lzma").compress(COMMENTS.encode()),
    "packed.csv.bz2": lambda: __import__("bz2").compress(COMMENTS.encode()),
}


@pytest.mark.parametrize("name", ENCODED)
def test_encodings_and_compressed_files_are_read(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(ENCODED[name]())
    noted = name == "latin.csv"
    result = CliRunner().invoke(cli, ["check", "comments", str(path), "--label-column", "label", "--json",
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    card = scores(result)["spam"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)
    assert (f"note: {path} is not UTF-8 (byte 14); read as Windows-1252" in result.stderr) is noted
    if noted:  # the text as Windows-1252 shows it
        texts = [r["text"] for r in rows_of(CliRunner().invoke(cli, ["check", "comments", str(path), "--json"]))
                 if "text" in r]
        assert texts[0] == "Caf\xe9 at 5? \xa3900"


def test_a_workbook_is_read_from_its_first_sheet(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["handle", "followers", "following", "fake"])
    sheet.append(["bought1", 3, 4_100, 1])
    sheet.append([None, None, None, None])  # an empty row Excel leaves
    sheet.append(["anna", 800, 310, 0])
    book.save(tmp_path / "accounts.xlsx")
    card = scores(check("accounts", tmp_path / "accounts.xlsx", "--label-column", "fake", "--json", "--quiet"))
    assert (card["fake = suspicious"]["tp"], card["fake = suspicious"]["tn"]) == (1, 1)
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = check("accounts", tmp_path / "fake.xlsx", "--label-column", "fake")
    assert result.exit_code == 2 and "not an Excel workbook openpyxl can read" in result.output


def test_excels_separator_line_and_blanks_around_header_names(tmp_path):
    path = tmp_path / "uci.csv"
    path.write_text("sep=;\nCOMMENT_ID; AUTHOR; CONTENT; CLASS\n1;a;lovely song;0\n2;b;subscribe to my channel;1\n")
    card = scores(check("comments", path, "--label-column", "CLASS", "--json", "--quiet"))["spam"]
    assert (card["tp"], card["tn"]) == (1, 1)


def test_a_cell_longer_than_the_csv_modules_default_limit_is_one_cell(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(f'text,label\n"{"la " * 60_000}",0\nsubscribe to my channel,1\n')
    card = scores(check("comments", path, "--label-column", "label", "--json", "--quiet"))["spam"]
    assert (card["tp"], card["tn"]) == (1, 1)


@pytest.mark.parametrize("page", [
    {"accounts": [{"acct": "bought1", "followers_count": 3, "following_count": 4100}], "statuses": [],
     "hashtags": []},  # Mastodon's v2 search
    {"profiles": [{"did": "did:plc:x", "handle": "bought1.bsky.social", "followersCount": 3,
                   "followsCount": 4100}]},  # Bluesky's getProfiles
    {"userList": [{"uniqueId": "bought1", "followerCount": 3, "followingCount": 4100}]},  # TikTok's web
])
def test_api_pages_of_other_shapes_are_read_by_their_records(tmp_path, page):
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    (row,) = [r for r in rows_of(check("accounts", path, "--json")) if "features" in r]
    assert (row["features"]["followers"], row["features"]["following"]) == (3, 4100)


@pytest.mark.parametrize("command, header, row", [
    ("accounts", "handle,followers,following,is_genuine", "anna,800,310,1"),
    ("accounts", "handle,followers,following,isHuman", "anna,800,310,true"),
    ("comments", "text,not_spam", "lovely song,1"),
    ("comments", "text,ham", "lovely song,1"),
])
def test_a_truth_column_named_for_the_genuine_class_must_say_which_way_it_reads(tmp_path, command, header, row):
    path = tmp_path / "set.csv"
    path.write_text(f"{header}\n{row}\n")
    column = header.rsplit(",", 1)[1]
    refused = check(command, path, "--label-column", column, "--quiet")
    assert refused.exit_code == 2
    assert f"--label-column {column!r} is named for the real or genuine class" in refused.output
    value = row.rsplit(",", 1)[1]
    yes, no = ("true", "false") if value == "true" else ("1", "0")  # the pair as the file spells it
    assert f"--label-value {yes}=0 --label-value {no}=1 if {yes} means genuine" in refused.output
    mapped = check(command, path, "--label-column", column, "--label-value", f"{value}=0", "--json", "--quiet")
    assert mapped.exit_code == 0, mapped.output
    # Words say the class themselves: no question asked ("real" is the genuine class, 0).
    path.write_text(f"{header}\n{row.rsplit(',', 1)[0]},real\n")
    assert check(command, path, "--label-column", column, "--quiet").exit_code == 0


def test_a_mastodon_statuss_html_is_read_as_the_text_readers_see(tmp_path):
    status = {"id": "1", "tags": [{"name": "ad"}],
              "content": '<p>10&#37; off with my link <a href="https://bit.ly/glow" rel="nofollow"><span '
                         'class="invisible">https://</span><span class="">bit.ly/glow</span></a> <a '
                         'href="https://x.social/tags/ad" class="mention hashtag" rel="tag">#<span>ad</span></a></p>'}
    path = tmp_path / "statuses.json"
    path.write_text(json.dumps([status]))
    (post,) = json.loads(check("posts", path, "--json").output)["posts"]
    # #ad at the start of the second line of 40 characters, not at character 180 of markup;
    # the price cut decoded beside the link.
    assert post["disclosure"] == "adequate" and post["adequate_labels"] == ["#ad"]
    assert ["shortened_link", 'https://bit.ly/glow … beside "10% off"'] in post["signals"]
    plain = tmp_path / "plain.csv"
    plain.write_text('id,text\n1,"Fish & chips <3 at 5 > 4"\n')
    (kept,) = json.loads(check("posts", plain, "--json").output)["posts"]
    assert kept["disclosure"] == "not_needed"


@pytest.mark.parametrize("cell", ['"[\'ad\', \'gifted\']"', '"[""ad"", ""gifted""]"', '"#ad #gifted"', "ad"])
def test_a_list_of_tags_written_into_one_cell_is_read_as_the_list(tmp_path, cell):
    path = tmp_path / "posts.csv"
    path.write_text(f"id,text,hashtags\n1,new serum in my routine,{cell}\n")
    (post,) = json.loads(check("posts", path, "--json").output)["posts"]
    assert post["adequate_labels"] == ["#ad"] and post["disclosure"] == "buried"


@pytest.mark.parametrize("followers, following, read", [
    ("2.000", "5.000", (2000, 5000)),       # European Excel, ';' separated
    ('"1,234"', '"12,500"', (1234, 12500)),  # US thousands, quoted
    ("-1", "300", (None, 300)),             # a count the export did not have
])
def test_counts_as_spreadsheets_write_them(tmp_path, followers, following, read):
    separator = ";" if "." in followers else ","
    path = tmp_path / "accounts.csv"
    path.write_text(f"handle{separator}followers{separator}following\nanna{separator}{followers}{separator}{following}\n")
    (row,) = [r for r in rows_of(check("accounts", path, "--json")) if "features" in r]
    assert (row["features"].get("followers"), row["features"].get("following")) == read
    assert not any("-1 follower" in reason for reason in row["reasons"])


def test_a_dormant_reader_whose_picture_is_not_known_is_not_said_to_have_one(tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_text("handle,followers,following,posts\nanna,3,955,0\n")
    (row,) = [r for r in rows_of(check("accounts", path, "--json")) if "features" in r]
    assert row["class"] == "dormant"
    assert row["reasons"] == ["0 posts and follows 955 (at most 1,000) (whether it has a picture is not known): a "
                              "real reader who does not post"]


def test_check_posts_judges_several_files_together_and_instaloaders_own_files(tmp_path):
    import lzma

    node = {"node": {"shortcode": "B1", "edge_media_to_caption": {"edges": [{"node": {"text": "Use code GLOW20 for "
                                                                                               "20% off #ad"}}]}},
            "instaloader": {"version": "4.10", "node_type": "Post"}}
    (tmp_path / "2024-05-01_UTC.json.xz").write_bytes(lzma.compress(json.dumps(node).encode()))
    (tmp_path / "more.csv").write_text("id,text,label\nC2,lovely walk today,organic\n")
    (tmp_path / "one.json").write_text(json.dumps({**node, "node": {**node["node"], "shortcode": "B2"}}))
    result = check("posts", tmp_path / "2024-05-01_UTC.json.xz", tmp_path / "one.json", tmp_path / "more.csv",
                   "--json")
    assert result.exit_code == 0, result.output
    posts = json.loads(result.output)["posts"]
    assert [(p["id"], p["disclosure"]) for p in posts] == [("B1", "adequate"), ("B2", "adequate"),
                                                          ("C2", "not_needed")]


def test_the_twitter_spam_sets_quality_is_the_genuine_class(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text("Tweet,following,followers,actions,is_retweet,location,Type\n"
                    "Lovely game last night,120,300,5,0,Leeds,Quality\n"
                    "subscribe to my channel http://x.co/1,5000,3,0,0,,Spam\n")
    card = scores(check("comments", path, "--column", "text=Tweet", "--label-column", "Type", "--json",
                        "--quiet"))["spam"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)


def test_a_row_with_nothing_the_classifier_reads_is_left_out_and_said(tmp_path):
    path = tmp_path / "twibot.json"
    path.write_text(json.dumps([
        {"ID": "1", "profile": {"screen_name": "anna ", "followers_count": "800 ", "friends_count": "310 ",
                                "description": "hi "}, "label": "0"},
        {"ID": "2", "profile": None, "label": "1"},
        {"ID": "3", "profile": {"screen_name": "bot1 ", "followers_count": "3 ", "friends_count": "4100 ",
                                "description": " "}, "label": "1"}]))
    result = check("accounts", path, "--label-column", "label", "--json", "--quiet")
    card = scores(result)["fake = suspicious"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)
    assert f"note: 1 row with none of followers, following, posts, picture or bio known was left out, not judged " \
           f"(the first: {path} item 2)" in result.stderr


def test_a_set_of_ids_and_labels_only_is_refused_saying_it_needs_hydrating(tmp_path):
    path = tmp_path / "varol.tsv"
    path.write_text("id\tlabel\n12345\t1\n67890\t0\n")
    result = check("accounts", path, "--label-column", "label")
    assert result.exit_code == 2 and "must first be hydrated from the platform's API" in result.output


# -- a second review of the changes above (2026-12-04) --

@pytest.mark.parametrize("separator, cells, read", [
    (",", ("123.000", "456.000"), (123, 456)),     # pandas' float_format="%.3f": decimals, not thousands
    (";", ("123.000", "456.000"), (123000, 456000)),  # European Excel: thousands
    (",", ("0.000", "1.000"), (0, 1)),
    (";", ('"1,234"', "5"), None),                 # a decimal comma in a ';' file is no whole number
])
def test_thousands_are_grouped_as_the_files_own_convention_groups_them(tmp_path, separator, cells, read):
    path = tmp_path / "accounts.csv"
    path.write_text(f"handle{separator}followers{separator}following\nanna{separator}{cells[0]}{separator}{cells[1]}\n")
    result = check("accounts", path, "--json")
    if read is None:
        assert result.exit_code == 2
        assert "column 'followers' holds '1,234'; it should be a whole number" in result.output
        return
    (row,) = [r for r in rows_of(result) if "features" in r]
    assert (row["features"]["followers"], row["features"]["following"]) == read


def test_typed_numbers_are_never_read_as_grouped_thousands(tmp_path):
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps([{"handle": "anna", "followers": 1.125, "following": 300}]))
    result = check("accounts", path)
    assert result.exit_code == 2 and "column 'followers' holds 1.125; it should be a whole number" in result.output


def test_utf8_with_a_stray_byte_is_refused_not_garbled(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_bytes("id,text\n1,K\u00fcche \U0001f60d\n2,caf\u00e9\n".encode() + b"3,bad \xff byte\n")
    result = check("comments", path)
    assert result.exit_code == 2
    assert "UTF-8 text with bytes that are not UTF-8 (the first at byte" in result.output
    path.write_bytes("text,label\nhello,0\nsubscribe to my channel,1\n".encode("utf-16-le"))  # no BOM
    result = check("comments", path, "--label-column", "label", "--json", "--quiet")
    assert scores(result)["spam"]["tp"] == 1
    assert "has no byte-order mark; read as UTF-16-LE (every other byte is 0)" in result.stderr


@pytest.mark.parametrize("column, refused", [
    ("human_label", False), ("spam_or_not", False), ("BotOrNot", False), ("fake_or_real", False),
    ("human_annotation", False), ("human_verified_spam", False), ("organic_reach", False), ("label", False),
    ("is_not_fake", True), ("NonSpam", True), ("legit", True),
])
def test_only_names_of_the_genuine_class_are_asked_about(tmp_path, column, refused):
    path = tmp_path / "comments.csv"
    path.write_text(f"text,{column}\nlovely song,0\nsubscribe to my channel,1\n")
    result = check("comments", path, "--label-column", column, "--quiet")
    assert (result.exit_code == 2) is refused, result.output


@pytest.mark.parametrize("column", ["not_sponsored", "non_ad", "is_not_ad", "not_promotional", "is_organic"])
def test_check_posts_asks_which_way_a_column_named_for_organic_posts_reads(tmp_path, column):
    path = tmp_path / "posts.csv"
    path.write_text(f"text,{column}\nUse code GLOW20 for 20% off,0\nlovely walk,1\n")
    refused = check("posts", path, "--label-column", column, "--quiet")
    assert refused.exit_code == 2 and f"--label-column {column!r} is named for organic posts" in refused.output
    mapped = check("posts", path, "--label-column", column, "--label-value", "1=0", "--label-value", "0=1",
                   "--label-means", "sponsored", "--json", "--quiet")
    card = json.loads(mapped.output)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)


def test_a_huge_tag_cell_is_split_not_parsed_and_other_lists_stay_text(tmp_path):
    path = tmp_path / "posts.csv"
    huge = "[" + ", ".join(["'ad'"] * 10_000) + "]"
    path.write_text(f'id,text,hashtags\n1,new serum,"{huge}"\n2,hello,"[1, 2]"\n')
    result = check("posts", path, "--json")
    assert result.exit_code == 0, result.output[:300]
    assert [p["id"] for p in json.loads(result.output)["posts"]] == ["1", "2"]


def test_a_workbooks_numbers_are_read_as_text_where_text_is_wanted(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["id", "text", "label"])
    book.active.append([1, 2024, "organic"])
    book.active.append([2, "Use code GLOW20 for 20% off", "sponsored"])
    book.save(tmp_path / "posts.xlsx")
    result = check("posts", tmp_path / "posts.xlsx", "--label-column", "label", "--json", "--quiet")
    card = json.loads(result.output)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["tn"]) == (1, 1)


def test_a_quote_inside_an_unquoted_cell_is_no_quote_left_open(tmp_path):
    """A bio saying 5" tall (a quote inside an unquoted cell, which the csv module reads as a
    character of it) refused the whole file: 'a quote opened here is never closed'."""
    path = tmp_path / "accounts.csv"
    path.write_text('handle,bio,followers,following,label\nann,5" tall,1200,300,0\nbob,ok,12,4000,1\n')
    result = check("accounts", path, "--label-column", "label", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    assert scores(result)["fake = suspicious"]["n"] == 2
    path.write_text('handle,bio,followers,following,label\nann,"5"" tall,1200,300,0\nbob,ok,12,4000,1\n')
    result = check("accounts", path, "--label-column", "label")
    assert result.exit_code == 2 and "line 2: a quote opened here is never closed" in result.output, result.output


def test_the_label_column_is_found_in_any_case_as_our_columns_are(tmp_path):
    """--label-column Label on a file whose header says label was "not a column", while our own
    columns are found in any case or spelling (Followers, followers_count)."""
    (tmp_path / "accounts.csv").write_text("Handle,Followers,Following,label\nbought1,3,4100,1\nanna,800,310,0\n")
    card = scores(check("accounts", tmp_path / "accounts.csv", "--label-column", "Label", "--json", "--quiet"))
    assert (card["fake = suspicious"]["tp"], card["fake = suspicious"]["tn"]) == (1, 1)
    (tmp_path / "comments.csv").write_text("CONTENT,CLASS\nsubscribe to my channel,1\nlovely song,0\n")
    card = scores(check("comments", tmp_path / "comments.csv", "--label-column", "class", "--json", "--quiet"))
    assert (card["spam"]["tp"], card["spam"]["tn"]) == (1, 1)
    (tmp_path / "posts.csv").write_text("text,Is Sponsored\nBuy now #ad,1\nmy lunch,0\n")
    result = check("posts", tmp_path / "posts.csv", "--label-column", "is_sponsored", "--json", "--quiet")
    assert result.exit_code == 0, result.output
    card = json.loads(result.stdout)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["tn"]) == (1, 1)


@pytest.mark.parametrize("command, header", [("accounts", "handle,followers,following,label,LABEL"),
                                             ("posts", "text,followers,following,label,LABEL")])
def test_a_label_column_two_columns_match_only_by_case_is_refused_naming_both(tmp_path, command, header):
    (tmp_path / "two.csv").write_text(f"{header}\nbought1,3,4100,1,0\nanna,800,310,0,1\n")
    result = check(command, tmp_path / "two.csv", "--label-column", "Label", "--quiet")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: {tmp_path / 'two.csv'}: --label-column: 'Label' is no column as written, and 2 "
                             f"match it in another case or spelling: 'label', 'LABEL'; give one of them as written\n")
    # written as one of them is, it names that one
    means = ["--label-means", "sponsored"] if command == "posts" else []
    assert check(command, tmp_path / "two.csv", "--label-column", "LABEL", *means, "--quiet").exit_code == 0


def test_a_column_mapped_with_column_is_found_in_any_case_too(tmp_path):
    """--column handle=handle on a file whose header says Handle: "the file has no column",
    while our own names are found in any case; two columns matching only by case are refused."""
    (tmp_path / "accounts.csv").write_text("Handle,Fans,Following\nbought1,3,4100\nanna,800,310\n")
    (first,) = [row for row in rows_of(check("accounts", tmp_path / "accounts.csv", "--column", "followers=fans",
                                             "--json")) if "where" in row][:1]
    assert (first["handle"], first["features"]["followers"]) == ("bought1", 3)
    (tmp_path / "two.csv").write_text("fans,Fans,following\n3,4,4100\n")
    result = check("accounts", tmp_path / "two.csv", "--column", "followers=FANS")
    assert (result.exit_code, result.stderr) == (2, f"Error: {tmp_path / 'two.csv'}: --column followers=FANS: 'FANS' "
                                                    "is no column as written, and 2 match it in another case or "
                                                    "spelling: 'fans', 'Fans'; give one of them as written\n")


def test_a_decimal_comma_in_a_semicolon_file_is_read_as_the_number_it_writes(tmp_path):
    # Kaggle's Instagram fake/spammer train.csv saved by a European Excel: ';' between cells and
    # a decimal comma in "nums/length username" (0,27), refused before as no number at all.
    path = tmp_path / "train.csv"
    path.write_text("profile pic;nums/length username;#posts;#followers;#follows;fake\r\n"
                    "1;0,27;32;1.000;955;0\r\n0;0,5;0;5;2.500;1\r\n", encoding="cp1252")
    got = [r for r in rows_of(check("accounts", path, "--json", "--label-column", "fake")) if "features" in r]
    assert [r["features"]["username_digit_share"] for r in got] == [0.27, 0.5]
    assert [r["features"]["followers"] for r in got] == [1000, 5]


def test_a_decimal_comma_is_not_read_where_the_comma_separates_cells(tmp_path):
    path = tmp_path / "train.csv"
    path.write_text('profile pic,nums/length username,#followers,#follows\n1,"0,27",10,955\n')
    result = check("accounts", path)
    assert result.exit_code == 2
    assert "column 'nums/length username' holds '0,27'; it should be a number" in result.output


@pytest.mark.parametrize("command, header, row", [
    ("accounts", "profile pic;#followers;#follows;fake", "1;900;300;0"),
    ("comments", "CONTENT;CLASS", "lovely song;0"),
    ("posts", "caption;is_ad", "my morning run;0"),
])
def test_rows_of_separators_only_as_excel_saves_them_are_no_records(tmp_path, command, header, row):
    # Excel writes a formatted but empty row as its separators alone (";;;"): it holds no record,
    # and was refused as a row whose truth is empty.
    path = tmp_path / "set.csv"
    path.write_text(f"{header}\r\n{row}\r\n{';' * header.count(';')}\r\n ; \r\n\r\n")
    result = check(command, path, "--label-column", header.rsplit(";", 1)[1], "--json", "--quiet")
    assert result.exit_code == 0, result.output
    assert '"n": 1,' in result.output


def test_a_big_csv_is_read_from_its_text_not_split_joined_and_copied(tmp_path):
    """500,000 accounts (96 MB, cresci's columns) took 955 MB to check: the text was split into
    lines, joined again and copied into a buffer four bytes a character before the rows were
    read. The rows go by one at a time; the file's bytes and its text are what is held."""
    import tracemalloc

    from microscout.cli.records import read_records

    path = tmp_path / "users.csv"
    path.write_text("id,screen_name,followers_count,friends_count,description,label\n"
                    + "".join(f'{i},user{i},{i % 900},{i % 3000},"I write about things, and more {i}",{i % 2}\n'
                              for i in range(10_000)))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        rows = sum(1 for _ in read_records(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 10_000
    assert peak < 3 * size, (peak, size)


@pytest.mark.parametrize("command, header, row", [
    ("comments", "CONTENT,CLASS", "nice song,{}"),
    ("accounts", "#followers,#follows,fake", "900,300,{}"),
    ("posts", "caption,is_ad", "my morning run,{}"),
])
@pytest.mark.parametrize("missing", ["NaN", "NULL", "NA", "None", "n/a"])
def test_a_missing_truth_written_as_nan_or_null_is_said_missing_not_mapped_to_a_class(tmp_path, command, header,
                                                                                      row, missing):
    # pandas writes a label it does not have as NaN (its 1.0/0.0 beside it), SQL dumps NULL: the
    # hint was to map it, --label-value NaN=1 (or =0), which gives rows of no known truth a class.
    path = tmp_path / "set.csv"
    path.write_text(f"{header}\n{row.format('1.0')}\n{row.format('0.0')}\n{row.format(missing)}\n")
    result = check(command, path, "--label-column", header.rsplit(",", 1)[1])
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and f"line 4: label column {header.rsplit(',', 1)[1]!r} holds {missing!r}, a " \
        "missing truth; every row needs its truth" in message, message
    assert "--label-value" not in message.split("missing truth")[1].split(";")[0]
    assert f"--label-value {missing}=1" not in message and f"--label-value '{missing}=1'" not in message
    # a word that is a class of the set's own is still mapped as it says
    mapped = check(command, path, "--label-column", header.rsplit(",", 1)[1], "--label-value", "1.0=1",
                   "--label-value", "0.0=0", "--label-value", f"{missing}=0", "--quiet",
                   *(["--label-means", "sponsored"] if command == "posts" else []))
    assert mapped.exit_code == 0, mapped.output


def _peak_of(run) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_big_jsonl_file_is_read_a_line_at_a_time_not_held_as_rows(tmp_path):
    """200,000 posts in a 47 MB JSONL file took 525 MB to check: its bytes, its text, its lines
    and every row (as dicts) were held, to find the keys, which differ from row to row. The
    file is now read twice from the disk, a line at a time: once for its keys, once for its
    rows, and a key that only a late row has is still a column."""
    from microscout.cli.check_accounts import COLUMNS
    from microscout.cli.records import load_rows

    path = tmp_path / "users.jsonl"
    path.write_text("".join(json.dumps({"screen_name": f"user{i}", "followers_count": i % 900,
                                        "description": f"I write about things, and more {i}", "label": i % 2})
                            + "\n" for i in range(5_000))
                    + json.dumps({"screen_name": "last", "friends_count": 5000, "label": 1}) + "\n")
    size = path.stat().st_size
    read: list = []

    def run() -> None:
        for record, columns, label in load_rows((str(path),), {}, "label", "all", COLUMNS, ("followers",)):
            if not read:
                read.append(columns)
            read.append(label)

    peak = _peak_of(run)
    assert len(read) == 5_002 and read[0]["following"] == "friends_count"
    assert peak < size // 2, (peak, size)


def test_rows_checked_before_the_first_is_given_are_read_again_not_held(tmp_path, monkeypatch):
    """load_rows(first_pass=…), for check --json's lines: every row is read and checked before
    the first is given, so that a refusal comes before any line is printed; the rows are read
    again from the disk, none held, and a JSONL file's keys, found by the first reading, are not
    read a third time (keys, rows checked, rows given)."""
    from microscout.cli import records
    from microscout.cli.check_accounts import COLUMNS, features_of

    path = tmp_path / "users.jsonl"
    path.write_text("".join(json.dumps({"screen_name": f"user{i}", "followers_count": i % 900, "label": i % 2})
                            + "\n" for i in range(5_000)))
    size = path.stat().st_size
    readings: list = []
    read_records = records.read_records
    monkeypatch.setattr(records, "read_records", lambda *args, **kw: readings.append(args) or read_records(*args, **kw))
    checked, given = [0], [0]

    def check(record, columns) -> None:
        assert not given[0]  # every row checked before the first is given
        features_of(record, columns)
        checked[0] += 1

    def run() -> None:
        for _row in records.load_rows((str(path),), {}, "label", "all", COLUMNS, ("followers",), first_pass=check):
            given[0] += 1

    peak = _peak_of(run)
    assert checked == given == [5_000] and len(readings) == 3
    assert peak < size // 2, (peak, size)


def test_check_posts_judges_a_big_jsonl_file_without_holding_its_posts(tmp_path):
    """`check posts --quiet` kept every post, its analysis and its result until the end; it
    now keeps the counts and scores, with the same figures (the labels' words, sponsored/
    organic, still say what 1 means after the last row)."""
    path = tmp_path / "posts.jsonl"
    rows = [{"id": f"p{i}", "caption": f"morning coffee and a long walk number {i}" + (" #ad" if i % 4 == 0 else ""),
             "label": "sponsored" if i % 4 == 0 else "organic"} for i in range(8_000)]
    rows[-1]["paid_partnership"] = True  # a key only the last row has
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    size = path.stat().st_size
    warm = tmp_path / "one.jsonl"  # the modules a first check imports are no rows held
    warm.write_text(json.dumps(rows[0]) + "\n")
    assert check("posts", str(warm), "--label-column", "label", "--quiet", "--json").exit_code == 0
    out: list = []
    peak = _peak_of(lambda: out.append(check("posts", str(path), "--label-column", "label", "--quiet", "--json")))
    result = out[0]
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["summary"]["posts"] == 8_000 and data["label_means"] == "sponsored"
    card = data["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fn"], card["fp"], card["tn"]) == (2_000, 0, 1, 5_999)
    assert peak < size, (peak, size)


def test_counts_rounded_as_tools_export_them_are_read_as_import_reads_them(tmp_path):
    """A creator tool's export writes followers rounded (12.5K, 475.8m): import read them, and
    check refused the same file ("it should be a whole number")."""
    from microscout.importers.rows import profile_row

    path = tmp_path / "creators.csv"
    path.write_text("handle,followers,following,posts,label\nann,12.5K,475,1.2M,0\nbob,475.8m,3 k,88,1\n")
    got = [r["features"] for r in rows_of(check("accounts", path, "--json", "--label-column", "label"))
           if "features" in r]
    assert [(f["followers"], f["following"], f["posts_count"]) for f in got] == [
        (12_500, 475, 1_200_000), (475_800_000, 3_000, 88)]
    imported = profile_row({"handle": "ann", "followers": "12.5K", "posts_count": "1.2M"},
                           {"handle": "handle", "followers": "followers", "posts_count": "posts_count"}, "instagram",
                           "line 2")
    assert (imported["followers"], imported["posts_count"]) == (got[0]["followers"], got[0]["posts_count"])
    # a ';' file writes its decimals with a comma (1,2 M); a ',' file's 12,5K may be 125K grouped: refused
    semi = tmp_path / "eu.csv"
    semi.write_text("handle;followers;following;label\r\nann;1,2 M;12,5K;0\r\n", encoding="cp1252")
    got = [r["features"] for r in rows_of(check("accounts", semi, "--json", "--label-column", "label"))
           if "features" in r]
    assert (got[0]["followers"], got[0]["following"]) == (1_200_000, 12_500)
    comma = tmp_path / "us.csv"
    comma.write_text('handle,followers,label\nann,"12,5K",0\n')
    result = check("accounts", comma, "--label-column", "label")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert (f"{comma} line 2: column 'followers' holds '12,5K'; it should be a whole number (below 2^63), or one "
            f"rounded as 12.5K or 1.2M") in " ".join(result.output.split())


def test_a_decimal_comma_truth_in_a_semicolon_file_is_read_as_1_and_0(tmp_path):
    """pandas writes a truth column 1.0/0.0; European Excel saves it as 1,0/0,0 in a ';' file,
    refused as no truth. It reads as 1 and 0 there; in a ',' file a quoted "1,0" is still refused."""
    path = tmp_path / "train.csv"
    path.write_text("profile pic;#followers;#follows;fake\r\n1;1.000;955;0,0\r\n0;5;2.500;1,0\r\n", encoding="cp1252")
    card = scores(check("accounts", path, "--json", "--quiet", "--label-column", "fake"))
    assert sum(card[name]["n"] for name in card) == 2 * len(card)
    assert all(card[name]["tp"] + card[name]["fn"] == 1 for name in card)
    posts = tmp_path / "posts.csv"
    posts.write_text("caption;is_ad\r\nuse code GLOW20 for 20% off;1,0\r\nmy morning run;0,0\r\n")
    data = json.loads(check("posts", posts, "--json", "--quiet", "--label-column", "is_ad").output)
    card = data["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fn"], card["fp"], card["tn"]) == (1, 0, 0, 1)
    comments = tmp_path / "comments.csv"
    comments.write_text("CONTENT;CLASS\r\nlovely song;0,0\r\ncheck out my channel http://x.example;1,0\r\n")
    assert '"n": 2,' in check("comments", comments, "--json", "--quiet", "--label-column", "CLASS").output
    us = tmp_path / "us.csv"
    us.write_text('caption,is_ad\nmy morning run,"1,0"\n')
    result = check("posts", us, "--label-column", "is_ad")
    assert result.exit_code == 2 and "holds '1,0'" in result.output and "Traceback" not in result.output


def test_a_semicolon_files_numbers_with_grouped_thousands_and_decimals_are_read(tmp_path):
    # A review of 1fd6967: a ';' file's decimal comma was read only without grouped thousands
    # (0,27, not 1.234,5), and not in a count column, where pandas saving a column with gaps
    # writes floats (1.500,0, as a ',' file's 1500.0 is read); a ',' file's "1,234.5" was refused.
    path = tmp_path / "train.csv"
    path.write_text("profile pic;nums/length username;#posts;#followers;#follows;fake\r\n"
                    "1;1.234,5;32;1.000;2.500,0;0\r\n0;0,5;0;12,0;7;1\r\n", encoding="cp1252")
    got = [r["features"] for r in rows_of(check("accounts", path, "--json", "--label-column", "fake"))
           if "features" in r]
    assert [(f["username_digit_share"], f["followers"], f["following"]) for f in got] == [(1234.5, 1000, 2500),
                                                                                           (0.5, 12, 7)]
    comma = tmp_path / "comma.csv"
    comma.write_text('profile pic,nums/length username,#followers,#follows\n1,"1,234.5","1,500.0",955\n')
    (row,) = [r["features"] for r in rows_of(check("accounts", comma, "--json")) if "features" in r]
    assert (row["username_digit_share"], row["followers"]) == (1234.5, 1500)
    # a count's decimals that are no whole number are still refused
    half = tmp_path / "half.csv"
    half.write_text("profile pic;#followers;#follows\r\n1;12,5;7\r\n")
    result = check("accounts", half)
    assert result.exit_code == 2 and "column '#followers' holds '12,5'; it should be a whole number" in result.output


@pytest.mark.parametrize("command, header, row", [
    ("comments", "CONTENT,CLASS", "nice song,{}"),
    ("accounts", "#followers,#follows,fake", "900,300,{}"),
    ("posts", "caption,is_ad", "my morning run,{}"),
])
def test_a_missing_truth_beside_labels_mapped_with_label_value_is_said_missing_not_mapped(tmp_path, command, header,
                                                                                         row):
    # A review of 6f42d76: with the set's own labels mapped (--label-value f=1 --label-value r=0),
    # a NaN cell still got "which no --label-value maps …; add --label-value NaN=1 (or =0)".
    path = tmp_path / "set.csv"
    path.write_text(f"{header}\n{row.format('f')}\n{row.format('r')}\n{row.format('NaN')}\n")
    column = header.rsplit(",", 1)[1]
    result = check(command, path, "--label-column", column, "--label-value", "f=1", "--label-value", "r=0")
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and f"line 4: label column {column!r} holds 'NaN', a missing truth" in message, message
    assert "NaN=1" not in message


# -- a label's meaning, alone and beside the other class (a review, 2027-01) --

@pytest.mark.parametrize("cells, read", [
    # one class alone reads as it reads beside the other: the other labels in a file change nothing
    (["fake"], ["fake"]), (["real"], ["real"]), (["spam"], ["fake"]), (["genuine"], ["real"]),
    (["yes"], ["fake"]), (["no"], ["real"]), (["y"], ["fake"]), (["n"], ["real"]),
    (["true"], ["fake"]), (["FALSE"], ["real"]), (["t"], ["fake"]), (["T"], ["fake"]),
    (["1"], ["fake"]), (["0"], ["real"]), (["1.0"], ["fake"]), (["0.0"], ["real"]),
    (["fake", "real"], ["fake", "real"]), (["yes", "no"], ["fake", "real"]), (["1", "0"], ["fake", "real"]),
    (["t", "f"], ["fake", "real"]), (["f", "t"], ["real", "fake"]), (["F", "T"], ["real", "fake"]),
    (["f", "f", "t"], ["real", "real", "fake"]),
    # f is false beside t only (PostgreSQL's t/f); without a t it may be the f/r set's fake: asked
    (["f"], None), (["F"], None), (["f", "f"], None), (["f", "real"], None), (["f", "0"], None),
    (["real", "f"], None), (["f", "false", "true"], None),
])
def test_a_label_means_the_same_alone_as_beside_the_other_class(tmp_path, cells, read):
    path = tmp_path / "set.csv"
    content = "handle,followers,following,label\n" + "".join(f"u{i},10,900,{c}\n" for i, c in enumerate(cells))
    path.write_text(content)
    result = check("accounts", path, "--json", "--label-column", "label")
    if read is not None:
        assert [row["label"] for row in rows_of(result) if "where" in row] == read
        return
    first = next(i for i, c in enumerate(cells) if c.lower() == "f")
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"set.csv line {first + 2}: label column 'label' holds {cells[first]!r} and no row of it 't'" in message
    assert f"--label-value {cells[first]}=1 (fake) or --label-value {cells[first]}=0 (false, real)" in message
    assert path.read_text() == content  # the user's file untouched
    if set(cells) == {cells[0]}:  # said which, as the message asks: read so
        told = check("accounts", path, "--json", "--label-column", "label", "--label-value", f"{cells[0]}=1")
        assert {row["label"] for row in rows_of(told) if "where" in row} == {"fake"}


@pytest.mark.parametrize("command, header, row, extra, classes", [
    ("accounts", "handle,followers,following,class", "ann,10,900,{}", (), ("fake", "real")),
    ("comments", "CONTENT,CLASS", "nice song,{}", (), ("spam", "genuine")),
    ("posts", "caption,is_ad", "my morning run,{}", (), ("what the column marks", "not that")),
    ("posts", "caption,is_ad", "my morning run,{}", ("--label-means", "sponsored"), ("sponsored", "organic")),
])
def test_an_f_without_a_t_is_asked_about_by_every_check(tmp_path, command, header, row, extra, classes):
    path = tmp_path / "fakes.csv"
    path.write_text(f"{header}\n{row.format('f')}\n{row.format('f')}\n")
    column = header.rsplit(",", 1)[1]
    result = check(command, path, "--label-column", column, *extra, "--quiet")
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert f"fakes.csv line 2: label column {column!r} holds 'f' and no row of it 't'" in said
    # in the command's own words for what 1 and 0 mean
    assert f"--label-value f=1 ({classes[0]}) or --label-value f=0 (false, {classes[1]})" in said
    # beside a t, in the same file or another file of the run, f is false
    other = tmp_path / "trues.csv"
    other.write_text(f"{header}\n{row.format('t')}\n")
    for files in ((path, other), (other, path)):
        assert check(command, *files, "--label-column", column, "--quiet").exit_code == 0
    # mapped, the cells are read as mapped: nothing to ask
    mapped = check(command, path, "--label-column", column, "--label-value", "f=0", "--quiet")
    assert mapped.exit_code == 0, mapped.output


@pytest.mark.parametrize("half", ["calibration", "held-out"])
def test_a_t_in_the_other_half_still_makes_f_false(tmp_path, half):
    # --half reads one half of the rows, but the column is the whole file's: its one t, in
    # the other half, says f is false (this half's f's were refused: "no row of it 't'")
    from microscout.heuristics.measure import split_half

    def row(i, cell):
        return {"handle": f"u{i}", "followers": str(10 + i), "following": "900", "label": cell}

    t_row = next(row(i, "t") for i in range(100) if split_half(row(i, "t")) != half)
    rows = [t_row] + [row(i, "f") for i in range(100, 112)]
    assert half in {split_half(r) for r in rows[1:]}  # some f's in this half
    path = tmp_path / "set.csv"
    path.write_text("handle,followers,following,label\n" + "".join(",".join(r.values()) + "\n" for r in rows))
    result = check("accounts", path, "--json", "--label-column", "label", "--half", half)
    assert {row["label"] for row in rows_of(result) if "where" in row} == {"real"}


@pytest.mark.parametrize("value, read", [(True, "fake"), (False, "real"), (1, "fake"), (0, "real"), ("f", None)])
def test_typed_json_truths_alone(tmp_path, value, read):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps({"followers": 10, "following": 900, "isFake": value}) + "\n" for _ in "ab"))
    result = check("accounts", path, "--json", "--label-column", "isFake")
    if read is None:
        assert result.exit_code == 2 and "set.jsonl line 1: label column 'isFake' holds 'f'" in result.output
    else:
        assert {row["label"] for row in rows_of(result) if "where" in row} == {read}


# -- a JSON page's list picked by --records (a review, 2027-01) --

MASTODON_SEARCH = {"accounts": [{"acct": "bought1", "followers_count": 3, "following_count": 4100, "label": "fake"},
                                {"acct": "ann", "followers_count": 300, "following_count": 200, "label": "real"}],
                   "statuses": [{"id": "9", "content": "<p>subscribe to my channel</p>", "label": "spam"}],
                   "hashtags": []}
TIKTOK_RESEARCH = {"data": {"videos": [{"id": 7, "video_description": "Use code GLOW20 for 20% off #ad"}],
                            "cursor": 1, "has_more": False, "search_id": "x"},
                   "error": {"code": "ok", "message": "", "log_id": "y"}}


@pytest.mark.parametrize("command, page, key, rows", [
    ("accounts", MASTODON_SEARCH, "accounts", 2),
    ("comments", MASTODON_SEARCH, "statuses", 1),
    ("posts", TIKTOK_RESEARCH, "data.videos", 1),
    ("comments", {"tweets": [{"text": "hi"}, {"text": "ho"}]}, "tweets", 2),  # a key not known
    ("comments", {"a.b": [{"text": "hi"}]}, "a.b", 1),  # a key holding a dot, read whole
    # a dot splits keys or is part of one, whichever leads to the list: the path the refusal
    # names is read (a.b.c was refused: "no key 'b' in 'a'", a.b read the object under "a.b")
    ("comments", {"a": {"x": 1}, "a.b": {"c": [{"text": "hi"}]}}, "a.b.c", 1),
    ("comments", {"a": {"b": [{"text": "hi"}]}, "a.b": {"c": 1}}, "a.b", 1),
])
def test_records_picks_the_list_of_a_json_page_that_cannot_be_told(tmp_path, command, page, key, rows):
    path = tmp_path / "page.json"
    path.write_text(json.dumps(page))
    content = path.read_text()
    refused = check(command, path, "--quiet")
    message = " ".join(refused.output.split())
    assert refused.exit_code == 2 and "Traceback" not in refused.output, refused.output
    assert f"{path}: expected a JSON array of objects, or an API page holding one" in message
    assert f"--records {key}" in message, message  # the option, and the key it takes
    assert path.read_text() == content
    read = check(command, path, "--json", "--records", key)
    assert read.exit_code == 0, read.output
    out = [json.loads(line) for line in read.output.splitlines() if line.startswith("{")] if command != "posts" \
        else [json.loads(read.output)]
    if command == "posts":
        assert out[0]["summary"]["posts"] == rows and out[0]["posts"][0]["id"] == "7"
    else:
        assert [row["where"] for row in out if "where" in row] == [f"{path} {key} item {n}"
                                                                  for n in range(1, rows + 1)]


def test_records_scores_the_list_it_picks(tmp_path):
    path = tmp_path / "search.json"
    path.write_text(json.dumps(MASTODON_SEARCH))
    card = scores(check("accounts", path, "--json", "--quiet", "--records", "accounts", "--label-column", "label"))
    assert (card["fake = suspicious"]["tp"], card["fake = suspicious"]["tn"]) == (1, 1)


@pytest.mark.parametrize("name, content, key, message", [
    ("page.json", TIKTOK_RESEARCH, "data.video",
     "page.json: --records 'data.video': no key 'video' in 'data'; its keys are: 'videos', 'cursor', 'has_more', "
     "'search_id'; a list of objects is under 'data.videos'"),
    ("page.json", TIKTOK_RESEARCH, "items", "page.json: --records 'items': no key 'items'; its keys are: 'data', "
                                            "'error'"),
    ("page.json", TIKTOK_RESEARCH, "data.cursor", "page.json: --records 'data.cursor' holds a number, not a list "
                                                  "of records"),
    ("page.json", TIKTOK_RESEARCH, "error.code.x", "page.json: --records 'error.code.x': 'error.code' holds a "
                                                   "string, not an object with keys"),
    ("page.json", {"ids": [1, 2]}, "ids", "--records 'ids' holds a list of other values, not a list of records"),
    ("list.json", [{"text": "hi"}], "items", "list.json: --records 'items': the file holds an array, not an object "
                                             "with keys; check it without --records (in a run of its own) to read "
                                             "its array"),
    ("rows.csv", "text\nhi\n", "items", "rows.csv: --records 'items' picks a list of records in a .json file, "
                                         "and this is no .json file"),
    ("rows.jsonl", '{"text": "hi"}\n', "items", "rows.jsonl: --records 'items' picks a list of records in a .json"),
    ("page.json", TIKTOK_RESEARCH, "", "--records '' names no key"),
    # two lists, one under the key "a.b", one under b in a: which one is not guessed
    ("page.json", {"x": {"a": {"b": [{"text": "hi"}]}, "a.b": [{"text": "ho"}]}}, "x.a.b",
     "page.json: --records 'x.a.b' names two lists of records, [\"x\"][\"a.b\"] and [\"x\"][\"a\"][\"b\"]"),
])
def test_records_refuses_what_it_cannot_pick_naming_file_and_key(tmp_path, name, content, key, message):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    result = check("comments", path, "--records", key)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert message in " ".join(result.output.split())


@pytest.mark.parametrize("name, content, told", [
    # pandas' floats, a ';' file's decimal comma, JSON's typed booleans, yes/no words: the pair
    # the question names must map the file's own cells (1=0 0=1 mapped none of 1.0/0.0 or true/false)
    ("set.csv", "handle,followers,following,is_genuine\na,10,2000,0.0\nb,300,200,1.0\n", ("1", "0")),
    ("set.csv", "handle;followers;following;is_genuine\na;10;2000;0,0\nb;300;200;1,0\n", ("1", "0")),
    ("set.jsonl", '{"followers": 10, "following": 2000, "is_genuine": false}\n'
                  '{"followers": 300, "following": 200, "is_genuine": true}\n', ("true", "false")),
    ("set.csv", "handle,followers,following,isHuman\na,10,2000,No\nb,300,200,Yes\n", ("yes", "no")),
])
def test_the_genuine_column_question_names_a_mapping_that_reads_the_file(tmp_path, name, content, told):
    path = tmp_path / name
    path.write_text(content)
    column = "isHuman" if "isHuman" in content else "is_genuine"
    refused = check("accounts", path, "--label-column", column, "--quiet")
    yes, no = told
    message = " ".join(refused.output.split())
    assert refused.exit_code == 2 and f"--label-value {yes}=0 --label-value {no}=1 if {yes} means genuine" in message
    assert "False" not in message and "True" not in message  # JSON's false, not Python's
    mapped = check("accounts", path, "--json", "--label-column", column, "--label-value", f"{yes}=0",
                   "--label-value", f"{no}=1")
    assert [row["label"] for row in rows_of(mapped) if "where" in row] == ["fake", "real"]


@pytest.mark.parametrize("cell, mapped", [("1.0", "1"), ("2.0", "2"), ("1", "1"), ("2.00", "2")])
def test_a_mapped_number_reads_however_the_file_writes_it(tmp_path, cell, mapped):
    path = tmp_path / "set.csv"
    path.write_text(f"text,class\nsubscribe to my channel,{cell}\n")
    card = scores(check("comments", path, "--json", "--quiet", "--label-column", "class", "--label-value",
                        f"{mapped}=spam"))["spam"]
    assert card["tp"] + card["fn"] == 1


@pytest.mark.parametrize("cells, told", [(("False", "True"), ("true", "false")), (("0.0", "1.0"), ("1", "0")),
                                         (("no", "yes"), ("yes", "no"))])
def test_check_posts_asks_about_an_organic_column_in_the_spelling_of_its_cells(tmp_path, cells, told):
    path = tmp_path / "posts.csv"
    path.write_text(f"text,is_organic\nUse code GLOW20 for 20% off,{cells[0]}\nlovely walk,{cells[1]}\n")
    refused = check("posts", path, "--label-column", "is_organic", "--quiet")
    yes, no = told
    assert refused.exit_code == 2
    assert f"--label-value {yes}=0 --label-value {no}=1 --label-means sponsored if {yes} means organic" in " ".join(
        refused.output.split())
    mapped = check("posts", path, "--label-column", "is_organic", "--label-value", f"{yes}=0", "--label-value",
                   f"{no}=1", "--label-means", "sponsored", "--json", "--quiet")
    card = json.loads(mapped.output)["scores"]["sponsored post vs label 1 = sponsored"]
    assert (card["tp"], card["fp"], card["fn"], card["tn"]) == (1, 0, 0, 1)
